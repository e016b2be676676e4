"""GL segment values and cost centres: JAGGAER -> connector mappings (§1.12).

JAGGAER codes a line with splittable custom fields, one per chart-of-accounts segment
(``Account``, ``CostCenter``…). This flow lists each segment's values into
``ml.connector.mapping`` rows (mapping type = segment name) and maps the obvious ones: an
Odoo account with the same code, an analytic account with the same code or name. The admin
maps the rest; documents waiting for a value go through once it is mapped. There is no
(known) API to create values in JAGGAER, so Odoo accounts are never pushed: purchase orders
send the JAGGAER value an Odoo account is mapped to.
"""

from datetime import datetime
from urllib.parse import quote

from odoo import api, models
from odoo.tools.sql import escape_psql

from odoo.addons.ml_connector.tools.errors import ConnectorError, DocumentError
from odoo.addons.ml_connector.tools.items import Page, SourceItem


class MlConnectorHandlerJaggaerGlIn(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.gl.in"
    _inherit = ["ml.connector.handler", "ml.connector.jaggaer.handler.mixin"]
    _description = "Flow: JAGGAER GL segment values to mappings"

    _flow_label = "GL segments and cost centres: JAGGAER → mappings"
    _document_type = "gl_value"
    _source_system = "jaggaer"
    _target_system = "odoo"
    _systems = ("jaggaer",)
    _master_data = True
    _default_sequence = 5

    @api.model
    def _segments(self, backend):
        names = [backend.jaggaer_account_segment, backend.jaggaer_cost_center_segment]
        names += backend._jaggaer_list(backend.jaggaer_extra_segments)
        return list(dict.fromkeys(name.strip() for name in names if name and name.strip()))

    @api.model
    def _collect(self, flow, run):
        """Every value of every segment, each run: JAGGAER gives them no modification time.
        Unchanged values are skipped by their hash, so only new or changed ones get a line."""
        client = self._client(flow.backend_id)
        for segment in self._segments(flow.backend_id):
            what = self.env._("the values of GL segment %s", segment)
            try:
                for page in client.pages("gl_values", "gl_values", what, name=quote(segment, safe="")):
                    items = [
                        self._item(segment, record) for record in page.records if isinstance(record, dict)
                    ]
                    yield Page(items=items, more=True)
            except ConnectorError as exc:
                if exc.transient:
                    raise  # JAGGAER is unreachable: the whole flow tries again next run
                # one misnamed segment must not hide the others
                run._log(self.env._("%(flow)s: %(error)s", flow=flow.name, error=exc), error=True)
        yield Page(items=[], cursor={"read": datetime.utcnow().isoformat(sep=" ")}, more=False)

    @api.model
    def _item(self, segment, record):
        value = str(record.get("value") or "").strip()
        return SourceItem(
            source_key=f"{segment}:{value}",
            payload={**record, "internalName": segment},
            name=" ".join(filter(None, [segment, value, record.get("description")])),
            document_key=value,
        )

    @api.model
    def _process(self, line):
        backend = line.backend_id
        record = self._payload(line) or {}
        segment, value = record.get("internalName"), str(record.get("value") or "").strip()
        if not segment or not value:
            raise DocumentError(self.env._("A GL value needs a segment name and a value."))
        description = str(record.get("description") or "").strip()
        active = str(record.get("active", "true")).lower() != "false"
        label = description if active else self.env._("%s (inactive in JAGGAER)", description or value)
        Mapping = self.env["ml.connector.mapping"].sudo().with_context(active_test=False)
        mapping = Mapping.search(
            [("backend_id", "=", backend.id), ("mapping_type", "=", segment), ("external_value", "=", value)],
            limit=1,
        )
        vals = {"external_label": label}
        guess, why = (
            (None, None)
            if not active or mapping.record_ref
            else self._guess(backend, segment, value, description)
        )
        if guess:
            vals["record_ref"] = f"{guess._name},{guess.id}"
        if mapping:
            mapping.write(vals)
        else:
            mapping = Mapping.create(
                {"backend_id": backend.id, "mapping_type": segment, "external_value": value, **vals}
            )
        if guess:
            message = self.env._("Mapped to %(record)s (%(why)s).", record=guess.display_name, why=why)
        elif mapping.record_ref:
            message = self.env._("Mapped to %s.", mapping.record_ref.display_name)
        elif not active:
            message = self.env._("Inactive in JAGGAER: listed, not mapped.")
        else:
            message = self.env._("Listed for the administrator to map (no Odoo record obviously matches).")
        return {"res_model": "ml.connector.mapping", "res_id": mapping.id, "message": message}

    @api.model
    def _guess(self, backend, segment, value, description):
        """The Odoo record that obviously is this value, or (None, None)."""
        company = backend.company_id
        if segment == backend.jaggaer_account_segment:
            Account = self.env["account.account"].with_company(company)
            accounts = Account.search([*Account._check_company_domain(company), ("code", "=", value)])
            if len(accounts) == 1:
                return accounts, self.env._("same account code")
        elif segment == backend.jaggaer_cost_center_segment:
            Analytic = self.env["account.analytic.account"].with_company(company)
            domain = list(Analytic._check_company_domain(company))
            if backend.jaggaer_cost_center_plan_id:
                domain.append(("root_plan_id", "=", backend.jaggaer_cost_center_plan_id.root_id.id))
            for field, wanted, why in (
                ("code", value, self.env._("same analytic code")),
                ("name", value, self.env._("same analytic name")),
                ("name", description, self.env._("analytic name is the description")),
            ):
                if wanted:
                    accounts = Analytic.search([*domain, (field, "=ilike", escape_psql(wanted))])
                    if len(accounts) == 1:
                        return accounts, why
        return None, None
