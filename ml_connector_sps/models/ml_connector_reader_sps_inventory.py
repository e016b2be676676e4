from odoo import api, models

from odoo.addons.ml_connector.tools.documents import InventoryAdvice, StockLine, StockQuantity
from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx

# QuantityQualifier (RSX 7.7) of an 846 as a canonical kind of quantity; others keep their code
QUANTITY_KINDS = {
    "33": "available",
    "29": "projected",
    "QOH": "on_hand",
    "17": "on_hand",
    "OOR": "on_order",
    "BQ": "backordered",
    "IQ": "in_transit",
    "QH": "on_hold",
    "UNA": "unavailable",
}
INVENTORY_FIELDS = (
    "$.Header.HeaderReport.DocumentId",
    "$.Header.HeaderReport.TsetPurposeCode",
    "$.Header.HeaderReport.InventoryDate",
    "$.Header.HeaderReport.InventoryTime",
    "$.Header.Address[]*",
    "$.Structure[].LineItem[].InventoryLine.BuyerPartNumber",
    "$.Structure[].LineItem[].InventoryLine.VendorPartNumber",
    "$.Structure[].LineItem[].InventoryLine.ConsumerPackageCode",
    "$.Structure[].LineItem[].InventoryLine.GTIN",
    "$.Structure[].LineItem[].InventoryLine.EAN",
    "$.Structure[].LineItem[].ProductOrItemDescription[]*",
    "$.Structure[].LineItem[].QuantitiesSchedulesLocations[]*",
)


class MlConnectorReaderSpsInventory(models.AbstractModel):
    """846 in: a trading partner's inventory advice (its stock of items, by location, as of a date),
    as a canonical inventory advice.

    Each item (InventoryLine: the partner's and our part numbers, the UPC) carries quantities by
    kind (QuantityQualifier: available, on hand, on order…), unit, location (a LocationQuantity's,
    else the reporting warehouse of the header, address RL/WH) and date (its schedule's, e.g.
    when goods on order come in). Quantities must be numbers of at least 0.

    The flow's cursor (high-water mark) keeps the newest inventory date received from each
    trading partner.
    """

    _name = "ml.connector.reader.sps.inventory"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS inventory advice (846)"

    _document_type = "inventory"
    _sps_code = "846"
    _sps_flag = "receive_846"
    _sps_fields = INVENTORY_FIELDS

    @api.model
    def _collect(self, flow, run):
        """Inventory advice is agreed partner by partner: while no trading partner of the connection
        sends it, its folder (which SPS only sets up for such accounts) is not even listed."""
        if not self._backend(flow).sps_partner_ids.filtered(lambda partner: partner._allows(self._sps_flag)):
            return
        newest = dict((flow.cursor or {}).get("as_of") or {})
        for page in super()._collect(flow, run):
            for item in page.items:
                tpid, as_of = item.meta.get("tpid"), item.meta.get("as_of")
                if tpid and as_of and as_of > newest.get(tpid, ""):
                    newest[tpid] = as_of
            page.cursor = {"as_of": dict(newest)}
            yield page

    @api.model
    def _items_from_file(self, path, data):
        items = super()._items_from_file(path, data)
        for item in items:
            head = item.meta.get("head") if item.meta.get("rsx_type") == "846" else None
            if head:
                item.meta.update(tpid=head.get("TradingPartnerId"), as_of=self._as_of(head))
        return items

    @api.model
    def _as_of(self, head):
        date, time = head.get("InventoryDate"), head.get("InventoryTime")
        if not isinstance(date, str):
            return ""
        return f"{date}T{time[:8]}" if isinstance(time, str) and len(time) >= 8 else date

    @api.model
    def _read(self, line, doc, partner):
        head = rsx.header(doc, "846")
        document_id = head["DocumentId"]
        location = self._location(doc["Header"].get("Address"))
        lines = []
        for structure in doc.get("Structure") or []:
            for item in structure.get("LineItem") or []:
                lines.append(self._stock_line(document_id, item, location))
        if not lines:
            raise DocumentError(self.env._("Inventory advice %s has no items.", document_id))
        return InventoryAdvice(
            key=f"{partner.tpid}:{document_id}",
            number=document_id,
            purpose=self._purpose(head),
            date=self._as_of(head),
            partner=self._partner_ref(partner),
            location=location,
            lines=lines,
        )

    @api.model
    def _location(self, addresses):
        """The reporting location: the warehouse address (RL, else WH) by its number, else its name."""
        for type_code in ("RL", "WH"):
            for address in addresses or []:
                if address.get("AddressTypeCode") == type_code:
                    return address.get("AddressLocationNumber") or address.get("AddressName") or ""
        return ""

    @api.model
    def _stock_line(self, document_id, item, location):
        inventory_line = item.get("InventoryLine") or {}
        stock_item = self._item(inventory_line)
        stock_item.description = next(
            (
                entry["ProductDescription"]
                for entry in item.get("ProductOrItemDescription") or []
                if entry.get("ProductDescription")
            ),
            "",
        )
        stock_item.key = (
            inventory_line.get("VendorPartNumber")
            or inventory_line.get("BuyerPartNumber")
            or stock_item.gtin
            or stock_item.description
        )
        quantities = []
        for schedule in item.get("QuantitiesSchedulesLocations") or []:
            quantities += self._quantities(document_id, stock_item.key, schedule, location)
        return StockLine(item=stock_item, quantities=quantities)

    @api.model
    def _quantities(self, document_id, item_key, schedule, location):
        code = schedule.get("QuantityQualifier") or ""
        uom = schedule.get("TotalQtyUOM") or "EA"
        date = next((d.get("Date") for d in schedule.get("Dates") or [] if d.get("Date")), "")
        per_location = [
            (entry.get("Location") or location, entry.get("Qty"))
            for entry in schedule.get("LocationQuantity") or []
        ] or [(location, schedule.get("TotalQty"))]
        quantities = []
        for where, quantity in per_location:
            if not rsx.is_number(quantity) or quantity < 0:
                raise DocumentError(
                    self.env._(
                        "Inventory advice %(id)s, item %(item)s: a quantity must be a number of at least 0, "
                        "got %(qty)s.",
                        id=document_id,
                        item=item_key,
                        qty=quantity if quantity is not None else self.env._("none"),
                    )
                )
            quantities.append(
                StockQuantity(
                    kind=QUANTITY_KINDS.get(code, code),
                    code=code,
                    quantity=quantity,
                    uom=uom,
                    location=where or "",
                    date=date,
                )
            )
        return quantities
