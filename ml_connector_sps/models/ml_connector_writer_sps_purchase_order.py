from odoo import api, fields, models

from odoo.addons.ml_connector.tools.documents import Ref
from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx
from ..tools.values import number
from .ml_connector_writer_sps import rsx_address


class MlConnectorWriterSpsPurchaseOrder(models.AbstractModel):
    """850 out: our purchase orders to vendors that trade through SPS.

    An order becomes an RSX ``Order`` (purpose 00); once a version reached SPS, a change is sent
    as a replacement (05, next revision) and a cancellation as 01. Every line keeps one
    LineSequenceNumber for the life of the order (``purchase.order.line.sps_line_number`` for
    Odoo's orders, the source's line number otherwise); its unit code is the SPS code of the Odoo
    unit (the source's unit code for other sources). Confirming, changing or cancelling an order
    asks the connection to run at once; the schedule catches up on anything missed.
    """

    _name = "ml.connector.writer.sps.purchase_order"
    _inherit = "ml.connector.writer.sps"
    _description = "SPS purchase orders to vendors (850)"

    _document_type = "purchase_order"
    _binding_kind = "purchase_order"
    _sps_code = "850"
    _sps_flag = "send_850"

    @api.model
    def _source_domain(self, flow):
        backend = self._backend(flow)
        vendors = backend.sps_partner_ids.filtered(lambda p: p.active and p.send_850).partner_id
        return [("partner_id.commercial_partner_id", "in", vendors.ids)]

    @api.model
    def _prepare_batch(self, lines):
        # line numbers are given before anything is sent, and kept whatever becomes of the attempt
        orders = self.env["purchase.order"].browse(
            [
                line.res_id
                for line in lines
                if line.res_model == "purchase.order" and not line.flow_id.source_backend_id
            ]
        )
        self._number_lines(orders.exists())

    @api.model
    def _number_lines(self, orders):
        orders.order_line.filtered(lambda pol: not pol.display_type and pol.product_id)._sps_number_lines()

    @api.model
    def _partner_ref(self, order):
        return order.supplier

    @api.model
    def _is_cancellation(self, order):
        return order.cancelled

    @api.model
    def _render(self, flow, order, partner):
        po = self._odoo_record(flow, order)
        numbers = self._line_numbers(flow, po, order)
        items = [
            self._line_item(flow, order, po_line, partner, numbers)
            for po_line in self._product_lines(flow, order)
            if po_line.quantity
        ]
        if not items:
            raise DocumentError(self.env._("%s has no product lines to order.", order.number))
        header = {
            "OrderHeader": rsx.compact(
                TradingPartnerId=partner.tpid,
                PurchaseOrderNumber=order.number,
                TsetPurposeCode="00",
                PrimaryPOTypeCode="SA",
                # Odoo's order date (the confirmation date is what the canonical order dates it by)
                PurchaseOrderDate=fields.Date.to_string(po.date_order) if po else order.order_date[:10],
                BuyersCurrency=order.currency,
                Vendor=partner.vendor_number,
            ),
            "Dates": [{"DateTimeQualifier": "002", "Date": order.date_planned[:10]}]
            if order.date_planned
            else [],
            "Address": [
                rsx_address(code, address)
                for code, address in (("ST", order.ship_to), ("BT", order.bill_to))
                if address
            ],
        }
        if order.payment_terms:
            header["PaymentTerms"] = [{"TermsDescription": order.payment_terms.name}]
        total = round(
            sum(item["OrderLine"]["OrderQty"] * item["OrderLine"]["PurchasePrice"] for item in items), 2
        )
        return {
            "Header": rsx.compact(**header),
            "LineItem": items,
            "Summary": {"TotalAmount": number(total), "TotalLineItemNumber": len(items)},
        }

    @api.model
    def _product_lines(self, flow, order):
        """The lines that order a product (Odoo's lines without one are notes or services to type)."""
        if flow.source_backend_id:
            return order.lines
        return [po_line for po_line in order.lines if po_line.item.key]

    @api.model
    def _line_numbers(self, flow, po, order):
        """LineSequenceNumber of each line, by line key: given once and never changed for Odoo's
        orders, the source's own number otherwise."""
        if po is None:
            return {po_line.key: po_line.number for po_line in order.lines}
        self._number_lines(po)
        return {f"{pol._name},{pol.id}": pol.sps_line_number for pol in po.order_line}

    @api.model
    def _line_item(self, flow, order, po_line, partner, numbers):
        item = po_line.item
        product = self._odoo_record(flow, Ref(key=item.key))
        uom = self._odoo_record(flow, Ref(key=po_line.uom_key))
        product_name = product.display_name if product else item.description or item.vendor_code
        if flow.source_backend_id:
            code = po_line.uom_code
        else:
            code = uom._sps_unit_code() if uom else ""
        if not code:
            raise DocumentError(
                self.env._(
                    "%(order)s: unit %(unit)s of %(product)s has no SPS unit code. Set it on the unit of "
                    "measure, then replay this line.",
                    order=order.number,
                    unit=uom.name if uom else po_line.uom,
                    product=product_name,
                )
            )
        identifiers = {"vendor": item.vendor_code, "buyer": item.buyer_code, "upc": item.gtin}
        if not identifiers[partner.item_identifier]:
            wanted = dict(partner._fields["item_identifier"].selection)[partner.item_identifier]
            raise DocumentError(
                self.env._(
                    "%(order)s: %(product)s has no %(what)s, which %(partner)s expects on every line (vendor "
                    "part number: the vendor's product code in the product's vendor list).",
                    order=order.number,
                    product=product_name,
                    what=wanted.lower(),
                    partner=partner.name,
                )
            )
        rsx_item = {
            "OrderLine": rsx.compact(
                LineSequenceNumber=numbers.get(po_line.key) or po_line.number,
                BuyerPartNumber=identifiers["buyer"],
                VendorPartNumber=identifiers["vendor"],
                ConsumerPackageCode=identifiers["upc"],
                OrderQty=number(po_line.quantity),
                OrderQtyUOM=code,
                PurchasePrice=number(round(po_line.unit_price or 0.0, 4)),
            )
        }
        pack, pack_uom = self._pack(flow, po_line, uom, product)
        if pack and pack_uom:
            rsx_item["PhysicalDetails"] = [
                {"PackQualifier": "OU", "PackValue": pack, "PackSize": 1, "PackUOM": pack_uom}
            ]
        description = item.description.split("\n")[0].strip()
        if description:
            rsx_item["ProductOrItemDescription"] = [
                {"ProductCharacteristicCode": "08", "ProductDescription": description[:80]}
            ]
        return rsx_item

    @api.model
    def _pack(self, flow, po_line, uom, product):
        """``(units per pack, code of the unit)`` when the line is ordered in packs (cases of 12)."""
        if flow.source_backend_id:
            return (number(po_line.pack_size), "EA") if po_line.pack_size else (None, None)
        if not uom or not product:
            return None, None
        return uom._sps_pack_size(product.uom_id), product.uom_id._sps_unit_code()

    @api.model
    def _business_problems(self, doc):
        return rsx.total_problems(doc, "OrderLine", "OrderQty")

    @api.model
    def _after_sent(self, order, doc, path, partner):
        head = rsx.header(doc)
        values = {
            "sps_order_file": path,
            "sps_order_revision": int(head.get("DocumentRevision") or 1),
            "sps_sent_date": fields.Datetime.now(),
            "sps_partner_id": partner.id,
        }
        if head.get("TsetPurposeCode") != "01":
            # a new or changed order waits for the vendor's (new) acknowledgement
            values["sps_ack_status"] = "awaiting"
        order.sudo().write(values)
