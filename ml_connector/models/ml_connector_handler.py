from datetime import datetime

from odoo import api, models

from ..tools.items import Deferred, Page, SourceItem

ODOO = "odoo"


class MlConnectorHandler(models.AbstractModel):
    """What one flow does: read a document type from a source, write it to a target.

    Each flow type is a small AbstractModel inheriting this one (``_name`` starting with
    ``ml.connector.handler.``). The engine (:class:`ml.connector.flow`) owns the cursor,
    the audit lines, batching, retries and commits; a handler only knows its documents:

    * ``_collect(flow, run)`` yields :class:`Page` objects of :class:`SourceItem`;
    * ``_process(line)`` writes one document to the target and returns a result dict;
    * optional ``_acknowledge``, ``_resolve_unknown_outcome`` and ``_rebuild``.

    Sources and targets are named by system type; ``odoo`` is this database, read and
    written through the ORM. Nothing here assumes Odoo is one of the two ends.
    """

    _name = "ml.connector.handler"
    _description = "Connector flow handler"

    _flow_label = "Flow"
    _document_type = ""
    _source_system = ODOO
    _target_system = ODOO
    _systems = ()  # connection system types that offer this flow
    _master_data = False
    _default_sequence = 50
    _default_active = True
    # Bindings of this flow: object type, and whether the source key is the local side
    # (Odoo record, ``local_ref``) or the remote side (``external_id``).
    _binding_type = None
    _binding_source_side = "external_id"

    @api.model
    def _collect(self, flow, run):
        """Yield pages of source items changed since ``flow.cursor``."""
        return iter(())

    @api.model
    def _process(self, line):
        """Write the document of ``line`` to the target.

        Return a dict with any of ``state`` ('done' or 'skipped'), ``message``,
        ``external_id``, ``target_key``, ``res_model``, ``res_id``, ``response``.
        Raise connector errors (``tools.errors``) or ``UserError``/``ValidationError``.
        """
        raise NotImplementedError

    @api.model
    def _prepare_batch(self, lines):
        """Called before ``lines`` are processed (one batch, one transaction): read here, in a
        few queries, what every document of the batch would otherwise look up one by one."""

    @api.model
    def _acknowledge(self, flow, items):
        """Tell the source that ``items`` are safely stored (called after commit)."""

    @api.model
    def _resolve_unknown_outcome(self, line):
        """A previous send of ``line`` got no clear answer: look the document up remotely.

        Return a result dict (as ``_process``) if the remote has it, None to send again.
        """
        return None

    @api.model
    def _rebuild(self, line):
        """For replays: a fresh :class:`SourceItem` from the current source, or None to
        reprocess the stored payload as it is."""
        return None

    @api.model
    def _create_or_defer(self, model, vals, finish, keys=()):
        """Create ``model`` with ``vals`` and return ``finish(record)`` (the line's result).

        While the engine processes a batch, the creation is left to it instead (a
        :class:`Deferred`): the records of the batch are then created in one call, and
        ``finish`` runs once each exists. Use it only after checks that wrote nothing, since a
        deferred document may be prepared a second time; ``keys`` name what those checks read
        that another document of the batch could change.
        """
        deferred = Deferred(model, vals, finish, frozenset(keys))
        if self.env.context.get("ml_connector_batch_create"):
            return deferred
        return deferred.finish(model.create(vals))

    @api.model
    def _transaction_cache(self, name):
        """A dict that lives until the next commit or rollback (a batch): for repeatable reads
        only, e.g. the same vendor or mapping looked up by every document of a batch."""
        return self.env.cr.cache.setdefault(("ml_connector", name), {})

    @api.model
    def _direction(self):
        if self._target_system == ODOO:
            return "inbound"
        if self._source_system == ODOO:
            return "outbound"
        return "external"


class MlConnectorHandlerOdooSource(models.AbstractModel):
    """Handlers whose source is this Odoo database: changes found through the ORM.

    High-water mark on ``(write_date, id)``: each run re-reads from the mark minus an
    overlap window, in keyset order, so records written in the same second, or committed
    by a transaction that started before the mark, are never lost; re-read records whose
    built document did not change are skipped through the content hash of their binding.
    """

    _name = "ml.connector.handler.odoo.source"
    _inherit = "ml.connector.handler"
    _description = "Connector handler reading Odoo records"

    _source_system = ODOO
    _binding_source_side = "local_ref"
    _source_model = None

    @api.model
    def _source_domain(self, flow):
        return []

    @api.model
    def _build(self, flow, record):
        """The outgoing document for ``record`` (a dict); raise connector errors if it
        cannot be built (e.g. a mapping is missing): the line then waits with the reason."""
        raise NotImplementedError

    @api.model
    def _item_for(self, flow, record):
        try:
            payload = self._build(flow, record)
            error = None
        except Exception as exc:
            payload, error = None, exc
        return SourceItem(
            source_key=f"{record._name},{record.id}",
            payload=payload,
            name=record.display_name,
            document_key=record.display_name,
            res_model=record._name,
            res_id=record.id,
            stamp=record.write_date,
            error=error,
        )

    @api.model
    def _collect(self, flow, run):
        Model = self.env[self._source_model].with_context(active_test=False)
        cursor = flow.cursor or {}
        mark = datetime.fromisoformat(cursor["write_date"]) if cursor.get("write_date") else None
        overlap = flow._overlap()
        # A transaction still open when the mark was read may commit records written before it:
        # the overlap window below the mark is read again, until one read happened after every
        # such transaction ended (the window is 'settled'); from then on reading starts at the mark.
        if mark and cursor.get("settled"):
            last_date, last_id = mark, cursor.get("id") or 0
        else:
            last_date, last_id = (mark - overlap if mark else None), 0
        read_at = self.env.cr.now()
        while True:
            domain = list(self._source_domain(flow))
            if last_date:
                domain += [
                    "|",
                    ("write_date", ">", last_date),
                    "&",
                    ("write_date", "=", last_date),
                    ("id", ">", last_id),
                ]
            records = Model.search(domain, order="write_date, id", limit=flow._batch_size())
            if not records:
                if mark and not cursor.get("settled") and read_at - mark >= overlap:
                    # nothing new, and the window below the mark was read once more after it settled
                    yield Page(items=[], cursor={**cursor, "settled": True}, more=False)
                return
            items = [self._item_for(flow, record) for record in records]
            last = records[-1]
            if (last.write_date, last.id) == (last_date, last_id):
                raise RuntimeError(f"High-water mark of {flow.display_name} does not advance")
            # microseconds kept: Datetime.to_string would drop them and re-read a second
            last_date, last_id = last.write_date, last.id
            more = len(records) == flow._batch_size()
            cursor = {
                "write_date": last_date.isoformat(sep=" "),
                "id": last_id,
                "settled": read_at - last_date >= overlap,
            }
            mark = None  # the cursor above is new: nothing left to settle
            yield Page(items=items, cursor=cursor, more=more)
            if not more:
                return

    @api.model
    def _rebuild(self, line):
        record = self.env[self._source_model].browse(line.res_id).exists()
        if not record:
            return None
        return self._item_for(line.flow_id, record)
