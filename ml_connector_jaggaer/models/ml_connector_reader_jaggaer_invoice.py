"""JAGGAER invoices as canonical invoices.

The list gives headers only (§1.5 [C]); the lines come from the detail call, made while
processing. The detail read is kept on the audit line (also when the invoice is refused), so
the audit shows what was processed and a replay reuses it; a detail that could not be read
(unreadable answer) is fetched again on replay. A newer version of the invoice in JAGGAER is
collected as its own audit line. Invoices whose statuses are not the ones the connection imports
(e.g. still pending approval) are skipped until JAGGAER moves them on.
"""

import functools
import logging
import math
from concurrent.futures import CancelledError

import requests

from odoo import api, models

from odoo.addons.ml_connector.tools.ahead import ReadAheadClosed
from odoo.addons.ml_connector.tools.auth import BorrowedToken, TokenToRenew
from odoo.addons.ml_connector.tools.documents import (
    Charge,
    Coding,
    Invoice,
    InvoiceLine,
    Item,
    Ref,
    TaxAmount,
)
from odoo.addons.ml_connector.tools.errors import (
    ConnectorError,
    DocumentError,
    DocumentSkipped,
    TransientError,
)
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from ..tools.client import JaggaerClient, custom_values, dig, flag, parse_date, segment_values

_logger = logging.getLogger(__name__)

# header amounts (§1.9) that are charges on top of the lines, and their canonical kind
HEADER_CHARGES = (
    ("shippingCharge", "freight"),
    ("handlingCharge", "handling"),
    ("discountAmount", "discount"),
)
HEADER_TAXES = ("taxCharge1", "taxCharge2")


def number(env, value, what):
    """A JSON number, or a number written as text; DocumentError otherwise."""
    if isinstance(value, dict):  # {currency, money} on imports, {currency, value} elsewhere (§1.9)
        value = value.get("money", value.get("value"))
    if isinstance(value, bool) or value in (None, ""):
        raise DocumentError(env._("%s is missing.", what))
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise DocumentError(env._("%(what)s is not a number: %(value)r.", what=what, value=value)) from None
    if not math.isfinite(result):  # NaN, Infinity, or "1e999" written as text
        raise DocumentError(env._("%(what)s is not a finite number: %(value)r.", what=what, value=value))
    return result


