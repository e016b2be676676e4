from odoo import Command, api, fields, models

from odoo.addons.ml_connector.models.ml_connector_matching import ProductQuery
from odoo.addons.ml_connector.tools.errors import DocumentError, NeedsReviewError
from odoo.addons.ml_connector.tools.text import bounded_key, shorten

from ..tools import rsx

# Dates of an 850 that say when the goods are wanted, best first: requested delivery, requested ship.
WANTED_DATES = ("002", "010", "037", "068")


class MlConnectorHandlerSpsOrderIn(models.AbstractModel):
    """850 in: orders of trading partners become draft purchase orders keyed to the partner.

    Keyed to the partner through its TPID; one order per (TPID, PurchaseOrderNumber,
    ReleaseNumber), the partner's number kept as the order's vendor reference. Items are found
    by the matching engine (the partner's own item code, our internal reference, the UPC);
    products are never created: any item it cannot decide puts the whole document in the
    review queue. Purposes: 00/06 original (a second one changes nothing), 07 duplicate
    (creates the order only if it is missing), 05 replacement (rewrites the draft), 01
    cancellation (cancels the draft). An order already confirmed in Odoo is never changed by
    a replacement or cancellation: the line fails with the reason, for a person to decide.
    """

    _name = "ml.connector.handler.sps.order.in"
    _inherit = "ml.connector.handler.sps.inbound"
    _description = "SPS flow: orders in (850)"
    _flow_label = "SPS: orders from trading partners (850)"
    _document_type = "sps_850_in"
    _default_sequence = 30
    _sps_code = "850"
    _sps_flag = "receive_850"

    @api.model
    def _document_key(self, doc, code, tpid, identifier):
        release = rsx.header(doc, code).get("ReleaseNumber")
        return f"{code}:{tpid}:{identifier}" + (f":{release}" if release else "")

    @api.model
    def _apply(self, line, doc, partner):
        backend = line.backend_id
        head = rsx.header(doc, "850")
        po_number = head["PurchaseOrderNumber"]
        release = head.get("ReleaseNumber") or ""
        purpose = head.get("TsetPurposeCode") or "00"
        external_id = f"{partner.tpid}:{po_number}:{release}"
        Binding = self.env["ml.connector.binding"]
        binding = Binding._find(backend, "sps_order_in", external_id=external_id)
        order = (binding._record() if binding else None) or self._existing_order(backend, partner, po_number)
        label = po_number + (f" / {release}" if release else "")
        result = {"res_model": "purchase.order", "target_key": external_id}

        if purpose in ("00", "06", "07") and order:
            result.update(
                res_id=order.id,
                state="skipped",
                message=self.env._(
                    "Order %(po)s of %(partner)s is already in Odoo as %(order)s%(dup)s: nothing created.",
                    po=label,
                    partner=partner.name,
                    order=order.name,
                    dup=self.env._(" (duplicate 07)") if purpose == "07" else "",
                ),
            )
            Binding._bind(backend, "sps_order_in", external_id, record=order, external_key=po_number)
            return result
        if purpose == "01":
            if not order:
                result.update(
                    state="skipped",
                    message=self.env._(
                        "Cancellation of order %s, which never reached Odoo: nothing to cancel.", label
                    ),
                )
                return result
            self._check_draft(order, label, self.env._("cancelled"))
            if order.state != "cancel":
                order.button_cancel()
                order.message_post(
                    body=self.env._(
                        "Cancelled by %(partner)s through SPS (850 purpose 01).", partner=partner.name
                    )
                )
            result.update(
                res_id=order.id,
                message=self.env._("Order %(po)s cancelled (%(order)s).", po=label, order=order.name),
            )
            return result
        if purpose not in ("00", "05", "06", "07"):
            raise DocumentError(
                self.env._(
                    "Order %(po)s has purpose code %(code)s, which is not handled.", po=label, code=purpose
                )
            )

        order_lines = self._order_lines(backend, partner, doc, po_number)
        values = self._order_values(backend, partner, doc, order_lines)
        if order:  # 05 replacement of an order we have
            self._check_draft(order, label, self.env._("replaced"))
            order.write(
                {**values, "order_line": [Command.clear()] + [Command.create(v) for v in order_lines]}
            )
            order.message_post(
                body=self.env._("Replaced by %(partner)s through SPS (850 purpose 05).", partner=partner.name)
            )
            message = self.env._("Order %(po)s replaced in %(order)s.", po=label, order=order.name)
        else:
            order = self.env["purchase.order"].create(
                {**values, "order_line": [Command.create(v) for v in order_lines]}
            )
            message = self.env._(
                "Order %(po)s of %(partner)s imported as draft %(order)s.",
                po=label,
                partner=partner.name,
                order=order.name,
            )
        Binding._bind(
            backend,
            "sps_order_in",
            external_id,
            record=order,
            content_hash=line.content_hash,
            external_key=po_number,
        )
        result.update(res_id=order.id, message=message)
        return result

    @api.model
    def _existing_order(self, backend, partner, po_number):
        """An order of this partner that already carries its PO number (imported before the binding
        existed, or keyed in by hand)."""
        return (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("partner_ref", "=", po_number),
                    ("partner_id.commercial_partner_id", "=", partner.partner_id.id),
                    ("company_id", "=", backend.company_id.id),
                ],
                order="id",
                limit=1,
            )
        )

    @api.model
    def _check_draft(self, order, label, what):
        if order.state not in ("draft", "sent", "cancel"):
            raise DocumentError(
                self.env._(
                    "Order %(po)s should be %(what)s, but %(order)s is already confirmed in Odoo: apply the "
                    "change by hand (this line keeps the partner's document).",
                    po=label,
                    what=what,
                    order=order.name,
                )
            )

    @api.model
    def _order_values(self, backend, partner, doc, order_lines):
        head = rsx.header(doc, "850")
        values = {
            "partner_id": partner.partner_id.id,
            "partner_ref": head["PurchaseOrderNumber"],
            "company_id": backend.company_id.id,
            "sps_partner_id": partner.id,
            "origin": self.env._("SPS %(tpid)s", tpid=partner.tpid),
        }
        currency = head.get("BuyersCurrency")
        if currency:
            found = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency)], limit=1)
            )
            if not found:
                raise DocumentError(self.env._("Unknown currency %s.", currency))
            values["currency_id"] = found.id
        if head.get("PurchaseOrderDate"):
            values["date_order"] = fields.Datetime.to_datetime(head["PurchaseOrderDate"])
        wanted = self._wanted_date(doc.get("Header", {}).get("Dates"))
        if wanted:
            values["date_planned"] = wanted
        return values

    @api.model
    def _wanted_date(self, dates):
        by_qualifier = {d.get("DateTimeQualifier"): d.get("Date") for d in dates or [] if d.get("Date")}
        for qualifier in WANTED_DATES:
            if by_qualifier.get(qualifier):
                return fields.Datetime.to_datetime(by_qualifier[qualifier])
        return None

    @api.model
    def _order_lines(self, backend, partner, doc, po_number):
        """Purchase order line values; every unknown item goes to the review queue at once and the
        document waits for the first of them (deciding it releases the document, which then waits
        for the next one still open, if any)."""
        Matching = self.env["ml.connector.matching"]
        resolved, undecided, sequences = [], [], set()
        vendor = partner.partner_id
        for index, item in enumerate(doc.get("LineItem") or [], start=1):
            order_line = item.get("OrderLine") or {}
            qty = order_line.get("OrderQty")
            if not rsx.is_number(qty) or qty <= 0:
                raise DocumentError(
                    self.env._(
                        "Order %(po)s line %(n)s: the quantity must be a positive number, got %(qty)s.",
                        po=po_number,
                        n=index,
                        qty=qty if qty is not None else self.env._("none"),
                    )
                )
            price = order_line.get("PurchasePrice")
            if rsx.is_number(price) and price < 0:
                raise DocumentError(
                    self.env._(
                        "Order %(po)s line %(n)s has a negative unit price (%(price)s).",
                        po=po_number,
                        n=index,
                        price=price,
                    )
                )
            # the line number stays the line's identity on later acknowledgements and ship notices
            sequence = str(order_line.get("LineSequenceNumber") or index)
            if sequence in sequences:
                raise DocumentError(
                    self.env._(
                        "Order %(po)s has LineSequenceNumber %(seq)s twice: each line needs its own number.",
                        po=po_number,
                        seq=sequence,
                    )
                )
            sequences.add(sequence)
            description = self._item_description(item)
            item_code = (
                order_line.get("BuyerPartNumber")
                or order_line.get("VendorPartNumber")
                or order_line.get("ConsumerPackageCode")
                # a description standing for the item is a key too: bounded for its index
                or bounded_key(description)
            )
            binding_id = f"{partner.tpid}:{item_code}"
            result = Matching._match_product(
                backend,
                ProductQuery(
                    # the partner's own code is its code in the product's vendor list; VendorPartNumber
                    # is the seller's (our) number, i.e. the internal reference
                    vendor_code=order_line.get("BuyerPartNumber") or "",
                    codes=[code for code in (order_line.get("VendorPartNumber"),) if code],
                    barcode=order_line.get("ConsumerPackageCode") or order_line.get("GTIN") or "",
                    name=description,
                    bindings={"sps_item": binding_id},
                ),
                vendor=vendor,
            )
            if not result:
                undecided.append((result, binding_id, item_code, description))
                continue
            resolved.append((index, item, order_line, result.record, description))
        if undecided:
            raise self._review_error(backend, partner, po_number, undecided)
        values = []
        for index, item, order_line, product, description in resolved:
            pack = self._pack(item, order_line)
            uom = self._uom(backend, order_line.get("OrderQtyUOM"), product, pack=pack)
            price = order_line.get("PurchasePrice")
            line_values = {
                "product_id": product.id,
                "product_qty": order_line["OrderQty"],
                "product_uom_id": uom.id,
                "sps_line_number": str(order_line.get("LineSequenceNumber") or index),
            }
            if rsx.is_number(price):
                line_values["price_unit"] = price
            if description:
                line_values["name"] = description
            wanted = self._wanted_date(item.get("Dates"))
            if wanted:
                line_values["date_planned"] = wanted
            values.append(line_values)
        if not values:
            raise DocumentError(self.env._("Order %s has no lines.", po_number))
        return values

    @api.model
    def _review_error(self, backend, partner, po_number, undecided):
        """NeedsReviewError for the first undecided item; the others are opened in the queue too."""
        errors = [
            result.review_error(
                binding_type="sps_item",
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
        return NeedsReviewError(
            summary,
            blocking_key=errors[0].blocking_key,
            review=errors[0].review,
            after_rollback=[lambda other=other: self._open_review(backend, other) for other in errors[1:]],
        )

    @api.model
    def _open_review(self, backend, error):
        """Open a review for an item that the document will wait for later (no line attached yet)."""
        Review = self.env["ml.connector.review"].sudo()
        spec = error.review
        if Review.search_count(
            [
                ("backend_id", "=", backend.id),
                ("binding_type", "=", spec["binding_type"]),
                ("external_id", "=", spec["external_id"]),
                ("state", "=", "open"),
            ]
        ):
            return
        Review.create(
            {
                "name": spec["name"],
                "backend_id": backend.id,
                "kind": spec["kind"],
                "binding_type": spec["binding_type"],
                "external_id": spec["external_id"],
                "external_key": spec.get("external_key"),
                "external_label": spec.get("external_label"),
                "reason": str(error),
                "res_model": spec["res_model"],
                "candidate_ids": [
                    Command.create(
                        {
                            "record_ref": f"{c.record._name},{c.record.id}",
                            "score": c.score,
                            "rule": c.rule,
                            "explanation": c.explanation,
                        }
                    )
                    for c in spec.get("candidates", [])
                ],
            }
        )

    @api.model
    def _item_description(self, item):
        for entry in item.get("ProductOrItemDescription") or []:
            if entry.get("ProductDescription"):
                return entry["ProductDescription"]
        return ""

    @api.model
    def _pack(self, item, order_line):
        """Items per case when the line is ordered in packs (PhysicalDetails PackValue)."""
        for details in item.get("PhysicalDetails") or []:
            pack = details.get("PackValue")
            if (
                rsx.is_number(pack)
                and pack > 1
                and (details.get("PackUOM") or "EA") != order_line.get("OrderQtyUOM")
            ):
                return pack
        return None
