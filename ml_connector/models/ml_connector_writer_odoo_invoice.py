from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import float_compare, float_round
from odoo.tools.sql import escape_psql

from ..tools.display import money
from ..tools.display import quantity as qty_text
from ..tools.errors import DependencyError, DocumentError
from ..tools.items import Bind
from ..tools.matching import MatchCandidate, MatchResult


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
        line_vals += self._charge_lines(source, invoice)
        self._check_taxes(source, invoice, vendor, currency, line_vals)
        terms = self._owned_terms(line, invoice, vendor)
        if terms is None:
            terms = self._terms(source, invoice)
        else:
            notes = [*notes, terms.pop("note")] if terms.get("note") else notes
        vals = {
            "move_type": "in_refund" if invoice.is_credit_note else "in_invoice",
            "partner_id": vendor.id,
            "ref": invoice.number,
            "invoice_date": fields.Date.to_date(invoice.date),
            "currency_id": currency.id,
            "invoice_origin": ", ".join(orders.mapped("name")) or False,
            "invoice_line_ids": [(0, 0, vals) for vals in line_vals],
            **terms,
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
            # the purchase module's note on each bill logged with the batch's (account_move.py)
            self.env["account.move"].with_company(company).with_context(ml_connector_log_notes=True),
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
            "Draft %(kind)s for %(vendor)s, %(lines)s line(s), %(amount)s.",
            kind=self.env._("credit note") if invoice.is_credit_note else self.env._("bill"),
            vendor=vendor.display_name,
            lines=line_count,
            amount=money(self.env, move.amount_total, currency),
        )
        if invoice.total is not None and float_compare(
            abs(invoice.total), move.amount_total, precision_rounding=currency.rounding
        ):
            notes.append(
                self.env._(
                    "%(system)s's total is %(total)s, the bill's %(bill)s (untaxed %(untaxed)s, taxes "
                    "%(tax)s).",
                    system=source._system_label(),
                    total=money(self.env, invoice.total, currency),
                    bill=money(self.env, move.amount_total, currency),
                    untaxed=money(self.env, move.amount_untaxed, currency),
                    tax=money(self.env, move.amount_tax, currency),
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
        return self._remote_vendor(source, invoice.supplier, self.env._("invoice %s", invoice.number))

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
            product = None
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
                product = pol.product_id
                vals.update(
                    product_id=pol.product_id.id,
                    name=description or pol.name,
                    purchase_line_id=pol.id,
                    product_uom_id=pol.product_uom_id.id,
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
            taxes = self._line_taxes(source, invoice, invoice_line, product or account, vendor)
            if taxes is not None:
                vals["tax_ids"] = [(6, 0, taxes.ids)]
            result.append(vals)
        return result, orders, notes

    # -- taxes and charges: the bill ends with the totals the document states ------------
    @api.model
    def _line_taxes(self, source, invoice, invoice_line, product_or_account, vendor):
        """The taxes of a bill line: none when the document says the line bears none; the tax chosen
        in review for this invoice; the document's tax code or rate (line's, else header's) mapped;
        else the product's purchase taxes through the vendor's fiscal position (for a line without
        product, its account's default taxes the same way). None: leave it to Odoo."""
        Tax = self.env["account.tax"]
        if invoice_line.taxable is False:
            return Tax
        chosen = self._reviewed_tax(source, invoice)
        if chosen:
            return chosen
        stated = next((tax for tax in invoice_line.taxes if tax.code or tax.rate is not None), None)
        stated = stated or next((tax for tax in invoice.taxes if tax.code or tax.rate is not None), None)
        if stated:
            return self._document_tax(source, stated, vendor)
        if not product_or_account:
            return None
        if product_or_account._name == "account.account":
            taxes = product_or_account.tax_ids.filtered(lambda tax: tax.type_tax_use == "purchase")
            position = self.env["ml.connector.matching"]._fiscal_position(source.company_id, vendor)
            return position.map_tax(taxes) if position else taxes
        return self.env["ml.connector.matching"]._purchase_taxes(source, product_or_account, vendor)

    @api.model
    def _document_tax(self, source, stated, vendor):
        """The Odoo tax of a tax code (its 'Tax' mapping) or of a rate (the one purchase tax of that rate,
        else its 'Tax' mapping, e.g. '8.25%'); the document waits while it is unmapped."""
        Matching = self.env["ml.connector.matching"]
        if stated.code:
            tax = Matching._purchase_taxes(source, None, vendor, override=stated.code)
        else:
            same_rate = self.env["account.tax"].search(
                [
                    ("company_id", "=", source.company_id.id),
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", stated.rate),
                ]
            )
            if len(same_rate) == 1:
                return same_rate
            tax = Matching._purchase_taxes(source, None, vendor, override=f"{stated.rate:g}%")
        if tax._name != "account.tax":
            raise DocumentError(
                self.env._(
                    "Tax %(code)s is mapped to %(record)s, which is not a tax.",
                    code=stated.code or f"{stated.rate:g}%",
                    record=tax.display_name,
                )
            )
        return tax

    @api.model
    def _reviewed_tax(self, source, invoice):
        """The tax a person chose for this invoice's taxable lines in review (see ``_check_taxes``)."""
        binding = self.env["ml.connector.binding"]._find(
            source, source._binding_type("invoice_tax"), external_id=invoice.key
        )
        record = binding._record() if binding else None
        return record if record and record._name == "account.tax" else None

    @api.model
    def _charge_lines(self, source, invoice):
        """A line per header charge or allowance (freight, handling, fees, discounts), on the account
        its code is mapped to ('Charge' mapping); the document waits while a code is unmapped."""
        result = []
        for charge in invoice.charges:
            amount = charge.amount or 0.0
            if not amount:
                continue
            if invoice.is_credit_note:
                amount = -abs(amount) if charge.kind == "discount" else abs(amount)
            code = charge.code or charge.kind
            label = charge.description or code
            account = self.env["ml.connector.mapping"]._resolve(
                source,
                "Charge",
                code,
                label=self.env._("%(label)s on invoice %(number)s", label=label, number=invoice.number),
            )
            if account._name != "account.account":
                raise DocumentError(
                    self.env._(
                        "Charge %(code)s is mapped to %(record)s, which is not an account.",
                        code=code,
                        record=account.display_name,
                    )
                )
            result.append(
                {
                    "name": label,
                    "quantity": 1.0,
                    "price_unit": amount,
                    "account_id": account.id,
                    "tax_ids": [(6, 0, [])],  # charges bear no tax unless the document says so
                }
            )
        return result

    @api.model
    def _check_taxes(self, source, invoice, vendor, currency, line_vals):
        """A bill whose taxes differ from what the document states (beyond rounding) is not created:
        it waits in review with both figures, offering the taxes that give the stated amount."""
        stated = [tax.amount for tax in invoice.taxes if tax.amount is not None]
        if not stated:
            return
        stated = abs(sum(stated))
        computed, base, taxed = self._computed_tax(line_vals, currency, vendor)
        if float_compare(abs(computed - stated), currency.rounding * max(taxed, 1), precision_digits=6) <= 0:
            return
        reason = self.env._(
            "Invoice %(number)s states taxes of %(stated)s %(currency)s; its lines give %(computed)s in Odoo "
            "(taxable amount %(base)s). Choose the tax of its taxable lines here (those offered give the "
            "stated amount), or map its tax code, or correct the products' purchase taxes, then replay.",
            number=invoice.number,
            stated=float_round(stated, precision_rounding=currency.rounding),
            currency=currency.name,
            computed=float_round(computed, precision_rounding=currency.rounding),
            base=float_round(base, precision_rounding=currency.rounding),
        )
        raise MatchResult(
            None, "amount", candidates=self._taxes_giving(source, stated, base, currency), reason=reason
        ).review_error(
            binding_type=source._binding_type("invoice_tax"),
            external_id=invoice.key,
            label=self.env._(
                "Taxes of %(system)s invoice %(number)s", system=source._system_label(), number=invoice.number
            ),
            kind="tax",
            res_model="account.tax",
            backend=source,
            key=invoice.number,
        )

    @api.model
    def _computed_tax(self, line_vals, currency, vendor):
        """``(tax, taxable base, number of taxed lines)`` Odoo computes for the bill lines ``line_vals``."""
        Tax, Product = self.env["account.tax"], self.env["product.product"]
        tax_total = base = 0.0
        taxed = 0
        for vals in line_vals:
            commands = vals.get("tax_ids")
            ids = commands[0][2] if commands and isinstance(commands[0], tuple | list) else []
            if commands is None or not ids:
                continue
            taxes = Tax.browse(ids)
            amounts = taxes.compute_all(
                vals["price_unit"],
                currency,
                vals["quantity"],
                product=Product.browse(vals.get("product_id") or []),
                partner=vendor,
            )
            tax_total += amounts["total_included"] - amounts["total_excluded"]
            base += amounts["total_excluded"]
            taxed += 1
        return tax_total, base, taxed

    @api.model
    def _taxes_giving(self, source, stated, base, currency):
        """Purchase taxes of the company that give ``stated`` on ``base``, as review candidates."""
        candidates = []
        if not base:
            return candidates
        taxes = self.env["account.tax"].search(
            [
                ("company_id", "=", source.company_id.id),
                ("type_tax_use", "=", "purchase"),
                ("amount_type", "=", "percent"),
            ]
        )
        for tax in taxes:
            amount = tax.compute_all(base, currency)
            given = amount["total_included"] - amount["total_excluded"]
            if float_compare(given, stated, precision_rounding=currency.rounding) == 0:
                candidates.append(
                    MatchCandidate(
                        tax,
                        100.0,
                        "amount",
                        self.env._(
                            "%(tax)s gives %(amount)s on %(base)s.", tax=tax.name, amount=given, base=base
                        ),
                    )
                )
        return candidates

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
        lines = [command[2] for command in vals["invoice_line_ids"]]
        for line in lines:
            line.setdefault("display_type", "product")
            line.setdefault("currency_id", vals["currency_id"])
        if vals["currency_id"] == company.currency_id.id and all("tax_ids" in line for line in lines):
            self._line_amounts(company, vals["move_type"], lines)

    @api.model
    def _line_amounts(self, company, move_type, lines):
        """Give each line of a bill in the company's currency (``lines``: values with their taxes)
        the amount Odoo's tax computation gives it (untaxed, with its share of the rounding), as
        ``_sync_tax_lines`` computes it.

        Created without it, every line is written again while its bill's taxes are computed (a
        fifth of the time a batch takes, the write's recomputations included). Odoo still computes
        the amounts and writes any that differ (an early payment discount, a non-deductible
        tax), so a figure here can never be what the bill keeps unless it is Odoo's own.
        """
        Tax, Line = self.env["account.tax"], self.env["account.move.line"]
        refund = move_type == "in_refund"
        sign = -1 if refund else 1  # the bill's direction_sign

        def stored(line, name):  # the value as the line keeps it (rounded to the field's digits)
            return Line._fields[name].convert_to_cache(line.get(name, 0.0), Line)

        base_lines = [
            Tax._prepare_base_line_for_taxes_computation(
                None,
                product_id=self.env["product.product"].browse(line.get("product_id")),
                product_uom_id=self.env["uom.uom"].browse(line.get("product_uom_id")),
                tax_ids=Tax.browse(line["tax_ids"][0][2]),
                price_unit=stored(line, "price_unit"),
                quantity=stored(line, "quantity"),
                discount=stored(line, "discount"),
                currency_id=company.currency_id,
                is_refund=refund,
                rate=1.0,
                sign=sign,
            )
            for line in lines
        ]
        Tax._add_tax_details_in_base_lines(base_lines, company)
        Tax._round_base_lines_tax_details(base_lines, company)
        for line, base_line in zip(lines, base_lines, strict=True):
            details = base_line["tax_details"]
            amount = sign * (details["total_excluded_currency"] + details["delta_total_excluded_currency"])
            line.setdefault("amount_currency", amount)
            line.setdefault("balance", amount)

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
                # the invoice it credits may come later in the listing (no order is assumed)
                raise DependencyError(
                    self.env._(
                        "%(where)s credits %(q)s of %(po)s '%(line)s', more than the %(billed)s billed: "
                        "it waits for the invoice it credits.",
                        where=where,
                        q=qty_text(self.env, quantity),
                        po=po.name,
                        line=pol.name,
                        billed=qty_text(self.env, billed),
                    ),
                    waits_for=f"purchase.order.line,{pol.id}",
                )
            return
        left = pol.product_qty - billed
        if float_compare(quantity, left, precision_rounding=rounding) > 0:
            raise DocumentError(
                self.env._(
                    "Quantity above the purchase order: %(where)s bills %(q)s of %(po)s '%(line)s'; "
                    "%(ordered)s ordered, %(billed)s already billed, %(left)s left.",
                    where=where,
                    q=qty_text(self.env, quantity),
                    po=po.name,
                    line=pol.name,
                    ordered=qty_text(self.env, pol.product_qty),
                    billed=qty_text(self.env, billed),
                    left=qty_text(self.env, max(left, 0.0)),
                )
            )
        po_price = pol.price_unit * (1 - (pol.discount or 0.0) / 100.0)
        ceiling = float_round(po_price * (1 + (source.price_tolerance or 0.0) / 100.0), precision_digits=6)
        if float_compare(price, ceiling, precision_rounding=currency.rounding) > 0:
            raise DocumentError(
                self.env._(
                    "Amount above the purchase order: %(where)s charges %(price)s per unit, %(po)s "
                    "'%(line)s' agreed %(po_price)s.",
                    where=where,
                    price=money(self.env, price, currency),
                    po=po.name,
                    line=pol.name,
                    po_price=money(self.env, po_price, currency),
                )
            )

    @api.model
    def _owned_terms(self, line, invoice, vendor):
        """When Odoo owns payment terms (the flow's *Who owns what*), the bill takes the vendor's
        terms; what the invoice says otherwise is listed as a conflict. None: Odoo does not own
        them, or the vendor has none."""
        flow = line.flow_id
        company = flow.company_id
        term = vendor.with_company(company).property_supplier_payment_term_id
        if not term or "payment_terms" not in flow._owned_fields("target"):
            return None
        theirs = invoice.payment_terms.number if invoice.payment_terms else ""
        mapped = (
            self._terms(flow.source_backend_id, invoice).get("invoice_payment_term_id") if theirs else None
        )
        if not theirs and invoice.due_date:
            theirs = self.env._("due %s", invoice.due_date)
        if not theirs or mapped == term.id:
            return {"invoice_payment_term_id": term.id}
        self.env["ml.connector.conflict"]._record(
            flow, line, invoice.number, {"payment_terms": (term.name, theirs)}, "Odoo"
        )
        return {
            "invoice_payment_term_id": term.id,
            "note": self.env._(
                "Payment terms: Odoo keeps the vendor's (%(ours)s); the invoice says %(theirs)s.",
                ours=term.name,
                theirs=theirs,
            ),
        }

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
