"""GL values of another connection (JAGGAER's segment values) aligned with JD Edwards.

A value is mapped to the JD Edwards object account (F0901) or business unit (F0006) with the same
code. One JD Edwards does not have is created through the configured account or business unit
orchestration, only when master-data writes to JD Edwards are on (JD Edwards is usually their
master); otherwise it is listed in the mappings for the administrator. The mappings are those the
other direction uses (on the other connection, this one as its other end).
"""

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import ConfigurationError, DocumentSkipped, RemoteBusinessError


class MlConnectorWriterJdeGlValue(models.AbstractModel):
    _name = "ml.connector.writer.jde.gl_value"
    _inherit = ["ml.connector.writer", "ml.connector.jde.mixin"]
    _description = "JD Edwards accounts and business units (mappings, orchestrations)"

    _system = "jde"
    _document_type = "gl_value"

    @api.model
    def _write(self, line, value):
        flow = line.flow_id
        backend, source = self._backend(flow), flow.source_backend_id
        if not source or value.kind not in ("account", "cost_centre"):
            raise DocumentSkipped(self.env._("JD Edwards keeps accounts and business units only."))
        mapping = self._mapping(backend, source, value)
        if mapping.other_value:
            return self._result(mapping, self.env._("Mapped to JD Edwards %s.", mapping.other_value))
        if not value.active:
            return self._result(mapping, self.env._("Inactive in %s: listed, not mapped.", source.name))
        taken = self._taken(mapping, value)
        if taken:
            return self._result(
                mapping,
                self.env._(
                    "JD Edwards %(code)s already stands for %(other)s: listed for the administrator to map.",
                    code=value.code,
                    other=taken.external_value,
                ),
            )
        client = self._client(backend)
        if self._exists(client, value):
            mapping.write({"other_value": value.code, "other_label": value.description})
            return self._result(mapping, self.env._("Mapped to JD Edwards %s (same code).", value.code))
        if not backend.jde_write_master_data:
            return self._result(
                mapping,
                self.env._(
                    "JD Edwards has no %(kind)s %(code)s and master-data writes to it are off: listed for "
                    "the administrator to map.",
                    kind=self._kind_label(value),
                    code=value.code,
                ),
            )
        answer, sent = self._create(client, backend, value)
        mapping.write({"other_value": value.code, "other_label": value.description})
        result = self._result(
            mapping,
            self.env._(
                "Created %(kind)s %(code)s in JD Edwards and mapped it.",
                kind=self._kind_label(value),
                code=value.code,
            ),
        )
        return {**result, "sent": sent, "response": answer, "target_key": value.code}

    @api.model
    def _resolve_unknown_outcome(self, line, value):
        """A creation whose answer was lost: if JD Edwards has the value now, map it."""
        flow = line.flow_id
        backend = self._backend(flow)
        if not self._exists(self._client(backend), value):
            return None
        mapping = self._mapping(backend, flow.source_backend_id, value)
        mapping.write({"other_value": value.code, "other_label": value.description})
        return self._result(mapping, self.env._("Found in JD Edwards after an unanswered creation; mapped."))

    @api.model
    def _mapping(self, backend, source, value):
        """The mapping of ``value`` (on the source connection, JD Edwards its other end), listed now
        if new."""
        Mapping = self.env["ml.connector.mapping"].sudo().with_context(active_test=False)
        domain = [
            ("backend_id", "=", source.id),
            ("mapping_type", "=", value.segment),
            ("external_value", "=", value.code),
            ("other_backend_id", "=", backend.id),
        ]
        mapping = Mapping.search(domain, limit=1)
        if not mapping:
            mapping = Mapping.create(
                {
                    "backend_id": source.id,
                    "mapping_type": value.segment,
                    "external_value": value.code,
                    "external_label": value.description,
                    "other_backend_id": backend.id,
                }
            )
        elif value.description and mapping.external_label != value.description:
            mapping.external_label = value.description
        return mapping

    @api.model
    def _taken(self, mapping, value):
        """The mapping that already gives JD Edwards value ``value.code`` to another value, if any."""
        return mapping.search(
            [
                ("backend_id", "=", mapping.backend_id.id),
                ("mapping_type", "=", mapping.mapping_type),
                ("other_backend_id", "=", mapping.other_backend_id.id),
                ("other_value", "=", value.code),
                ("id", "!=", mapping.id),
            ],
            limit=1,
        )

    @api.model
    def _result(self, mapping, message):
        return {"res_model": "ml.connector.mapping", "res_id": mapping.id, "message": message}

    @api.model
    def _kind_label(self, value):
        return self.env._("account") if value.kind == "account" else self.env._("business unit")

    @api.model
    def _exists(self, client, value):
        """Whether JD Edwards has the object account (any business unit) or business unit ``value.code``."""
        if value.kind == "cost_centre":
            return bool(client.rows_with("business_unit", "MCU", [value.code], ["MCU"]))
        obj, _dot, sub = value.code.partition(".")
        return bool(client.rows_with("account", "OBJ", [obj], ["AID"], conditions=[("SUB", "EQUAL", sub)]))

    @api.model
    def _create(self, client, backend, value):
        """Create the value through its orchestration; ``(answer, inputs sent)``. A refusal because
        it exists meanwhile (another user, an earlier attempt) is no error."""
        if value.kind == "cost_centre":
            key = "business_unit_add"
            inputs = {
                "business_unit": value.code,
                "description": value.description[:30] or value.code,
                "company": (backend.jde_voucher_company or "").strip() or None,
                "type": "IS",
                "level_of_detail": "6",
            }
        else:
            key = "account_add"
            obj, _dot, sub = value.code.partition(".")
            business_unit = (backend.jde_new_account_business_unit or "").strip()
            if not business_unit:
                raise ConfigurationError(
                    self.env._(
                        "Set the business unit of new accounts on connection %s: JD Edwards accounts belong "
                        "to a business unit.",
                        backend.name,
                    )
                )
            inputs = {
                "business_unit": business_unit,
                "object": obj,
                "subsidiary": sub or None,
                "description": value.description[:30] or value.code,
                "level_of_detail": "7",
            }
        wire = client.config.wire_inputs(key, inputs)
        try:
            return client.orchestrate_mapped(key, inputs), wire
        except RemoteBusinessError as exc:
            exc.sent = wire
            if self._exists(client, value):
                return {"found": value.code, "refusal": exc.message}, wire
            raise
