from odoo import api, fields, models

from ..tools.documents import DOCUMENT_TYPES

ODOO_END = None  # the local end of a binding that joins a remote record to this database


def end_id(end):
    """The id of an end in bindings and mappings: a connection's id, 0 for this database."""
    return end.id if end else 0


class MlConnectorBinding(models.Model):
    """The link between a document on one end and its counterpart on the other.

    Bindings make flows idempotent: a document that already has a binding is updated, never
    created twice; a content hash lets unchanged documents be skipped. A binding lives on a
    remote connection (``backend_id``, ``external_id``); its local side is an Odoo record
    (``res_model``/``res_id``, ``local_ref`` = ``model,id``) or a record of another connection
    (``local_backend_id`` and its key in ``local_ref``), so two remote systems bind too: a
    JD Edwards order and the JAGGAER order it became.
    """

    _name = "ml.connector.binding"
    _description = "Connector binding"
    _order = "id desc"

    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    # computed before the insert: no second statement per new binding
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True, precompute=True)
    object_type = fields.Char(required=True, help="What is bound, e.g. supplier, purchase_order, invoice.")
    # plain indexes besides the unique ones (on an expression of the other end): the ORM's
    # searches by id, key or local side use them, at any number of bindings
    external_id = fields.Char("External ID", required=True, index=True)
    external_key = fields.Char(index=True, help="Secondary remote key (supplier number, PO number…).")
    local_backend_id = fields.Many2one(
        "ml.connector.backend",
        "Other connection",
        ondelete="cascade",
        index="btree_not_null",
        help="When the counterpart is a record of another connection, not of this database.",
    )
    local_ref = fields.Char(
        required=True,
        index=True,
        help="'model,id' of the Odoo record, or the key of the record on the other connection.",
    )
    res_model = fields.Char("Odoo model", index=True)
    res_id = fields.Many2oneReference("Odoo record ID", model_field="res_model", index=True)
    record_name = fields.Char("Counterpart", compute="_compute_record_name")
    object_type_label = fields.Char("What", compute="_compute_object_type_label")
    content_hash = fields.Char(help="Hash of the document last synchronised through this binding.")
    sync_date = fields.Datetime(default=fields.Datetime.now)
    data = fields.Json(help="Small facts remembered about the remote document (revision, status…).")

    # one counterpart per remote document and other end: a JAGGAER supplier is one Odoo vendor,
    # and may also be one supplier of a JD Edwards connection
    _external_uniq = models.UniqueIndex(
        "(backend_id, object_type, COALESCE(local_backend_id, 0), external_id)",
        "This remote document is already bound.",
    )
    _local_uniq = models.UniqueIndex(
        "(backend_id, object_type, COALESCE(local_backend_id, 0), local_ref)",
        "This record is already bound to a remote document.",
    )

    @api.depends("res_model", "res_id", "local_backend_id", "local_ref")
    def _compute_record_name(self):
        for binding in self:
            record = None
            if binding.res_model in self.env and binding.res_id:
                record = self.env[binding.res_model].browse(binding.res_id).exists()
            if record:
                binding.record_name = record.display_name
            elif binding.local_backend_id:
                binding.record_name = f"{binding.local_backend_id.name}: {binding.local_ref}"
            else:
                binding.record_name = False

    @api.depends("object_type", "backend_id.system_type")
    def _compute_object_type_label(self):
        labels = self._object_type_labels()
        systems = dict(
            self.env["ml.connector.backend"]._fields["system_type"]._description_selection(self.env)
        )
        for binding in self:
            object_type = binding.object_type or ""
            label = labels.get(object_type)
            if not label:
                system, _sep, kind = object_type.partition("_")
                label = (
                    f"{systems[system]}: {kind.replace('_', ' ')}"
                    if system in systems and kind
                    else object_type.replace("_", " ").capitalize()
                )
            binding.object_type_label = label

    @api.model
    def _object_type_labels(self):
        """Binding types as people read them ("JAGGAER purchase order line"), from each system's
        binding types and the document kinds they bind."""
        labels = {}
        systems = dict(
            self.env["ml.connector.backend"]._fields["system_type"]._description_selection(self.env)
        )
        for system, system_label in systems.items():
            model = f"ml.connector.system.{system}"
            if model not in self.env:
                continue
            for kind, object_type in self.env[model]._binding_types.items():
                spec = DOCUMENT_TYPES.get(kind)
                kind_label = spec.label if spec else kind.replace("_", " ")
                labels[object_type] = f"{system_label}: {kind_label.lower()}"
        return labels

    @api.model
    def _find(
        self, backend, object_type, *, external_id=None, record=None, local_ref=None, local_backend=None
    ):
        """The binding of a remote document (``external_id``) or of a local one (``record``, or
        ``local_ref``) with the other end ``local_backend`` (this database by default)."""
        domain = self._between(backend, object_type, local_backend)
        if external_id is not None:
            domain.append(("external_id", "=", str(external_id)))
        if record is not None:
            local_ref = f"{record._name},{record.id}"
        if local_ref is not None:
            domain.append(("local_ref", "=", local_ref))
        return self.sudo().search(domain, limit=1)

    @api.model
    def _between(self, backend, object_type, local_backend):
        """The domain of the bindings of ``object_type`` between ``backend`` and ``local_backend``."""
        return [
            ("backend_id", "=", backend.id),
            ("object_type", "=", object_type),
            ("local_backend_id", "=", end_id(local_backend) or False),
        ]

    @api.model
    def _find_many(self, backend, object_type, external_ids, local_backend=None):
        """The bindings of remote documents ``external_ids`` with ``local_backend``, by external id
        (one query for a page of documents)."""
        if not external_ids:
            return {}
        bindings = self.sudo().search(
            [
                *self._between(backend, object_type, local_backend),
                ("external_id", "in", [str(external_id) for external_id in external_ids]),
            ],
            order="id",
        )
        # the newest wins where a document has two bindings, as in _find
        return {binding.external_id: binding for binding in bindings}

    @api.model
    def _bind(
        self, backend, object_type, external_id, *, record=None, local_ref=None, local_backend=None, **vals
    ):
        """Create or update the binding of ``record`` (or ``local_ref``) to ``external_id``."""
        if record is not None:
            local_ref = f"{record._name},{record.id}"
            vals.update(res_model=record._name, res_id=record.id)
        external_id = str(external_id)
        local_backend_id = end_id(local_backend) or False
        # the binding of this record, else the one of this remote document: one query for both
        found = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("object_type", "=", object_type),
                "|",
                "&",
                ("local_ref", "=", local_ref),
                ("local_backend_id", "=", local_backend_id),
                ("external_id", "=", external_id),
            ]
        )
        binding = (
            found.filtered(lambda b: b.local_ref == local_ref and b.local_backend_id.id == local_backend_id)[
                :1
            ]
            or found[:1]
        )
        vals.update(
            external_id=external_id,
            local_ref=local_ref,
            local_backend_id=local_backend_id,
            sync_date=fields.Datetime.now(),
        )
        if binding:
            binding.write(vals)
            return binding
        return self.sudo().create({"backend_id": backend.id, "object_type": object_type, **vals})

    @api.model
    def _bind_many(self, backend, object_type, bindings, local_backend=None):
        """``_bind`` for several records at once: ``bindings`` is a list of
        ``(external_id, record or local key, vals)``. One query finds the existing bindings, one
        ``create`` adds the others (a purchase order's lines, for instance)."""
        if not bindings:
            return self.sudo().browse()
        local_backend_id = end_id(local_backend) or False
        refs = [self._ref_of(local) for _external_id, local, _vals in bindings]
        external_ids = [str(external_id) for external_id, _local, _vals in bindings]
        found = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("object_type", "=", object_type),
                ("local_backend_id", "=", local_backend_id),
                "|",
                ("local_ref", "in", refs),
                ("external_id", "in", external_ids),
            ]
        )
        by_ref = {binding.local_ref: binding for binding in found}
        by_external_id = {binding.external_id: binding for binding in found}
        now = fields.Datetime.now()
        result, to_create = self.sudo().browse(), []
        for (_external_id, local, vals), ref, external_id in zip(bindings, refs, external_ids):
            vals = dict(vals, external_id=external_id, local_ref=ref, sync_date=now)
            vals["local_backend_id"] = local_backend_id
            if not isinstance(local, str):
                vals.update(res_model=local._name, res_id=local.id)
            binding = by_ref.get(ref) or by_external_id.get(external_id)
            if binding:
                binding.write(vals)
                result |= binding
            else:
                to_create.append({"backend_id": backend.id, "object_type": object_type, **vals})
        return result | self.sudo().create(to_create)

    @staticmethod
    def _ref_of(local):
        return local if isinstance(local, str) else f"{local._name},{local.id}"

    @api.model
    def _counterpart(self, kind, source, key, target):
        """The binding that joins record ``key`` of end ``source`` to end ``target`` for documents
        of ``kind`` (supplier, purchase_order…), or an empty recordset.

        Ends are connections, or None for this database. The binding lives on the remote end (on
        the target when both are remote, or on the source when the other flow direction wrote
        it); ``kind`` becomes each connection's own binding type.
        """
        Binding = self.browse()
        if target:
            found = self._find(target, target._binding_type(kind), local_ref=key, local_backend=source)
            if found:
                return found
        if source:
            return self._find(source, source._binding_type(kind), external_id=key, local_backend=target)
        return Binding

    @api.model
    def _counterpart_key(self, kind, source, key, target):
        """The key on ``target`` of record ``key`` of ``source`` (see ``_counterpart``), or None."""
        binding = self._counterpart(kind, source, key, target)
        if not binding:
            return None
        if target and binding.backend_id == target:
            return binding.external_id
        return binding.local_ref

    def _record(self):
        self.ensure_one()
        if self.res_model in self.env and self.res_id:
            return self.env[self.res_model].browse(self.res_id).exists()
        return None
