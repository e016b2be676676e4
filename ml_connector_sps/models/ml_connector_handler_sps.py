"""What every SPS flow shares: reading a mailbox folder, uploading a document, finding the Odoo
records a document talks about. The six flows (one per document type and direction) are small
models on top of these two."""

import base64
import copy
import json
from datetime import UTC, timedelta

from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConnectorError,
    DocumentError,
    NeedsReviewError,
    OutcomeUnknownError,
)
from odoo.addons.ml_connector.tools.items import Page, SourceItem, content_hash

from ..tools import rsx

PROBLEMS_SHOWN = 8
# After an upload of unknown outcome, SPS's history is read from a little before the document
# was stored (clocks differ).
HISTORY_MARGIN = timedelta(minutes=10)


def problems_text(problems):
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = len(problems) - PROBLEMS_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def number(value):
    """JSON number for a quantity or amount: 24.0 -> 24, 4.750000001 -> 4.75."""
    value = round(float(value or 0.0), 6)
    return int(value) if value.is_integer() else value


class MlConnectorHandlerSpsInbound(models.AbstractModel):
    """Partner documents from one folder of the SPS mailbox into Odoo.

    Collect: list the folder page by page (cursor from SPS), download each file and hand every
    document in it to the engine as a pending audit line holding the RSX text; the engine
    commits the page, then ``_acknowledge`` deletes the files. A file is deleted only after its
    documents are committed in Odoo, and it is deleted whatever they contain (a bad document
    is kept on its audit line and can be replayed; leaving it in ``out/`` would only read it
    again). A file that could not be deleted is read again on the next run: its documents are
    known by key and content, so nothing is recorded or created twice.

    Audit lines are keyed by the business document (type, TPID, identifier), not the file: a
    replacement of a document that still waits (e.g. for a review) supersedes it, and the same
    document received twice is recognised whatever the file is called.
    """

    _name = "ml.connector.handler.sps.inbound"
    _inherit = "ml.connector.handler"
    _description = "SPS inbound documents (shared)"

    _source_system = "sps"
    _target_system = "odoo"
    _systems = ("sps",)
    _sps_code = None  # '850', '855', '856', '944'
    _sps_flag = None  # trading partner switch that allows the document, e.g. 'receive_850'

    # ------------------------------------------------------------------ collect
    @api.model
    def _collect(self, flow, run):
        backend = flow.backend_id
        transaction_api = backend._sps_api()
        folder = backend._sps_folder(self._sps_code)
        for paths, more in transaction_api.list_files(folder):
            items, stored = [], []
            for path in paths:
                data = self._download(transaction_api, path, run)
                if data is None:
                    continue
                items.extend(self._items_from_file(path, data))
                stored.append(path)
            yield Page(items=items, more=more, acknowledge=[(path, run.id) for path in stored])

    @api.model
    def _download(self, transaction_api, path, run):
        try:
            return transaction_api.download(path)
        except AuthError:
            raise
        except ConnectorError as exc:
            # This file waits for the next run; the others go on.
            run._log(self.env._("Could not download %(path)s: %(error)s", path=path, error=exc), error=True)
            return None

    @api.model
    def _items_from_file(self, path, data):
        """One source item per document in the file (a batch file holds several)."""
        try:
            value = rsx.parse(data)
        except rsx.RsxError as exc:
            item = SourceItem(
                source_key=f"file:{path}",
                payload=data,
                name=self.env._("%(type)s file %(path)s", type=self._sps_code, path=path),
                document_key=path.rsplit("/", 1)[-1],
                external_id=path,
            )
            if b"\x00" in data or not self._is_utf8(data):
                # Not text at all: kept in base64 (the database stores no NUL bytes), failed at once.
                item.payload = "base64:" + base64.b64encode(data).decode()
                item.error = DocumentError(
                    self.env._("%(file)s is not an RSX document: %(error)s", file=path, error=exc)
                )
            return [item]
        # an empty batch holds no document: the file itself is the one bad document
        batch = isinstance(value, list) and value != []
        docs = rsx.documents(value) if batch else [value]
        items = []
        for index, doc in enumerate(docs):
            where = f"{path}#{index + 1}" if batch else path
            code, tpid, identifier = rsx.identifiers(doc) if isinstance(doc, dict) else (None, None, None)
            if code and tpid and identifier:
                key = self._document_key(doc, code, tpid, identifier)
                name = self.env._("%(type)s %(id)s from %(tpid)s", type=code, id=identifier, tpid=tpid)
            else:
                key = f"file:{where}"
                name = self.env._("%(type)s file %(path)s", type=self._sps_code, path=where)
            items.append(
                SourceItem(
                    source_key=key,
                    # A single document is kept byte for byte; a document of a batch as its own JSON.
                    payload=doc if batch else data,
                    name=name,
                    document_key=identifier or where.rsplit("/", 1)[-1],
                    external_id=where,
                )
            )
        return items

    @staticmethod
    def _is_utf8(data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    @api.model
    def _document_key(self, doc, code, tpid, identifier):
        return f"{code}:{tpid}:{identifier}"

    @api.model
    def _acknowledge(self, flow, items):
        """Delete the files whose documents are committed in Odoo (called after the commit)."""
        transaction_api = flow.backend_id._sps_api()
        Run = self.env["ml.connector.run"].sudo()
        for path, run_id in items:
            try:
                transaction_api.delete(path)
            except AuthError:
                raise
            except ConnectorError as exc:
                Run.browse(run_id)._log(
                    self.env._(
                        "%(path)s is stored in Odoo but could not be deleted from SPS (%(error)s); it is "
                        "read again and skipped on the next run.",
                        path=path,
                        error=exc,
                    ),
                    error=True,
                )

    # ------------------------------------------------------------------ process
    @api.model
    def _process(self, line):
        doc = self._load(line)
        partner = self._trading_partner(line.backend_id, doc)
        return self._apply(line, doc, partner)

    @api.model
    def _apply(self, line, doc, partner):
        raise NotImplementedError

    @api.model
    def _load(self, line):
        """The RSX document of ``line``, checked; DocumentError with every problem found."""
        label = rsx.TYPES[self._sps_code].root
        try:
            value = rsx.parse(line.request_payload or "")
        except rsx.RsxError as exc:
            raise DocumentError(
                self.env._("%(file)s is not an RSX document: %(error)s", file=line.external_id, error=exc)
            ) from exc
        if value == []:
            raise DocumentError(
                self.env._("%s holds an empty batch: no document to import.", line.external_id)
            )
        problems = rsx.validate(value, expected=self._sps_code)
        if problems:
            raise DocumentError(
                self.env._(
                    "Not a valid RSX 7.7 %(label)s (%(file)s): %(problems)s",
                    label=label,
                    file=line.external_id,
                    problems=problems_text(problems),
                )
            )
        return value

    @api.model
    def _trading_partner(self, backend, doc):
        """The trading partner the document comes from; the document waits while it is unknown.

        Waiting (not failing) lets the admin add the TPID afterwards: saving the trading partner
        releases every document that waited for it.
        """
        tpid = rsx.header(doc, self._sps_code).get("TradingPartnerId")
        Partner = self.env["ml.connector.sps.partner"]
        partner = backend._sps_partner(tpid)
        if not partner:
            raise NeedsReviewError(
                self.env._(
                    "Unknown trading partner ID %(tpid)s: add it under Connectors > Configuration > SPS "
                    "trading partners for connection %(connection)s; this document then goes through by "
                    "itself.",
                    tpid=tpid,
                    connection=backend.name,
                ),
                blocking_key=Partner._blocking_key(tpid),
            )
        if not partner._allows(self._sps_flag):
            raise NeedsReviewError(
                self.env._(
                    "Trading partner %(tpid)s (%(partner)s) is not set up to send us %(label)s: tick "
                    "'%(flag)s' on it if it should; this document then goes through by itself.",
                    tpid=tpid,
                    partner=partner.partner_id.display_name,
                    label=rsx.TYPES[self._sps_code].label,
                    flag=partner._fields[self._sps_flag].string,
                ),
                blocking_key=Partner._blocking_key(tpid),
            )
        return partner

    # ------------------------------------------------------------------ shared lookups
    @api.model
    def _sent_order(self, backend, partner, po_number):
        """The purchase order we sent to ``partner`` under ``po_number`` (binding, else by name)."""
        binding = self.env["ml.connector.binding"]._find(
            backend, "sps_order_out", external_id=f"{partner.tpid}:{po_number}"
        )
        order = binding._record() if binding else None
        if order:
            return order
        return (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("name", "=", po_number),
                    ("partner_id.commercial_partner_id", "=", partner.partner_id.id),
                    ("company_id", "=", backend.company_id.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _require_order(self, backend, partner, po_number, label):
        order = self._sent_order(backend, partner, po_number) if po_number else None
        if not order:
            raise DocumentError(
                self.env._(
                    "%(label)s refers to purchase order %(po)s, which does not exist in Odoo for "
                    "%(partner)s.",
                    label=label,
                    po=po_number or "?",
                    partner=partner.partner_id.display_name,
                )
            )
        return order

    @api.model
    def _order_line(self, order, item):
        """The line of ``order`` an RSX line talks about: by LineSequenceNumber (we send it), else
        by part number (the vendor's code, our internal reference) or UPC."""
        lines = order.order_line.filtered(lambda line: not line.display_type)
        sequence = str(item.get("LineSequenceNumber") or "")
        if sequence:
            found = lines.filtered(lambda line: line.sps_line_number == sequence)
            if len(found) == 1:
                return found
        for key in ("VendorPartNumber", "BuyerPartNumber"):
            code = item.get(key)
            if not code:
                continue
            found = lines.filtered(
                lambda line, code=code: (
                    line.product_id.default_code == code
                    or code
                    in line.product_id.seller_ids.filtered(
                        lambda s: s.partner_id == order.partner_id.commercial_partner_id
                    ).mapped("product_code")
                )
            )
            if found:
                return found[0]
        upc = item.get("ConsumerPackageCode") or item.get("GTIN") or item.get("EAN")
        if upc:
            found = lines.filtered(
                lambda line: (line.product_id.barcode or "").lstrip("0") == upc.lstrip("0")
            )
            if found:
                return found[0]
        return self.env["purchase.order.line"]

    @api.model
    def _uom(self, backend, code, product, pack=None, hint=None):
        """The Odoo unit an RSX unit code (with an optional pack size) stands for.

        A mapping 'UoM' of the connection wins ('CA/12' for cases of 12, or 'CA'); then the unit
        of the order line when it carries that code; then the one unit with that SPS code (or
        standard code) that converts to the product's unit (holding ``pack`` of them when given).
        Otherwise the document waits for a mapping, which is listed for the admin.
        """
        code = (code or "EA").strip().upper()
        Mapping = self.env["ml.connector.mapping"]
        key = f"{code}/{number(pack)}" if pack else code
        mapped = Mapping._resolve(backend, "UoM", key, required=False)
        if not mapped and pack:
            mapped = Mapping._resolve(backend, "UoM", code, required=False)
        if mapped:
            return mapped
        reference = product.uom_id
        if hint and hint._sps_unit_code() == code and (not pack or hint._sps_holds(pack, reference)):
            return hint
        found = self.env["uom.uom"]._sps_find(code, reference, pack)
        if found:
            return found
        return Mapping._resolve(
            backend,
            "UoM",
            key,
            label=self.env._("SPS unit %(key)s for %(product)s", key=key, product=product.display_name),
        )

    @api.model
    def _to_move_uom(self, qty, uom, move):
        return uom._compute_quantity(qty, move.product_uom, rounding_method="HALF-UP")


class MlConnectorHandlerSpsOutbound(models.AbstractModel):
    """Odoo documents to the SPS ``in/`` folder as RSX files.

    Build (at collect): the RSX document, its purpose (00 original, 05 replacement once a version
    reached SPS, 01 cancellation) and ``DocumentRevision``, stored as text on the audit line:
    what is uploaded is exactly what the line shows. The content hash ignores purpose and
    revision, so an unchanged record is never sent again.

    Send (at process): check the document (RSX 7.7 keys and codes, totals), upload it as
    ``<prefix><number>-<revision>.json``, then remember the version in the binding. The name only
    changes with the content: re-sending a version overwrites the same file while SPS has not
    consumed it, and an upload whose answer was lost is looked up (``in/``, then the history)
    before it is sent again.
    """

    _name = "ml.connector.handler.sps.outbound"
    _inherit = "ml.connector.handler.odoo.source"
    _description = "SPS outbound documents (shared)"

    _source_system = "odoo"
    _target_system = "sps"
    _systems = ("sps",)
    _sps_code = None  # '850', '810'
    _sps_flag = None  # 'send_850', 'send_810'

    # ------------------------------------------------------------------ build
    @api.model
    def _partner_of(self, record):
        raise NotImplementedError

    @api.model
    def _document(self, flow, record, partner):
        """The RSX document of ``record`` (purpose and revision are set by ``_build``)."""
        raise NotImplementedError

    @api.model
    def _is_cancellation(self, record):
        return False

    @api.model
    def _business_hash(self, doc):
        """Hash of what the document says, whatever its purpose (00/05) and revision."""
        doc = copy.deepcopy(doc)
        head = rsx.header(doc, self._sps_code)
        head.pop("DocumentRevision", None)
        if head.get("TsetPurposeCode") != "01":
            head["TsetPurposeCode"] = "00"
        return content_hash(doc)

    @api.model
    def _build(self, flow, record):
        backend = flow.backend_id
        partner = backend._sps_partner_of(self._partner_of(record), self._sps_flag)
        if not partner:
            raise DocumentError(
                self.env._(
                    "%(record)s: %(partner)s is not a trading partner that receives %(label)s on "
                    "%(connection)s.",
                    record=record.display_name,
                    partner=self._partner_of(record).display_name,
                    label=rsx.TYPES[self._sps_code].label,
                    connection=backend.name,
                )
            )
        doc = self._document(flow, record, partner)
        head = rsx.header(doc, self._sps_code)
        head["TsetPurposeCode"] = "01" if self._is_cancellation(record) else "00"
        business = self._business_hash(doc)
        binding = self.env["ml.connector.binding"]._find(backend, self._binding_type, record=record)
        sent = (binding.data or {}) if binding else {}
        sent_revision = sent.get("sent_revision") or 0
        if head["TsetPurposeCode"] != "01" and sent_revision:
            head["TsetPurposeCode"] = "05"
        # The revision counts versions SPS received: a version that never got through is replaced
        # by the next one under the same name.
        same = binding and binding.content_hash == business
        head["DocumentRevision"] = str(sent_revision if same else sent_revision + 1)
        return rsx.dumps(doc)

    @api.model
    def _item_for(self, flow, record):
        item = super()._item_for(flow, record)
        if item.error is None and item.payload:
            item.hash = self._business_hash(json.loads(item.payload))
        return item

    @api.model
    def _rebuild(self, line):
        item = super()._rebuild(line)
        # Replaying a version that did not change keeps the very document that was sent.
        if item is not None and item.error is None and item.hash == line.content_hash:
            return None
        return item

    # ------------------------------------------------------------------ send
    @api.model
    def _target(self, line):
        """``(doc, path)`` of the line's document, checked; DocumentError if it must not be sent."""
        try:
            doc = rsx.parse(line.request_payload or "")
        except rsx.RsxError as exc:
            raise DocumentError(self.env._("Nothing to send: %s", exc)) from exc
        problems = rsx.validate(doc, expected=self._sps_code) + self._business_problems(doc)
        if problems:
            raise DocumentError(
                self.env._(
                    "Not sent: the %(label)s is not valid RSX 7.7: %(problems)s",
                    label=rsx.TYPES[self._sps_code].root,
                    problems=problems_text(problems),
                )
            )
        _code, _tpid, identifier = rsx.identifiers(doc)
        revision = rsx.header(doc).get("DocumentRevision") or "1"
        path = line.backend_id._sps_folder() + rsx.file_name(self._sps_code, identifier, revision)
        return doc, path

    @api.model
    def _business_problems(self, doc):
        return []

    @api.model
    def _process(self, line):
        record = line._record()
        if record is None:
            return {
                "state": "skipped",
                "message": self.env._("The Odoo record no longer exists: nothing sent."),
            }
        doc, path = self._target(line)
        backend = line.backend_id
        binding = self.env["ml.connector.binding"]._find(backend, self._binding_type, record=record)
        sent = (binding.data or {}) if binding else {}
        if sent.get("sent_hash") == line.content_hash and sent.get("sent_file") == path:
            return {
                "external_id": binding.external_id,
                "target_key": path,
                "message": self.env._("Already sent as %s: not uploaded again.", path),
            }
        if rsx.header(doc).get("TsetPurposeCode") == "01" and not sent.get("sent_revision"):
            return {
                "state": "skipped",
                "message": self.env._(
                    "Cancelled before any version reached SPS: there is nothing to cancel there."
                ),
            }
        data = line.request_payload.encode()
        try:
            response = backend._sps_api().upload(path, data)
        except OutcomeUnknownError as exc:
            # SPS's history shows an upload only after its lag: look the file up once that passed,
            # not before (an earlier look proves nothing and would only wait again).
            exc.retry_at = fields.Datetime.now() + timedelta(seconds=max(backend.sps_history_lag, 0))
            raise
        return self._sent(line, record, doc, path, response)

    @api.model
    def _resolve_unknown_outcome(self, line):
        """The last upload got no clear answer, or was interrupted (a worker stopped, a conflict rolled
        it back): was the file delivered? (None: send it again)."""
        record = line._record()
        if record is None:
            return None
        doc, path = self._target(line)
        if self._delivered(line, path):
            return self._sent(
                line,
                record,
                doc,
                path,
                {"found": path, "how": "looked up after an unanswered or interrupted upload"},
            )
        return None

    @api.model
    def _delivered(self, line, path):
        """Whether SPS has our file: still waiting in ``in/`` (same bytes), or an upload of that path
        in the history since the line was created. The history lags: while an upload could still be
        missing from it, the line waits instead of sending a second copy."""
        backend = line.backend_id
        transaction_api = backend._sps_api()
        try:
            waiting = transaction_api.download(path)
        except AuthError:
            raise
        except ConnectorError:
            waiting = None  # reading our own outbound folder is a convenience: the history decides
        if waiting is not None:
            return rsx.decode(waiting) == rsx.decode(line.request_payload.encode())
        since = (line.create_date or fields.Datetime.now()) - HISTORY_MARGIN
        try:
            if transaction_api.was_uploaded(path, since.replace(tzinfo=UTC)):
                return True
        except AuthError:
            raise
        except ConnectorError as exc:
            raise OutcomeUnknownError(
                self.env._(
                    "Cannot tell whether %(path)s reached SPS: its history could not be read (%(error)s).",
                    path=path,
                    error=exc,
                )
            ) from exc
        # measured from the unclear upload itself (the line is written at every look)
        unclear_since = line.outcome_unknown_since or line.create_date
        lag = timedelta(seconds=max(backend.sps_history_lag, 0))
        if unclear_since and fields.Datetime.now() - unclear_since < lag:
            raise OutcomeUnknownError(
                self.env._(
                    "Cannot tell yet whether %(path)s reached SPS: its history shows uploads up to %(lag)s s "
                    "late. Looking again later before sending it a second time.",
                    path=path,
                    lag=backend.sps_history_lag,
                ),
                retry_at=unclear_since + lag,
                counts_as_attempt=False,
            )
        return False

    @api.model
    def _sent(self, line, record, doc, path, response):
        """Remember the version SPS received (binding) and tell the record."""
        backend = line.backend_id
        _code, tpid, identifier = rsx.identifiers(doc)
        head = rsx.header(doc)
        revision = int(head.get("DocumentRevision") or 1)
        binding = self.env["ml.connector.binding"]._bind(
            backend,
            self._binding_type,
            f"{tpid}:{identifier}",
            record=record,
            content_hash=line.content_hash,
            external_key=identifier,
            data={
                "sent_revision": revision,
                "sent_file": path,
                "sent_hash": line.content_hash,
                "purpose": head.get("TsetPurposeCode"),
                "sent_at": fields.Datetime.to_string(fields.Datetime.now()),
            },
        )
        self._after_sent(record, doc, path, backend._sps_partner(tpid))
        return {
            "external_id": binding.external_id,
            "target_key": path,
            "response": response,
            "message": self.env._(
                "Sent as %(path)s (purpose %(purpose)s, revision %(revision)s).",
                path=path,
                purpose=head.get("TsetPurposeCode"),
                revision=revision,
            ),
        }

    @api.model
    def _after_sent(self, record, doc, path, partner):
        """Hook: note the sent version on the Odoo record."""
