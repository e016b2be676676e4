import base64

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Item, Ref
from odoo.addons.ml_connector.tools.errors import AuthError, ConnectorError, DocumentError, NeedsReviewError
from odoo.addons.ml_connector.tools.items import Page, SourceItem

from ..tools import rsx
from ..tools.values import names_text, problems_text

# TsetPurposeCode as a canonical purpose; a code missing here (20, CN…) stays as it is, and the
# flow says it does not handle it.
PURPOSES = {
    "00": "original",
    "06": "original",  # confirmation
    "05": "replacement",
    "01": "cancellation",
    "07": "duplicate",
    "04": "change",
}
# Fields every reader reads: the partner and the document's identity.
IDENTITY_FIELDS = ("TradingPartnerId",)


class MlConnectorReaderSps(models.AbstractModel):
    """Partner documents from one folder of the SPS mailbox, as canonical documents.

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

    Read: the stored RSX text is parsed and checked (RSX 7.7 keys, types and codes), the trading
    partner it comes from must be set up for it, then each document type makes its canonical
    document (``_read``).
    """

    _name = "ml.connector.reader.sps"
    _inherit = "ml.connector.reader"
    _description = "SPS documents in (shared)"

    _system = "sps"
    _sps_code = None  # '850', '855', '856', '944', '846': the type of the reader's folder
    _sps_codes = ()  # every RSX type the reader takes (default: its folder's type)
    _sps_flag = None  # trading partner switch that allows the document, e.g. 'receive_850'
    # JSON paths the reader reads ('[]' for any index, a trailing '*' for everything below): a
    # problem there refuses the document; elsewhere it is a warning, and a value there that is not
    # read is named on the audit line.
    _sps_fields = ()
    # JSON paths the reader only copies as text for a person to read (never refused)
    _sps_kept = ()

    # ------------------------------------------------------------------ collect
    @api.model
    def _collect(self, flow, run):
        backend = self._backend(flow)
        transaction_api = backend._sps_api()
        folder = backend._sps_folder(self._sps_code)
        others = self._folder_neighbours(flow, folder)
        for paths, more in transaction_api.list_files(folder):
            items, stored = [], []
            for path in paths:
                data = self._download(transaction_api, path, run)
                if data is None:
                    continue
                file_items = self._items_from_file(path, data)
                if others and self._belongs_elsewhere(flow, file_items, others):
                    continue  # another flow reads this file from the same folder
                items.extend(file_items)
                stored.append(path)
            yield Page(items=items, more=more, acknowledge=[(path, run.id) for path in stored])

    @api.model
    def _codes(self):
        return self._sps_codes or (self._sps_code,)

    @api.model
    def _folder_neighbours(self, flow, folder):
        """``{rsx type: flow}`` of the connection's other active inbound flows reading ``folder``
        (an account may have SPS put every type in one folder)."""
        backend = self._backend(flow)
        neighbours = {}
        for other in backend.flow_ids.filtered(
            lambda f: f.active and f != flow and f.source_backend_id == backend
        ):
            reader = other._reader()
            if (
                reader._name.startswith("ml.connector.reader.sps.")
                and backend._sps_folder(reader._sps_code) == folder
            ):
                neighbours.update(dict.fromkeys(reader._codes(), other))
        return neighbours

    @api.model
    def _belongs_elsewhere(self, flow, items, others):
        """True when another flow of the folder reads this file: every document in it is of a type
        that flow reads. A file nobody reads (not RSX, an unknown type) is taken by the first flow
        of the folder, which records it as failed rather than leave it there for ever."""
        codes = {item.meta.get("rsx_type") for item in items}
        if codes <= set(others):
            return True
        if codes & set(self._codes()):
            return False
        first = min(others.values(), key=lambda other: (other.sequence, other.id))
        return (first.sequence, first.id) < (flow.sequence, flow.id)

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
                meta={"rsx_type": None},
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
        # a document of an XML batch is kept as its own XML, one of a JSON batch as its own JSON
        parts = rsx.xml_documents(rsx.decode(data)) if batch and rsx.is_xml(rsx.decode(data)) else docs
        items = []
        for index, (doc, part) in enumerate(zip(docs, parts, strict=True)):
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
                    # A single document is kept byte for byte, a document of a batch on its own.
                    payload=part if batch else data,
                    name=name,
                    document_key=identifier or where.rsplit("/", 1)[-1],
                    external_id=where,
                    meta={"rsx_type": code, "head": rsx.header(doc, code) if code else {}},
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
        transaction_api = self._backend(flow)._sps_api()
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

    # ------------------------------------------------------------------ read
    @api.model
    def _document(self, line):
        doc, warnings = self._load(line)
        partner = self._trading_partner(self._backend(line.flow_id), doc)
        document = self._read(line, doc, partner)
        document.source_note = " ".join(filter(None, [document.source_note, self._note(doc, warnings)]))
        return document

    @api.model
    def _read(self, line, doc, partner):
        """The canonical document of RSX document ``doc`` (valid) from trading partner ``partner``."""
        raise NotImplementedError

    @api.model
    def _type_of(self, doc):
        """The RSX type of ``doc`` this reader reads it as (its folder's type, unless it takes others)."""
        code = rsx.detect_type(doc) if isinstance(doc, dict) else None
        return code if code in self._codes() else self._sps_code

    @api.model
    def _load(self, line):
        """``(document, warnings)``: the RSX document of ``line``, checked. A problem in a field the
        reader reads refuses it (DocumentError with every such problem); problems elsewhere are
        only warnings, named on the line."""
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
        code = self._type_of(value)
        refusals, warnings = rsx.split_problems(
            rsx.validate(value, expected=code), lambda path: self._uses(value, path)
        )
        if refusals:
            raise DocumentError(
                self.env._(
                    "Not a valid RSX 7.7 %(label)s (%(file)s): %(problems)s",
                    label=rsx.TYPES[code].root,
                    file=line.external_id,
                    problems=problems_text(refusals),
                )
            )
        return value, warnings

    @api.model
    def _uses(self, doc, path):
        """True if the reader reads the value at ``path`` of ``doc``."""
        return rsx.matches(path, self._sps_fields) or path.rsplit(".", 1)[-1] in IDENTITY_FIELDS

    @api.model
    def _note(self, doc, warnings):
        """What the audit line says about the fields of ``doc`` the flow does not apply."""
        notes = []
        if warnings:
            notes.append(self.env._("Not read, and not valid: %s.", problems_text(warnings)))
        unread = rsx.unread_fields(
            doc, lambda path: self._uses(doc, path) or rsx.matches(path, self._sps_kept)
        )
        if unread:
            notes.append(self.env._("Not applied (kept on this line): %s.", names_text(unread)))
        return " ".join(notes)

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

    # ------------------------------------------------------------------ parts of documents
    @api.model
    def _partner_ref(self, partner):
        """The trading partner as documents refer to it: its TPID is its key on SPS."""
        return Ref(key=partner.tpid, name=partner.partner_id.name or "")

    @api.model
    def _order_ref(self, partner, po_number):
        """One of our purchase orders, as a document of ``partner`` names it: the key is the one
        the order was sent under (see the 850 writer's binding)."""
        return Ref(key=f"{partner.tpid}:{po_number}", number=po_number or "")

    @api.model
    def _purpose(self, head):
        code = head.get("TsetPurposeCode") or "00"
        return PURPOSES.get(code, code)

    @api.model
    def _item(self, rsx_line):
        """What an RSX line (OrderLine, ShipmentLine, ItemDetail) says the item is."""
        return Item(
            buyer_code=rsx_line.get("BuyerPartNumber") or "",
            vendor_code=rsx_line.get("VendorPartNumber") or "",
            gtin=rsx_line.get("ConsumerPackageCode") or rsx_line.get("GTIN") or rsx_line.get("EAN") or "",
        )
