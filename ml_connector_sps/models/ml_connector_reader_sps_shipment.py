import re

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Shipment, ShipmentLine, ShipmentOrder
from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx

LOT_QUALIFIERS = ("LT",)  # ReferenceQual of a lot number on an item (the simulator's choice, INFERRED)
SHIPMENT_FIELDS = (
    "$.Header.ShipmentHeader.ShipmentIdentification",
    "$.Header.ShipmentHeader.TsetPurposeCode",
    "$.Header.ShipmentHeader.ShipDate",
    "$.Header.ShipmentHeader.BillOfLadingNumber",
    "$.OrderLevel[].OrderHeader.PurchaseOrderNumber",
)
# Read at any depth of the Order / Pack / Item levels: what an item is and how much ships, where
# it travels (the packs' serial numbers), and its lot
READ_BELOW_ORDERS = re.compile(
    r"\.(ShipmentLine\.(LineSequenceNumber|BuyerPartNumber|VendorPartNumber|ConsumerPackageCode|GTIN|EAN|"
    r"ShipQty|ShipQtyUOM)|Pack\.(PackLevelType|ShippingSerialID)|ItemLevel\[\d+\]\.References\[\d+\]\.\w+)$"
)


class MlConnectorReaderSpsShipment(models.AbstractModel):
    """856 in: a vendor's ship notice (Shipment / Order / Pack / Item layout), as a canonical shipment.

    Each order level names one of our purchase orders; its items, found through nested packs
    (pallets holding cartons), are the shipment lines, with the lot of the item's ``LT``
    reference. Shipped quantities must be numbers of at least 0 (a cancellation's are not read).
    A notice without order level (Shipment / Item layout) says so: it names no order.
    """

    _name = "ml.connector.reader.sps.shipment"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS ship notices from vendors (856)"

    _document_type = "shipment"
    _sps_code = "856"
    _sps_flag = "receive_856"
    _sps_fields = SHIPMENT_FIELDS

    @api.model
    def _uses(self, doc, path):
        return super()._uses(doc, path) or (
            path.startswith("$.OrderLevel[") and bool(READ_BELOW_ORDERS.search(path))
        )

    @api.model
    def _read(self, line, doc, partner):
        head = rsx.header(doc, "856")
        shipment_id = head["ShipmentIdentification"]
        purpose = self._purpose(head)
        orders = []
        for order_level in doc.get("OrderLevel") or []:
            po_number = (order_level.get("OrderHeader") or {}).get("PurchaseOrderNumber")
            lines = [
                self._shipment_line(shipment_line, lot, packs)
                for shipment_line, lot, packs in self._items(order_level)
            ]
            if purpose != "cancellation":
                self._check_quantities(shipment_id, lines)
            orders.append(ShipmentOrder(po=self._order_ref(partner, po_number), lines=lines))
        return Shipment(
            key=f"{partner.tpid}:{shipment_id}",
            number=shipment_id,
            purpose=purpose,
            date=head.get("ShipDate") or "",
            bill_of_lading=head.get("BillOfLadingNumber") or "",
            supplier=self._partner_ref(partner),
            orders=orders,
            has_order_level=bool(doc.get("OrderLevel")),
        )

    @api.model
    def _items(self, order_level):
        """``(ShipmentLine, lot, packs)`` of every item under an order level, through nested packs
        (``packs``: the serial numbers of the packs it is in, outermost first)."""

        def lot_of(item_level):
            for reference in item_level.get("References") or []:
                if reference.get("ReferenceQual") in LOT_QUALIFIERS and reference.get("ReferenceID"):
                    return reference["ReferenceID"]
            return ""

        def walk(level, packs):
            for item_level in level.get("ItemLevel") or []:
                if isinstance(item_level.get("ShipmentLine"), dict):
                    yield item_level["ShipmentLine"], lot_of(item_level), packs
            for pack in level.get("PackLevel") or []:
                serial = (pack.get("Pack") or {}).get("ShippingSerialID")
                yield from walk(pack, [*packs, serial] if serial else packs)

        yield from walk(order_level, [])

    @api.model
    def _shipment_line(self, shipment_line, lot, packs):
        return ShipmentLine(
            po_line=str(shipment_line.get("LineSequenceNumber") or ""),
            item=self._item(shipment_line),
            quantity=shipment_line.get("ShipQty"),
            uom=shipment_line.get("ShipQtyUOM") or "",
            lot=lot or "",
            pack=packs[-1] if packs else "",
            tare=packs[-2] if len(packs) > 1 else "",
        )

    @api.model
    def _check_quantities(self, shipment_id, lines):
        for shipment_line in lines:
            qty = shipment_line.quantity
            if not rsx.is_number(qty) or qty < 0:
                raise DocumentError(
                    self.env._(
                        "Ship notice %(asn)s: a shipped quantity must be a number of at least 0, "
                        "got %(qty)s.",
                        asn=shipment_id,
                        qty=qty if qty is not None else self.env._("none"),
                    )
                )
