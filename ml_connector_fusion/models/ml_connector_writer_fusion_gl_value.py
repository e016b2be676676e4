from odoo import api, models

from .ml_connector_fusion_mixin import text


class MlConnectorWriterFusionGlValue(models.AbstractModel):
    """GL values of another connection (JAGGAER's accounts and cost centres) mapped to Oracle
    Fusion's (§5.4), as mappings between the two connections.

    One mapping per value, on the source connection (mapping type = the value's segment there,
    other connection = Fusion): the source's writers read it one way (Fusion 6100 is JAGGAER
    Account 610000 on a purchase order), Fusion's the other (JAGGAER's coding of an invoice line
    becomes a Fusion account combination). A value is mapped at once when one Fusion value of the
    matching value set (accounts or cost centres) obviously is it: the same code, else the same
    description; the administrator maps the rest. Neither chart of accounts is written: charts
    are finance's, and a value created by a connector would bypass its approval.
    """

    _name = "ml.connector.writer.fusion.gl_value"
    _inherit = ["ml.connector.writer", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion accounts and cost centres (mappings)"

    _system = "fusion"
    _document_type = "gl_value"

    @api.model
    def _write(self, line, value):
        flow = line.flow_id
        source, backend = flow.source_backend_id, self._backend(flow)
        Mapping = self.env["ml.connector.mapping"].sudo().with_context(active_test=False)
        mapping = Mapping._search_value(source, value.segment, value.code, backend)
        vals = {"external_label": value.description or False}
        guess, why = None, None
        if value.active and not (mapping and mapping.other_value):
            guess, why = self._guess(line, value)
        if guess:
            vals.update(
                other_value=text(guess.get("Value")), other_label=text(guess.get("Description")) or False
            )
        if mapping:
            mapping.write(vals)
        else:
            mapping = Mapping.create(
                {
                    "backend_id": source.id,
                    "mapping_type": value.segment,
                    "external_value": value.code,
                    "other_backend_id": backend.id,
                    **vals,
                }
            )
        if guess:
            message = self.env._("Mapped to Fusion %(value)s (%(why)s).", value=mapping.other_value, why=why)
        elif mapping.other_value:
            message = self.env._("Mapped to Fusion %s.", mapping.other_value)
        elif not value.active:
            message = self.env._("Inactive in %s: listed, not mapped.", source._system_label())
        else:
            message = self.env._("Listed for the administrator to map (no Fusion value obviously matches).")
        return {"res_model": "ml.connector.mapping", "res_id": mapping.id, "message": message}

    @api.model
    def _guess(self, line, value):
        """``(Fusion value row, why)`` that obviously is ``value``, or ``(None, None)``: one enabled
        value of the matching value set with the same code, else with the same description, and
        not yet the counterpart of another value."""
        flow = line.flow_id
        backend = self._backend(flow)
        config = backend._fusion_config()
        code = {"account": config.account_value_set, "cost_centre": config.cost_center_value_set}.get(
            value.kind
        )
        if not code:
            return None, None
        client = self._client(backend)
        rows = self._cached("value_set", (backend.id, code), lambda: self._values(client, code))
        others = (
            self.env["ml.connector.mapping"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", flow.source_backend_id.id),
                    ("mapping_type", "=", value.segment),
                    ("other_backend_id", "=", backend.id),
                    ("other_value", "!=", False),
                    ("external_value", "!=", False),
                ]
            )
        )
        # the counterparts of other values (a value only listed, waiting, takes nothing); the
        # mapping model's "mapped" field hides the recordset method of that name
        taken = {mapping.other_value for mapping in others}
        for attribute, wanted, why in (
            ("Value", value.code, self.env._("same code")),
            ("Description", value.description, self.env._("same description")),
        ):
            wanted = text(wanted).casefold()
            found = [row for row in rows if wanted and text(row.get(attribute)).casefold() == wanted]
            if len(found) == 1 and text(found[0].get("Value")) not in taken:
                return found[0], why
        return None, None

    @api.model
    def _values(self, client, code):
        return [row for row in client.value_set_values(code) if text(row.get("EnabledFlag")).upper() != "N"]
