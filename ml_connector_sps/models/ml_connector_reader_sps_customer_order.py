from odoo import api, models

from odoo.addons.ml_connector.tools.documents import PurchaseOrder, PurchaseOrderLine
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.text import bounded_key

from ..tools import rsx

# Dates of an 850 that say when the goods are wanted, best first: requested delivery, requested ship.
WANTED_DATES = ("002", "010", "037", "068")


class MlConnectorReaderSpsCustomerOrder(models.AbstractModel):
    """850 in: the orders trading partners place with us, as canonical purchase orders.

    The order is keyed by (TPID, PurchaseOrderNumber, ReleaseNumber); its buyer is the trading
    partner (key: the TPID). Each line keeps its LineSequenceNumber (else its position) as its
    number, the partner's item number, ours and the UPC, the quantity in the RSX unit (with the
    pack size of cases), the price when the order states one, and the wanted date. Quantities
    must be positive, prices not negative, line numbers unique. A cancellation cancels the whole
    order: its lines are not read.
    """

    _name = "ml.connector.reader.sps.customer_order"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS orders from trading partners (850)"

    _document_type = "customer_order"
    _sps_code = "850"
    _sps_flag = "receive_850"

    @api.model
    def _document_key(self, doc, code, tpid, identifier):
        release = rsx.header(doc, code).get("ReleaseNumber")
        return f"{code}:{tpid}:{identifier}" + (f":{release}" if release else "")

    @api.model
    def _read(self, line, doc, partner):
        head = rsx.header(doc, "850")
        po_number = head["PurchaseOrderNumber"]
        release = head.get("ReleaseNumber") or ""
        purpose = self._purpose(head)
        if purpose not in ("original", "replacement", "cancellation", "duplicate"):
            raise DocumentError(
                self.env._(
                    "Order %(po)s has purpose code %(code)s, which is not handled.",
                    po=po_number + (f" / {release}" if release else ""),
                    code=purpose,
                )
            )
        return PurchaseOrder(
            key=f"{partner.tpid}:{po_number}:{release}",
            number=po_number,
            release=release,
            purpose=purpose,
            order_date=head.get("PurchaseOrderDate") or "",
            date_planned=self._wanted_date(doc["Header"].get("Dates")),
            currency=head.get("BuyersCurrency") or "",
            buyer=self._partner_ref(partner),
            lines=[] if purpose == "cancellation" else self._lines(doc, po_number),
        )

    @api.model
    def _wanted_date(self, dates):
        by_qualifier = {d.get("DateTimeQualifier"): d.get("Date") for d in dates or [] if d.get("Date")}
        return next((by_qualifier[q] for q in WANTED_DATES if by_qualifier.get(q)), "")

    @api.model
    def _lines(self, doc, po_number):
        lines, numbers = [], set()
        for index, item in enumerate(doc.get("LineItem") or [], start=1):
            order_line = item.get("OrderLine") or {}
            self._check_amounts(order_line, po_number, index)
            # the line number stays the line's identity on later acknowledgements and ship notices
            number = str(order_line.get("LineSequenceNumber") or index)
            if number in numbers:
                raise DocumentError(
                    self.env._(
                        "Order %(po)s has LineSequenceNumber %(seq)s twice: each line needs its own number.",
                        po=po_number,
                        seq=number,
                    )
                )
            numbers.add(number)
            lines.append(self._line(item, order_line, number))
        if not lines:
            raise DocumentError(self.env._("Order %s has no lines.", po_number))
        return lines

    @api.model
    def _check_amounts(self, order_line, po_number, index):
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

    @api.model
    def _line(self, item, order_line, number):
        description = self._item_description(item)
        price = order_line.get("PurchasePrice")
        return PurchaseOrderLine(
            key=number,
            number=number,
            item=self._order_item(order_line, description),
            quantity=order_line["OrderQty"],
            uom_code=order_line.get("OrderQtyUOM") or "",
            pack_size=self._pack(item, order_line),
            # None: the order states no price, the vendor price list decides
            unit_price=price if rsx.is_number(price) else None,
            date_planned=self._wanted_date(item.get("Dates")),
        )

    @api.model
    def _order_item(self, order_line, description):
        """The partner's item number (BuyerPartNumber: its code in our product's vendor list), ours
        (VendorPartNumber, our internal reference) and the UPC. The item's key is the first of them,
        else its description: what the partner's item is known by on SPS."""
        item = self._item(order_line)
        item.gtin = order_line.get("ConsumerPackageCode") or order_line.get("GTIN") or ""
        item.description = description
        item.key = (
            order_line.get("BuyerPartNumber")
            or order_line.get("VendorPartNumber")
            or order_line.get("ConsumerPackageCode")
            # a description standing for the item is a key too: bounded for its index
            or bounded_key(description)
        )
        return item

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
