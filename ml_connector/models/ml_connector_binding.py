from odoo import api, fields, models


class MlConnectorBinding(models.Model):
    """The link between a document on one side and its counterpart on the other.

    Bindings make flows idempotent: a document that already has a binding is updated,
    never created twice; a content hash lets unchanged documents be skipped. The local
    side is usually an Odoo record (``res_model``/``res_id``) but may be any key of a
    non-Odoo source (``local_ref``), so flows between two remote systems bind too.
    """

    _name = "ml.connector.binding"
    _description = "Connector binding"
    _order = "id desc"

    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    object_type = fields.Char(required=True, help="What is bound, e.g. supplier, purchase_order, invoice.")
    external_id = fields.Char("External ID", required=True)
    external_key = fields.Char(help="Secondary remote key (supplier number, PO number…).")
    local_ref = fields.Char(
        required=True, help="'model,id' of the Odoo record, or the key on a non-Odoo side."
    )
    res_model = fields.Char("Odoo model", index=True)
    res_id = fields.Many2oneReference("Odoo record ID", model_field="res_model", index=True)
    record_name = fields.Char("Odoo record", compute="_compute_record_name")
    content_hash = fields.Char(help="Hash of the document last synchronised through this binding.")
    sync_date = fields.Datetime(default=fields.Datetime.now)
    data = fields.Json(help="Small facts remembered about the remote document (revision, status…).")

    _external_uniq = models.Constraint(
        "UNIQUE (backend_id, object_type, external_id)", "This remote document is already bound."
    )
    _local_uniq = models.Constraint(
        "UNIQUE (backend_id, object_type, local_ref)", "This record is already bound to a remote document."
    )

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for binding in self:
            record = None
            if binding.res_model in self.env and binding.res_id:
                record = self.env[binding.res_model].browse(binding.res_id).exists()
            binding.record_name = record.display_name if record else False

    @api.model
    def _find(self, backend, object_type, *, external_id=None, record=None, local_ref=None):
        domain = [("backend_id", "=", backend.id), ("object_type", "=", object_type)]
        if external_id is not None:
            domain.append(("external_id", "=", str(external_id)))
        if record is not None:
            local_ref = f"{record._name},{record.id}"
        if local_ref is not None:
            domain.append(("local_ref", "=", local_ref))
        return self.sudo().search(domain, limit=1)

    @api.model
    def _bind(self, backend, object_type, external_id, *, record=None, local_ref=None, **vals):
        """Create or update the binding of ``record`` (or ``local_ref``) to ``external_id``."""
        if record is not None:
            local_ref = f"{record._name},{record.id}"
            vals.update(res_model=record._name, res_id=record.id)
        external_id = str(external_id)
        # the binding of this record, else the one of this remote document: one query for both
        found = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("object_type", "=", object_type),
                "|",
                ("local_ref", "=", local_ref),
                ("external_id", "=", external_id),
            ]
        )
        binding = found.filtered(lambda b: b.local_ref == local_ref)[:1] or found[:1]
        vals.update(external_id=external_id, local_ref=local_ref, sync_date=fields.Datetime.now())
        if binding:
            binding.write(vals)
            return binding
        return self.sudo().create({"backend_id": backend.id, "object_type": object_type, **vals})

    @api.model
    def _bind_many(self, backend, object_type, bindings):
        """``_bind`` for several records at once: ``bindings`` is a list of
        ``(external_id, record, vals)``. One query finds the existing bindings, one ``create``
        adds the others (a purchase order's lines, for instance)."""
        if not bindings:
            return self.sudo().browse()
        refs = [f"{record._name},{record.id}" for _external_id, record, _vals in bindings]
        external_ids = [str(external_id) for external_id, _record, _vals in bindings]
        found = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("object_type", "=", object_type),
                "|",
                ("local_ref", "in", refs),
                ("external_id", "in", external_ids),
            ]
        )
        by_ref = {binding.local_ref: binding for binding in found}
        by_external_id = {binding.external_id: binding for binding in found}
        now = fields.Datetime.now()
        result, to_create = self.sudo().browse(), []
        for (_external_id, record, vals), ref, external_id in zip(bindings, refs, external_ids):
            vals = dict(
                vals,
                res_model=record._name,
                res_id=record.id,
                external_id=external_id,
                local_ref=ref,
                sync_date=now,
            )
            binding = by_ref.get(ref) or by_external_id.get(external_id)
            if binding:
                binding.write(vals)
                result |= binding
            else:
                to_create.append({"backend_id": backend.id, "object_type": object_type, **vals})
        return result | self.sudo().create(to_create)

    def _record(self):
        self.ensure_one()
        if self.res_model in self.env and self.res_id:
            return self.env[self.res_model].browse(self.res_id).exists()
        return None
