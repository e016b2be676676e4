from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx

RECEIVED = ("07", "03")  # good, over
CONDITIONS = {
    "01": "damaged",
    "02": "short",
    "03": "over",
    "05": "wrong product",
    "07": "good",
    "09": "on hold",
}
NOT_IN_STOCK = ("01", "09")  # physically there but not usable: counted as damaged or held


class MlConnectorHandlerSpsReceiptIn(models.AbstractModel):
    """944 in: the warehouse's receipt of a shipment validates the Odoo receipt.

    The receipt is the one the ship notice (ShipmentIdentification) prepared, else the open
    receipt of the purchase order (DepositorOrderNumber). Quantities received in good
    condition (07, or 03 over) are received, with the warehouse lots; damaged (01) or held
    (09) quantities are not taken into stock but recorded on the move and noted on the
    receipt; short (02) and wrong-product (05) quantities are simply not received. The
    receipt is then validated and what was not received waits in a backorder (so a damaged
    case stays expected until the vendor replaces or credits it). One receipt per
    WarehouseReceiptId.
    """

    _name = "ml.connector.handler.sps.receipt.in"
    _inherit = "ml.connector.handler.sps.inbound"
    _description = "SPS flow: warehouse receipts in (944)"
    _flow_label = "SPS: warehouse receipts (944)"
    _document_type = "sps_944_in"
    _default_sequence = 60
    _sps_code = "944"
    _sps_flag = "receive_944"

    @api.model
    def _apply(self, line, doc, partner):
        backend = line.backend_id
        head = rsx.header(doc, "944")
        receipt_id = head["WarehouseReceiptId"]
        external_id = f"{partner.tpid}:{receipt_id}"
        Binding = self.env["ml.connector.binding"]
        binding = Binding._find(backend, "sps_receipt", external_id=external_id)
        if binding:
            picking = binding._record()
            return {
                "res_model": "stock.picking",
                "res_id": picking.id if picking else False,
                "state": "skipped",
                "message": self.env._(
                    "Warehouse receipt %(id)s was already applied to %(picking)s: nothing changed.",
                    id=receipt_id,
                    picking=picking.display_name if picking else "?",
                ),
            }
        picking = self._receipt(backend, partner, head)
        order = picking.purchase_id
        received, damaged, notes = {}, {}, []
        for item in self._line_items(doc):
            detail = item.get("ItemDetail") or {}
            move = self._move_of(picking, order, detail, receipt_id)
            responses = item.get("DetailResponse") or [
                {
                    "Qty": detail.get("ShipQty"),
                    "QtyUOM": detail.get("ShipQtyUOM"),
                    "ReceivingConditionCode": "07",
                }
            ]
            for response in responses:
                qty = response.get("Qty")
                if not rsx.is_number(qty) or qty < 0:
                    raise DocumentError(
                        self.env._(
                            "Warehouse receipt %(id)s: a received quantity must be a number of at least 0, "
                            "got %(qty)s.",
                            id=receipt_id,
                            qty=qty if qty is not None else self.env._("none"),
                        )
                    )
                if not qty:
                    continue
                code = response.get("QtyUOM") or detail.get("ShipQtyUOM")
                uom = self._uom(backend, code, move.product_id, hint=move.purchase_line_id.product_uom_id)
                move_qty = self._to_move_uom(qty, uom, move)
                condition = response.get("ReceivingConditionCode") or "07"
                lot = response.get("WarehouseLotID") or detail.get("WarehouseLotID") or ""
                if condition in RECEIVED:
                    received.setdefault(move, []).append((move_qty, lot))
                    continue
                if condition in NOT_IN_STOCK:
                    damaged[move] = damaged.get(move, 0.0) + move_qty
                reason = response.get("DamageReasonCode")
                notes.append(
                    self.env._(
                        "%(product)s: %(qty)s %(uom)s %(condition)s%(reason)s, not received",
                        product=move.product_id.display_name,
                        qty=f"{qty:g}",
                        uom=code or "",
                        condition=CONDITIONS.get(condition, condition),
                        reason=f" ({reason})" if reason else "",
                    )
                )
        for move, qty in damaged.items():
            move.sps_damaged_qty += qty
        picking._sps_set_quantities(received)
        note = self.env._(
            "Warehouse receipt %(id)s: %(notes)s",
            id=receipt_id,
            notes="; ".join(notes) or self.env._("all in good condition"),
        )
        picking.write(
            {
                "sps_receipt_ref": ", ".join(filter(None, [picking.sps_receipt_ref, receipt_id])),
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
        Binding._bind(
            backend,
            "sps_receipt",
            external_id,
            local_ref=f"receipt:{external_id}",
            res_model="stock.picking",
            res_id=picking.id,
            content_hash=line.content_hash,
            external_key=receipt_id,
        )
        return {"res_model": "stock.picking", "res_id": picking.id, "message": message}

    @api.model
    def _receipt(self, backend, partner, head):
        """The Odoo receipt this warehouse receipt confirms."""
        shipment_id = head.get("ShipmentIdentification")
        if shipment_id:
            asn = self.env["ml.connector.binding"]._find(
                backend, "sps_asn", external_id=f"{partner.tpid}:{shipment_id}"
            )
            picking = asn._record() if asn else None
            if picking:
                if picking.state in ("done", "cancel"):
                    raise DocumentError(
                        self.env._(
                            "Warehouse receipt %(id)s confirms ship notice %(asn)s, but its receipt "
                            "%(picking)s is already %(state)s.",
                            id=head["WarehouseReceiptId"],
                            asn=shipment_id,
                            picking=picking.name,
                            state=dict(picking._fields["state"].selection)[picking.state].lower(),
                        )
                    )
                return picking
        po_number = head.get("DepositorOrderNumber")
        order = self._require_order(
            backend, partner, po_number, self.env._("Warehouse receipt %s", head["WarehouseReceiptId"])
        )
        pickings = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming" and p.state not in ("done", "cancel")
        )
        if not pickings:
            raise DocumentError(
                self.env._(
                    "Warehouse receipt %(id)s: purchase order %(po)s has no receipt left to validate.",
                    id=head["WarehouseReceiptId"],
                    po=order.name,
                )
            )
        return pickings.sorted("id")[0]

    @api.model
    def _line_items(self, doc):
        level = doc.get("OrderLevel") or {}
        yield from level.get("LineItem") or []
        for pack in level.get("OrderPack") or []:
            yield from pack.get("LineItem") or []

    @api.model
    def _move_of(self, picking, order, detail, receipt_id):
        what = detail.get("LineSequenceNumber") or detail.get("VendorPartNumber") or "?"
        order_line = self._order_line(order, detail) if order else None
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
