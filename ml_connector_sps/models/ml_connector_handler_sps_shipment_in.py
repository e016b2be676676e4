from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx

LOT_QUALIFIERS = ("LT",)  # ReferenceQual of a lot number on an item (the simulator's choice, INFERRED)


class MlConnectorHandlerSpsShipmentIn(models.AbstractModel):
    """856 in: a vendor's ship notice prepares the receipt of our purchase order.

    Each shipped line sets the quantity of the matching move of the order's open receipt
    (converted to the move's unit, with lots when the notice carries them): the receipt shows
    what is on its way and is left ready, not validated; the warehouse receipt (944), or a
    person at the dock, validates it. A first notice replaces the quantities Odoo pre-fills
    with what was shipped; further notices for the same receipt add to it. Trading partners
    that send no 944 can have the notice validate the receipt at once ('Receive on ship
    notice'), the rest going to a backorder. A notice is applied once (per
    ShipmentIdentification); a replacement or cancellation of a notice already applied is left
    to a person, who sees both on the receipt.
    """

    _name = "ml.connector.handler.sps.shipment.in"
    _inherit = "ml.connector.handler.sps.inbound"
    _description = "SPS flow: ship notices in (856)"
    _flow_label = "SPS: ship notices from vendors (856)"
    _document_type = "sps_856_in"
    _default_sequence = 50
    _sps_code = "856"
    _sps_flag = "receive_856"

    @api.model
    def _apply(self, line, doc, partner):
        backend = line.backend_id
        head = rsx.header(doc, "856")
        shipment_id = head["ShipmentIdentification"]
        purpose = head.get("TsetPurposeCode") or "00"
        external_id = f"{partner.tpid}:{shipment_id}"
        Binding = self.env["ml.connector.binding"]
        binding = Binding._find(backend, "sps_asn", external_id=external_id)
        if binding:
            picking = binding._record()
            if purpose in ("00", "06", "07") or binding.content_hash == line.content_hash:
                return {
                    "res_model": "stock.picking",
                    "res_id": picking.id if picking else False,
                    "state": "skipped",
                    "message": self.env._(
                        "Ship notice %(asn)s was already applied to %(picking)s: nothing changed.",
                        asn=shipment_id,
                        picking=picking.display_name if picking else "?",
                    ),
                }
            raise DocumentError(
                self.env._(
                    "Ship notice %(asn)s (purpose %(purpose)s) replaces or cancels one already applied to "
                    "%(picking)s: check that receipt by hand.",
                    asn=shipment_id,
                    purpose=purpose,
                    picking=picking.display_name if picking else "?",
                )
            )
        if purpose == "01":
            return {
                "state": "skipped",
                "message": self.env._(
                    "Cancellation of ship notice %s, which was never applied: nothing to undo.", shipment_id
                ),
            }
        if purpose not in ("00", "05", "06", "07"):
            raise DocumentError(
                self.env._(
                    "Ship notice %(asn)s has purpose %(code)s, which is not handled.",
                    asn=shipment_id,
                    code=purpose,
                )
            )
        if not doc.get("OrderLevel"):
            raise DocumentError(
                self.env._(
                    "Ship notice %s has no order level: only the Shipment/Order/Pack/Item layout names the "
                    "purchase orders it ships.",
                    shipment_id,
                )
            )

        shipped, notes, orders = {}, [], self.env["purchase.order"]
        for order_level in doc["OrderLevel"]:
            po_number = (order_level.get("OrderHeader") or {}).get("PurchaseOrderNumber")
            order = self._require_order(
                backend, partner, po_number, self.env._("Ship notice %s", shipment_id)
            )
            orders |= order
            for shipment_line, lot in self._items(order_level):
                qty = shipment_line.get("ShipQty")
                if not rsx.is_number(qty) or qty < 0:
                    raise DocumentError(
                        self.env._(
                            "Ship notice %(asn)s: a shipped quantity must be a number of at least 0, "
                            "got %(qty)s.",
                            asn=shipment_id,
                            qty=qty if qty is not None else self.env._("none"),
                        )
                    )
                if not qty:
                    continue
                move = self._move(order, shipment_line, shipment_id)
                uom = self._uom(
                    backend,
                    shipment_line.get("ShipQtyUOM"),
                    move.product_id,
                    hint=move.purchase_line_id.product_uom_id,
                )
                shipped.setdefault(move, []).append((self._to_move_uom(qty, uom, move), lot or ""))
                if lot and move.product_id.tracking == "none":
                    notes.append(
                        self.env._(
                            "lot %(lot)s of %(product)s not recorded (not lot-tracked)",
                            lot=lot,
                            product=move.product_id.display_name,
                        )
                    )
        if not shipped:
            raise DocumentError(self.env._("Ship notice %s ships nothing.", shipment_id))

        pickings = self.env["stock.picking"]
        for move in shipped:
            pickings |= move.picking_id
        for picking in pickings:
            self._prepare_receipt(picking, shipped, head, shipment_id, notes, partner)
        orders.sudo().write({"sps_last_asn": shipment_id})
        Binding._bind(
            backend,
            "sps_asn",
            external_id,
            local_ref=f"asn:{external_id}",
            res_model="stock.picking",
            res_id=pickings[:1].id,
            content_hash=line.content_hash,
            external_key=shipment_id,
        )
        message = self.env._(
            "Ship notice %(asn)s applied to %(pickings)s%(validated)s.",
            asn=shipment_id,
            pickings=", ".join(pickings.mapped("name")),
            validated=self.env._(" and received") if partner.validate_on_asn else "",
        )
        if notes:
            message += " " + self.env._("Notes: %s.", "; ".join(notes))
        return {"res_model": "stock.picking", "res_id": pickings[:1].id, "message": message}

    @api.model
    def _items(self, order_level):
        """``(ShipmentLine, lot)`` of every item under an order level, through nested packs."""

        def lot_of(item_level):
            for reference in item_level.get("References") or []:
                if reference.get("ReferenceQual") in LOT_QUALIFIERS and reference.get("ReferenceID"):
                    return reference["ReferenceID"]
            return ""

        def walk(level):
            for item_level in level.get("ItemLevel") or []:
                if isinstance(item_level.get("ShipmentLine"), dict):
                    yield item_level["ShipmentLine"], lot_of(item_level)
            for pack in level.get("PackLevel") or []:
                yield from walk(pack)

        yield from walk(order_level)

    @api.model
    def _move(self, order, item, document_label):
        """The open incoming move of the order line ``item`` talks about."""
        order_line = self._order_line(order, item)
        what = (
            item.get("LineSequenceNumber")
            or item.get("VendorPartNumber")
            or item.get("BuyerPartNumber")
            or "?"
        )
        if not order_line:
            raise DocumentError(
                self.env._(
                    "%(doc)s: line %(line)s is not on purchase order %(po)s.",
                    doc=document_label,
                    line=what,
                    po=order.name,
                )
            )
        moves = order_line.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel") and move.picking_code == "incoming"
        )
        if not moves:
            raise DocumentError(
                self.env._(
                    "%(doc)s: nothing is left to receive for line %(line)s of %(po)s (%(product)s).",
                    doc=document_label,
                    line=what,
                    po=order.name,
                    product=order_line.product_id.display_name,
                )
            )
        return moves.sorted("id")[0]

    @api.model
    def _prepare_receipt(self, picking, shipped, head, shipment_id, notes, partner):
        first_notice = not picking.sps_asn_ref
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            entries = []
            if not first_notice:  # what earlier notices announced stays
                entries += [
                    (
                        ml.product_uom_id._compute_quantity(ml.quantity, move.product_uom),
                        ml.lot_name or ml.lot_id.name or "",
                    )
                    for ml in move.move_line_ids
                ]
            new = shipped.get(move, [])
            entries += new
            quantities[move] = entries
            if new:
                move.sps_asn_qty += sum(qty for qty, _lot in new)
        picking._sps_set_quantities(quantities)
        refs = [ref for ref in (picking.sps_asn_ref or "").split(", ") if ref]
        picking.write(
            {
                "sps_asn_ref": ", ".join([*refs, shipment_id]),
                "sps_bol": head.get("BillOfLadingNumber") or picking.sps_bol,
                "sps_ship_date": head.get("ShipDate") or picking.sps_ship_date,
            }
        )
        body = self.env._(
            "Ship notice %(asn)s from %(partner)s: shipped quantities set%(bol)s.",
            asn=shipment_id,
            partner=partner.name,
            bol=self.env._(" (bill of lading %s)", head["BillOfLadingNumber"])
            if head.get("BillOfLadingNumber")
            else "",
        )
        if notes:
            body += " " + "; ".join(notes)
        picking.message_post(body=body)
        if partner.validate_on_asn:
            backorders = picking._sps_validate()
            if backorders:
                picking.message_post(
                    body=self.env._(
                        "Received as shipped; the rest waits in %s.", ", ".join(backorders.mapped("name"))
                    )
                )
