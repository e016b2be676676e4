from odoo import api, models

from odoo.addons.ml_connector.tools.documents import PurchaseOrderStatus, StatusLine

from ..tools import rsx

# ItemStatusCode (RSX 7.7) -> what it means for the line (the values of the order line's SPS status).
ITEM_STATUS = {
    **dict.fromkeys(("IA", "AA", "AC", "AR"), "accepted"),
    **dict.fromkeys(("IC", "IQ", "IP", "DR", "IS", "UM", "IE", "IF", "SP"), "changed"),
    **dict.fromkeys(("IB", "BP"), "backordered"),
    **dict.fromkeys(("IH",), "hold"),
    **dict.fromkeys(("IR", "R1", "R2", "R3", "R4", "R7", "ROS", "IW"), "rejected"),
    **dict.fromkeys(("CC", "ID"), "cancelled"),
}
# What the 855 reader reads (a problem there refuses the acknowledgement; elsewhere it is a warning)
ACK_FIELDS = (
    "$.Header.OrderHeader.PurchaseOrderNumber",
    "$.Header.OrderHeader.AcknowledgementNumber",
    "$.Header.OrderHeader.AcknowledgementType",
    "$.Header.OrderHeader.AcknowledgementDate",
    "$.LineItem[].LineItemAcknowledgement[]*",
) + tuple(
    f"$.LineItem[].OrderLine.{key}"
    for key in "LineSequenceNumber BuyerPartNumber VendorPartNumber ConsumerPackageCode GTIN EAN".split()
)
# A line with several entries (e.g. IQ 4 + IB 1) takes the most telling status.
LINE_PRIORITY = ("rejected", "cancelled", "backordered", "hold", "changed", "accepted")
ACK_TYPE_STATUS = {"RD": "rejected", "RJ": "rejected", "RF": "rejected", "RO": "rejected", "AH": "hold"}
# SPS acknowledgement statuses in canonical words, and back
CANONICAL_STATUS = {"hold": "on_hold"}
SPS_STATUS = {canonical: sps for sps, canonical in CANONICAL_STATUS.items()}


def ack_status(ack_type, line_statuses):
    """The acknowledgement status of an order: rejected (RD/RJ…), on hold (AH), partly backordered
    (a line with IB/BP), accepted with changes (AC, or a changed, rejected or cancelled line), or
    accepted. ``line_statuses``: the SPS statuses of its lines."""
    status = ACK_TYPE_STATUS.get(ack_type)
    if status:
        return status
    if "backordered" in line_statuses:
        return "backordered"
    if ack_type == "AC" or set(line_statuses) & {"changed", "rejected", "cancelled", "hold"}:
        return "changed"
    return "accepted"


class MlConnectorReaderSpsPurchaseOrderStatus(models.AbstractModel):
    """855 in: a vendor's acknowledgement of one of our purchase orders, as a canonical status.

    The order is named by its number and by the key it was sent under (TPID and number). Each
    line keeps its LineSequenceNumber, part numbers and UPC (to find the order line), its status
    and the vendor's schedule (e.g. "IQ 4 CA 2025-03-10; IB 1 CA 2025-03-21"). The status words are
    SPS's: what they mean for the order is ``ml.connector.system.sps._record_po_status``'s.
    """

    _name = "ml.connector.reader.sps.purchase_order_status"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS order acknowledgements from vendors (855)"

    _document_type = "purchase_order_status"
    _sps_code = "855"
    _sps_flag = "receive_855"
    _sps_fields = ACK_FIELDS

    @api.model
    def _read(self, line, doc, partner):
        head = rsx.header(doc, "855")
        po_number = head["PurchaseOrderNumber"]
        ack_number = head.get("AcknowledgementNumber") or ""
        ack_type = head.get("AcknowledgementType") or ""
        lines = [self._status_line(item) for item in doc.get("LineItem") or []]
        status = ack_status(ack_type, {SPS_STATUS.get(s.status, s.status) for s in lines})
        return PurchaseOrderStatus(
            # an acknowledgement without a number is known by its content
            key=f"{partner.tpid}:{po_number}:{ack_number or line.content_hash[:16]}",
            po=self._order_ref(partner, po_number),
            status=CANONICAL_STATUS.get(status, status),
            remote_status=ack_type,
            number=ack_number,
            type_code=ack_type,
            date=head.get("AcknowledgementDate") or "",
            supplier=self._partner_ref(partner),
            lines=lines,
        )

    @api.model
    def _status_line(self, item):
        order_item = item.get("OrderLine") or {}
        entries = item.get("LineItemAcknowledgement") or []
        statuses = {ITEM_STATUS.get(entry.get("ItemStatusCode"), "changed") for entry in entries} or {
            "accepted"
        }
        status = next(s for s in LINE_PRIORITY if s in statuses)
        return StatusLine(
            number=str(order_item.get("LineSequenceNumber") or ""),
            item=self._item(order_item),
            status=CANONICAL_STATUS.get(status, status),
            detail="; ".join(self._entry_text(entry) for entry in entries),
        )

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
