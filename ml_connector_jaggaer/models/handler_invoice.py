"""Invoices: JAGGAER -> draft Odoo vendor bills linked to purchase order lines.

The list gives headers only (§1.5 [C]); the lines come from the detail call, made while
processing. The detail read is stored on the audit line (also when the invoice is refused),
so the audit shows what was processed and a replay reuses it; a detail that could not be
read (unreadable answer) is fetched again on replay. A newer version of the invoice in
JAGGAER is collected as its own audit line.
"""

import math

from odoo import api, models
from odoo.tools import float_compare, float_round
from odoo.tools.sql import escape_psql

from odoo.addons.ml_connector.models.ml_connector_matching import PartnerQuery
from odoo.addons.ml_connector.tools.errors import DocumentError, TransientError
from odoo.addons.ml_connector.tools.items import Deferred, SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from ..tools.client import dig, parse_stamp, segment_values
from .handler_common import INVOICE_BINDING, PO_LINE_BINDING, SUPPLIER_BINDING


def _number(env, value, what):
    """A JSON number, or a number written as text; DocumentError otherwise."""
    if isinstance(value, dict):  # {currency, money} on imports, {currency, value} elsewhere (§1.9)
        value = value.get("money", value.get("value"))
    if isinstance(value, bool) or value in (None, ""):
        raise DocumentError(env._("%s is missing.", what))
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise DocumentError(env._("%(what)s is not a number: %(value)r.", what=what, value=value)) from None
    if not math.isfinite(number):  # NaN, Infinity, or "1e999" written as text
        raise DocumentError(env._("%(what)s is not a finite number: %(value)r.", what=what, value=value))
    return number


