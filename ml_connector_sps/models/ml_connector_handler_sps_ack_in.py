from odoo import api, fields, models

from ..tools import rsx

# ItemStatusCode (RSX 7.7) -> what it means for the line.
ITEM_STATUS = {
    **dict.fromkeys(("IA", "AA", "AC", "AR"), "accepted"),
    **dict.fromkeys(("IC", "IQ", "IP", "DR", "IS", "UM", "IE", "IF", "SP"), "changed"),
    **dict.fromkeys(("IB", "BP"), "backordered"),
    **dict.fromkeys(("IH",), "hold"),
    **dict.fromkeys(("IR", "R1", "R2", "R3", "R4", "R7", "ROS", "IW"), "rejected"),
    **dict.fromkeys(("CC", "ID"), "cancelled"),
}
# A line with several entries (e.g. IQ 4 + IB 1) takes the most telling status.
LINE_PRIORITY = ("rejected", "cancelled", "backordered", "hold", "changed", "accepted")
ACK_TYPE_STATUS = {"RD": "rejected", "RJ": "rejected", "RF": "rejected", "RO": "rejected", "AH": "hold"}


class MlConnectorHandlerSpsAckIn(models.AbstractModel):
    """855 in: a vendor's acknowledgement of one of our purchase orders.

    The order is the one we sent to that trading partner under PurchaseOrderNumber. Its SPS
    acknowledgement status becomes: rejected (RD/RJ…), on hold (AH), partly backordered (a line
    with IB/BP), accepted with changes (AC, or any changed, rejected or cancelled line), or
    accepted. Each line keeps its own status and the vendor's schedule (e.g. "IQ 4 CA
    2025-03-10; IB 1 CA 2025-03-21"). Nothing else on the order changes: the buyer decides.
    """

    _name = "ml.connector.handler.sps.ack.in"
    _inherit = "ml.connector.handler.sps.inbound"
    _description = "SPS flow: acknowledgements in (855)"
    _flow_label = "SPS: order acknowledgements from vendors (855)"
    _document_type = "sps_855_in"
    _default_sequence = 40
    _sps_code = "855"
    _sps_flag = "receive_855"

    @api.model
    def _apply(self, line, doc, partner):
        backend = line.backend_id
        head = rsx.header(doc, "855")
        po_number = head["PurchaseOrderNumber"]
        order = self._require_order(backend, partner, po_number, self.env._("Acknowledgement"))
        ack_type = head.get("AcknowledgementType") or ""
        ack_id = f"{partner.tpid}:{po_number}:{head.get('AcknowledgementNumber') or line.content_hash[:16]}"
        Binding = self.env["ml.connector.binding"]
        known = Binding._find(backend, "sps_ack_in", external_id=ack_id)
        if known and known.content_hash == line.content_hash and known.res_id == order.id:
            return {
                "res_model": "purchase.order",
                "res_id": order.id,
                "state": "skipped",
                "message": self.env._("This acknowledgement is already recorded on %s.", order.name),
            }
        line_statuses, unknown = {}, []
        for index, item in enumerate(doc.get("LineItem") or [], start=1):
            order_item = item.get("OrderLine") or {}
            order_line = self._order_line(order, order_item)
            entries = item.get("LineItemAcknowledgement") or []
            statuses = {ITEM_STATUS.get(entry.get("ItemStatusCode"), "changed") for entry in entries} or {
                "accepted"
            }
            status = next(s for s in LINE_PRIORITY if s in statuses)
            detail = "; ".join(self._entry_text(entry) for entry in entries)
            if order_line:
                line_statuses[order_line] = (status, detail[:250] or status)
            else:
                unknown.append(order_item.get("LineSequenceNumber") or str(index))
        status = ACK_TYPE_STATUS.get(ack_type)
        if not status:
            found = {s for s, _detail in line_statuses.values()}
            if "backordered" in found:
                status = "backordered"
            elif ack_type == "AC" or found & {"changed", "rejected", "cancelled", "hold"}:
                status = "changed"
            else:
                status = "accepted"
        ack_date = head.get("AcknowledgementDate")
        values = {
            "sps_ack_status": status,
            "sps_ack_type": ack_type or False,
            "sps_ack_number": head.get("AcknowledgementNumber") or False,
            "sps_ack_date": fields.Date.to_date(ack_date) if ack_date else fields.Date.context_today(self),
            "sps_partner_id": partner.id,
        }
        label = dict(order._fields["sps_ack_status"].selection)[status]
        message = self.env._(
            "SPS acknowledgement %(number)s from %(partner)s: %(status)s.",
            number=head.get("AcknowledgementNumber") or "",
            partner=partner.name,
            status=label,
        )
        if unknown:
            message += " " + self.env._("Lines not found on the order: %s.", ", ".join(unknown))
        order._sps_apply_ack(values, line_statuses, message)
        Binding._bind(
            backend,
            "sps_ack_in",
            ack_id,
            local_ref=f"ack:{ack_id}",
            res_model="purchase.order",
            res_id=order.id,
            content_hash=line.content_hash,
            external_key=po_number,
        )
        return {"res_model": "purchase.order", "res_id": order.id, "message": message}

    @api.model
    def _entry_text(self, entry):
        """'IQ 4 CA 2025-03-10': status, quantity, unit and date of one acknowledgement entry."""
        qty = entry.get("ItemScheduleQty")
        parts = (
            entry.get("ItemStatusCode"),
            f"{qty:g}" if rsx.is_number(qty) else None,
            entry.get("ItemScheduleUOM"),
            entry.get("ItemScheduleDate"),
        )
        return " ".join(str(part) for part in parts if part)
