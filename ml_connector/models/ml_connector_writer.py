from odoo import api, models

from ..tools.db import transaction_cache
from ..tools.items import Deferred
from .ml_connector_matching import PartnerQuery
from .ml_connector_reader import ODOO


class MlConnectorWriter(models.AbstractModel):
    """The target side of a flow: writes one canonical document type to one kind of end.

    A writer is a small AbstractModel named ``ml.connector.writer.<system>.<document type>``
    (``ml.connector.writer.jaggaer.purchase_order``, ``ml.connector.writer.odoo.invoice``). It
    receives the canonical document its flow's reader made of an audit line and:

    * ``_write(line, document)`` writes it to the target and returns a result dict with any of
      ``state`` ('done' or 'skipped'), ``message``, ``external_id``, ``target_key``,
      ``res_model``, ``res_id``, ``response`` (the target's answer) and ``sent`` (the document
      as sent to the target), or a :class:`Deferred` (see ``_create_or_defer``); it raises the
      errors of ``tools/errors.py`` or ``UserError``/``ValidationError``;
    * ``_resolve_unknown_outcome(line, document)`` looks a send whose answer was lost up on the
      target before it is sent again (optional);
    * ``_source_domain(flow)`` narrows what an Odoo reader reads for this target (optional).

    The writer's end is ``flow.target_backend_id`` (``_backend(flow)``), empty for this
    database. Records of the source end are found through the bindings that join the two ends
    (``ml.connector.binding._counterpart``), whatever the source is.
    """

    _name = "ml.connector.writer"
    _description = "Connector writer"

    _system = ODOO  # system type of the end this writer writes
    _document_type = ""
    # Bindings that make this writer idempotent, as a document kind (the connection's system
    # names the binding type) or an explicit binding type; the engine skips documents whose
    # content hash equals their binding's.
    _binding_kind = None
    _binding_type = None

    @api.model
    def _backend(self, flow):
        """The connection this writer writes to (empty for this database)."""
        return flow.target_backend_id

    @api.model
    def _source_domain(self, flow):
        """Extra domain for an Odoo reader feeding this writer."""
        return []

    @api.model
    def _prepare_batch(self, lines):
        """Called before ``lines`` are processed (one batch, one transaction): read here, in a
        few queries, what every document of the batch would otherwise look up one by one."""

    @api.model
    def _prepare_documents(self, documents):
        """Called with the ``(line, document)`` pairs of a batch once its documents are read,
        before the first is written: read here, in a few queries, what writing them would look
        up one by one (the orders they refer to, the records they would duplicate…)."""

    @api.model
    def _finish_batch(self):
        """Called once the documents of a batch are written, in its transaction, before its
        commit: write here what the batch left for its end (notes logged together…)."""

    @api.model
    def _write(self, line, document):
        raise NotImplementedError

    @api.model
    def _resolve_unknown_outcome(self, line, document):
        """A previous send of ``line`` got no clear answer: look the document up on the target.

        Return a result dict (as ``_write``) if the target has it, None to send again.
        """
        return None

    # ------------------------------------------------------------------ bindings
    @api.model
    def _flow_binding(self, flow):
        """``(connection, binding type, key column, other end)`` of the bindings that record what
        this flow wrote, or None: on the target when it is remote (keyed by the source's key),
        else on the source (keyed by its external id)."""
        if self._binding_type is None and self._binding_kind is None:
            return None
        target, source = flow.target_backend_id, flow.source_backend_id
        connection = target or source
        object_type = self._binding_type or connection._binding_type(self._binding_kind)
        if target:
            return connection, object_type, "local_ref", source
        return connection, object_type, "external_id", None

    @api.model
    def _binding(self, flow, kind, key):
        """The binding joining record ``key`` of the flow's source to the target, for ``kind``."""
        return self.env["ml.connector.binding"]._counterpart(
            kind, flow.source_backend_id, key, flow.target_backend_id
        )

    # ------------------------------------------------------------------ values of the source end
    @api.model
    def _odoo_record(self, flow, ref):
        """The Odoo record ``ref`` points to when the flow's source is this database, else None."""
        if flow.source_backend_id or not ref or "," not in (ref.key or ""):
            return None
        model, record_id = ref.key.rsplit(",", 1)
        if model not in self.env or not record_id.isdigit():
            return None
        # the same accounts and cost centres come back on every line of a batch: checked once
        existing = self._transaction_cache("odoo_records_exist")
        key = (model, int(record_id))
        if key not in existing:
            existing[key] = bool(self.env[model].browse(key[1]).exists())
        return self.env[model].browse(key[1]) if existing[key] else None

    @api.model
    def _target_value(self, flow, mapping_type, ref, label=None):
        """The target's value of ``mapping_type`` that source value ``ref`` stands for (an Odoo
        record's mapping, or a value of the source connection's mapping); waits while unmapped."""
        Mapping = self.env["ml.connector.mapping"]
        source, target = flow.source_backend_id, self._backend(flow)
        if source:
            return Mapping._resolve_value(
                target, mapping_type, ref.number or ref.key, source_end=source, label=label
            )
        return Mapping._resolve_value(target, mapping_type, self._odoo_record(flow, ref), label=label)

    @api.model
    def _local_side(self, flow, key):
        """Binding values for the local side of record ``key`` of the flow's source end."""
        source = flow.source_backend_id
        if source:
            return {"local_ref": key, "local_backend": source}
        model, record_id = key.rsplit(",", 1)
        return {"record": self.env[model].browse(int(record_id))}

    @api.model
    def _remote_vendor(self, source, supplier, what):
        """The Odoo vendor of supplier ``supplier`` (a Ref) of connection ``source``: through its
        supplier binding, else the matching cascade; a person decides what the cascade cannot (the
        document waits on the review item the supplier flow of that connection uses too). ``what``
        names the document, for the review."""
        binding_type = source._binding_type("supplier")
        query = PartnerQuery(
            name=supplier.name,
            duns=supplier.duns,
            vat=supplier.vat,
            reference=supplier.number,
            bindings={binding_type: supplier.key},
        )
        # the documents of a batch come from a few suppliers: each is matched once per batch
        vendors = self._transaction_cache("remote_vendors")
        key = (source.id, supplier.key, query.name, query.duns, query.reference)
        if key in vendors:
            return vendors[key]
        match = self.env["ml.connector.matching"]._match_partner(source, query)
        if match.record:
            vendors[key] = match.record
            return match.record
        if not match.candidates:
            match.reason = self.env._(
                "no Odoo vendor is linked to it or matches it. Choose the vendor in the review (or let the "
                "supplier flow create it); this document then goes on by itself."
            )
        raise match.review_error(
            binding_type=binding_type,
            external_id=supplier.key or f"number:{supplier.number}",
            label=self.env._(
                "%(system)s supplier %(name)s (%(id)s) of %(what)s",
                system=source._system_label(),
                name=supplier.name,
                id=supplier.key,
                what=what,
            ),
            kind="partner",
            res_model="res.partner",
            backend=source,
            key=supplier.number or False,
        )

    # ------------------------------------------------------------------ helpers
    @api.model
    def _create_or_defer(self, model, vals, finish, keys=(), bind=None):
        """Create ``model`` with ``vals``, bind it (``bind``, a ``tools.items.Bind``) and return
        ``finish(record)`` (the line's result).

        While the engine processes a batch, the creation is left to it instead (a
        :class:`Deferred`): the records of the batch are then created in one call and bound in
        one more, and ``finish`` runs once each exists. Use it only after checks that wrote
        nothing, since a deferred document may be prepared a second time; ``keys`` name what
        those checks read that another document of the batch could change.
        """
        deferred = Deferred(model, vals, finish, frozenset(keys), bind=bind)
        if self.env.context.get("ml_connector_batch_create"):
            return deferred
        return deferred.complete(model.create(vals))

    @api.model
    def _dry_run_note(self, text):
        """Say, during a dry run, what the request about to be sent means for the target (e.g.
        "would rename JAGGAER supplier 3901"); ignored otherwise."""
        dry_run = self.env.cr.cache.get(("ml_connector", "dry_run"))
        if dry_run is not None:
            dry_run.notes.append(text)

    @api.model
    def _transaction_cache(self, name):
        """A dict that lives until the next commit or rollback (a batch): for repeatable reads
        only, e.g. the same vendor or mapping looked up by every document of a batch."""
        return transaction_cache(self.env.cr, name)
