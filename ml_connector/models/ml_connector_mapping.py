from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.errors import NeedsReviewError
from .ml_connector_binding import end_id

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
    """A value on a remote side and what it stands for on the other end of a flow.

    The other end is an Odoo record (JAGGAER GL segment 600000 is account 600000) or a value of
    another connection (JD Edwards account 1.6000 is JAGGAER GL segment 600000). Documents that
    need an unmapped value wait on their audit line (``needs review``); the value is listed here,
    and completing the mapping releases them.
    """

    _name = "ml.connector.mapping"
    _description = "Connector value mapping"
    _order = "backend_id, mapping_type, external_value, other_value"

    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    mapping_type = fields.Char(
        required=True, help="What the value is on the remote side, e.g. Account, CostCenter."
    )
    external_value = fields.Char(help="The value on this connection.")
    external_label = fields.Char()
    record_ref = fields.Reference(selection=MAPPING_MODELS, string="Odoo record")
    other_backend_id = fields.Many2one(
        "ml.connector.backend",
        "Other connection",
        ondelete="cascade",
        index="btree_not_null",
        help="When the value stands for a value of another connection rather than an Odoo record.",
    )
    other_value = fields.Char(help="The value on the other connection.")
    other_label = fields.Char()
    mapped = fields.Boolean(compute="_compute_mapped", store=True, help="Both sides are known.")
    active = fields.Boolean(default=True)

    _value_uniq = models.UniqueIndex(
        "(backend_id, mapping_type, external_value, COALESCE(other_backend_id, 0)) "
        "WHERE external_value IS NOT NULL",
        "This remote value is already mapped.",
    )
    _other_value_uniq = models.UniqueIndex(
        "(backend_id, mapping_type, other_backend_id, other_value) WHERE other_value IS NOT NULL",
        "This value of the other connection is already mapped.",
    )

    @api.depends("external_value", "record_ref", "other_backend_id", "other_value")
    def _compute_mapped(self):
        for mapping in self:
            other = mapping.other_value if mapping.other_backend_id else mapping.record_ref
            mapping.mapped = bool(mapping.external_value and other)

    @api.constrains("external_value", "other_value", "other_backend_id", "record_ref")
    def _check_sides(self):
        for mapping in self:
            if mapping.other_backend_id and mapping.record_ref:
                raise ValidationError(
                    self.env._(
                        "A value stands for an Odoo record or for a value of another connection, not both."
                    )
                )
            if mapping.other_backend_id == mapping.backend_id:
                raise ValidationError(self.env._("The other connection must differ from the connection."))
            if not mapping.external_value and not (mapping.other_backend_id and mapping.other_value):
                raise ValidationError(self.env._("A mapping needs a value on at least one side."))

    @api.depends("mapping_type", "external_value", "external_label", "other_value", "other_backend_id")
    def _compute_display_name(self):
        for mapping in self:
            label = f" {mapping.external_label}" if mapping.external_label else ""
            value = mapping.external_value or "?"
            name = f"{mapping.mapping_type}: {value}{label}"
            if mapping.other_backend_id:
                name += f" = {mapping.other_backend_id.name} {mapping.other_value or '?'}"
            mapping.display_name = name

    # ------------------------------------------------------------------ what documents wait for
    @api.model
    def _blocking_key(self, mapping_type, external_value, end=None):
        """What a document waits for when remote value ``external_value`` has no counterpart on
        ``end`` (an Odoo record when None)."""
        suffix = f"@{end_id(end)}" if end else ""
        return f"mapping:{mapping_type}:{external_value}{suffix}"

    @api.model
    def _source_blocking_key(self, mapping_type, source_value, source_end=None):
        """What an outgoing document waits for when ``source_value`` of ``source_end`` (an Odoo
        record, or a value of another connection) has no value on the target connection."""
        if source_end:
            return f"mapping:{mapping_type}:{end_id(source_end)}:{source_value}"
        if isinstance(source_value, models.BaseModel):
            source_value = f"{source_value._name},{source_value.id}"
        return f"mapping:{mapping_type}:{source_value}"

    @api.model
    def _lookups(self):
        """Mapping lookups of this transaction (a batch): every line of every document of a batch
        asks for the same few values. Dropped when a mapping is written, and at commit."""
        return self.env.cr.cache.setdefault(MAPPING_LOOKUPS, {})

    # ------------------------------------------------------------------ remote value -> other end
    @api.model
    def _resolve(self, backend, mapping_type, external_value, *, required=True, label=None, end=None):
        """What ``external_value`` of ``backend`` stands for on ``end``: the mapped Odoo record
        (``end`` None) or the value of connection ``end``; else a NeedsReviewError naming what is
        missing (the value is listed for the admin), or None when not ``required``."""
        lookups = self._lookups()
        key = ("record", backend.id, mapping_type, str(external_value), end_id(end))
        if key not in lookups:
            mapping = self._search_value(backend, mapping_type, external_value, end)
            if end:
                lookups[key] = mapping.other_value or None
            else:
                lookups[key] = mapping.record_ref if mapping and mapping.record_ref else None
        if lookups[key]:
            return lookups[key]
        if not required:
            return None

        def add_placeholder():
            # An empty mapping lists the value for the admin, who only has to fill in the other side.
            if not self._search_value(backend, mapping_type, external_value, end):
                self.sudo().create(
                    {
                        "backend_id": backend.id,
                        "mapping_type": mapping_type,
                        "external_value": str(external_value),
                        "external_label": label,
                        "other_backend_id": end_id(end) or False,
                    }
                )

        if end:
            message = self.env._(
                "%(type)s '%(value)s' of %(connection)s has no counterpart in %(other)s. Fill it in under "
                "Connectors > Mappings; this document then goes through by itself.",
                type=mapping_type,
                value=external_value,
                connection=backend.name,
                other=end.name,
            )
        else:
            message = self.env._(
                "No Odoo record is mapped to %(type)s '%(value)s' on connection %(connection)s. Map it in "
                "Connectors > Mappings; this document then goes through by itself.",
                type=mapping_type,
                value=external_value,
                connection=backend.name,
            )
        raise NeedsReviewError(
            message,
            blocking_key=self._blocking_key(mapping_type, external_value, end),
            after_rollback=[add_placeholder],
        )

    @api.model
    def _search_value(self, backend, mapping_type, external_value, end):
        return self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("mapping_type", "=", mapping_type),
                ("external_value", "=", str(external_value)),
                ("other_backend_id", "=", end_id(end) or False),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------ other end -> remote value
    @api.model
    def _resolve_value(self, backend, mapping_type, source_value, *, source_end=None, label=None):
        """The value of ``backend`` that ``source_value`` stands for, for outgoing documents:
        ``source_value`` is an Odoo record (``source_end`` None) or a value of connection
        ``source_end``. When several values of ``backend`` stand for it, the lowest is sent. No
        mapping: a NeedsReviewError naming the value; completing a mapping releases the document.
        """
        if source_end:
            ref, domain = (
                str(source_value),
                [("other_backend_id", "=", source_end.id), ("other_value", "=", str(source_value))],
            )
        else:
            ref = f"{source_value._name},{source_value.id}"
            domain = [("other_backend_id", "=", False), ("record_ref", "=", ref)]
        lookups = self._lookups()
        key = ("value", backend.id, mapping_type, end_id(source_end), ref)
        if key not in lookups:
            mapping = self.sudo().search(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", mapping_type),
                    ("external_value", "!=", False),
                ]
                + domain,
                order="external_value",
                limit=1,
            )
            lookups[key] = mapping.external_value if mapping else None
        if lookups[key]:
            return lookups[key]
        blocking_key = self._source_blocking_key(mapping_type, source_value, source_end)
        if not source_end:
            raise NeedsReviewError(
                self.env._(
                    "%(record)s has no %(type)s value in %(connection)s. In Connectors > Mappings, set it as "
                    "the Odoo record of the %(type)s value it stands for; this document then goes through by "
                    "itself.",
                    record=label or source_value.display_name,
                    type=mapping_type,
                    connection=backend.name,
                ),
                blocking_key=blocking_key,
            )

        def add_placeholder():
            if not self.sudo().search_count(
                [("backend_id", "=", backend.id), ("mapping_type", "=", mapping_type)] + domain
            ):
                self.sudo().create(
                    {
                        "backend_id": backend.id,
                        "mapping_type": mapping_type,
                        "other_backend_id": source_end.id,
                        "other_value": str(source_value),
                        "other_label": label,
                    }
                )

        raise NeedsReviewError(
            self.env._(
                "%(other)s %(type)s '%(value)s' has no %(type)s value in %(connection)s. Fill in the value "
                "it stands for under Connectors > Mappings; this document then goes through by itself.",
                other=source_end.name,
                type=mapping_type,
                value=source_value,
                connection=backend.name,
            ),
            blocking_key=blocking_key,
            after_rollback=[add_placeholder],
        )

    # ------------------------------------------------------------------ writes release documents
    @api.model_create_multi
    def create(self, vals_list):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        for vals in vals_list:
            self.browse()._absorb_halves(vals)
        mappings = super().create(vals_list)
        mappings._release_waiting_lines()
        return mappings

    def write(self, vals):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        if {"external_value", "other_value"} & set(vals):
            for mapping in self:
                mapping._absorb_halves(vals)
        res = super().write(vals)
        if {"record_ref", "external_value", "other_value", "other_backend_id"} & set(vals):
            self._release_waiting_lines()
        return res

    def unlink(self):
        self.env.cr.cache.pop(MAPPING_LOOKUPS, None)
        return super().unlink()

    def _absorb_halves(self, vals):
        """Between two connections a value can be listed from either side (a document of each
        direction needed it): completing one listing makes the other half redundant. It is removed
        (its label kept), so that the pair is mapped once."""
        values = {
            name: vals.get(name, self[name] if self else False)
            for name in ("backend_id", "mapping_type", "other_backend_id", "external_value", "other_value")
        }
        backend, other_backend = values["backend_id"], values["other_backend_id"]
        backend = backend.id if isinstance(backend, models.BaseModel) else backend
        other_backend = other_backend.id if isinstance(other_backend, models.BaseModel) else other_backend
        if not (other_backend and values["external_value"] and values["other_value"]):
            return
        halves = self.sudo().search(
            [
                ("backend_id", "=", backend),
                ("mapping_type", "=", values["mapping_type"]),
                ("other_backend_id", "=", other_backend),
                ("id", "not in", self.ids),
                "|",
                "&",
                ("external_value", "=", values["external_value"]),
                ("other_value", "=", False),
                "&",
                ("other_value", "=", values["other_value"]),
                ("external_value", "=", False),
            ]
        )
        for half in halves:
            if half.external_label and not (vals.get("external_label") or (self and self.external_label)):
                vals["external_label"] = half.external_label
            if half.other_label and not (vals.get("other_label") or (self and self.other_label)):
                vals["other_label"] = half.other_label
        halves.unlink()

    def _release_waiting_lines(self):
        Line = self.env["ml.connector.audit.line"]
        for mapping in self.filtered("mapped"):
            end = mapping.other_backend_id
            keys = [self._blocking_key(mapping.mapping_type, mapping.external_value, end)]
            if end:
                keys.append(self._source_blocking_key(mapping.mapping_type, mapping.other_value, end))
            else:
                keys.append(self._source_blocking_key(mapping.mapping_type, mapping.record_ref))
            for key in keys:
                Line._release(key, mapping.backend_id)
