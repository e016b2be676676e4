from odoo import api, fields, models

from odoo.addons.ml_connector.models.ml_connector_matching import ProductQuery
from odoo.addons.ml_connector.tools.errors import DependencyError, DocumentError, NeedsReviewError
from odoo.addons.ml_connector.tools.matching import MatchCandidate, MatchResult
from odoo.addons.ml_connector.tools.text import shorten

from ..tools.values import last_attempt, number

# The item identifiers of an order line, each matched alone to see whether they agree: the
# partner's item number (its code in our vendor list), our part number, the UPC/GTIN.
IDENTIFIERS = (("buyer_code", "vendor_code"), ("vendor_code", "codes"), ("gtin", "barcode"))


class MlConnectorWriterOdooCustomerOrder(models.AbstractModel):
    """Customer orders of SPS trading partners (850, 860) into Odoo: a sales order, a draft purchase
    order or a purchase agreement, as the trading partner says (``order_target``).

    One record per (TPID, PurchaseOrderNumber, ReleaseNumber), the partner's number kept as its
    reference. Items are found by the matching engine (the partner's own item code, our internal
    reference, the UPC); products are never created: any item it cannot decide, or whose
    identifiers point at different products, puts the whole document in the review queue.
    Charges and allowances become discounts (percentages) or lines of the charge product
    (amounts); the taxes the partner states are mapped to Odoo taxes; the record's totals are then
    compared with the partner's, and a difference is flagged on the record. Lines split over
    stores become one line per store; the ship-to (a consumer's on drop-ship orders) becomes a
    delivery contact of the partner.

    Purposes: an original changes nothing once the record exists, a duplicate creates it only if
    it is missing, a replacement rewrites it, a change (860) applies its line changes, a
    cancellation cancels it. A record no longer open in Odoo (a confirmed order) is never changed
    by the partner: the line fails with the reason, for a person to decide. A change or a
    cancellation of an order Odoo does not have yet waits for it (no list order is guaranteed).
    """

    _name = "ml.connector.writer.odoo.customer_order"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo orders from SPS customer orders"

    _document_type = "customer_order"
    _binding_kind = "customer_order"

    @api.model
    def _already_applied(self, line, order, binding, record):
        return None  # each purpose says what an order already in Odoo means for it

    @api.model
    def _trading_partner(self, line, order):
        return line.flow_id.source_backend_id._sps_partner(order.buyer.key)

    @api.model
    def _target(self, line, order):
        return self.env[f"ml.connector.sps.order.target.{self._trading_partner(line, order)._order_target()}"]

    @api.model
    def _label(self, order):
        return order.number + (f" / {order.release}" if order.release else "")

    @api.model
    def _existing_order(self, line, order, record):
        """The record bound to the document, else one of this partner that already carries its
        number (imported before the binding existed, or keyed in by hand) and is not bound to
        another order of that number (another release, or an earlier order that reused it)."""
        target = self._target(line, order)
        if record and record._name == target._model:
            return record
        candidates = target._find(self._header_keys(line, order))
        if not candidates:
            return candidates
        source = line.flow_id.source_backend_id
        bound_elsewhere = self.env["ml.connector.binding"].search(
            [
                ("backend_id", "=", source.id),
                ("object_type", "=", source._binding_type(self._binding_kind)),
                ("res_model", "=", candidates._name),
                ("res_id", "in", candidates.ids),
                ("external_id", "!=", order.key),
            ]
        )
        return (candidates - candidates.browse(bound_elsewhere.mapped("res_id")))[:1]

    @api.model
    def _header_keys(self, line, order):
        return {
            "ref": order.number,
            "partner": self._trading_partner(line, order).partner_id,
            "company": line.flow_id.source_backend_id.company_id,
        }

    # ------------------------------------------------------------------ purposes
    @api.model
    def _apply_original(self, line, order, record):
        existing = self._existing_order(line, order, record)
        if existing:
            return self._known(line, order, existing)
        plan = self._plan(line, order)
        created = self._target(line, order)._create(plan)
        partner = self._trading_partner(line, order).name
        message = self.env._(
            "Order %(po)s of %(partner)s imported as %(record)s.",
            po=self._label(order),
            partner=partner,
            record=created.display_name,
        )
        if created._name == "purchase.order":
            message += " " + self.env._(
                "Note: this order from a customer is kept as a request for quotation with %(partner)s as its "
                "vendor; check it before confirming.",
                partner=partner,
            )
        return self._finish(line, order, created, message)

    @api.model
    def _apply_duplicate(self, line, order, record):
        return self._apply_original(line, order, record)

    @api.model
    def _apply_replacement(self, line, order, record):
        existing = self._existing_order(line, order, record)
        if not existing:
            return self._apply_original(line, order, record)
        target = self._target(line, order)
        self._check_open(target, existing, order, self.env._("replaced"))
        target._rewrite(existing, self._plan(line, order))
        existing.message_post(
            body=self.env._(
                "Replaced by %(partner)s through SPS (850 purpose 05).",
                partner=self._trading_partner(line, order).name,
            )
        )
        return self._finish(
            line,
            order,
            existing,
            self.env._(
                "Order %(po)s replaced in %(record)s.", po=self._label(order), record=existing.display_name
            ),
        )

    @api.model
    def _apply_cancellation(self, line, order, record):
        existing = self._existing_order(line, order, record)
        label = self._label(order)
        if not existing:
            if not last_attempt(line):
                raise DependencyError(
                    self.env._(
                        "Cancellation of order %s, which is not in Odoo yet: it waits for the order.", label
                    )
                )
            return {
                "target_key": order.key,
                "state": "skipped",
                "message": self.env._(
                    "Cancellation of order %s, which never reached Odoo: nothing to cancel.", label
                ),
            }
        target = self._target(line, order)
        self._check_open(target, existing, order, self.env._("cancelled"))
        if existing.state != "cancel":
            target._cancel(existing)
            existing.message_post(
                body=self.env._(
                    "Cancelled by %(partner)s through SPS (850 purpose 01).",
                    partner=self._trading_partner(line, order).name,
                )
            )
        # no "record": the binding keeps the version the order was made of
        return {
            "res_model": existing._name,
            "target_key": order.key,
            "res_id": existing.id,
            "message": self.env._(
                "Order %(po)s cancelled (%(record)s).", po=label, record=existing.display_name
            ),
        }

    @api.model
    def _apply_change(self, line, order, record):
        """An 860: the order's line changes, applied to the record the order became."""
        existing = self._existing_order(line, order, record)
        label = self._label(order)
        if not existing:
            raise DependencyError(
                self.env._(
                    "Change %(seq)s of order %(po)s: the order is not in Odoo yet; the change waits for it.",
                    seq=order.revision or "",
                    po=label,
                )
            )
        target = self._target(line, order)
        self._check_open(target, existing, order, self.env._("changed"))
        # purchase agreements (an optional app) do not keep the sequence: each change applies
        applied = existing.sps_change_seq if "sps_change_seq" in existing._fields else 0
        if order.revision is not None and order.revision <= applied:
            return {
                "state": "skipped",
                "res_model": existing._name,
                "res_id": existing.id,
                "target_key": order.key,
                "message": self.env._(
                    "Change %(seq)s of order %(po)s is older than change %(applied)s, applied to %(record)s "
                    "already: nothing done.",
                    seq=order.revision,
                    po=label,
                    applied=applied,
                    record=existing.display_name,
                ),
            }
        self._check_earlier_changes(line, order, label)
        target._apply_change(existing, self._plan(line, order))
        return self._finish(
            line,
            order,
            existing,
            self.env._(
                "Change %(seq)s of order %(po)s applied to %(record)s.",
                seq=order.revision or "",
                po=label,
                record=existing.display_name,
            ),
        )

    @api.model
    def _check_earlier_changes(self, line, order, label):
        """A change waits for an earlier change of the same order received and not applied yet."""
        if order.revision is None or last_attempt(line):
            return
        prefix = line.source_key.split("#", 1)[0] + "#"
        earlier = self.env["ml.connector.audit.line"].search(
            [
                ("flow_id", "=", line.flow_id.id),
                ("source_key", "=like", prefix.replace("%", "\\%").replace("_", "\\_") + "%"),
                ("state", "in", ("pending", "needs_review")),
                ("id", "!=", line.id),
            ]
        )
        waiting = sorted(
            int(sequence)
            for sequence in (other.source_key.rsplit("#", 1)[-1] for other in earlier)
            if sequence.isdigit() and int(sequence) < order.revision
        )
        if waiting:
            raise DependencyError(
                self.env._(
                    "Change %(seq)s of order %(po)s waits for change %(earlier)s, received and not applied "
                    "yet.",
                    seq=order.revision,
                    po=label,
                    earlier=waiting[0],
                )
            )

    @api.model
    def _known(self, line, order, existing):
        """An original or duplicate of an order Odoo has: nothing created, the binding made sure of."""
        source = line.flow_id.source_backend_id
        self.env["ml.connector.binding"]._bind(
            source,
            source._binding_type(self._binding_kind),
            order.key,
            record=existing,
            external_key=order.number,
        )
        return {
            "res_model": existing._name,
            "target_key": order.key,
            "res_id": existing.id,
            "state": "skipped",
            "message": self.env._(
                "Order %(po)s of %(partner)s is already in Odoo as %(record)s%(dup)s: nothing created.",
                po=self._label(order),
                partner=self._trading_partner(line, order).name,
                record=existing.display_name,
                dup=self.env._(" (duplicate 07)") if order.purpose == "duplicate" else "",
            ),
        }

    @api.model
    def _finish(self, line, order, record, message):
        """The line's result, once the record's totals are compared with the partner's."""
        issue = self._totals_issue(line, order, record)
        if record._name in ("sale.order", "purchase.order"):
            record.write(
                {
                    "sps_total_issue": issue or False,
                    "sps_change_seq": max(order.revision or 0, record.sps_change_seq or 0),
                }
            )
        if issue:
            self._target(line, order)._flag(record, issue, order.total)
            message += " " + issue
        return {
            "record": record,
            "res_model": record._name,
            "res_id": record.id,
            "target_key": order.key,
            "message": message,
        }

    @api.model
    def _check_open(self, target, existing, order, what):
        if not target._is_open(existing):
            raise DocumentError(
                self.env._(
                    "Order %(po)s should be %(what)s, but %(record)s is already confirmed in Odoo: apply the "
                    "change by hand (this line keeps the partner's document).",
                    po=self._label(order),
                    what=what,
                    record=existing.display_name,
                )
            )

    # ------------------------------------------------------------------ totals
    @api.model
    def _totals_issue(self, line, order, record):
        """A sentence with both figures when the record's totals are not the partner's, else ''."""
        stated_taxes = [tax.amount for tax in self._all_taxes(order) if tax.amount is not None]
        target = self._target(line, order)
        untaxed, taxes = target._totals(record)
        # beyond rounding: a line rounds its tax to half a cent at most, each stated tax to a cent
        rounding = record.currency_id.rounding
        tolerance = rounding * (len(target._order_lines(record)) / 2 + max(1, len(stated_taxes))) + 1e-9
        problems = []
        if order.total is not None:
            expected = order.total - sum(stated_taxes)
            if abs(untaxed - expected) > tolerance:
                problems.append(
                    self.env._(
                        "untaxed amount %(odoo)s in Odoo, %(file)s in the partner's order",
                        odoo=number(untaxed),
                        file=number(expected),
                    )
                )
        if stated_taxes and self._target(line, order)._tax_use and abs(taxes - sum(stated_taxes)) > tolerance:
            problems.append(
                self.env._(
                    "taxes %(odoo)s in Odoo, %(file)s in the partner's order",
                    odoo=number(taxes),
                    file=number(sum(stated_taxes)),
                )
            )
        if not problems:
            return ""
        return self.env._(
            "Totals differ from the partner's order (%(problems)s): check the prices, charges and taxes "
            "before confirming.",
            problems="; ".join(problems),
        )

    @api.model
    def _all_taxes(self, order):
        return list(order.taxes) + [tax for po_line in order.lines for tax in po_line.taxes]

    # ------------------------------------------------------------------ the plan of the record
    @api.model
    def _plan(self, line, order):
        """The record to write, as the target models take it (see ``ml.connector.sps.order.target``)."""
        source = line.flow_id.source_backend_id
        partner = self._trading_partner(line, order)
        header = {
            **self._header_keys(line, order),
            "sps_partner": partner,
            "origin": self.env._("SPS %(tpid)s", tpid=partner.tpid),
            "notes": order.notes,
            "drop_ship": bool(order.ship_to and order.ship_to.kind == "drop_ship"),
            "ship_to": partner._sps_delivery_contact(order.ship_to) if order.ship_to else None,
        }
        if order.currency:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", order.currency)], limit=1)
            )
            if not currency:
                raise DocumentError(self.env._("Unknown currency %s.", order.currency))
            header["currency"] = currency
        if order.order_date:
            header["date_order"] = fields.Datetime.to_datetime(order.order_date)
        if order.date_planned:
            header["date_planned"] = fields.Datetime.to_datetime(order.date_planned)
        target = self._target(line, order)
        products = self._products(line, order)
        lines = [
            self._line_plan(source, partner, target, po_line, products[po_line.key], order)
            for po_line in order.lines
            if po_line.status not in ("delete", "none")
        ]
        lines += self._charge_lines(source, target, order, lines)
        return {
            "header": header,
            "lines": lines,
            "deleted": [p.number for p in order.lines if p.status == "delete"],
        }

    @api.model
    def _line_plan(self, source, partner, target, po_line, product, order):
        header_discount = sum(
            charge.percent or 0
            for charge in order.charges
            if charge.kind == "allowance" and not charge.amount
        )
        line_discount = sum(
            charge.percent or 0
            for charge in po_line.charges
            if charge.kind == "allowance" and not charge.amount
        )
        discount = 100 * (1 - (1 - header_discount / 100) * (1 - line_discount / 100))
        store = next((address.code for address in po_line.ship_to if address.kind == "store"), "")
        taxes = po_line.taxes or order.taxes
        # the order's wanted date is each line's, unless the line has its own
        wanted = po_line.date_planned or order.date_planned
        return {
            "product": product,
            "quantity": po_line.quantity,
            "uom": source._sps_uom(po_line.uom_code, product, pack=po_line.pack_size)
            if po_line.quantity
            else None,
            "price": po_line.unit_price,
            "discount": round(discount, 6) if discount > 1e-9 else 0.0,
            "taxes": self._odoo_taxes(source, target, taxes) if taxes else None,
            "name": po_line.item.description,
            "date_planned": fields.Datetime.to_datetime(wanted) if wanted else None,
            "number": po_line.number,
            "store": store,
            "kind": "product",
            "charges": [charge for charge in po_line.charges if charge.amount],
        }

    # ------------------------------------------------------------------ charges
    @api.model
    def _charge_lines(self, source, target, order, lines):
        """Lines of the charge product for charges and allowances stated as amounts (the header's,
        and each line's), and for header charges stated as a percentage of the goods."""
        goods = sum(line["quantity"] * (line["price"] or 0) * (1 - line["discount"] / 100) for line in lines)
        charge_lines = []
        for charge in order.charges:
            amount = charge.amount
            if not amount and charge.kind == "charge" and charge.percent:
                amount = round(goods * charge.percent / 100, 2)
            if amount:
                taxes = order.taxes if charge.kind == "allowance" else []
                charge_lines.append(self._charge_line(source, target, order, charge, amount, "", taxes))
        for line, po_line in zip(lines, [p for p in order.lines if p.status not in ("delete", "none")]):
            for charge in line.pop("charges"):
                taxes = (po_line.taxes or order.taxes) if charge.kind == "allowance" else []
                charge_lines.append(
                    self._charge_line(source, target, order, charge, charge.amount, line["number"], taxes)
                )
        return charge_lines

    @api.model
    def _charge_line(self, source, target, order, charge, amount, number_, taxes):
        """A line of the charge product. An allowance lowers the taxable goods, so it carries their
        taxes; a charge is not taxed (the partner states taxes on the goods)."""
        product = self._charge_product(source, charge)
        what = charge.description or charge.code
        name = (
            self.env._("%(what)s (%(code)s), line %(n)s", what=what, code=charge.code, n=number_)
            if number_
            else self.env._("%(what)s (%(code)s)", what=what, code=charge.code)
        )
        return {
            "product": product,
            "quantity": 1,
            "uom": product.uom_id,
            "price": amount,
            "discount": 0.0,
            "taxes": self._odoo_taxes(source, target, taxes) if self._all_taxes(order) else None,
            "name": name,
            "date_planned": None,
            "number": number_ or "",
            "store": "",
            "kind": "charge",
        }

    @api.model
    def _charge_product(self, source, charge):
        """The product a charge or allowance is written with: the connection's mapping of its code
        ('SPS charge'), else the connection's charge product; the document waits for one."""
        Mapping = self.env["ml.connector.mapping"]
        product = Mapping._resolve(source, "SPS charge", charge.code or charge.kind, required=False)
        if product:
            return product
        if source.sps_charge_product_id:
            return source.sps_charge_product_id
        return Mapping._resolve(
            source,
            "SPS charge",
            charge.code or charge.kind,
            label=self.env._(
                "SPS charge or allowance %(code)s (%(what)s)", code=charge.code, what=charge.description
            ),
        )

    # ------------------------------------------------------------------ taxes
    @api.model
    def _odoo_taxes(self, source, target, taxes):
        """The Odoo taxes of the taxes a document states: the connection's 'Tax' mapping of
        'code/rate' or 'code', else the one tax of the target's kind with that rate; else the
        document waits for a mapping. An empty list: no tax at all."""
        Tax = self.env["account.tax"]
        if not target._tax_use:
            return Tax
        found = Tax
        for tax in taxes:
            found |= self._odoo_tax(source, target, tax)
        return found

    @api.model
    def _odoo_tax(self, source, target, tax):
        Mapping = self.env["ml.connector.mapping"]
        rate = number(tax.rate) if tax.rate is not None else None
        key = f"{tax.code}/{rate}" if rate is not None else tax.code
        for value in dict.fromkeys((key, tax.code)):
            mapped = Mapping._resolve(source, "Tax", value, required=False)
            if mapped:
                return mapped
        if rate is not None:
            candidates = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", target._tax_use),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", rate),
                    ("company_id", "=", source.company_id.id),
                ]
            )
            if len(candidates) == 1:
                return candidates
        return Mapping._resolve(
            source,
            "Tax",
            key,
            label=self.env._(
                "SPS tax %(code)s%(rate)s", code=tax.code, rate=f" {rate}%" if rate is not None else ""
            ),
        )

    # ------------------------------------------------------------------ products
    @api.model
    def _products(self, line, order):
        """``{line key: product}``; every undecided item goes to the review queue at once and the
        document waits for the first of them (deciding it releases the document, which then waits
        for the next one still open, if any)."""
        source = line.flow_id.source_backend_id
        partner = self._trading_partner(line, order)
        resolved, undecided, results = {}, [], {}
        for po_line in order.lines:
            if po_line.status in ("delete", "none"):
                continue
            item = po_line.item
            binding_id = f"{partner.tpid}:{item.key}"
            if binding_id not in results:  # the lines of a store split share their item
                results[binding_id] = result = self._match_item(source, partner, item, binding_id)
                if not result:
                    undecided.append((result, binding_id, item.key, item.description))
            if results[binding_id]:
                resolved[po_line.key] = results[binding_id].record
        if undecided:
            raise self._review_error(source, partner, order.number, undecided)
        return resolved

    @api.model
    def _match_item(self, source, partner, item, binding_id):
        """The product of an item; when its identifiers point at different products, a result with
        those products as candidates (a person decides, once: the decision is a binding)."""
        Matching = self.env["ml.connector.matching"]
        binding_type = source._binding_type("item")
        result = Matching._match_product(
            source,
            ProductQuery(
                # the partner's own code is its code in the product's vendor list; VendorPartNumber
                # is the seller's (our) number, i.e. the internal reference
                vendor_code=item.buyer_code,
                codes=[code for code in (item.vendor_code,) if code],
                barcode=item.gtin,
                name=item.description,
                bindings={binding_type: binding_id},
            ),
            vendor=partner.partner_id,
        )
        if not result or result.rule == "binding":
            return result
        found = self._identifier_matches(source, partner, item)
        products = {product for product, _label in found}
        if len(products) <= 1:
            return result
        candidates = [
            MatchCandidate(product, 100.0, "identifier", self.env._("%s is this product.", label))
            for product, label in found
        ]
        return MatchResult(
            None,
            "identifiers_disagree",
            candidates=candidates,
            reason=self.env._(
                "its identifiers point at different products: %s.",
                "; ".join(f"{label}: {product.display_name}" for product, label in found),
            ),
        )

    @api.model
    def _identifier_matches(self, source, partner, item):
        """``[(product, label)]`` for each identifier of ``item`` that alone names one product."""
        Matching = self.env["ml.connector.matching"]
        cache = self._transaction_cache("sps_identifier_matches")
        found = []
        for attribute, query_field in IDENTIFIERS:
            value = getattr(item, attribute)
            if not value:
                continue
            key = (source.id, partner.id, attribute, value)
            if key not in cache:
                query = ProductQuery(**{query_field: [value] if query_field == "codes" else value})
                result = Matching._match_product(source, query, vendor=partner.partner_id)
                cache[key] = result.record if result else None
            if cache[key]:
                found.append((cache[key], self._identifier_label(attribute, value)))
        return found

    @api.model
    def _identifier_label(self, attribute, value):
        if attribute == "buyer_code":
            return self.env._("the partner's item number %s", value)
        if attribute == "vendor_code":
            return self.env._("our part number %s", value)
        return self.env._("UPC/GTIN %s", value)

    @api.model
    def _review_error(self, source, partner, po_number, undecided):
        """NeedsReviewError for the first undecided item; the others are opened in the queue too."""
        binding_type = source._binding_type("item")
        errors = [
            result.review_error(
                binding_type=binding_type,
                external_id=binding_id,
                label=self.env._(
                    "Item %(code)s%(desc)s of %(partner)s",
                    code=code,
                    desc=f" ({shorten(description, 120)})" if description and description != code else "",
                    partner=partner.name,
                ),
                kind="product",
                res_model="product.product",
                key=code,
            )
            for result, binding_id, code, description in undecided
        ]
        summary = self.env._(
            "Order %(po)s waits for %(n)s item(s) nobody has matched to a product yet: %(items)s. Choose the "
            "product in Connectors > Review queue; products are never created automatically.",
            po=po_number,
            n=len(undecided),
            items="; ".join(str(error) for error in errors),
        )
        Review = self.env["ml.connector.review"]
        return NeedsReviewError(
            summary,
            blocking_key=errors[0].blocking_key,
            review=errors[0].review,
            after_rollback=[
                lambda other=other: Review._open(source, other.review, str(other)) for other in errors[1:]
            ],
        )
