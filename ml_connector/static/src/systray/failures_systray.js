import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

const REFRESH_MS = 60000;

// A badge in the top bar with the number of connector documents that failed: visible from every
// app, it opens them. Hidden when nothing failed or for users outside the connector groups.
export class ConnectorFailuresSystray extends Component {
    static template = "ml_connector.FailuresSystray";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ count: 0 });
        onWillStart(async () => {
            this.allowed = await user.hasGroup("ml_connector.group_ml_connector_user");
            await this.refresh();
        });
        this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        onWillUnmount(() => clearInterval(this.timer));
    }

    async refresh() {
        if (!this.allowed) {
            return;
        }
        this.state.count = await this.orm.searchCount("ml.connector.audit.line", [["state", "=", "failed"]]);
    }

    open() {
        this.action.doAction("ml_connector.action_ml_connector_audit_line", {
            additionalContext: { search_default_filter_failed: 1 },
        });
    }
}

registry.category("systray").add("ml_connector.failures", { Component: ConnectorFailuresSystray }, { sequence: 40 });
