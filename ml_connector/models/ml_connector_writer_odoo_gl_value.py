from odoo import api, models
from odoo.tools.sql import escape_psql


class MlConnectorWriterOdooGlValue(models.AbstractModel):
    """GL values of a connection into its mappings: one mapping per value (mapping type = the
    value's segment on that connection), mapped at once when one Odoo record obviously is it (an
    account with the same code; an analytic account of the connection's cost-centre plan with the
    same code, or named like the value or its description). The admin maps the rest; documents
    waiting for a value go through once it is mapped."""

    _name = "ml.connector.writer.odoo.gl_value"
    _inherit = "ml.connector.writer"
    _description = "Odoo accounts and cost centres (mappings)"

    _document_type = "gl_value"

    @api.model
    def _write(self, line, value):
        source = line.flow_id.source_backend_id
        system = source._system_label()
        label = (
            value.description
            if value.active
            else self.env._(
                "%(value)s (inactive in %(system)s)", value=value.description or value.code, system=system
            )
        )
        Mapping = self.env["ml.connector.mapping"].sudo().with_context(active_test=False)
        mapping = Mapping._search_value(source, value.segment, value.code, None)
        vals = {"external_label": label}
        guess, why = (None, None) if not value.active or mapping.record_ref else self._guess(source, value)
        if guess:
            vals["record_ref"] = f"{guess._name},{guess.id}"
        if mapping:
            mapping.write(vals)
        else:
            mapping = Mapping.create(
                {"backend_id": source.id, "mapping_type": value.segment, "external_value": value.code, **vals}
            )
        if guess:
            message = self.env._("Mapped to %(record)s (%(why)s).", record=guess.display_name, why=why)
        elif mapping.record_ref:
            message = self.env._("Mapped to %s.", mapping.record_ref.display_name)
        elif not value.active:
            message = self.env._("Inactive in %s: listed, not mapped.", system)
        else:
            message = self.env._("Listed for the administrator to map (no Odoo record obviously matches).")
        return {"res_model": "ml.connector.mapping", "res_id": mapping.id, "message": message}

    @api.model
    def _guess(self, backend, value):
        """The Odoo record that obviously is this value, or (None, None)."""
        company = backend.company_id
        if value.kind == "account":
            Account = self.env["account.account"].with_company(company)
            accounts = Account.search([*Account._check_company_domain(company), ("code", "=", value.code)])
            if len(accounts) == 1:
                return accounts, self.env._("same account code")
        elif value.kind == "cost_centre":
            Analytic = self.env["account.analytic.account"].with_company(company)
            domain = list(Analytic._check_company_domain(company))
            if backend.cost_center_plan_id:
                domain.append(("root_plan_id", "=", backend.cost_center_plan_id.root_id.id))
            for field, wanted, why in (
                ("code", value.code, self.env._("same analytic code")),
                ("name", value.code, self.env._("same analytic name")),
                ("name", value.description, self.env._("analytic name is the description")),
            ):
                if wanted:
                    accounts = Analytic.search([*domain, (field, "=ilike", escape_psql(wanted))])
                    if len(accounts) == 1:
                        return accounts, why
        return None, None
