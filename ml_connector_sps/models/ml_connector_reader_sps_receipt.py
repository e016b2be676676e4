from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Receipt, ReceiptLine
from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx

# ReceivingConditionCode (RSX 7.7) as a canonical condition
CONDITIONS = {
    "01": "damaged",
    "02": "short",
    "03": "over",
    "05": "wrong_product",
    "07": "good",
    "09": "on_hold",
}


RECEIPT_FIELDS = (
    "$.Header.HeaderDetail.WarehouseReceiptId",
    "$.Header.HeaderDetail.ShipmentIdentification",
    "$.Header.HeaderDetail.DepositorOrderNumber",
    "$.OrderLevel.LineItem[].ItemDetail*",
    "$.OrderLevel.LineItem[].DetailResponse[]*",
    "$.OrderLevel.OrderPack[].LineItem[].ItemDetail*",
    "$.OrderLevel.OrderPack[].LineItem[].DetailResponse[]*",
)


class MlConnectorReaderSpsReceipt(models.AbstractModel):
    """944 in: a warehouse's receipt of a shipment, as a canonical receipt.

    The receipt names the ship notice it confirms (ShipmentIdentification) and the purchase
    order (DepositorOrderNumber). Each response of an item (DetailResponse: quantity, unit,
    condition, damage reason, lot) is one receipt line; an item without response was received as
    shipped, in good condition. Received quantities must be numbers of at least 0.
    """

    _name = "ml.connector.reader.sps.receipt"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS warehouse receipts (944)"

    _document_type = "receipt"
    _sps_code = "944"
    _sps_flag = "receive_944"
    _sps_fields = RECEIPT_FIELDS

    @api.model
    def _read(self, line, doc, partner):
        head = rsx.header(doc, "944")
        receipt_id = head["WarehouseReceiptId"]
        lines = []
        for item in self._line_items(doc):
            detail = item.get("ItemDetail") or {}
            responses = item.get("DetailResponse") or [
                {
                    "Qty": detail.get("ShipQty"),
                    "QtyUOM": detail.get("ShipQtyUOM"),
                    "ReceivingConditionCode": "07",
                }
            ]
            lines += [self._receipt_line(receipt_id, detail, response) for response in responses]
        return Receipt(
            key=f"{partner.tpid}:{receipt_id}",
            number=receipt_id,
            po=self._order_ref(partner, head.get("DepositorOrderNumber")),
            shipment=head.get("ShipmentIdentification") or "",
            supplier=self._partner_ref(partner),
            lines=lines,
        )

    @api.model
    def _line_items(self, doc):
        level = doc.get("OrderLevel") or {}
        yield from level.get("LineItem") or []
        for pack in level.get("OrderPack") or []:
            yield from pack.get("LineItem") or []

    @api.model
    def _receipt_line(self, receipt_id, detail, response):
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
        code = response.get("ReceivingConditionCode") or "07"
        return ReceiptLine(
            po_line=str(detail.get("LineSequenceNumber") or ""),
            item=self._item(detail),
            quantity=qty,
            uom=response.get("QtyUOM") or detail.get("ShipQtyUOM") or "",
            condition=CONDITIONS.get(code, code),
            condition_code=code,
            reason=response.get("DamageReasonCode") or "",
            lot=response.get("WarehouseLotID") or detail.get("WarehouseLotID") or "",
        )
