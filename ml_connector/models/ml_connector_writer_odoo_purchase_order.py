from datetime import UTC, datetime

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..tools.errors import DocumentError, DocumentSkipped, NeedsReviewError
from ..tools.text import shorten
from .ml_connector_matching import ProductQuery


class MlConnectorWriterOdooPurchaseOrder(models.AbstractModel):
    """Purchase orders another system created (a buyer's order in JAGGAER) into draft Odoo orders.

    The order keeps the other system's number and says where it comes from (``Created from``); it
    is bound to the remote order, so a replay or a new version never creates a second one. The
    vendor is found through the supplier binding, else the matching cascade; products through the
    product cascade (the supplier's part number in the vendor's price list, our internal reference,
    the barcode): an item it cannot decide puts the order in the review queue, products are never
    created. A new version rewrites a draft; a confirmed order is only checked against it (a change
    fails the line, for a person to apply); a cancellation cancels the Odoo order. Orders this
    database sent to the other system are never taken back as new ones.
    """

    _name = "ml.connector.writer.odoo.purchase_order"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo draft purchase orders"

    _document_type = "purchase_order"
    _binding_kind = "purchase_order"

    @api.model
    def _existing_order(self, line, order, record):
        """The order bound to the document, else an order of the company with its number."""
        if record:
            return record
        source = line.flow_id.source_backend_id
        return (
            self.env["purchase.order"]
            .sudo()
            .search([("name", "=", order.number), ("company_id", "=", source.company_id.id)], limit=1)
        )

    @api.model
    def _check_created_there(self, line, order, po):
        """An order of the same number Odoo made itself (sent to the other system) is not taken back."""
        source = line.flow_id.source_backend_id
        if po and po.ml_origin_backend_id != source:
            raise DocumentSkipped(
                self.env._(
                    "%(po)s is Odoo's own order (%(system)s has it from Odoo): not imported.",
                    po=po.name,
                    system=source._system_label(),
                ),
                record=po,
            )

    # ------------------------------------------------------------------ purposes
    @api.model
    def _apply_original(self, line, order, record):
        source = line.flow_id.source_backend_id
        po = self._existing_order(line, order, record)
        self._check_created_there(line, order, po)
        vendor = self._remote_vendor(source, order.supplier, self.env._("purchase order %s", order.number))
        order_lines = self._order_lines(source, order, vendor)
        values = self._order_values(source, order, vendor)
        if not po:
            po = self.env["purchase.order"].create(
                {**values, "order_line": [Command.create(vals) for vals in order_lines]}
            )
            return self._result(
                po,
                self.env._(
                    "%(system)s order %(number)s of %(vendor)s imported as draft %(po)s, %(lines)s line(s).",
                    system=source._system_label(),
                    number=order.number,
                    vendor=vendor.display_name,
                    po=po.name,
                    lines=len(order_lines),
                ),
            )
        return self._apply_version(source, order, po, values, order_lines)

    @api.model
    def _apply_version(self, source, order, po, values, order_lines):
        """A new version of an order Odoo has: a draft takes it; a confirmed order only if its lines
        did not change (a status moved on), else a person applies the change."""
        if po.state == "cancel" and not order.cancelled:
            raise DocumentError(
                self.env._(
                    "%(po)s is cancelled in Odoo but still open in %(system)s: cancel it there, or reset the "
                    "Odoo order to draft, then replay.",
                    po=po.name,
                    system=source._system_label(),
                )
            )
        if self._same_lines(po, order_lines):
            return self._result(po, self.env._("%s: its lines did not change.", po.name))
        if po.state not in ("draft", "sent"):
            raise DocumentError(
                self.env._(
                    "%(system)s changed order %(number)s (revision %(revision)s), but %(po)s is already "
                    "confirmed in Odoo: apply the change by hand (this line keeps the new version).",
                    system=source._system_label(),
                    number=order.number,
                    revision=order.revision or 0,
                    po=po.name,
                )
            )
        po.write({**values, "order_line": [Command.clear()] + [Command.create(vals) for vals in order_lines]})
        po.message_post(
            body=self.env._(
                "Replaced by revision %(revision)s from %(system)s.",
                revision=order.revision or 0,
                system=source._system_label(),
            )
        )
        return self._result(
            po,
            self.env._("%(po)s updated to revision %(revision)s.", po=po.name, revision=order.revision or 0),
        )

    @api.model
    def _apply_cancellation(self, line, order, record):
        source = line.flow_id.source_backend_id
        po = self._existing_order(line, order, record)
        if not po:
            raise DocumentSkipped(
                self.env._("Order %s was cancelled before it reached Odoo: nothing to cancel.", order.number)
            )
        self._check_created_there(line, order, po)
        if po.state != "cancel":
            try:
                with self.env.cr.savepoint():
                    po.button_cancel()
            except UserError as exc:
                raise DocumentError(
                    self.env._(
                        "%(system)s cancelled order %(number)s, but Odoo cannot cancel %(po)s: %(error)s",
                        system=source._system_label(),
                        number=order.number,
                        po=po.name,
                        error=exc.args[0] if exc.args else exc,
                    )
                ) from exc
            po.message_post(body=self.env._("Cancelled in %s.", source._system_label()))
        return self._result(po, self.env._("%s cancelled.", po.name))

    @api.model
    def _result(self, po, message):
        return {
            "record": po,
            "res_model": po._name,
            "res_id": po.id,
            "target_key": po.name,
            "message": message,
        }

    # ------------------------------------------------------------------ the order
    @api.model
    def _order_values(self, source, order, vendor):
        values = {
            "name": order.number,
            "partner_id": vendor.id,
            "company_id": source.company_id.id,
            "origin": f"{source._system_label()} {order.number}",
            "ml_origin_backend_id": source.id,
            "user_id": self._buyer(source, order).id,
        }
        if order.currency:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", order.currency)])
            )
            if not currency.active:
                raise DocumentError(
                    self.env._(
                        "Order %(number)s is in %(code)s, a currency not active in Odoo.",
                        number=order.number,
                        code=order.currency,
                    )
                )
            values["currency_id"] = currency.id
        if order.order_date:
            values["date_order"] = self._moment(order.order_date, order.number)
        if order.payment_terms:
            term = self.env["ml.connector.mapping"]._resolve(
                source, "PaymentTerms", order.payment_terms.number, required=False
            )
            if term and term._name == "account.payment.term":
                values["payment_term_id"] = term.id
        if order.notes:
            values["note"] = order.notes
        return values

    @api.model
    def _buyer(self, source, order):
        """The Odoo user who is the order's requestor (same login), else none: the connection's user
        did not buy anything."""
        if not order.requestor:
            return self.env["res.users"]
        return self.env["res.users"].search(
            [("login", "=", order.requestor), ("company_ids", "in", source.company_id.id)], limit=1
        )

    @api.model
    def _order_lines(self, source, order, vendor):
        """Purchase order line values; every item the cascade cannot decide goes to the review queue
        at once and the order waits for the first of them (products are never created)."""
        if not order.lines:
            raise DocumentError(self.env._("Order %s has no lines.", order.number))
        Matching = self.env["ml.connector.matching"]
        resolved, undecided = [], []
        for po_line in order.lines:
            if po_line.quantity <= 0:
                raise DocumentError(
                    self.env._(
                        "Order %(number)s line %(line)s: quantity must be positive, got %(q)s.",
                        number=order.number,
                        line=po_line.number,
                        q=po_line.quantity,
                    )
                )
            item = po_line.item
            code = item.vendor_code or item.buyer_code or item.gtin or item.description
            binding_id = f"{order.supplier.key or order.supplier.number}:{code}"
            result = Matching._match_product(
                source,
                ProductQuery(
                    vendor_code=item.vendor_code,
                    codes=[code for code in (item.buyer_code,) if code],
                    barcode=item.gtin,
                    name=item.description,
                    bindings={source._binding_type("product"): binding_id},
                ),
                vendor=vendor,
            )
            if result:
                resolved.append((po_line, result.record))
            else:
                undecided.append((result, binding_id, code, item.description))
        if undecided:
            raise self._review_error(source, order, vendor, undecided)
        return [self._line_values(source, order, po_line, product) for po_line, product in resolved]

    @api.model
    def _line_values(self, source, order, po_line, product):
        values = {
            "product_id": product.id,
            "product_qty": po_line.quantity,
            "price_unit": po_line.unit_price,
            "name": po_line.item.description or product.display_name,
        }
        if po_line.uom:
            uom = self.env["ml.connector.mapping"]._resolve(source, "UoM", po_line.uom, required=False)
            if uom and uom._name == "uom.uom":
                values["product_uom_id"] = uom.id
        date_planned = po_line.date_planned or order.date_planned
        if date_planned:
            values["date_planned"] = self._moment(date_planned, order.number)
        if po_line.coding.cost_centres:
            ref = po_line.coding.cost_centres[0]
            analytic = self.env["ml.connector.mapping"]._resolve(
                source,
                ref.group,
                ref.number,
                label=self.env._(
                    "line %(line)s of order %(number)s", line=po_line.number, number=order.number
                ),
            )
            if analytic._name == "account.analytic.account":
                values["analytic_distribution"] = {str(analytic.id): 100.0}
        return values

    @api.model
    def _moment(self, value, number):
        """An ISO 8601 date or time of a canonical document as Odoo stores it (naive UTC)."""
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise DocumentError(
                self.env._("Order %(number)s: %(value)r is not a date.", number=number, value=value)
            ) from None
        if moment.tzinfo:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0)

    @api.model
    def _same_lines(self, po, order_lines):
        """Whether ``po`` already orders what ``order_lines`` say (product, quantity, price)."""

        def key(product_id, quantity, price):
            return (product_id, round(quantity, 6), round(price, 6))

        wanted = sorted(key(v["product_id"], v["product_qty"], v["price_unit"]) for v in order_lines)
        current = sorted(
            key(pol.product_id.id, pol.product_qty, pol.price_unit)
            for pol in po.order_line.filtered(lambda pol: not pol.display_type)
        )
        return len(wanted) == len(current) and all(
            a[0] == b[0]
            and float_compare(a[1], b[1], precision_digits=6) == 0
            and float_compare(a[2], b[2], precision_digits=6) == 0
            for a, b in zip(wanted, current)
        )

    @api.model
    def _review_error(self, source, order, vendor, undecided):
        """NeedsReviewError for the first undecided item; the others are opened in the queue too."""
        binding_type = source._binding_type("product")
        errors = [
            result.review_error(
                binding_type=binding_type,
                external_id=binding_id,
                label=self.env._(
                    "Item %(code)s%(desc)s of %(vendor)s",
                    code=code,
                    desc=f" ({shorten(description, 120)})" if description and description != code else "",
                    vendor=vendor.display_name,
                ),
                kind="product",
                res_model="product.product",
                backend=source,
                key=code,
            )
            for result, binding_id, code, description in undecided
        ]
        summary = self.env._(
            "Order %(number)s waits for %(n)s item(s) nobody has matched to a product yet: %(items)s. Choose "
            "the product in Connectors > Review queue; products are never created automatically.",
            number=order.number,
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
