import re

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import (
    Address,
    Charge,
    PurchaseOrder,
    PurchaseOrderLine,
    TaxAmount,
)
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.text import bounded_key

from ..tools import rsx
from ..tools.values import number

# Dates of an 850 that say when the goods are wanted, best first: requested delivery, requested ship.
WANTED_DATES = ("002", "010", "037", "068")
# LineChangeCode (860) as what it does to the line of the order
LINE_CHANGES = {
    "AI": "add",
    "DI": "delete",
    "NCH": "none",
    "RC": "none",  # the buyer rejects an earlier change of the seller: nothing to apply here
    **dict.fromkeys(("CA", "CC", "CE", "CL", "CS", "CT", "PC", "PQ", "QD", "QI", "RA", "RQ", "RZ"), "change"),
}
# AllowChrgIndicator: A allowance (lowers the total), C charge (raises it); N is informational.
CHARGE_SIGNS = {"A": -1, "C": 1}
# ISO 3166 alpha-3 codes RSX addresses use as often as alpha-2 ("USA" next to "US", reference §4.1)
ALPHA3 = {
    "USA": "US", "CAN": "CA", "MEX": "MX", "GBR": "GB", "DEU": "DE", "FRA": "FR", "ITA": "IT", "ESP": "ES",
    "NLD": "NL", "BEL": "BE", "IRL": "IE", "CHN": "CN", "JPN": "JP", "AUS": "AU", "NZL": "NZ", "PRI": "PR",
}  # fmt: skip
# What the 850 and 860 readers read: these drive the order (a problem there refuses the document)
ORDER_FIELDS = (
    tuple(
        f"$.Header.OrderHeader.{key}"
        for key in (
            "PurchaseOrderNumber TsetPurposeCode ReleaseNumber PurchaseOrderDate BuyersCurrency "
            "PrimaryPOTypeCode CustomerOrderNumber ChangeOrderSeqNumber"
        ).split()
    )
    + (
        "$.Meta.IsDropShip",
        "$.Header.Address[]*",
        "$.Header.ChargesAllowances[]*",
        "$.Header.Taxes[]*",
        "$.LineItem[].ProductOrItemDescription[]*",
        "$.LineItem[].PhysicalDetails[].PackValue",
        "$.LineItem[].PhysicalDetails[].PackUOM",
        "$.LineItem[].QuantitiesSchedulesLocations[].LocationQuantity[]*",
        "$.LineItem[].ChargesAllowances[]*",
        "$.LineItem[].Taxes[]*",
        "$.Summary.TotalAmount",
    )
    + tuple(
        f"$.LineItem[].OrderLine.{key}"
        for key in (
            "LineSequenceNumber BuyerPartNumber VendorPartNumber ConsumerPackageCode GTIN EAN UPCCaseCode "
            "OrderQty OrderQtyUOM PurchasePrice LineChangeCode"
        ).split()
    )
)
# What they copy as it is into the order's notes for a person to read (never refused)
KEPT_FIELDS = (
    "$.Header.OrderHeader*",
    "$.Header.Dates[]*",
    "$.Header.Notes[]*",
    "$.Header.References[]*",
    "$.Header.Contacts[]*",
    "$.Header.PaymentTerms[]*",
    "$.Header.CarrierInformation[]*",
    "$.Header.FOBRelatedInstruction[]*",
    "$.Header.QuantityTotals[]*",
    "$.LineItem[].OrderLine*",
    "$.LineItem[].Dates[]*",
    "$.LineItem[].Notes[]*",
    "$.LineItem[].References[]*",
    "$.LineItem[].PriceInformation[]*",
    "$.LineItem[].PhysicalDetails[]*",
    "$.LineItem[].QuantitiesSchedulesLocations[]*",
    "$.Summary*",
)
# Arrays whose entries are copied into the notes under their RSX names (the partner's words), of
# the header and of each line; addresses other than the ship-to the order is delivered to as well
NOTE_ARRAYS = (
    "Notes",
    "References",
    "Dates",
    "Contacts",
    "PaymentTerms",
    "CarrierInformation",
    "FOBRelatedInstruction",
    "QuantityTotals",
    "Address",
)
LINE_NOTE_ARRAYS = ("Notes", "References", "PriceInformation", "Address")
NOTES_LENGTH = 4000
DATE_PATH = re.compile(r"^\$\.(?:Header|LineItem\[(?P<line>\d+)\])\.Dates\[(?P<date>\d+)\]\.(?P<field>\w+)$")


