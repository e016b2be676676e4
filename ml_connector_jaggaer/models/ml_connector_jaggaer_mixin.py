from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import Page
from odoo.addons.ml_connector.tools.text import document_problems

from ..tools.client import dig, parse_stamp

SUPPLIER_BINDING = "jaggaer_supplier"
PO_BINDING = "jaggaer_po"
PO_LINE_BINDING = "jaggaer_po_line"
INVOICE_BINDING = "jaggaer_invoice"


class MlConnectorJaggaerMixin(models.AbstractModel):
    """What JAGGAER readers and writers share: the client, checked texts, reading changed records."""

    _name = "ml.connector.jaggaer.mixin"
    _description = "JAGGAER readers and writers: helpers"

    @api.model
    def _client(self, backend):
        return backend._system()._client(backend)

    @api.model
    def _check_texts(self, document, what=None):
        """DocumentError when texts of an inbound ``document`` cannot be stored as they are (NUL
        characters, unpaired surrogates, control characters): refused whole, saying where, rather
        than written in part or failing in the database."""
        problems = document_problems(document)
        if problems:
            raise DocumentError(
                self.env._(
                    "%(what)s holds text Odoo cannot store as it is: %(problems)s",
                    what=what or self.env._("The document"),
                    problems="; ".join(problems),
                )
            )

    @api.model
    def _warned(self, warning):
        """What JAGGAER said when it accepted something with a warning (returnCode 1)."""
        return self.env._("JAGGAER warned: %s", warning) if warning else ""

    @api.model
    def _supplier_wait_key(self, end, key):
        """What a document waits for when supplier ``key`` of ``end`` has no JAGGAER supplier yet."""
        if end:
            return f"jaggaer:supplier:{end.id}:{key}"
        return f"jaggaer:supplier:{key.rsplit(',', 1)[-1]}"

    @api.model
    def _collect_changed(
        self,
        flow,
        run,
        resource,
        *,
        path_key,
        wrapper_key,
        what,
        make_item,
        key_of,
        unwrap=None,
        prefetch=None,
    ):
        """Pages of the records of ``resource`` changed since the flow's high-water mark.

        The mark is the newest modification time seen, minus the flow's overlap on the next
        run; it moves once the whole listing is read, and only if the listing was stable:
        records changing while we page (offset paging, §1.6) can shift one past us, so when
        fewer distinct records were seen than JAGGAER counts, the mark stays and the next run
        reads the same window again (known versions are skipped by their hash).
        ``make_item(record)`` returns a SourceItem, or None for a record known to be unchanged;
        ``unwrap(record)`` gives the record whose time field is read (e.g. the company profile
        inside a supplier list item); ``prefetch(records)``, called with each page before its
        items are made, reads at once what ``make_item`` looks up per record.
        """
        client = self._client(self._backend(flow))
        config = client.config
        since = parse_stamp((flow.cursor or {}).get("since"))
        overlap = flow._overlap()
        # A record JAGGAER stamped before the mark may show up late (its transaction still open
        # when we read): the overlap window below the mark is read again, until one read happened
        # after the window passed by JAGGAER's own clock (settled); from then on reading starts
        # at the mark, and a poll with nothing new costs one request.
        settled = bool(since and (flow.cursor or {}).get("settled"))
        flt = config.flt(resource, (since if settled else since - overlap) if since else None)
        newest, keys, total, stamped, read_at = since, set(), 0, False, None
        stamp_field = config.stamp_fields.get(resource)
        for page in client.pages(path_key, wrapper_key, what, flt=flt):
            read_at = read_at or page.server_time
            if page.warning:
                run._log(
                    self.env._("%(flow)s: JAGGAER warned: %(warning)s", flow=flow.name, warning=page.warning)
                )
            items, unchanged = [], 0
            if prefetch:
                prefetch(page.records)
            for record in page.records:
                stamp = parse_stamp(dig(unwrap(record) if unwrap else record, stamp_field))
                stamped = stamped or stamp is not None
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
                keys.add(key_of(record))
                item = make_item(record)
                if item is None:
                    unchanged += 1
                else:
                    items.append(item)
            total = page.total
            yield Page(items=items, more=True, unchanged=unchanged)
        cursor = None
        if keys and not stamped:
            run._log(
                self.env._(
                    "%(flow)s: no modification time under '%(field)s' in JAGGAER's records, so every run "
                    "reads everything again. Check the time field of this resource on the connection.",
                    flow=flow.name,
                    field=stamp_field,
                ),
                error=True,
            )
        if len(keys) >= total:
            if newest and newest != since:
                cursor = {
                    "since": newest.isoformat(sep=" "),
                    "settled": bool(read_at and read_at - newest >= overlap),
                }
            elif since and not settled and read_at and read_at - since >= overlap:
                cursor = {"since": since.isoformat(sep=" "), "settled": True}
        else:
            run._log(
                self.env._(
                    "%(flow)s: JAGGAER counted %(total)s records but %(seen)s were read (records changed "
                    "while paging); the high-water mark stays so that the next run reads them again.",
                    flow=flow.name,
                    total=total,
                    seen=len(keys),
                )
            )
        yield Page(items=[], cursor=cursor, more=False)
