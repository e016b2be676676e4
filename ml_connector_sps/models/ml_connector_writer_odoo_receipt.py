from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DependencyError, DocumentError

from ..tools.values import last_attempt

RECEIVED = ("good", "over")
NOT_IN_STOCK = ("damaged", "on_hold")  # physically there but not usable: counted as damaged or held


class MlConnectorWriterOdooReceipt(models.AbstractModel):
    """A warehouse's receipt of a shipment (SPS 944) validates the Odoo receipt.

    The receipt is the one the ship notice prepared, else the open receipt of the purchase
    order. Quantities received in good condition (or over) are received, with the warehouse
    lots; damaged or held quantities are not taken into stock but recorded on the move and
    noted on the receipt; short and wrong-product quantities are simply not received. The
    receipt is then validated and what was not received waits in a backorder (so a damaged
    case stays expected until the vendor replaces or credits it). One receipt per warehouse
    receipt.
    """

    _name = "ml.connector.writer.odoo.receipt"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo receipts validated by SPS warehouse receipts"

    _document_type = "receipt"
    _binding_kind = "receipt"
    _bind_prefix = "receipt"

    @api.model
    def _already_applied(self, line, receipt, binding, picking):
        if not binding:
            return None
        return {
            "res_model": "stock.picking",
            "res_id": picking.id if picking else False,
            "state": "skipped",
            "message": self.env._(
                "Warehouse receipt %(id)s was already applied to %(picking)s: nothing changed.",
                id=receipt.number,
                picking=picking.display_name if picking else "?",
            ),
        }

    @api.model
    def _apply_original(self, line, receipt, record):
        source = line.flow_id.source_backend_id
        partner = source._sps_partner(receipt.supplier.key)
        picking = self._receipt(source, partner, receipt, wait=not last_attempt(line))
        order = picking.purchase_id
        received, damaged, notes = self._received(source, picking, order, receipt)
        for move, qty in damaged.items():
            move.sps_damaged_qty += qty
        picking._sps_set_quantities(received)
        note = self.env._(
            "Warehouse receipt %(id)s: %(notes)s",
            id=receipt.number,
            notes="; ".join(notes) or self.env._("all in good condition"),
        )
        picking.write(
            {
                "sps_receipt_ref": ", ".join(filter(None, [picking.sps_receipt_ref, receipt.number])),
                "sps_receipt_note": "\n".join(filter(None, [picking.sps_receipt_note, note])),
            }
        )
        if received:
            backorders = picking._sps_validate()
            outcome = (
                self.env._("received; the rest waits in %s", ", ".join(backorders.mapped("name")))
                if backorders
                else self.env._("received in full")
            )
        else:
            outcome = self.env._("nothing received in good condition, the receipt stays open")
        message = self.env._(
            "%(note)s. %(picking)s %(outcome)s.", note=note, picking=picking.name, outcome=outcome
        )
        picking.message_post(body=message)
        if order:
            order.message_post(body=message)
        return {"record": picking, "res_model": "stock.picking", "res_id": picking.id, "message": message}

    @api.model
    def _received(self, source, picking, order, receipt):
        """``(received, damaged, notes)``: ``{move: [(quantity, lot)…]}`` taken into stock,
        ``{move: quantity}`` damaged or held, and what was not received."""
        received, damaged, notes = {}, {}, []
        for receipt_line in receipt.lines:
            move = self._move_of(picking, order, receipt_line, receipt.number)
            qty = receipt_line.quantity
            if not qty:
                continue
            uom = source._sps_uom(
                receipt_line.uom, move.product_id, hint=move.purchase_line_id.product_uom_id
            )
            move_qty = uom._compute_quantity(qty, move.product_uom, rounding_method="HALF-UP")
            if receipt_line.condition in RECEIVED:
                received.setdefault(move, []).append((move_qty, receipt_line.lot))
                continue
            if receipt_line.condition in NOT_IN_STOCK:
                damaged[move] = damaged.get(move, 0.0) + move_qty
            notes.append(
                self.env._(
                    "%(product)s: %(qty)s %(uom)s %(condition)s%(reason)s, not received",
                    product=move.product_id.display_name,
                    qty=f"{qty:g}",
                    uom=receipt_line.uom,
                    condition=receipt_line.condition.replace("_", " "),
                    reason=f" ({receipt_line.reason})" if receipt_line.reason else "",
                )
            )
        return received, damaged, notes

    @api.model
    def _receipt(self, source, partner, receipt, wait=True):
        """The Odoo receipt this warehouse receipt confirms: the one its ship notice prepared (while
        ``wait``, it waits for a notice not applied yet), else the open receipt of its order."""
        if receipt.shipment:
            asn = self.env["ml.connector.binding"]._find(
                source, source._binding_type("shipment"), external_id=f"{partner.tpid}:{receipt.shipment}"
            )
            picking = asn._record() if asn else None
            if picking:
                if picking.state in ("done", "cancel"):
                    raise DocumentError(
                        self.env._(
                            "Warehouse receipt %(id)s confirms ship notice %(asn)s, but its receipt "
                            "%(picking)s is already %(state)s.",
                            id=receipt.number,
                            asn=receipt.shipment,
                            picking=picking.name,
                            state=dict(picking._fields["state"].selection)[picking.state].lower(),
                        )
                    )
                return picking
            if partner.receive_856 and wait:
                raise DependencyError(
                    self.env._(
                        "Warehouse receipt %(id)s confirms ship notice %(asn)s, which is not applied yet: it "
                        "waits for the notice (on its last attempt it validates the order's open receipt).",
                        id=receipt.number,
                        asn=receipt.shipment,
                    )
                )
        order = source._sps_required_order(
            partner, receipt.po.number, self.env._("Warehouse receipt %s", receipt.number)
        )
        pickings = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming" and p.state not in ("done", "cancel")
        )
        if not pickings:
            raise DocumentError(
                self.env._(
                    "Warehouse receipt %(id)s: purchase order %(po)s has no receipt left to validate.",
                    id=receipt.number,
                    po=order.name,
                )
            )
        return pickings.sorted("id")[0]

    @api.model
    def _move_of(self, picking, order, receipt_line, receipt_id):
        what = receipt_line.po_line or receipt_line.item.vendor_code or "?"
        order_line = order._sps_order_line(receipt_line.po_line, receipt_line.item) if order else None
        moves = picking.move_ids.filtered(
            lambda m: (
                m.state not in ("done", "cancel") and (not order_line or m.purchase_line_id == order_line)
            )
        )
        if not order_line or not moves:
            raise DocumentError(
                self.env._(
                    "Warehouse receipt %(id)s: line %(line)s matches nothing left to receive on %(picking)s.",
                    id=receipt_id,
                    line=what,
                    picking=picking.name,
                )
            )
        return moves.sorted("id")[0]
