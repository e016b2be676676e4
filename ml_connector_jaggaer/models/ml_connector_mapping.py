from odoo import api, models

from odoo.addons.ml_connector.tools.errors import NeedsReviewError


class MlConnectorMapping(models.Model):
    _inherit = "ml.connector.mapping"

    @api.model
    def _record_blocking_key(self, mapping_type, record):
        """What an outgoing document waits for when ``record`` has no remote value yet."""
        return f"mapping:{mapping_type}:{record._name},{record.id}"

    @api.model
    def _resolve_value(self, backend, mapping_type, record, *, label=None):
        """The remote value ``record`` is mapped to, for outgoing documents.

        When an admin mapped several remote values to the same record, the lowest one is
        sent. No mapping: a NeedsReviewError naming the record; saving a mapping with that
        record releases the waiting documents.
        """
        lookups = self._lookups()
        key = ("value", backend.id, mapping_type, f"{record._name},{record.id}")
        if key not in lookups:
            mapping = self.sudo().search(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", mapping_type),
                    ("record_ref", "=", key[3]),
                ],
                order="external_value",
                limit=1,
            )
            lookups[key] = mapping.external_value if mapping else None
        if lookups[key]:
            return lookups[key]
        raise NeedsReviewError(
            self.env._(
                "%(record)s has no %(type)s value in %(connection)s. In Connectors > Mappings, set it as "
                "the Odoo record of the %(type)s value it stands for; this document then goes through by "
                "itself.",
                record=label or record.display_name,
                type=mapping_type,
                connection=backend.name,
            ),
            blocking_key=self._record_blocking_key(mapping_type, record),
        )

    def _release_waiting_lines(self):
        released = super()._release_waiting_lines()
        for mapping in self.filtered("record_ref"):
            self.env["ml.connector.audit.line"]._release(
                self._record_blocking_key(mapping.mapping_type, mapping.record_ref), mapping.backend_id
            )
        return released
