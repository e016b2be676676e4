import json
from datetime import datetime

from odoo import api, models

from ..tools.db import transaction_cache
from ..tools.documents import document_class
from ..tools.errors import DocumentError
from ..tools.items import Page, SourceItem

ODOO = "odoo"


class MlConnectorReader(models.AbstractModel):
    """The source side of a flow: reads one document type from one kind of end.

    A reader is a small AbstractModel named ``ml.connector.reader.<system>.<document type>``
    (``ml.connector.reader.jaggaer.invoice``, ``ml.connector.reader.odoo.purchase_order``); the
    engine (:class:`ml.connector.flow`) owns the cursor, audit lines, batching, retries and
    commits. A reader knows its documents:

    * ``_collect(flow, run)`` yields :class:`Page` objects of :class:`SourceItem` changed since
      ``flow.cursor``; the engine stores each new version as a pending audit line holding the
      item's payload (what the source gave, as it gave it);
    * ``_acknowledge(flow, items)`` tells the source what is safely stored (optional);
    * ``_document(line)`` turns the stored payload into the canonical document
      (``tools/documents.py``) the flow's writer works with, reading more of it if needed;
    * ``_rebuild(line)`` gives a fresh item for a replay (optional).

    The reader's end is ``flow.source_backend_id`` (``_backend(flow)``), empty for this database.
    """

    _name = "ml.connector.reader"
    _description = "Connector reader"

    _system = ODOO  # system type of the end this reader reads
    _document_type = ""  # a code of tools.documents.DOCUMENT_TYPES

    @api.model
    def _backend(self, flow):
        """The connection this reader reads (empty for this database)."""
        return flow.source_backend_id

    @api.model
    def _collect(self, flow, run):
        """Yield pages of source items changed since ``flow.cursor``."""
        return iter(())

    @api.model
    def _acknowledge(self, flow, items):
        """Tell the source that ``items`` are safely stored (called after commit)."""

    @api.model
    def _prepare_batch(self, lines):
        """Called before ``lines`` are processed (one batch, one transaction)."""

    @api.model
    def _read_ahead(self, lines):
        """Start reading from the source, in background threads, what ``_document`` will fetch
        for ``lines`` (the current batch, or the next one while this one is created). The
        engine's ``tools.ahead.ReadAhead`` is in the context as ``ml_connector_read_ahead``; only
        HTTP may run in its threads (no cursor, no ORM). Optional: by default documents are read
        in their turn."""

    @api.model
    def _document(self, line):
        """The canonical document of ``line``. The default reads the stored payload as the
        document of the flow's type; readers of raw remote payloads convert them here. A reader
        that reads more of the document while doing so sets ``document.source_payload``: the
        audit line then keeps what was actually processed, whatever the outcome."""
        payload = self._payload(line)
        cls = document_class(line.flow_id.document_type)
        if payload is None or cls is None:
            return payload
        return cls.from_dict(payload)

    @api.model
    def _payload(self, line):
        """The JSON document stored on ``line``, or None if there is none."""
        if not line.request_payload:
            return None
        try:
            return json.loads(line.request_payload)
        except ValueError as exc:
            raise DocumentError(self.env._("The stored document is not valid JSON: %s", exc)) from exc

    @api.model
    def _rebuild(self, line):
        """For replays: a fresh :class:`SourceItem` from the current source, or None to
        reprocess the stored payload as it is."""
        return None

    @api.model
    def _transaction_cache(self, name):
        """A dict that lives until the next commit or rollback (a batch)."""
        return transaction_cache(self.env.cr, name)


class MlConnectorReaderOdoo(models.AbstractModel):
    """Readers of this Odoo database: changes found through the ORM, as canonical documents.

    High-water mark on ``(write_date, id)``: each run re-reads from the mark minus an overlap
    window, in keyset order, so records written in the same second, or committed by a
    transaction that started before the mark, are never lost; re-read records whose document did
    not change are skipped through the content hash of their binding. The flow's writer may
    narrow the records read (``_source_domain``), e.g. to the vendors that trade through it.
    """

    _name = "ml.connector.reader.odoo"
    _inherit = "ml.connector.reader"
    _description = "Connector reader of Odoo records"

    _system = ODOO
    _source_model = None

    @api.model
    def _source_domain(self, flow):
        return []

    @api.model
    def _read_record(self, flow, record):
        """The canonical document of ``record``; raise connector errors if it cannot be built:
        the line then waits or fails with the reason."""
        raise NotImplementedError

    @api.model
    def _item_for(self, flow, record):
        try:
            document = self._read_record(flow, record)
            payload, error = document.to_dict() if hasattr(document, "to_dict") else document, None
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
    def _domain(self, flow):
        return list(self._source_domain(flow)) + list(flow._writer()._source_domain(flow))

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
        read_up_to = (mark, cursor.get("id") or 0) if mark else None
        base_domain = self._domain(flow)
        while True:
            domain = list(base_domain)
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
            fresh = self._not_read_yet(flow, records, read_up_to)
            items = [self._item_for(flow, record) for record in fresh]
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
            yield Page(items=items, cursor=cursor, more=more, unchanged=len(records) - len(fresh))
            if not more:
                return

    @api.model
    def _not_read_yet(self, flow, records, read_up_to):
        """``records`` without those the flow already read as they are: the re-read window below
        the mark (``read_up_to``: its write date and id) holds mostly records read by the last run,
        and a record whose write date is the one its latest line was read at is that version
        (its document is built again only if it changed since). Only for records last written by
        an earlier transaction: the writes of one transaction share their date. A rewound flow (no
        mark) reads everything again."""
        if not read_up_to:
            return records
        # the database's own transaction time (a test cursor's now() is the clock's)
        self.env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        now = self.env.cr.fetchone()[0]
        seen = records.filtered(
            lambda record: (record.write_date, record.id) <= read_up_to and record.write_date < now
        )
        if not seen:
            return records
        self.env.cr.execute(
            """SELECT DISTINCT ON (source_key) source_key, source_stamp FROM ml_connector_audit_line
               WHERE flow_id = %s AND source_key IN %s ORDER BY source_key, id DESC""",
            (flow.id, tuple(f"{record._name},{record.id}" for record in seen)),
        )
        stamps = dict(self.env.cr.fetchall())
        return records - seen.filtered(
            lambda record: stamps.get(f"{record._name},{record.id}") == record.write_date.isoformat(sep=" ")
        )

    @api.model
    def _record(self, line):
        """The Odoo record ``line`` was read from, if it still exists."""
        if not line.res_model or not line.res_id:
            return None
        return self.env[line.res_model].browse(line.res_id).exists() or None

    @api.model
    def _document(self, line):
        document = super()._document(line)
        if document is None and line.res_id:
            # parked before its document could be built (e.g. a mapping was missing, since released)
            record = self._record(line)
            if record is not None:
                document = self._read_record(line.flow_id, record)
                line._store_rebuilt_payload(document)
        return document

    @api.model
    def _rebuild(self, line):
        record = self._record(line)
        if record is None:
            return None
        return self._item_for(line.flow_id, record)
