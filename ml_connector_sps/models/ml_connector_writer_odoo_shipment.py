from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DependencyError, DocumentError

from ..tools.values import last_attempt

# the TsetPurposeCode a purpose is said with
PURPOSE_CODES = {"original": "00", "replacement": "05", "cancellation": "01", "duplicate": "07"}


class MlConnectorWriterOdooShipment(models.AbstractModel):
    """A vendor's ship notice (SPS 856) prepares the receipt of our purchase order.

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

    _name = "ml.connector.writer.odoo.shipment"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo receipts prepared by SPS ship notices"

    _document_type = "shipment"
    _binding_kind = "shipment"
    _bind_prefix = "asn"

    @api.model
    def _already_applied(self, line, shipment, binding, picking):
        if not binding:
            return None
        if shipment.purpose in ("original", "duplicate") or binding.content_hash == line.content_hash:
            return {
                "res_model": "stock.picking",
                "res_id": picking.id if picking else False,
                "state": "skipped",
                "message": self.env._(
                    "Ship notice %(asn)s was already applied to %(picking)s: nothing changed.",
                    asn=shipment.number,
                    picking=picking.display_name if picking else "?",
                ),
            }
        raise DocumentError(
            self.env._(
                "Ship notice %(asn)s (purpose %(purpose)s) replaces or cancels one already applied to "
                "%(picking)s: check that receipt by hand.",
                asn=shipment.number,
                purpose=PURPOSE_CODES.get(shipment.purpose, shipment.purpose),
                picking=picking.display_name if picking else "?",
            )
        )

    @api.model
    def _unhandled_purpose(self, shipment):
        return DocumentError(
            self.env._(
                "Ship notice %(asn)s has purpose %(code)s, which is not handled.",
                asn=shipment.number,
                code=shipment.purpose,
            )
        )

    @api.model
    def _apply_cancellation(self, line, shipment, record):
        if not last_attempt(line):
            # the notice it cancels may come later in the listing: nothing to undo before it
            raise DependencyError(
                self.env._(
                    "Cancellation of ship notice %s, which is not applied yet: it waits for the notice.",
                    shipment.number,
                )
            )
        return {
            "state": "skipped",
            "message": self.env._(
                "Cancellation of ship notice %s, which was never applied: nothing to undo.", shipment.number
            ),
        }

    @api.model
    def _apply_replacement(self, line, shipment, record):
        return self._apply_original(line, shipment, record)

    @api.model
    def _apply_original(self, line, shipment, record):
        source = line.flow_id.source_backend_id
        partner = source._sps_partner(shipment.supplier.key)
        if not shipment.has_order_level:
            raise DocumentError(
                self.env._(
                    "Ship notice %s has no order level: only the Shipment/Order/Pack/Item layout names the "
                    "purchase orders it ships.",
                    shipment.number,
                )
            )
        shipped, notes, orders = self._shipped(source, partner, shipment)
        if not shipped:
            raise DocumentError(self.env._("Ship notice %s ships nothing.", shipment.number))
        pickings = self.env["stock.picking"]
        for move in shipped:
            pickings |= move.picking_id
        packs = self._packs_text(shipment)
        for picking in pickings:
            self._prepare_receipt(picking, shipped, shipment, notes, partner, packs)
        orders.sudo().write({"sps_last_asn": shipment.number})
        message = self.env._(
            "Ship notice %(asn)s applied to %(pickings)s%(validated)s.",
            asn=shipment.number,
            pickings=", ".join(pickings.mapped("name")),
            validated=self.env._(" and received") if partner.validate_on_asn else "",
        )
        if notes:
            message += " " + self.env._("Notes: %s.", "; ".join(notes))
        return {
            "record": pickings[:1],
            "res_model": "stock.picking",
            "res_id": pickings[:1].id,
            "message": message,
        }

    @api.model
    def _shipped(self, source, partner, shipment):
        """``({move: [(quantity in the move's unit, lot)…]}, notes, orders)`` of the notice."""
        shipped, notes, orders = {}, [], self.env["purchase.order"]
        label = self.env._("Ship notice %s", shipment.number)
        for shipment_order in shipment.orders:
            order = source._sps_required_order(partner, shipment_order.po.number, label)
            orders |= order
            for shipment_line in shipment_order.lines:
                if not shipment_line.quantity:
                    continue
                move = self._move(order, shipment_line, shipment.number)
                uom = source._sps_uom(
                    shipment_line.uom, move.product_id, hint=move.purchase_line_id.product_uom_id
                )
                quantity = uom._compute_quantity(
                    shipment_line.quantity, move.product_uom, rounding_method="HALF-UP"
                )
                shipped.setdefault(move, []).append((quantity, shipment_line.lot))
                if shipment_line.lot and move.product_id.tracking == "none":
                    notes.append(
                        self.env._(
                            "lot %(lot)s of %(product)s not recorded (not lot-tracked)",
                            lot=shipment_line.lot,
                            product=move.product_id.display_name,
                        )
                    )
        return shipped, notes, orders

    @api.model
    def _move(self, order, shipment_line, shipment_id):
        """The open incoming move of the order line ``shipment_line`` talks about."""
        order_line = order._sps_order_line(shipment_line.po_line, shipment_line.item)
        what = shipment_line.po_line or shipment_line.item.vendor_code or shipment_line.item.buyer_code or "?"
        if not order_line:
            raise DocumentError(
                self.env._(
                    "%(doc)s: line %(line)s is not on purchase order %(po)s.",
                    doc=shipment_id,
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
                    doc=shipment_id,
                    line=what,
                    po=order.name,
                    product=order_line.product_id.display_name,
                )
            )
        return moves.sorted("id")[0]

    @api.model
    def _packs_text(self, shipment):
        """'ASN-1: pallet 0001…94 (cartons 0001…18, 0001…25); carton 0001…32': the packs of a notice."""
        pallets, loose = {}, []
        for shipment_order in shipment.orders:
            for shipment_line in shipment_order.lines:
                if shipment_line.tare:
                    cartons = pallets.setdefault(shipment_line.tare, [])
                    if shipment_line.pack not in cartons:
                        cartons.append(shipment_line.pack)
                elif (
                    shipment_line.pack
                    and shipment_line.pack not in loose
                    and shipment_line.pack not in pallets
                ):
                    loose.append(shipment_line.pack)
        parts = [
            self.env._("pallet %(pallet)s (cartons %(cartons)s)", pallet=pallet, cartons=", ".join(cartons))
            for pallet, cartons in pallets.items()
        ] + [self.env._("carton %s", carton) for carton in loose]
        return f"{shipment.number}: " + "; ".join(parts) if parts else ""

    @api.model
    def _prepare_receipt(self, picking, shipped, shipment, notes, partner, packs=""):
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
                "sps_asn_ref": ", ".join([*refs, shipment.number]),
                "sps_bol": shipment.bill_of_lading or picking.sps_bol,
                "sps_ship_date": shipment.date or picking.sps_ship_date,
                "sps_packs": "\n".join(filter(None, [picking.sps_packs, packs])) or False,
            }
        )
        body = self.env._(
            "Ship notice %(asn)s from %(partner)s: shipped quantities set%(bol)s.",
            asn=shipment.number,
            partner=partner.name,
            bol=self.env._(" (bill of lading %s)", shipment.bill_of_lading)
            if shipment.bill_of_lading
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
