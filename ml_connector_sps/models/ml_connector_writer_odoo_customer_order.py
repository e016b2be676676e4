from odoo import Command, api, fields, models

from odoo.addons.ml_connector.models.ml_connector_matching import ProductQuery
from odoo.addons.ml_connector.tools.errors import DocumentError, NeedsReviewError
from odoo.addons.ml_connector.tools.text import shorten


class MlConnectorWriterOdooCustomerOrder(models.AbstractModel):
    """Customer orders of SPS trading partners into draft purchase orders keyed to the partner.

    One order per (TPID, PurchaseOrderNumber, ReleaseNumber), the partner's number kept as the
    order's vendor reference. Items are found by the matching engine (the partner's own item
    code, our internal reference, the UPC); products are never created: any item it cannot
    decide puts the whole document in the review queue. Purposes: an original changes nothing
    once the order exists, a duplicate creates the order only if it is missing, a replacement
    rewrites the draft, a cancellation cancels it. An order already confirmed in Odoo is never
    changed by a replacement or cancellation: the line fails with the reason, for a person to
    decide.
    """

    _name = "ml.connector.writer.odoo.customer_order"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo draft purchase orders from SPS customer orders"

    _document_type = "customer_order"
    _binding_kind = "customer_order"

    @api.model
    def _already_applied(self, line, order, binding, record):
        return None  # each purpose says what an order already in Odoo means for it

    @api.model
    def _trading_partner(self, line, order):
        return line.flow_id.source_backend_id._sps_partner(order.buyer.key)

    @api.model
    def _label(self, order):
        return order.number + (f" / {order.release}" if order.release else "")

    @api.model
    def _existing_order(self, line, order, record):
        """The order bound to the document, else an order of this partner that already carries its
        number (imported before the binding existed, or keyed in by hand)."""
        if record:
            return record
        source = line.flow_id.source_backend_id
        return (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("partner_ref", "=", order.number),
                    (
                        "partner_id.commercial_partner_id",
                        "=",
                        self._trading_partner(line, order).partner_id.id,
                    ),
                    ("company_id", "=", source.company_id.id),
                ],
                order="id",
                limit=1,
            )
        )

    # ------------------------------------------------------------------ purposes
    @api.model
    def _apply_original(self, line, order, record):
        existing = self._existing_order(line, order, record)
        if existing:
            return self._known(line, order, existing)
        return self._create(line, order, self._order_lines(line, order), self._order_values(line, order))

    @api.model
    def _apply_duplicate(self, line, order, record):
        return self._apply_original(line, order, record)

    @api.model
    def _apply_replacement(self, line, order, record):
        existing = self._existing_order(line, order, record)
        order_lines = self._order_lines(line, order)
        values = self._order_values(line, order)
        if not existing:
            return self._create(line, order, order_lines, values)
        partner = self._trading_partner(line, order)
        label = self._label(order)
        self._check_draft(existing, label, self.env._("replaced"))
        existing.write({**values, "order_line": [Command.clear()] + [Command.create(v) for v in order_lines]})
        existing.message_post(
            body=self.env._("Replaced by %(partner)s through SPS (850 purpose 05).", partner=partner.name)
        )
        return self._result(
            order,
            existing,
            self.env._("Order %(po)s replaced in %(order)s.", po=label, order=existing.name),
        )

    @api.model
    def _apply_cancellation(self, line, order, record):
        existing = self._existing_order(line, order, record)
        label = self._label(order)
        if not existing:
            return {
                "res_model": "purchase.order",
                "target_key": order.key,
                "state": "skipped",
                "message": self.env._(
                    "Cancellation of order %s, which never reached Odoo: nothing to cancel.", label
                ),
            }
        self._check_draft(existing, label, self.env._("cancelled"))
        if existing.state != "cancel":
            existing.button_cancel()
            existing.message_post(
                body=self.env._(
                    "Cancelled by %(partner)s through SPS (850 purpose 01).",
                    partner=self._trading_partner(line, order).name,
                )
            )
        # no "record": the binding keeps the version the order was made of
        return {
            "res_model": "purchase.order",
            "target_key": order.key,
            "res_id": existing.id,
            "message": self.env._("Order %(po)s cancelled (%(order)s).", po=label, order=existing.name),
        }

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
            "res_model": "purchase.order",
            "target_key": order.key,
            "res_id": existing.id,
            "state": "skipped",
            "message": self.env._(
                "Order %(po)s of %(partner)s is already in Odoo as %(order)s%(dup)s: nothing created.",
                po=self._label(order),
                partner=self._trading_partner(line, order).name,
                order=existing.name,
                dup=self.env._(" (duplicate 07)") if order.purpose == "duplicate" else "",
            ),
        }

    @api.model
    def _create(self, line, order, order_lines, values):
        created = self.env["purchase.order"].create(
            {**values, "order_line": [Command.create(v) for v in order_lines]}
        )
        return self._result(
            order,
            created,
            self.env._(
                "Order %(po)s of %(partner)s imported as draft %(order)s. Note: this order from a customer "
                "is kept as a request for quotation with %(partner)s as its vendor; check it before "
                "confirming.",
                po=self._label(order),
                partner=self._trading_partner(line, order).name,
                order=created.name,
            ),
        )

    @api.model
    def _result(self, order, record, message):
        return {
            "record": record,
            "res_model": "purchase.order",
            "res_id": record.id,
            "target_key": order.key,
            "message": message,
        }

    @api.model
    def _check_draft(self, existing, label, what):
        if existing.state not in ("draft", "sent", "cancel"):
            raise DocumentError(
                self.env._(
                    "Order %(po)s should be %(what)s, but %(order)s is already confirmed in Odoo: apply the "
                    "change by hand (this line keeps the partner's document).",
                    po=label,
                    what=what,
                    order=existing.name,
                )
            )

    # ------------------------------------------------------------------ the purchase order
    @api.model
    def _order_values(self, line, order):
        source = line.flow_id.source_backend_id
        partner = self._trading_partner(line, order)
        values = {
            "partner_id": partner.partner_id.id,
            "partner_ref": order.number,
            "company_id": source.company_id.id,
            "sps_partner_id": partner.id,
            "origin": self.env._("SPS %(tpid)s", tpid=partner.tpid),
        }
        if order.currency:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", order.currency)], limit=1)
            )
            if not currency:
                raise DocumentError(self.env._("Unknown currency %s.", order.currency))
            values["currency_id"] = currency.id
        if order.order_date:
            values["date_order"] = fields.Datetime.to_datetime(order.order_date)
        if order.date_planned:
            values["date_planned"] = fields.Datetime.to_datetime(order.date_planned)
        return values

    @api.model
    def _order_lines(self, line, order):
        """Purchase order line values; every unknown item goes to the review queue at once and the
        document waits for the first of them (deciding it releases the document, which then waits
        for the next one still open, if any)."""
        source = line.flow_id.source_backend_id
        partner = self._trading_partner(line, order)
        Matching = self.env["ml.connector.matching"]
        resolved, undecided = [], []
        for po_line in order.lines:
            item = po_line.item
            binding_id = f"{partner.tpid}:{item.key}"
            result = Matching._match_product(
                source,
                ProductQuery(
                    # the partner's own code is its code in the product's vendor list; VendorPartNumber
                    # is the seller's (our) number, i.e. the internal reference
                    vendor_code=item.buyer_code,
                    codes=[code for code in (item.vendor_code,) if code],
                    barcode=item.gtin,
                    name=item.description,
                    bindings={source._binding_type("item"): binding_id},
                ),
                vendor=partner.partner_id,
            )
            if not result:
                undecided.append((result, binding_id, item.key, item.description))
                continue
            resolved.append((po_line, result.record))
        if undecided:
            raise self._review_error(source, partner, order.number, undecided)
        return [self._line_values(source, po_line, product) for po_line, product in resolved]

    @api.model
    def _line_values(self, source, po_line, product):
        uom = source._sps_uom(po_line.uom_code, product, pack=po_line.pack_size)
        values = {
            "product_id": product.id,
            "product_qty": po_line.quantity,
            "product_uom_id": uom.id,
            "sps_line_number": po_line.number,
        }
        if po_line.unit_price is not None:
            values["price_unit"] = po_line.unit_price
        if po_line.item.description:
            values["name"] = po_line.item.description
        if po_line.date_planned:
            values["date_planned"] = fields.Datetime.to_datetime(po_line.date_planned)
        return values

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
            items="; ".join(error.review["external_label"] for error in errors),
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