class MlConnectorHandlerJaggaerInvoiceIn(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.invoice.in"
    _inherit = ["ml.connector.handler", "ml.connector.jaggaer.handler.mixin"]
    _description = "Flow: JAGGAER invoices to Odoo vendor bills"

    _flow_label = "Invoices: JAGGAER → Odoo vendor bills"
    _document_type = "invoice"
    _source_system = "jaggaer"
    _target_system = "odoo"
    _systems = ("jaggaer",)
    _default_sequence = 50
    _binding_type = INVOICE_BINDING

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
    def _process(self, line):
        backend = line.backend_id
        item = self._payload(line) or {}
        self._check_texts(item)
        header = item.get("header")
        if not isinstance(header, dict) or not header.get("invoiceId"):
            raise DocumentError(self.env._("The invoice has no header.invoiceId."))
        invoice_id = str(header["invoiceId"])
        binding = self._invoice_binding(backend, invoice_id)
        move = binding._record() if binding else None
        if move and move.state != "cancel":
            return {
                "res_model": "account.move",
                "res_id": move.id,
                "message": self.env._(
                    "Already imported as %s; later changes in JAGGAER are not applied to it.",
                    move.display_name,
                ),
            }
        waiting = self._not_yet_payable(backend, header)
        if waiting:
            return {"state": "skipped", "message": waiting}
        detail, fetched, warning = item, False, ""
        if not isinstance(item.get("lineList"), dict):
            (detail, warning), fetched = self._detail(backend, invoice_id), True
        try:
            result = self._import(line, detail)
        except Exception as exc:
            if fetched:
                exc.payload = detail  # keep what was read on the audit line
            raise

        def complete(result):
            if fetched:
                result["payload"] = detail
            if warning:
                result["message"] = " ".join(
                    filter(None, [result.get("message"), self.env._("JAGGAER warned: %s", warning)])
                )
            return result

        if isinstance(result, Deferred):  # the bill is created with the others of the batch
            result.payload = detail if fetched else None
            return result.then(complete)
        return complete(result)

    @api.model
    def _prepare_batch(self, lines):
        """The bindings of the batch's invoices, in one query."""
        bindings = self._transaction_cache("jaggaer_invoice_bindings")
        wanted = {}
        for line in lines:
            wanted.setdefault(line.backend_id, set()).add(line.source_key)
        for backend, invoice_ids in wanted.items():
            found = (
                self.env["ml.connector.binding"]
                .sudo()
                .search(
                    [
                        ("backend_id", "=", backend.id),
                        ("object_type", "=", INVOICE_BINDING),
                        ("external_id", "in", list(invoice_ids)),
                    ]
                )
            )
            by_id = {binding.external_id: binding for binding in found}
            for invoice_id in invoice_ids:
                bindings[(backend.id, invoice_id)] = by_id.get(invoice_id, found.browse())

    @api.model
    def _invoice_binding(self, backend, invoice_id):
        bindings = self._transaction_cache("jaggaer_invoice_bindings")
        key = (backend.id, invoice_id)
        if key not in bindings:
            bindings[key] = self.env["ml.connector.binding"]._find(
                backend, INVOICE_BINDING, external_id=invoice_id
            )
        return bindings[key]

    @api.model
    def _bind_invoice(self, line, invoice_id, move, number):
        self._transaction_cache("jaggaer_invoice_bindings").pop((line.backend_id.id, invoice_id), None)
        return self.env["ml.connector.binding"]._bind(
            line.backend_id,
            INVOICE_BINDING,
            invoice_id,
            record=move,
            external_key=number,
            content_hash=line.content_hash,
        )

    @api.model
    def _not_yet_payable(self, backend, header):
        """Why this invoice is not imported (yet), or None when its statuses make it a bill."""
        workflow = backend._jaggaer_list(backend.jaggaer_invoice_workflow_statuses)
        payment = backend._jaggaer_list(backend.jaggaer_invoice_payment_statuses)
        status = (header.get("workflowStatus"), header.get("paymentStatus"))
        if (workflow and status[0] not in workflow) or (payment and status[1] not in payment):
            return self.env._(
                "Not imported yet: workflowStatus %(workflow)s, paymentStatus %(payment)s. It becomes a "
                "bill once JAGGAER moves it to %(wanted)s.",
                workflow=status[0],
                payment=status[1],
                wanted=" / ".join(filter(None, [", ".join(workflow), ", ".join(payment)])),
            )
        return None

    @api.model
    def _detail(self, backend, invoice_id):
        """The invoice with its lines, and JAGGAER's warning if it answered with one."""
        client = self._client(backend)
        what = self.env._("invoice %s", invoice_id)
        try:
            body, warning = client.get("invoice_detail", what, id=invoice_id)
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

    # -- the bill ----------------------------------------------------------------------
    @api.model
    def _import(self, line, detail):
        backend = line.backend_id
        company = backend.company_id
        header = detail["header"]
        invoice_id = str(header.get("invoiceId"))
        number = str(header.get("supplierInvoiceNumber") or "").strip()
        if not number:
            raise DocumentError(self.env._("Invoice %s has no supplierInvoiceNumber.", invoice_id))
        problem = identifier_problem(number)
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
                self.env._("Invoice %s has no lines (lineList.invoiceLine is missing or empty).", number)
            )
        refund = str(header.get("invoiceType") or "Invoice").strip().lower().startswith("credit")
        invoice_date = parse_stamp(header.get("invoiceDate"))
        if not invoice_date:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s has no valid invoiceDate: %(value)r.",
                    number=number,
                    value=header.get("invoiceDate"),
                )
            )
        vendor = self._vendor(backend, header, number)

        duplicate = self.env["account.move"].search(
            [
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("company_id", "=", company.id),
                ("commercial_partner_id", "=", vendor.id),
                ("ref", "=", number),
                ("state", "!=", "cancel"),
            ],
            limit=1,
        )
        if duplicate:
            if not self.env["ml.connector.binding"]._find(backend, INVOICE_BINDING, record=duplicate):
                self._bind_invoice(line, invoice_id, duplicate, number)
            return {
                "state": "skipped",
                "res_model": "account.move",
                "res_id": duplicate.id,
                "message": self.env._(
                    "Not imported: %(bill)s already has supplier invoice number %(number)s for %(vendor)s.",
                    bill=duplicate.display_name,
                    number=number,
                    vendor=vendor.display_name,
                ),
            }

        currency_code = dig(header, "total.currency")
        currency = self._currency(currency_code) if currency_code else company.currency_id
        if not currency:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s is in %(code)s, a currency Odoo does not know.",
                    number=number,
                    code=currency_code,
                )
            )
        if not currency.active:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s is in %(code)s, which is not active in Odoo.",
                    number=number,
                    code=currency.name,
                )
            )

        line_vals, orders, notes = self._bill_lines(backend, raw_lines, vendor, currency, refund, number)
        vals = {
            "move_type": "in_refund" if refund else "in_invoice",
            "partner_id": vendor.id,
            "ref": number,
            "invoice_date": invoice_date.date(),
            "currency_id": currency.id,
            "invoice_origin": ", ".join(orders.mapped("name")) or False,
            "jaggaer_invoice_id": invoice_id,
            "jaggaer_invoice_number": header.get("invoiceNumber") or False,
            "invoice_line_ids": [(0, 0, vals) for vals in line_vals],
        }
        vals.update(self._terms(backend, header))
        # what the checks above read that another bill of the same batch could change
        keys = {("bill", vendor.id, number), ("invoice", invoice_id)}
        keys.update(
            ("po_line", bill_line["purchase_line_id"])
            for bill_line in line_vals
            if "purchase_line_id" in bill_line
        )
        return self._create_or_defer(
            self.env["account.move"].with_company(company),
            vals,
            lambda move: self._bill_created(
                line, move, header, vendor, currency, refund, len(line_vals), notes
            ),
            keys,
        )

    @api.model
    def _bill_created(self, line, move, header, vendor, currency, refund, line_count, notes):
        """Bind the new bill to the JAGGAER invoice; the audit line's result."""
        invoice_id = str(header.get("invoiceId"))
        number = str(header.get("supplierInvoiceNumber") or "").strip()
        self._bind_invoice(line, invoice_id, move, number)
        notes = list(notes)
        message = self.env._(
            "Draft %(kind)s for %(vendor)s, %(lines)s line(s), %(amount)s %(currency)s.",
            kind=self.env._("credit note") if refund else self.env._("bill"),
            vendor=vendor.display_name,
            lines=line_count,
            amount=move.amount_total,
            currency=currency.name,
        )
        expected = dig(header, "total.value")
        if expected not in (None, "") and float_compare(
            float(expected), move.amount_total, precision_rounding=currency.rounding
        ):
            notes.append(
                self.env._("JAGGAER's total is %(total)s (Odoo computes the taxes).", total=expected)
            )
        charges = {
            key: header.get(key)
            for key in ("shippingCharge", "handlingCharge", "discountAmount")
            if header.get(key)
        }
        if charges:
            notes.append(
                self.env._(
                    "Header charges not imported: %s.", ", ".join(f"{k} {v}" for k, v in charges.items())
                )
            )
        if notes:
            message += " " + " ".join(notes)
        return {"res_model": "account.move", "res_id": move.id, "target_key": move.name, "message": message}

    @api.model
    def _currency(self, code):
        currencies = self._transaction_cache("jaggaer_invoice_currencies")
        if code not in currencies:
            currencies[code] = self.env["res.currency"].search([("name", "=", code)], limit=1)
        return currencies[code]

    @api.model
    def _vendor(self, backend, header, number):
        supplier = header.get("supplier") or {}
        if not isinstance(supplier, dict) or not any(
            supplier.get(key) for key in ("id", "supplierNumber", "name", "duns")
        ):
            # nothing to match nor to ask a person about: a review would bind whatever is chosen to
            # "no supplier", for every invoice without one
            raise DocumentError(
                self.env._("Invoice %s names no supplier (no header.supplier id, number or name).", number)
            )
        supplier_id = str(supplier.get("id") or "")
        query = PartnerQuery(
            name=supplier.get("name") or "",
            duns=supplier.get("duns") or "",
            reference=supplier.get("supplierNumber") or "",
            bindings={SUPPLIER_BINDING: supplier_id},
        )
        # the invoices of a batch come from a few suppliers: each is matched once per batch
        vendors = self._transaction_cache("jaggaer_invoice_vendors")
        key = (backend.id, supplier_id, query.name, query.duns, query.reference)
        if key in vendors:
            return vendors[key]
        match = self.env["ml.connector.matching"]._match_partner(backend, query)
        if match.record:
            vendors[key] = match.record
            return match.record
        if not match.candidates:
            match.reason = self.env._(
                "no Odoo vendor is linked to it or matches it. Choose the vendor in the review (or let the "
                "supplier flow create it); this invoice then goes on by itself."
            )
        raise match.review_error(
            binding_type=SUPPLIER_BINDING,
            external_id=supplier_id or f"number:{supplier.get('supplierNumber')}",
            label=self.env._(
                "JAGGAER supplier %(name)s (%(id)s) of invoice %(number)s",
                name=supplier.get("name"),
                id=supplier_id,
                number=number,
            ),
            kind="partner",
            res_model="res.partner",
            key=supplier.get("supplierNumber") or False,
        )

    @api.model
    def _bill_lines(self, backend, raw_lines, vendor, currency, refund, number):
        """Bill line values, the purchase orders they bill and notes; every check on the way."""
        orders = self.env["purchase.order"]
        in_this_invoice = {}  # purchase line -> quantity billed by earlier lines of this invoice
        result, notes, line_numbers = [], [], set()
        for position, raw in enumerate(raw_lines, start=1):
            if not isinstance(raw, dict):
                raise DocumentError(
                    self.env._("Invoice %(number)s line %(n)s is not an object.", number=number, n=position)
                )
            line_number = str(raw.get("lineNumber") or position)
            if line_number in line_numbers:
                raise DocumentError(
                    self.env._(
                        "Invoice %(number)s has two lines numbered %(line)s: line numbers must be unique.",
                        number=number,
                        line=line_number,
                    )
                )
            line_numbers.add(line_number)
            where = self.env._(
                "Invoice %(number)s line %(n)s", number=number, n=raw.get("lineNumber") or position
            )
            quantity = _number(self.env, raw.get("quantity"), self.env._("%s: quantity", where))
            price = _number(self.env, raw.get("unitPrice"), self.env._("%s: unitPrice", where))
            if refund:
                quantity, price = abs(quantity), abs(price)
            if quantity <= 0:
                raise DocumentError(
                    self.env._("%(where)s: quantity must be positive, got %(q)s.", where=where, q=quantity)
                )
            if price < 0:
                raise DocumentError(
                    self.env._("%(where)s: unitPrice must not be negative, got %(p)s.", where=where, p=price)
                )
            description = dig(raw, "item.description") or ""
            account, distribution = self._coding(backend, raw.get("splittableFieldSetGroupList"), where)
            vals = {"name": description, "quantity": quantity, "price_unit": price}
            po_number = str(raw.get("poNumber") or "").strip()
            if po_number:
                pol = self._purchase_line(backend, po_number, raw.get("poLineNumber"), where)
                self._check_against_order(
                    backend,
                    pol,
                    vendor,
                    currency,
                    quantity + in_this_invoice.get(pol, 0.0),
                    price,
                    refund,
                    where,
                )
                in_this_invoice[pol] = in_this_invoice.get(pol, 0.0) + quantity
                orders |= pol.order_id
                vals.update(
                    product_id=pol.product_id.id,
                    name=description or pol.name,
                    purchase_line_id=pol.id,
                    product_uom_id=pol.product_uom_id.id,
                    tax_ids=[(6, 0, pol.tax_ids.ids)],
                    analytic_distribution=distribution or pol.analytic_distribution,
                )
            elif distribution:
                vals["analytic_distribution"] = distribution
            if account:
                vals["account_id"] = account.id
            if not po_number and not account:
                notes.append(
                    self.env._("%s has no PO and no Account: Odoo's default expense account is used.", where)
                )
            result.append(vals)
        return result, orders, notes

    @api.model
    def _coding(self, backend, group_list, where):
        """Account and analytic distribution from the line's GL segments, through the mappings."""
        Mapping = self.env["ml.connector.mapping"]
        try:
            coding = segment_values(group_list)
        except DocumentError as exc:
            raise DocumentError(f"{where}: {exc}") from None
        account, distribution = None, None
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
        account_values = coding.get(backend.jaggaer_account_segment or "") or []
        if account_values:
            account = Mapping._resolve(
                backend, backend.jaggaer_account_segment, account_values[0], label=where
            )
            if account._name != "account.account":
                raise DocumentError(
                    self.env._(
                        "%(segment)s %(value)s is mapped to %(record)s, which is not an account.",
                        segment=backend.jaggaer_account_segment,
                        value=account_values[0],
                        record=account.display_name,
                    )
                )
        cost_values = coding.get(backend.jaggaer_cost_center_segment or "") or []
        if cost_values:
            analytic = Mapping._resolve(
                backend, backend.jaggaer_cost_center_segment, cost_values[0], label=where
            )
            if analytic._name != "account.analytic.account":
                raise DocumentError(
                    self.env._(
                        "%(segment)s %(value)s is mapped to %(record)s, which is not an analytic account.",
                        segment=backend.jaggaer_cost_center_segment,
                        value=cost_values[0],
                        record=analytic.display_name,
                    )
                )
            distribution = {str(analytic.id): 100.0}
        return account, distribution

    @api.model
    def _purchase_line(self, backend, po_number, po_line_number, where):
        po, numbered, sent = self._order_to_bill(backend, po_number)
        if not po:
            raise DocumentError(
                self.env._(
                    "%(where)s refers to purchase order %(po)s, which %(company)s does not have in Odoo.",
                    where=where,
                    po=po_number,
                    company=backend.company_id.name,
                )
            )
        if po.state != "purchase":
            raise DocumentError(
                self.env._(
                    "%(where)s refers to %(po)s, which is not a confirmed purchase order in Odoo "
                    "(%(state)s).",
                    where=where,
                    po=po.name,
                    state=po.state,
                )
            )
        number = str(po_line_number or "").strip()
        pol = numbered.get(number)
        if pol is None and number.isdigit():
            # A PO the connector never numbered (sent before it existed, bindings lost): JAGGAER
            # numbers lines by position, so the n-th line is line n.
            lines = po.order_line.filtered(lambda pol: not pol.display_type).sorted(
                lambda pol: (pol.sequence, pol.id)
            )
            if not sent and 0 < int(number) <= len(lines):
                pol = lines[int(number) - 1]
        if not pol or pol.order_id != po:
            raise DocumentError(
                self.env._(
                    "%(where)s refers to line %(line)s of %(po)s, which does not exist.",
                    where=where,
                    line=number or "?",
                    po=po.name,
                )
            )
        return pol

    @api.model
    def _order_to_bill(self, backend, po_number):
        """``(order, {JAGGAER line number: existing PO line}, whether it was ever sent)`` of
        ``po_number`` in the connection's company; read once per batch (all the lines of an
        invoice bill the same order), from the line bindings written when the order was sent."""
        orders = self._transaction_cache("jaggaer_invoice_orders")
        key = (backend.id, po_number)
        if key in orders:
            return orders[key]
        po = self.env["purchase.order"].search(
            [("name", "=", po_number), ("company_id", "=", backend.company_id.id)], limit=1
        )
        numbered, sent = {}, False
        if po:
            bindings = (
                self.env["ml.connector.binding"]
                .sudo()
                .search(
                    [
                        ("backend_id", "=", backend.id),
                        ("object_type", "=", PO_LINE_BINDING),
                        "|",
                        ("external_key", "=", po.name),
                        ("external_id", "=like", escape_psql(po.name) + "/%"),
                    ]
                )
            )
            sent = any(binding.external_key == po.name for binding in bindings)
            PoLine = bindings.env["purchase.order.line"]
            existing = {pol.id: pol for pol in PoLine.browse(po.order_line.ids)}
            elsewhere = [
                b.res_id
                for b in bindings
                if b.res_model == PoLine._name and b.res_id and b.res_id not in existing
            ]
            existing.update((pol.id, pol) for pol in PoLine.browse(elsewhere).exists())
            prefix = f"{po.name}/"
            for binding in bindings:
                if binding.external_id.startswith(prefix) and binding.res_id in existing:
                    numbered[binding.external_id[len(prefix) :]] = existing[binding.res_id]
        orders[key] = (po, numbered, sent)
        return orders[key]

    @api.model
    def _check_against_order(self, backend, pol, vendor, currency, quantity, price, refund, where):
        """Three-way matching needs a bill that fits its PO: same vendor and currency, no more
        than ordered (less what is already billed), no higher price (within the tolerance)."""
        po = pol.order_id
        if po.partner_id.commercial_partner_id != vendor:
            raise DocumentError(
                self.env._(
                    "%(where)s: %(po)s is ordered from %(po_vendor)s, the invoice is from %(vendor)s.",
                    where=where,
                    po=po.name,
                    po_vendor=po.partner_id.display_name,
                    vendor=vendor.display_name,
                )
            )
        if po.currency_id != currency:
            raise DocumentError(
                self.env._(
                    "%(where)s: %(po)s is in %(po_currency)s, the invoice in %(currency)s.",
                    where=where,
                    po=po.name,
                    po_currency=po.currency_id.name,
                    currency=currency.name,
                )
            )
        rounding = pol.product_uom_id.rounding or 0.001
        # from the bill lines themselves: the stored qty_invoiced is not lowered when a draft bill
        # is deleted, and a deleted bill must not block the replay that recreates it
        billed = pol._prepare_qty_invoiced()[pol]
        if refund:
            if float_compare(quantity, billed, precision_rounding=rounding) > 0:
                raise DocumentError(
                    self.env._(
                        "%(where)s credits %(q)s of %(po)s '%(line)s', more than the %(billed)s billed.",
                        where=where,
                        q=quantity,
                        po=po.name,
                        line=pol.name,
                        billed=billed,
                    )
                )
            return
        left = pol.product_qty - billed
        if float_compare(quantity, left, precision_rounding=rounding) > 0:
            raise DocumentError(
                self.env._(
                    "Quantity above the purchase order: %(where)s bills %(q)s of %(po)s '%(line)s'; "
                    "%(ordered)s ordered, %(billed)s already billed, %(left)s left.",
                    where=where,
                    q=quantity,
                    po=po.name,
                    line=pol.name,
                    ordered=pol.product_qty,
                    billed=billed,
                    left=max(left, 0.0),
                )
            )
        po_price = pol.price_unit * (1 - (pol.discount or 0.0) / 100.0)
        ceiling = float_round(
            po_price * (1 + (backend.jaggaer_price_tolerance or 0.0) / 100.0), precision_digits=6
        )
        if float_compare(price, ceiling, precision_rounding=currency.rounding) > 0:
            raise DocumentError(
                self.env._(
                    "Amount above the purchase order: %(where)s charges %(price)s per unit, %(po)s "
                    "'%(line)s' agreed %(po_price)s %(currency)s.",
                    where=where,
                    price=price,
                    po=po.name,
                    line=pol.name,
                    po_price=po_price,
                    currency=currency.name,
                )
            )

    @api.model
    def _terms(self, backend, header):
        """Payment terms: a 'PaymentTerms' mapping of JAGGAER's code, else JAGGAER's due date."""
        code = dig(header, "terms.standardPaymentTermsCode")
        term = None
        if code:
            term = self.env["ml.connector.mapping"]._resolve(backend, "PaymentTerms", code, required=False)
        if term and term._name == "account.payment.term":
            return {"invoice_payment_term_id": term.id}
        due = parse_stamp(header.get("dueDate"))
        if due:
            return {"invoice_payment_term_id": False, "invoice_date_due": due.date()}
        return {}
