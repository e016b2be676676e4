from odoo import api, fields, models
from odoo.fields import Domain


class MlConnectorDocumentsMixin(models.AbstractModel):
    """Business records (orders, bills, pickings, partners) lead to the audit lines of every
    connection that moved them: lines that name the record, lines of the documents bound to it,
    and those of its related records (an order's receipts)."""

    _name = "ml.connector.documents.mixin"
    _description = "Records moved by connectors"

    ml_connector_line_count = fields.Integer(
        "Connector documents", compute="_compute_ml_connector_line_count"
    )

    def _ml_connector_related_records(self):
        """Records whose connector documents also concern this one (e.g. an order's receipts)."""
        return []

    def _ml_connector_line_domain(self):
        self.ensure_one()
        records = [self, *self._ml_connector_related_records()]
        parts = []
        for records_of_model in records:
            if not records_of_model:
                continue
            model, ids = records_of_model._name, records_of_model.ids
            parts.append(Domain([("res_model", "=", model), ("res_id", "in", ids)]))
            parts.append(Domain("source_key", "in", [f"{model},{record_id}" for record_id in ids]))
            bindings = (
                self.env["ml.connector.binding"]
                .sudo()
                .search([("res_model", "=", model), ("res_id", "in", ids)])
            )
            for backend, external_ids in self._by_backend(bindings).items():
                ends = Domain.OR(
                    [
                        Domain("backend_id", "=", backend),
                        Domain("flow_id.source_backend_id", "=", backend),
                        Domain("flow_id.target_backend_id", "=", backend),
                    ]
                )
                parts.append(Domain("external_id", "in", external_ids) & ends)
        return list(Domain.OR(parts)) if parts else [("id", "=", 0)]

    @staticmethod
    def _by_backend(bindings):
        grouped = {}
        for binding in bindings:
            grouped.setdefault(binding.backend_id.id, []).append(binding.external_id)
        return grouped

    @api.depends_context("uid")
    def _compute_ml_connector_line_count(self):
        Line = self.env["ml.connector.audit.line"]
        allowed = self.env.user.has_group("ml_connector.group_ml_connector_user")
        for record in self:
            record.ml_connector_line_count = (
                Line.search_count(record._ml_connector_line_domain()) if allowed and record.id else 0
            )

    def action_open_ml_connector_lines(self):
        """Every connector document about this record, whatever the system."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("ml_connector.action_ml_connector_audit_line")
        action["domain"] = self._ml_connector_line_domain()
        action["context"] = {}
        action["name"] = self.env._("Connector documents: %s", self.display_name)
        return action


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "ml.connector.documents.mixin"]

    def _ml_connector_related_records(self):
        return [self.picking_ids]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "ml.connector.documents.mixin"]


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "ml.connector.documents.mixin"]


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "ml.connector.documents.mixin"]
