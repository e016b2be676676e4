from odoo import api, fields, models

from ..tools.errors import NeedsReviewError

MAPPING_LOOKUPS = ("ml_connector", "mapping_lookups")  # key in cr.cache
MAPPING_MODELS = [
    ("account.account", "Account"),
    ("account.analytic.account", "Analytic account"),
    ("account.tax", "Tax"),
    ("uom.uom", "Unit of measure"),
    ("product.product", "Product"),
    ("res.partner", "Partner"),
    ("res.currency", "Currency"),
    ("account.payment.term", "Payment terms"),
]


class MlConnectorMapping(models.Model):
    """A value on the remote side and the Odoo record it stands for (GL segment -> account…).

    Documents that need an unmapped value wait on their audit line (``needs review``);
    saving the mapping releases them.
    """

    _name = "ml.connector.mapping"
    _description = "Connector value mapping"
    _order = "backend_id, mapping_type, external_value"

    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    mapping_type = fields.Char(
        required=True, help="What the value is on the remote side, e.g. Account, CostCenter."
    )
    external_value = fields.Char(required=True)
    external_label = fields.Char()
    record_ref = fields.Reference(selection=MAPPING_MODELS, string="Odoo record")
    active = fields.Boolean(default=True)

    _value_uniq = models.Constraint(
        "UNIQUE (backend_id, mapping_type, external_value)", "This remote value is already mapped."
    )

    @api.depends("mapping_type", "external_value", "external_label")
    def _compute_display_name(self):
        for mapping in self:
            label = f" {mapping.external_label}" if mapping.external_label else ""
            mapping.display_name = f"{mapping.mapping_type}: {mapping.external_value}{label}"

    @api.model
    def _blocking_key(self, mapping_type, external_value):
        return f"mapping:{mapping_type}:{external_value}"

    @api.model
    def _lookups(self):
        """Mapping lookups of this transaction (a batch): every line of every document of a batch
        asks for the same few values. Dropped when a mapping is written, and at commit."""
        return self.env.cr.cache.setdefault(MAPPING_LOOKUPS, {})

    @api.model
    def _resolve(self, backend, mapping_type, external_value, *, required=True, label=None):
        """The Odoo record mapped to ``external_value``, or a NeedsReviewError naming what is missing."""
        lookups = self._lookups()
        key = ("record", backend.id, mapping_type, str(external_value))
        if key not in lookups:
            mapping = self.sudo().search(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", mapping_type),
                    ("external_value", "=", str(external_value)),
                ],
                limit=1,
            )
            lookups[key] = mapping.record_ref if mapping and mapping.record_ref else None
        if lookups[key]:
            return lookups[key]
        if not required:
            return None

        def add_placeholder():
            # An empty mapping lists the value for the admin, who only has to pick the record.
            if not self.sudo().search_count(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", mapping_type),
                    ("external_value", "=", str(external_value)),
                ]
            ):
                self.sudo().create(
                    {
                        "backend_id": backend.id,
                        "mapping_type": mapping_type,
                        "external_value": str(external_value),
                        "external_label": label,
                    }
                )

        raise NeedsReviewError(
            self.env._(
                "No Odoo record is mapped to %(type)s '%(value)s' on connection %(connection)s. Map it in "
                "Connectors > Mappings; this document then goes through by itself.",
                type=mapping_type,
                value=external_value,
                connection=backend.name,
            ),
            blocking_key=self._blocking_key(mapping_type, external_value),
            after_rollback=[add_placeholder],
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        mappings = super().create(vals_list)
        mappings._release_waiting_lines()
        return mappings

    def write(self, vals):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        res = super().write(vals)
        if "record_ref" in vals or "external_value" in vals:
            self._release_waiting_lines()
        return res

    def unlink(self):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        return super().unlink()

    def _release_waiting_lines(self):
        for mapping in self.filtered("record_ref"):
            self.env["ml.connector.audit.line"]._release(
                self._blocking_key(mapping.mapping_type, mapping.external_value), mapping.backend_id
            )
