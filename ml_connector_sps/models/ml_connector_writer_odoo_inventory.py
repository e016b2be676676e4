from datetime import datetime

from odoo import api, fields, models

from odoo.addons.ml_connector.models.ml_connector_matching import ProductQuery

from ..tools.values import names_text
from .ml_connector_sps_stock import QUANTITY_KINDS

KNOWN_KINDS = {kind for kind, _label in QUANTITY_KINDS}


class MlConnectorWriterOdooInventory(models.AbstractModel):
    """A trading partner's inventory advice into its stock rows (``ml.connector.sps.stock``), shown
    next to each product.

    Every quantity (item, location, kind) updates its row unless a newer advice stated it already,
    so advice read in any order ends with the newest figures; applying the same advice twice
    changes nothing. Items are tied to products by a binding (an earlier decision), else by the
    matching engine on the partner's codes and the UPC; products are never created, and an item
    that matches none is kept with its codes and named on the line.
    """

    _name = "ml.connector.writer.odoo.inventory"
    _inherit = "ml.connector.writer"
    _description = "Odoo partner stock from SPS inventory advice"

    _document_type = "inventory"

    @api.model
    def _write(self, line, advice):
        source = line.flow_id.source_backend_id
        partner = source._sps_partner(advice.partner.key)
        # the partner's date (and time), as it states it
        as_of = datetime.fromisoformat(advice.date) if advice.date else fields.Datetime.now()
        outcomes, unmatched = {}, []
        Stock = self.env["ml.connector.sps.stock"]
        for stock_line in advice.lines:
            product = self._product(source, partner, stock_line.item)
            if not product:
                unmatched.append(stock_line.item.key)
            for quantity in stock_line.quantities:
                key = {
                    "backend_id": source.id,
                    "sps_partner_id": partner.id,
                    "item_code": stock_line.item.key,
                    "location": quantity.location or False,
                    "quantity_code": quantity.code or False,
                }
                values = {
                    "product_id": product.id if product else False,
                    "item_description": stock_line.item.description or False,
                    "kind": quantity.kind if quantity.kind in KNOWN_KINDS else "other",
                    "quantity": quantity.quantity,
                    "uom_code": quantity.uom or False,
                    "quantity_date": quantity.date or False,
                    "as_of": as_of,
                    "document": advice.number,
                }
                outcome = Stock._record(key, values)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return {"message": self._message(advice, partner, outcomes, unmatched), "target_key": advice.key}

    @api.model
    def _message(self, advice, partner, outcomes, unmatched):
        message = self.env._(
            "Inventory advice %(id)s of %(partner)s as of %(date)s: %(new)s quantities recorded, %(updated)s "
            "updated, %(same)s unchanged, %(older)s older than what was recorded.",
            id=advice.number,
            partner=partner.name,
            date=advice.date or "?",
            new=outcomes.get("created", 0),
            updated=outcomes.get("updated", 0),
            same=outcomes.get("unchanged", 0),
            older=outcomes.get("older", 0),
        )
        if unmatched:
            message += " " + self.env._(
                "Items matched to no product (kept with their codes): %s.", names_text(unmatched)
            )
        return message

    @api.model
    def _product(self, source, partner, item):
        """The product of an item of ``partner``'s advice. A vendor's part number is its code in our
        vendor list and its buyer part number our reference; a retailer's, the other way round."""
        vendor_side = partner.role == "vendor"
        partner_code, our_code = (
            (item.vendor_code, item.buyer_code) if vendor_side else (item.buyer_code, item.vendor_code)
        )
        result = self.env["ml.connector.matching"]._match_product(
            source,
            ProductQuery(
                vendor_code=partner_code,
                codes=[our_code] if our_code else [],
                barcode=item.gtin,
                bindings={source._binding_type("item"): f"{partner.tpid}:{item.key}"},
            ),
            vendor=partner.partner_id,
        )
        return result.record if result else None