class MlConnectorReaderJaggaerInvoice(models.AbstractModel):
    _name = "ml.connector.reader.jaggaer.invoice"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER invoices"

    _system = "jaggaer"
    _document_type = "invoice"

    @api.model
    def _collect(self, flow, run):
        def make_item(record):
            header = record.get("header") if isinstance(record.get("header"), dict) else {}
            key = str(header.get("invoiceId") or "")
            supplier = (header.get("supplier") or {}).get("name") or ""
            return SourceItem(
                source_key=key or f"unidentified:{header.get('invoiceNumber')}",
                payload=record,
                name=self.env._(
                    "Invoice %(number)s %(supplier)s",
                    number=header.get("supplierInvoiceNumber") or key,
                    supplier=supplier,
                ),
                document_key=header.get("supplierInvoiceNumber") or header.get("invoiceNumber") or key,
                error=None if key else DocumentError(self.env._("This invoice has no header.invoiceId.")),
            )

        yield from self._collect_changed(
            flow,
            run,
            "invoices",
            path_key="invoice_list",
            wrapper_key="invoices",
            what=self.env._("the invoice list"),
            make_item=make_item,
            key_of=lambda record: str(dig(record, "header.invoiceId") or id(record)),
        )

    @api.model
    def _document(self, line):
        backend = self._backend(line.flow_id)
        item = self._payload(line) or {}
        self._check_texts(item)
        header = item.get("header")
        if not isinstance(header, dict) or not header.get("invoiceId"):
            raise DocumentError(self.env._("The invoice has no header.invoiceId."))
        waiting = self._not_yet_payable(backend, header)
        if waiting:
            raise DocumentSkipped(waiting)
        detail, warning = item, ""
        fetched = not isinstance(item.get("lineList"), dict)
        if fetched:
            detail, warning = self._detail(backend, str(header["invoiceId"]), line)
        try:
            invoice = self._invoice(backend, detail)
        except Exception as exc:
            if fetched:
                exc.payload = detail  # keep what was read on the audit line
            raise
        if fetched:
            invoice.source_payload = detail
        invoice.source_note = self._warned(warning)
        return invoice

    @api.model
    def _not_yet_payable(self, backend, header):
        """Why this invoice is not imported (yet), or None when its statuses make it a bill."""
        workflow = backend._jaggaer_list(backend.jaggaer_invoice_workflow_statuses)
        payment = backend._jaggaer_list(backend.jaggaer_invoice_payment_statuses)
        status = (header.get("workflowStatus"), header.get("paymentStatus"))

        def accepted(value, wanted):
            # statuses are words people type in two systems: case and spacing are not meaning
            return not wanted or " ".join(str(value or "").split()).casefold() in {
                " ".join(w.split()).casefold() for w in wanted
            }

        if not accepted(status[0], workflow) or not accepted(status[1], payment):
            return self.env._(
                "Not imported yet: workflowStatus %(workflow)s, paymentStatus %(payment)s. It is imported "
                "once JAGGAER moves it to %(wanted)s.",
                workflow=status[0],
                payment=status[1],
                wanted=" / ".join(filter(None, [", ".join(workflow), ", ".join(payment)])),
            )
        return None

    @api.model
    def _read_ahead(self, lines):
        """The detail GETs of ``lines``, in background threads (see ``tools.ahead``)."""
        ahead = self.env.context.get("ml_connector_read_ahead")
        fetchers = {}
        for line in lines:
            if line.state != "pending" or ahead.has(line.id):
                continue
            backend = self._backend(line.flow_id)
            invoice_id = self._detail_to_read(backend, line)
            if not invoice_id:
                continue
            if backend.id not in fetchers:
                fetchers[backend.id] = self._detail_fetcher(backend, ahead)
            if fetchers[backend.id]:
                what = self.env._("invoice %s", invoice_id)
                ahead.submit(line.id, functools.partial(fetchers[backend.id], invoice_id, what))

    @api.model
    def _detail_to_read(self, backend, line):
        """The id of the invoice whose detail ``_document`` will read for ``line``, if any."""
        try:
            item = self._payload(line) or {}
            self._check_texts(item)
        except DocumentError:
            return None
        header = item.get("header")
        if not isinstance(header, dict) or not header.get("invoiceId"):
            return None
        if isinstance(item.get("lineList"), dict) or self._not_yet_payable(backend, header):
            return None
        return str(header["invoiceId"])

    @api.model
    def _detail_fetcher(self, backend, ahead):
        """``fetch(invoice_id, what)`` for ``ahead``'s threads, or None without a token now (the
        documents are then read in their turn, where the error is recorded)."""
        client = self._client(backend)
        try:
            auth = BorrowedToken(client.http.auth) if client.http.auth else None
        except ConnectorError:
            return None

        def fetch(invoice_id, what):
            session = ahead.local("http_session", requests.Session)
            http = client.http.detached(auth=auth, session=session, sleep=ahead.sleep)
            return JaggaerClient(http, client.config).get("invoice_detail", what, id=invoice_id)

        return fetch

    @api.model
    def _get_detail(self, backend, invoice_id, what, line=None):
        """JAGGAER's answer for the detail of ``invoice_id``: read ahead, or asked now."""
        ahead = self.env.context.get("ml_connector_read_ahead")
        future = ahead.take(line.id) if ahead is not None and line else None
        if future is not None:
            try:
                return future.result()
            except (TokenToRenew, ReadAheadClosed, CancelledError) as exc:
                # asked again below, where the token is renewed
                _logger.debug("Detail of invoice %s read again: %r", invoice_id, exc)
        return self._client(backend).get("invoice_detail", what, id=invoice_id)

    @api.model
    def _detail(self, backend, invoice_id, line=None):
        """The invoice with its lines, and JAGGAER's warning if it answered with one."""
        client = self._client(backend)
        what = self.env._("invoice %s", invoice_id)
        try:
            body, warning = self._get_detail(backend, invoice_id, what, line)
        except TransientError as exc:
            if exc.status == 200:  # answered, but not with JSON: a malformed document, not an outage
                raise DocumentError(
                    self.env._(
                        "JAGGAER's detail of invoice %(id)s is unreadable: %(error)s",
                        id=invoice_id,
                        error=exc,
                    )
                ) from exc
            raise
        detail = next(iter(client.records(body, "invoice_detail")), None)
        if not isinstance(detail, dict) or not isinstance(detail.get("header"), dict):
            raise DocumentError(self.env._("JAGGAER's detail of invoice %s has no header.", invoice_id))
        try:
            self._check_texts(detail, self.env._("JAGGAER's detail of invoice %s", invoice_id))
        except DocumentError as exc:
            exc.payload = detail  # kept on the audit line, as for any refused detail
            raise
        return detail, warning

    # -- the canonical invoice ------------------------------------------------------------
    @api.model
    def _invoice(self, backend, detail):
        header = detail["header"]
        invoice_id = str(header.get("invoiceId"))
        invoice_number = str(header.get("supplierInvoiceNumber") or "").strip()
        if not invoice_number:
            raise DocumentError(self.env._("Invoice %s has no supplierInvoiceNumber.", invoice_id))
        problem = identifier_problem(invoice_number)
        if problem:
            # the number becomes the bill's reference and the duplicate check's key
            raise DocumentError(
                self.env._(
                    "Invoice %(id)s: supplierInvoiceNumber %(problem)s.", id=invoice_id, problem=problem
                )
            )
        raw_lines = dig(detail, "lineList.invoiceLine")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise DocumentError(
                self.env._(
                    "Invoice %s has no lines (lineList.invoiceLine is missing or empty).", invoice_number
                )
            )
        invoice_date = parse_date(header.get("invoiceDate"))
        if not invoice_date:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s has no valid invoiceDate: %(value)r.",
                    number=invoice_number,
                    value=header.get("invoiceDate"),
                )
            )
        due = parse_date(header.get("dueDate"))
        terms = dig(header, "terms.standardPaymentTermsCode")
        total = header.get("total")
        return Invoice(
            key=invoice_id,
            number=invoice_number,
            remote_number=str(header.get("invoiceNumber") or ""),
            kind="credit_note"
            if str(header.get("invoiceType") or "").strip().lower().startswith("credit")
            else "invoice",
            date=invoice_date.isoformat(),
            due_date=due.isoformat() if due else "",
            currency=str(
                (total if isinstance(total, dict) else {}).get("currency") or header.get("currency") or ""
            ),
            supplier=self._supplier(header, invoice_number),
            business_unit=str(header.get("businessUnit") or ""),
            payment_terms=Ref(number=str(terms)) if terms else None,
            lines=[
                self._line(backend, raw, position, invoice_number)
                for position, raw in enumerate(raw_lines, start=1)
            ],
            charges=self._charges(header, invoice_number),
            taxes=self._header_taxes(backend, header, invoice_number),
            total=self._optional_number(total, self.env._("Invoice %s: total", invoice_number)),
            status=str(header.get("workflowStatus") or ""),
            payment_status=str(header.get("paymentStatus") or ""),
        )

    @api.model
    def _optional_number(self, value, what):
        if isinstance(value, dict) and value.get("money", value.get("value")) in (None, ""):
            return None
        return None if value in (None, "") else number(self.env, value, what)

    @api.model
    def _supplier(self, header, invoice_number):
        supplier = header.get("supplier") or {}
        if not isinstance(supplier, dict) or not any(
            supplier.get(key) for key in ("id", "supplierNumber", "name", "duns")
        ):
            # nothing to match nor to ask a person about: a review would bind whatever is chosen to
            # "no supplier", for every invoice without one
            raise DocumentError(
                self.env._(
                    "Invoice %s names no supplier (no header.supplier id, number or name).", invoice_number
                )
            )
        return Ref(
            key=str(supplier.get("id") or ""),
            number=str(supplier.get("supplierNumber") or ""),
            name=str(supplier.get("name") or ""),
            duns=str(supplier.get("duns") or ""),
        )

    @api.model
    def _tax_code(self, backend, record, where):
        """The tax code a header or line states in the connection's tax code custom field, or ""."""
        codes = set(custom_values(record, backend.jaggaer_tax_code_field))
        if len(codes) > 1:
            raise DocumentError(
                self.env._(
                    "%(where)s states several tax codes: %(codes)s.",
                    where=where,
                    codes=", ".join(sorted(codes)),
                )
            )
        code = codes.pop() if codes else ""
        problem = identifier_problem(code)
        if problem:  # a tax code is a mapping key, listed for the administrator
            raise DocumentError(
                self.env._("%(where)s: its tax code %(problem)s.", where=where, problem=problem)
            )
        return code

    @api.model
    def _header_taxes(self, backend, header, invoice_number):
        """The tax the invoice states (§1.9 taxCharge1, taxCharge2; 0 is a statement too), with the
        header's tax code; none when the header does not say."""
        where = self.env._("Invoice %s", invoice_number)
        code = self._tax_code(backend, header, where)
        taxes = [
            TaxAmount(
                code=code if key == HEADER_TAXES[0] else "",
                amount=number(self.env, header[key], self.env._("%(where)s: %(key)s", where=where, key=key)),
            )
            for key in HEADER_TAXES
            if header.get(key) not in (None, "")
        ]
        if code and not taxes:
            taxes.append(TaxAmount(code=code))
        return taxes

    @api.model
    def _charges(self, header, invoice_number):
        labels = {
            "freight": self.env._("Shipping"),
            "handling": self.env._("Handling"),
            "discount": self.env._("Discount"),
        }
        charges = []
        for key, kind in HEADER_CHARGES:
            if header.get(key) in (None, ""):
                continue
            amount = number(
                self.env,
                header[key],
                self.env._("Invoice %(number)s: %(key)s", number=invoice_number, key=key),
            )
            if amount:
                charges.append(
                    Charge(
                        kind=kind,
                        code=key,
                        description=labels[kind],
                        amount=-abs(amount) if kind == "discount" else amount,
                    )
                )
        fees = dig(header, "miscFeeList.miscFee") or []
        for fee in [fees] if isinstance(fees, dict) else fees:
            if not isinstance(fee, dict) or fee.get("fee") in (None, ""):
                continue
            amount = number(self.env, fee["fee"], self.env._("Invoice %s: miscFee", invoice_number))
            if amount:
                name = str(fee.get("name") or "").strip()
                charges.append(Charge(kind="fee", code=name or "miscFee", description=name, amount=amount))
        return charges

    @api.model
    def _line(self, backend, raw, position, invoice_number):
        if not isinstance(raw, dict):
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s line %(n)s is not an object.", number=invoice_number, n=position
                )
            )
        where = self.env._(
            "Invoice %(number)s line %(n)s", number=invoice_number, n=raw.get("lineNumber") or position
        )
        po_number = str(raw.get("poNumber") or "").strip()
        code = self._tax_code(backend, raw, where)
        return InvoiceLine(
            number=str(raw.get("lineNumber") or position),
            item=Item(
                description=str(dig(raw, "item.description") or ""),
                vendor_code=str(dig(raw, "item.catalogNumber") or ""),
            ),
            taxable=flag(raw.get("taxable")),
            taxes=[TaxAmount(code=code)] if code else [],
            quantity=number(self.env, raw.get("quantity"), self.env._("%s: quantity", where)),
            unit_price=number(self.env, raw.get("unitPrice"), self.env._("%s: unitPrice", where)),
            po=Ref(number=po_number) if po_number else None,
            po_line=str(raw.get("poLineNumber") or "").strip(),
            coding=self._coding(backend, raw.get("splittableFieldSetGroupList"), where),
        )

    @api.model
    def _coding(self, backend, group_list, where):
        """The line's account and cost centre: values of the configured GL segments."""
        try:
            coding = segment_values(group_list)
        except DocumentError as exc:
            raise DocumentError(f"{where}: {exc}") from None
        refs = {}
        for segment in (backend.jaggaer_account_segment, backend.jaggaer_cost_center_segment):
            values = coding.get(segment or "") or []
            for value in values:
                problem = identifier_problem(value)
                if problem:  # a segment value is a mapping key, listed for the administrator
                    raise DocumentError(
                        self.env._(
                            "%(where)s: its %(segment)s value %(problem)s.",
                            where=where,
                            segment=segment,
                            problem=problem,
                        )
                    )
            if len(set(values)) > 1:
                raise DocumentError(
                    self.env._(
                        "%(where)s is split across %(segment)s %(values)s; split lines are not imported.",
                        where=where,
                        segment=segment,
                        values=", ".join(values),
                    )
                )
            if values:
                refs[segment] = Ref(number=values[0], group=segment)
        account = refs.get(backend.jaggaer_account_segment or "")
        centre = refs.get(backend.jaggaer_cost_center_segment or "")
        return Coding(account=account, cost_centres=[centre] if centre else [])
