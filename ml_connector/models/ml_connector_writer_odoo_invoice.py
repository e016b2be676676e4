from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import float_compare, float_round
from odoo.tools.sql import escape_psql

from ..tools.errors import DocumentError
from ..tools.items import Bind
from .ml_connector_matching import PartnerQuery


class MlConnectorWriterOdooInvoice(models.AbstractModel):
    """Supplier invoices into draft Odoo vendor bills linked to purchase order lines.

    A bill must fit its orders for three-way matching: same vendor and currency, no more than
    ordered (less what is already billed), no higher price than agreed (within the connection's
    tolerance). The vendor is found through the supplier binding of the source connection, or the
    matching cascade (a person decides what it cannot); order lines through the line bindings
    the order was sent with, else by their position. A supplier invoice number already billed for
    the vendor is never billed twice; bills of a batch are created together.
    """

    _name = "ml.connector.writer.odoo.invoice"
    _inherit = "ml.connector.writer"
    _description = "Odoo vendor bills"

    _document_type = "invoice"
    _binding_kind = "invoice"

    @api.model
    def _prepare_batch(self, lines):
        """The bindings of the batch's invoices, in one query."""
        bindings = self._transaction_cache("odoo_invoice_bindings")
        wanted = {}
        for line in lines:
            wanted.setdefault(line.flow_id.source_backend_id, set()).add(line.source_key)
        for source, invoice_ids in wanted.items():
            found = (
                self.env["ml.connector.binding"]
                .sudo()
                .search(
                    [
                        ("backend_id", "=", source.id),
                        ("object_type", "=", source._binding_type("invoice")),
                        ("local_backend_id", "=", False),
                        ("external_id", "in", list(invoice_ids)),
                    ]
                )
            )
            by_id = {binding.external_id: binding for binding in found}
            for invoice_id in invoice_ids:
                bindings[(source.id, invoice_id)] = by_id.get(invoice_id, found.browse())

    @api.model
    def _prepare_documents(self, documents):
        """The orders the batch's invoices bill and the bills holding their numbers, together."""
        by_source = {}
        for line, invoice in documents:
            by_source.setdefault(line.flow_id.source_backend_id, []).append(invoice)
        for source, invoices in by_source.items():
            self._load_orders(
                source, {line.po.number for invoice in invoices for line in invoice.lines if line.po}
            )
            self._load_bill_numbers(
                source.company_id, {invoice.number for invoice in invoices if invoice.number}
            )

    @api.model
    def _invoice_binding(self, source, invoice_id):
        bindings = self._transaction_cache("odoo_invoice_bindings")
        key = (source.id, invoice_id)
        if key not in bindings:
            bindings[key] = self.env["ml.connector.binding"]._find(
                source, source._binding_type("invoice"), external_id=invoice_id
            )
        return bindings[key]

    @api.model
    def _bind_invoice(self, line, invoice, move):
        source = line.flow_id.source_backend_id
        self._transaction_cache("odoo_invoice_bindings").pop((source.id, invoice.key), None)
        return self.env["ml.connector.binding"]._bind(
            source,
            source._binding_type("invoice"),
            invoice.key,
            record=move,
            external_key=invoice.number,
            content_hash=line.content_hash,
        )

    @api.model
    def _write(self, line, invoice):
        source = line.flow_id.source_backend_id
        binding = self._invoice_binding(source, invoice.key)
        move = binding._record() if binding else None
        if move and move.state != "cancel":
            return {
                "res_model": "account.move",
                "res_id": move.id,
                "message": self.env._(
                    "Already imported as %(bill)s; later changes in %(system)s are not applied to it.",
                    bill=move.display_name,
                    system=source._system_label(),
                ),
            }
        return self._import(line, invoice)

    # -- the bill ----------------------------------------------------------------------
    @api.model
    def _import(self, line, invoice):
        source = line.flow_id.source_backend_id
        company = source.company_id
        vendor = self._vendor(source, invoice)
        duplicate = self._bill_of_number(company, vendor, invoice.number)
        if duplicate:
            if not self.env["ml.connector.binding"]._find(
                source, source._binding_type("invoice"), record=duplicate
            ):
                self._bind_invoice(line, invoice, duplicate)
            return {
                "state": "skipped",
                "res_model": "account.move",
                "res_id": duplicate.id,
                "message": self.env._(
                    "Not imported: %(bill)s already has supplier invoice number %(number)s for %(vendor)s.",
                    bill=duplicate.display_name,
                    number=invoice.number,
                    vendor=vendor.display_name,
                ),
            }
        currency = self._currency(source, invoice)
        line_vals, orders, notes = self._bill_lines(source, invoice, vendor, currency)
        vals = {
            "move_type": "in_refund" if invoice.is_credit_note else "in_invoice",
            "partner_id": vendor.id,
            "ref": invoice.number,
            "invoice_date": fields.Date.to_date(invoice.date),
            "currency_id": currency.id,
            "invoice_origin": ", ".join(orders.mapped("name")) or False,
            "invoice_line_ids": [(0, 0, vals) for vals in line_vals],
            **self._terms(source, invoice),
            **source._system()._bill_values(source, invoice),
        }
        self._complete_values(company, vals)
        # what the checks above read that another bill of the same batch could change
        keys = {("bill", vendor.id, invoice.number), ("invoice", invoice.key)}
        keys.update(
            ("po_line", bill_line["purchase_line_id"])
            for bill_line in line_vals
            if "purchase_line_id" in bill_line
        )
        bind = Bind(
            source,
            source._binding_type("invoice"),
            invoice.key,
            {"external_key": invoice.number, "content_hash": line.content_hash},
        )
        self._transaction_cache("odoo_invoice_bindings").pop((source.id, invoice.key), None)
        return self._create_or_defer(
            self.env["account.move"].with_company(company),
            vals,
            lambda move: self._bill_created(line, move, invoice, vendor, currency, len(line_vals), notes),
            keys,
            bind=bind,
        )

    @api.model
    def _bill_created(self, line, move, invoice, vendor, currency, line_count, notes):
        """The audit line's result for the new bill (bound to the remote invoice by then)."""
        source = line.flow_id.source_backend_id
        # the number is taken now: a later invoice of the batch with it looks it up again
        self._transaction_cache("odoo_invoice_numbers").pop((move.company_id.id, invoice.number), None)
        notes = list(notes)
        message = self.env._(
            "Draft %(kind)s for %(vendor)s, %(lines)s line(s), %(amount)s %(currency)s.",
            kind=self.env._("credit note") if invoice.is_credit_note else self.env._("bill"),
            vendor=vendor.display_name,
            lines=line_count,
            amount=move.amount_total,
            currency=currency.name,
        )
        if invoice.total is not None and float_compare(
            invoice.total, move.amount_total, precision_rounding=currency.rounding
        ):
            notes.append(
                self.env._(
                    "%(system)s's total is %(total)s (Odoo computes the taxes).",
                    system=source._system_label(),
                    total=invoice.total,
                )
            )
        if invoice.charges:
            notes.append(
                self.env._(
                    "Header charges not imported: %s.",
                    ", ".join(f"{charge.code} {charge.amount}" for charge in invoice.charges),
                )
            )
        if notes:
            message += " " + " ".join(notes)
        return {"res_model": "account.move", "res_id": move.id, "target_key": move.name, "message": message}

    @api.model
    def _currency(self, source, invoice):
        company = source.company_id
        code = invoice.currency
        currencies = self._transaction_cache("odoo_invoice_currencies")
        if code and code not in currencies:
            currencies[code] = self.env["res.currency"].search([("name", "=", code)], limit=1)
        currency = currencies[code] if code else company.currency_id
        if not currency:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s is in %(code)s, a currency Odoo does not know.",
                    number=invoice.number,
                    code=code,
                )
            )
        if not currency.active:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s is in %(code)s, which is not active in Odoo.",
                    number=invoice.number,
                    code=currency.name,
                )
            )
        return currency

    @api.model
    def _vendor(self, source, invoice):
        supplier = invoice.supplier
        binding_type = source._binding_type("supplier")
        query = PartnerQuery(
            name=supplier.name,
            duns=supplier.duns,
            vat=supplier.vat,
            reference=supplier.number,
            bindings={binding_type: supplier.key},
        )
        # the invoices of a batch come from a few suppliers: each is matched once per batch
        vendors = self._transaction_cache("odoo_invoice_vendors")
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
                "supplier flow create it); this invoice then goes on by itself."
            )
        raise match.review_error(
            binding_type=binding_type,
            external_id=supplier.key or f"number:{supplier.number}",
            label=self.env._(
                "%(system)s supplier %(name)s (%(id)s) of invoice %(number)s",
                system=source._system_label(),
                name=supplier.name,
                id=supplier.key,
                number=invoice.number,
            ),
            kind="partner",
            res_model="res.partner",
            backend=source,
            key=supplier.number or False,
        )

    @api.model
    def _bill_lines(self, source, invoice, vendor, currency):
        """Bill line values, the purchase orders they bill and notes; every check on the way."""
        orders = self.env["purchase.order"]
        in_this_invoice = {}  # purchase line -> quantity billed by earlier lines of this invoice
        result, notes, line_numbers = [], [], set()
        refund = invoice.is_credit_note
        for invoice_line in invoice.lines:
            if invoice_line.number in line_numbers:
                raise DocumentError(
                    self.env._(
                        "Invoice %(number)s has two lines numbered %(line)s: line numbers must be unique.",
                        number=invoice.number,
                        line=invoice_line.number,
                    )
                )
            line_numbers.add(invoice_line.number)
            where = self.env._("Invoice %(number)s line %(n)s", number=invoice.number, n=invoice_line.number)
            quantity, price = invoice_line.quantity or 0.0, invoice_line.unit_price or 0.0
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
            description = invoice_line.item.description or ""
            account, distribution = self._coding(source, invoice_line.coding, where)
            vals = {"name": description, "quantity": quantity, "price_unit": price}
            if invoice_line.po:
                pol = self._purchase_line(source, invoice_line.po.number, invoice_line.po_line, where)
                self._check_against_order(
                    source,
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
            if not invoice_line.po and not account:
                notes.append(
                    self.env._("%s has no PO and no Account: Odoo's default expense account is used.", where)
                )
            result.append(vals)
        return result, orders, notes

    @api.model
    def _coding(self, source, coding, where):
        """Account and analytic distribution from the line's coding, through the mappings."""
        Mapping = self.env["ml.connector.mapping"]
        account, distribution = None, None
        if coding.account:
            ref = coding.account
            account = Mapping._resolve(source, ref.group, ref.number, label=where)
            if account._name != "account.account":
                raise DocumentError(
                    self.env._(
                        "%(segment)s %(value)s is mapped to %(record)s, which is not an account.",
                        segment=ref.group,
                        value=ref.number,
                        record=account.display_name,
                    )
                )
        if coding.cost_centres:
            ref = coding.cost_centres[0]
            analytic = Mapping._resolve(source, ref.group, ref.number, label=where)
            if analytic._name != "account.analytic.account":
                raise DocumentError(
                    self.env._(
                        "%(segment)s %(value)s is mapped to %(record)s, which is not an analytic account.",
                        segment=ref.group,
                        value=ref.number,
                        record=analytic.display_name,
                    )
                )
            distribution = {str(analytic.id): 100.0}
        return account, distribution

    @api.model
    def _purchase_line(self, source, po_number, po_line_number, where):
        po, numbered, sent = self._order_to_bill(source, po_number)
        if not po:
            raise DocumentError(
                self.env._(
                    "%(where)s refers to purchase order %(po)s, which %(company)s does not have in Odoo.",
                    where=where,
                    po=po_number,
                    company=source.company_id.name,
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
            # An order never sent through this connection (sent before it existed, bindings lost): the
            # remote numbers lines by position, so the n-th line is line n.
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
    def _order_to_bill(self, source, po_number):
        """``(order, {remote line number: existing PO line}, whether it was ever sent)`` of
        ``po_number`` in the connection's company; read once per batch (see ``_load_orders``)."""
        self._load_orders(source, {po_number})
        return self._transaction_cache("odoo_invoice_orders")[(source.id, po_number)]

    @api.model
    def _load_orders(self, source, po_numbers):
        """Read the orders named ``po_numbers`` in a few queries: each order with its lines and the
        line bindings written when it was sent (they give JAGGAER's line numbers)."""
        orders = self._transaction_cache("odoo_invoice_orders")
        names = sorted({name for name in po_numbers if (source.id, name) not in orders})
        if not names:
            return
        found = {}
        for po in self.env["purchase.order"].search(
            [("name", "in", names), ("company_id", "=", source.company_id.id)]
        ):
            found.setdefault(po.name, po)  # the first in the model's order, as a search by name gives
        by_order = {name: [] for name in found}
        existing = {}
        if found:
            bindings = (
                self.env["ml.connector.binding"]
                .sudo()
                .search(
                    Domain(
                        [
                            ("backend_id", "=", source.id),
                            ("object_type", "=", source._binding_type("purchase_order_line")),
                            ("local_backend_id", "=", False),
                        ]
                    )
                    & Domain.OR(
                        [Domain("external_key", "in", list(found))]
                        + [Domain("external_id", "=like", escape_psql(name) + "/%") for name in found]
                    )
                )
            )
            for binding in bindings:
                for name in self._orders_of_binding(binding, by_order):
                    by_order[name].append(binding)
            # every order's lines at once: the checks then read them (and what is billed) together
            PoLine = bindings.env["purchase.order.line"]
            orders_found = self.env["purchase.order"].browse([po.id for po in found.values()])
            existing = {pol.id: pol for pol in PoLine.browse(orders_found.order_line.ids)}
            elsewhere = [
                b.res_id
                for b in bindings
                if b.res_model == PoLine._name and b.res_id and b.res_id not in existing
            ]
            existing.update((pol.id, pol) for pol in PoLine.browse(elsewhere).exists())
        for name in names:
            po = found.get(name, self.env["purchase.order"])
            numbered, sent = {}, False
            if po:
                sent = any(binding.external_key == name for binding in by_order[name])
                prefix = f"{name}/"
                for binding in by_order[name]:
                    if binding.external_id.startswith(prefix) and binding.res_id in existing:
                        numbered[binding.external_id[len(prefix) :]] = existing[binding.res_id]
            orders[(source.id, name)] = (po, numbered, sent)

    @api.model
    def _orders_of_binding(self, binding, names):
        """The orders among ``names`` a line binding belongs to: by its key, or its id ``<order>/…``."""
        found = {binding.external_key} & names.keys()
        external_id = binding.external_id
        found.update(
            external_id[:index]
            for index, char in enumerate(external_id)
            if char == "/" and external_id[:index] in names
        )
        return found

    @api.model
    def _load_bill_numbers(self, company, numbers):
        """Which vendors already have a bill with each of ``numbers`` in ``company``, in one query."""
        known = self._transaction_cache("odoo_invoice_numbers")
        wanted = sorted(number for number in numbers if (company.id, number) not in known)
        if not wanted:
            return
        for number in wanted:
            known[(company.id, number)] = set()
        for move in self.env["account.move"].search(self._bill_number_domain(company, wanted)):
            known[(company.id, move.ref)].add(move.commercial_partner_id.id)

    @api.model
    def _bill_number_domain(self, company, numbers):
        return [
            ("move_type", "in", ("in_invoice", "in_refund")),
            ("company_id", "=", company.id),
            ("ref", "in", numbers),
            ("state", "!=", "cancel"),
        ]

    @api.model
    def _bill_of_number(self, company, vendor, number):
        """A bill of ``vendor`` in ``company`` with supplier invoice number ``number``, if any."""
        vendors = self._transaction_cache("odoo_invoice_numbers").get((company.id, number))
        if vendors is not None and vendor.id not in vendors:
            return self.env["account.move"]  # none when the batch was read, none created since
        return self.env["account.move"].search(
            [*self._bill_number_domain(company, [number]), ("commercial_partner_id", "=", vendor.id)], limit=1
        )

    @api.model
    def _complete_values(self, company, vals):
        """Give create() what it would otherwise compute for each bill, computed once per vendor
        and batch the way Odoo computes it: journal and fiscal position; the lines' kind and
        currency."""
        defaults = self._transaction_cache("odoo_invoice_defaults")
        key = (company.id, vals["move_type"], vals["partner_id"], vals["currency_id"])
        if key not in defaults:
            draft = (
                self.env["account.move"]
                .with_company(company)
                .new(
                    {
                        "move_type": vals["move_type"],
                        "company_id": company.id,
                        "partner_id": vals["partner_id"],
                        "currency_id": vals["currency_id"],
                    }
                )
            )
            defaults[key] = {
                "journal_id": draft.journal_id.id,
                "fiscal_position_id": draft.fiscal_position_id.id,
            }
        for name, value in defaults[key].items():
            vals.setdefault(name, value)
        for command in vals["invoice_line_ids"]:
            command[2].setdefault("display_type", "product")
            command[2].setdefault("currency_id", vals["currency_id"])

    @api.model
    def _check_against_order(self, source, pol, vendor, currency, quantity, price, refund, where):
        """Three-way matching needs a bill that fits its PO: same vendor and currency, no more than
        ordered (less what is already billed), no higher price (within the tolerance)."""
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
        ceiling = float_round(po_price * (1 + (source.price_tolerance or 0.0) / 100.0), precision_digits=6)
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
    def _terms(self, source, invoice):
        """Payment terms: a 'PaymentTerms' mapping of the invoice's terms code, else its due date."""
        term = None
        if invoice.payment_terms:
            term = self.env["ml.connector.mapping"]._resolve(
                source, "PaymentTerms", invoice.payment_terms.number, required=False
            )
        if term and term._name == "account.payment.term":
            return {"invoice_payment_term_id": term.id}
        if invoice.due_date:
            return {
                "invoice_payment_term_id": False,
                "invoice_date_due": fields.Date.to_date(invoice.due_date),
            }
        return {}