def _entry_text(entry):
    """One RSX entry as text: its plain values in order ('GEN Deliver to dock 4')."""
    return " ".join(str(value) for value in entry.values() if isinstance(value, str | int | float))


class MlConnectorReaderSpsCustomerOrder(models.AbstractModel):
    """850 and 860 in: the orders trading partners place with us, and their changes, as canonical
    purchase orders.

    An order is keyed by (TPID, PurchaseOrderNumber, ReleaseNumber); its buyer is the trading
    partner (key: the TPID). Read: the ship-to (a consumer's on drop-ship orders) and bill-to,
    header and line charges and allowances (negative amounts) and taxes, the stated total, and
    everything else a person should see (notes, references, dates, terms, carrier, contacts) as
    notes. Each line keeps its LineSequenceNumber (else its position) as its number, the partner's
    item number, ours and the UPC, the quantity in the RSX unit (with the pack size of cases),
    the price when the order states one, and the wanted date; a line split over stores
    (QuantitiesSchedulesLocations) becomes one line per store, its ship-to the store's location
    (what is not allocated to a store stays on a line of its own). Quantities must be positive,
    prices not negative, line numbers unique. A cancellation cancels the whole order: its lines
    are not read. A change order (860) is a ``change`` whose lines say what happens to them
    (``status``: add, delete, change, none) and whose ``revision`` is its ChangeOrderSeqNumber.
    """

    _name = "ml.connector.reader.sps.customer_order"
    _inherit = "ml.connector.reader.sps"
    _description = "SPS orders from trading partners (850, 860)"

    _document_type = "customer_order"
    _sps_code = "850"
    _sps_codes = ("850", "860")
    _sps_flag = "receive_850"
    _sps_fields = ORDER_FIELDS
    _sps_kept = KEPT_FIELDS

    @api.model
    def _document_key(self, doc, code, tpid, identifier):
        head = rsx.header(doc, code)
        key = f"{code}:{tpid}:{identifier}" + (
            f":{head['ReleaseNumber']}" if head.get("ReleaseNumber") else ""
        )
        if code == "860":  # each change of an order is a document of its own
            key += f"#{head.get('ChangeOrderSeqNumber') or head.get('POChangeDate') or ''}"
        return key

    @api.model
    def _uses(self, doc, path):
        if rsx.matches(path, ("$.Header.Dates[]*", "$.LineItem[].Dates[]*")):
            return self._is_wanted_date(doc, path)
        return super()._uses(doc, path)

    @api.model
    def _is_wanted_date(self, doc, path):
        """A date is read when it says when the goods are wanted; the others are only noted."""
        found = DATE_PATH.match(path)
        if not found or found["field"] not in ("Date", "Time"):
            return False
        try:
            owner = doc["LineItem"][int(found["line"])] if found["line"] else doc["Header"]
            entry = owner["Dates"][int(found["date"])]
        except (KeyError, IndexError, TypeError):
            return False
        return isinstance(entry, dict) and entry.get("DateTimeQualifier") in WANTED_DATES

    # ------------------------------------------------------------------ the order
    @api.model
    def _read(self, line, doc, partner):
        code = self._type_of(doc)
        head = rsx.header(doc, code)
        po_number = head["PurchaseOrderNumber"]
        release = head.get("ReleaseNumber") or ""
        purpose = self._purpose(head)
        if code == "860" and purpose == "original":  # 06 on a change: the change is confirmed
            purpose = "change"
        elif code == "860" and purpose == "replacement":
            purpose = "change"
        if purpose not in ("original", "replacement", "cancellation", "duplicate", "change"):
            raise DocumentError(
                self.env._(
                    "Order %(po)s has purpose code %(code)s, which is not handled.",
                    po=po_number + (f" / {release}" if release else ""),
                    code=purpose,
                )
            )
        header = doc["Header"]
        return PurchaseOrder(
            key=f"{partner.tpid}:{po_number}:{release}",
            number=po_number,
            release=release,
            revision=self._change_sequence(head) if code == "860" else None,
            purpose=purpose,
            order_date=head.get("PurchaseOrderDate") or "",
            date_planned=self._wanted_date(header.get("Dates")),
            currency=head.get("BuyersCurrency") or "",
            buyer=self._partner_ref(partner),
            ship_to=self._ship_to(doc, head),
            bill_to=self._address(header.get("Address"), "BT", "bill_to"),
            lines=[] if purpose == "cancellation" else self._lines(doc, po_number, code),
            charges=self._charges(header.get("ChargesAllowances")),
            taxes=self._taxes(header.get("Taxes")),
            total=(doc.get("Summary") or {}).get("TotalAmount"),
            notes=self._notes(doc),
        )

    @api.model
    def _change_sequence(self, head):
        sequence = str(head.get("ChangeOrderSeqNumber") or "").strip()
        return int(sequence) if sequence.isdigit() else None

    @api.model
    def _wanted_date(self, dates):
        by_qualifier = {d.get("DateTimeQualifier"): d.get("Date") for d in dates or [] if d.get("Date")}
        return next((by_qualifier[q] for q in WANTED_DATES if by_qualifier.get(q)), "")

    # ------------------------------------------------------------------ addresses
    @api.model
    def _ship_to(self, doc, head):
        """The ship-to; on a drop-ship order (type DS, or Meta.IsDropShip) it is the consumer's."""
        drop_ship = head.get("PrimaryPOTypeCode") == "DS" or (doc.get("Meta") or {}).get("IsDropShip") is True
        return self._address(doc["Header"].get("Address"), "ST", "drop_ship" if drop_ship else "ship_to")

    @api.model
    def _address(self, addresses, type_code, kind):
        entry = next((a for a in addresses or [] if a.get("AddressTypeCode") == type_code), None)
        return self._address_of(entry, kind) if entry else None

    @api.model
    def _address_of(self, entry, kind):
        country = (entry.get("Country") or "").strip().upper()
        return Address(
            name=" ".join(filter(None, [entry.get("AddressName"), entry.get("AddressAlternateName")])),
            street=entry.get("Address1") or "",
            street2=" ".join(filter(None, [entry.get(f"Address{n}") for n in (2, 3, 4)])),
            city=entry.get("City") or "",
            state=entry.get("State") or "",
            zip=entry.get("PostalCode") or "",
            country=ALPHA3.get(country, country) if len(country) == 3 else country,
            code=entry.get("AddressLocationNumber") or "",
            kind=kind,
        )

    # ------------------------------------------------------------------ charges and taxes
    @api.model
    def _charges(self, entries):
        """Charges (positive) and allowances (negative) that change the total; informational ones
        (indicator N) are left to the notes."""
        charges = []
        for entry in entries or []:
            sign = CHARGE_SIGNS.get(entry.get("AllowChrgIndicator"))
            if sign is None:
                continue
            amount = entry.get("AllowChrgAmt")
            if amount is None and rsx.is_number(entry.get("AllowChrgRate")):
                amount = entry["AllowChrgRate"] * (entry.get("AllowChrgQty") or 1)
            percent = entry.get("AllowChrgPercent")
            charges.append(
                Charge(
                    kind="allowance" if sign < 0 else "charge",
                    code=entry.get("AllowChrgCode") or "",
                    description=entry.get("AllowChrgHandlingDescription") or entry.get("AllowChrgCode") or "",
                    amount=number(sign * abs(amount)) if rsx.is_number(amount) else 0.0,
                    percent=number(abs(percent)) if rsx.is_number(percent) and not amount else None,
                )
            )
        return charges

    @api.model
    def _taxes(self, entries):
        return [
            TaxAmount(
                code=entry.get("TaxTypeCode") or "",
                rate=entry.get("TaxPercent") if rsx.is_number(entry.get("TaxPercent")) else None,
                amount=entry.get("TaxAmount") if rsx.is_number(entry.get("TaxAmount")) else None,
            )
            for entry in entries or []
            if rsx.is_number(entry.get("TaxAmount")) or rsx.is_number(entry.get("TaxPercent"))
        ]

    # ------------------------------------------------------------------ notes
    @api.model
    def _notes(self, doc):
        """What a person handling the order must see and Odoo has no field for, as text."""
        header, head = doc["Header"], rsx.header(doc, self._type_of(doc))
        used = {key.rsplit(".", 1)[-1] for key in ORDER_FIELDS if key.startswith("$.Header.OrderHeader.")}
        lines = []
        details = [
            f"{key} {value}" for key, value in head.items() if key not in used and isinstance(value, str)
        ]
        if details:
            lines.append("; ".join(details))
        if head.get("CustomerOrderNumber"):
            lines.append(self.env._("Customer order %s", head["CustomerOrderNumber"]))
        for key in NOTE_ARRAYS:
            texts = [
                _entry_text(entry)
                for entry in header.get(key) or []
                if isinstance(entry, dict) and not (key == "Address" and entry.get("AddressTypeCode") == "ST")
            ]
            if any(texts):
                lines.append(f"{key}: " + "; ".join(filter(None, texts)))
        for index, item in enumerate(doc.get("LineItem") or [], start=1):
            number_ = (item.get("OrderLine") or {}).get("LineSequenceNumber") or index
            for key in LINE_NOTE_ARRAYS:
                texts = [_entry_text(entry) for entry in item.get(key) or [] if isinstance(entry, dict)]
                if any(texts):
                    lines.append(self.env._("Line %(n)s %(key)s: ", n=number_, key=key) + "; ".join(texts))
        text = "\n".join(lines)
        return text if len(text) <= NOTES_LENGTH else text[: NOTES_LENGTH - 1] + "…"

    # ------------------------------------------------------------------ lines
    @api.model
    def _lines(self, doc, po_number, code):
        lines, numbers = [], set()
        for index, item in enumerate(doc.get("LineItem") or [], start=1):
            order_line = item.get("OrderLine") or {}
            change = LINE_CHANGES.get(order_line.get("LineChangeCode"), "change") if code == "860" else ""
            if change not in ("delete", "none"):
                self._check_amounts(order_line, po_number, index)
            # the line number stays the line's identity on later acknowledgements and ship notices
            number_ = str(order_line.get("LineSequenceNumber") or index)
            if number_ in numbers:
                raise DocumentError(
                    self.env._(
                        "Order %(po)s has LineSequenceNumber %(seq)s twice: each line needs its own number.",
                        po=po_number,
                        seq=number_,
                    )
                )
            numbers.add(number_)
            lines.extend(self._store_lines(self._line(item, order_line, number_, change), item, po_number))
        if not lines and code == "850":
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
    def _line(self, item, order_line, number_, change):
        description = self._item_description(item)
        price = order_line.get("PurchasePrice")
        quantity = order_line.get("OrderQty")
        return PurchaseOrderLine(
            key=number_,
            number=number_,
            item=self._order_item(order_line, description),
            quantity=quantity if rsx.is_number(quantity) else 0.0,
            uom_code=order_line.get("OrderQtyUOM") or "",
            pack_size=self._pack(item, order_line),
            # None: the order states no price, the price list decides
            unit_price=price if rsx.is_number(price) else None,
            date_planned=self._wanted_date(item.get("Dates")),
            ship_to=[
                self._address_of(a, "ship_to")
                for a in item.get("Address") or []
                if a.get("AddressTypeCode") == "ST"
            ],
            charges=self._charges(item.get("ChargesAllowances")),
            taxes=self._taxes(item.get("Taxes")),
            status=change,
        )

    @api.model
    def _store_lines(self, po_line, item, po_number):
        """The line as it is to be delivered: one line per store of its split (LocationQuantity),
        plus what the split leaves unallocated; the line itself when it is not split."""
        split = {}
        for schedule in item.get("QuantitiesSchedulesLocations") or []:
            for entry in schedule.get("LocationQuantity") or []:
                if entry.get("Location") and rsx.is_number(entry.get("Qty")) and entry["Qty"] > 0:
                    split[entry["Location"]] = split.get(entry["Location"], 0) + entry["Qty"]
        if not split or po_line.status in ("delete", "none"):
            return [po_line]
        allocated = sum(split.values())
        if allocated > po_line.quantity + 1e-6:
            raise DocumentError(
                self.env._(
                    "Order %(po)s line %(n)s splits %(split)s over stores but orders %(qty)s.",
                    po=po_number,
                    n=po_line.number,
                    split=number(allocated),
                    qty=number(po_line.quantity),
                )
            )
        lines = []
        for location, quantity in split.items():
            store_line = PurchaseOrderLine.from_dict(po_line.to_dict())
            store_line.key = f"{po_line.number}@{location}"
            store_line.quantity = quantity
            store_line.ship_to = [Address(code=location, kind="store")]
            lines.append(store_line)
        rest = po_line.quantity - allocated
        if rest > 1e-6:
            po_line.quantity = rest
            lines.append(po_line)
        # a percentage applies to each part of the line, an amount once (to its first part)
        for later in lines[1:]:
            later.charges = [charge for charge in later.charges if not charge.amount]
        return lines

    @api.model
    def _order_item(self, order_line, description):
        """The partner's item number (BuyerPartNumber: its code in our product's vendor list), ours
        (VendorPartNumber, our internal reference) and the UPC. The item's key is the first of them,
        else its description: what the partner's item is known by on SPS."""
        item = self._item(order_line)
        item.gtin = (
            order_line.get("ConsumerPackageCode") or order_line.get("GTIN") or order_line.get("EAN") or ""
        )
        item.description = description
        item.key = (
            order_line.get("BuyerPartNumber")
            or order_line.get("VendorPartNumber")
            or item.gtin
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
