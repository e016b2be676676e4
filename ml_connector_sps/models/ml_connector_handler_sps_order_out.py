from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx
from .ml_connector_handler_sps import number


def address(type_code, partner):
    """An RSX ``Address`` for an Odoo partner (ST ship-to, BT bill-to, RI remit-to…)."""
    return rsx.compact(
        AddressTypeCode=type_code,
        AddressName=(partner.commercial_partner_id.name if partner.type != "delivery" else partner.name)
        or partner.display_name,
        Address1=partner.street,
        Address2=partner.street2,
        City=partner.city,
        State=partner.state_id.code,
        PostalCode=partner.zip,
        Country=partner.country_id.code,
    )


class MlConnectorHandlerSpsOrderOut(models.AbstractModel):
    """850 out: our confirmed purchase orders to vendors that trade through SPS.

    A confirmed order becomes an RSX ``Order`` (purpose 00); once a version reached SPS, a change
    is sent as a replacement (05, next revision) and a cancellation as 01. Confirming, changing
    or cancelling the order asks the connection to run at once; the schedule catches up on
    anything missed.
    """

    _name = "ml.connector.handler.sps.order.out"
    _inherit = "ml.connector.handler.sps.outbound"
    _description = "SPS flow: purchase orders out (850)"
    _flow_label = "SPS: purchase orders to vendors (850)"
    _document_type = "sps_850_out"
    _default_sequence = 10
    _binding_type = "sps_order_out"
    _source_model = "purchase.order"
    _sps_code = "850"
    _sps_flag = "send_850"

    @api.model
    def _source_domain(self, flow):
        vendors = flow.backend_id.sps_partner_ids.filtered(lambda p: p.active and p.send_850).partner_id
        return [
            ("company_id", "=", flow.company_id.id),
            ("partner_id.commercial_partner_id", "in", vendors.ids),
            "|",
            ("state", "in", ("purchase", "done")),
            # cancelled after confirmation: a version may have reached SPS and must be cancelled there
            "&",
            ("state", "=", "cancel"),
            ("date_approve", "!=", False),
        ]

    @api.model
    def _partner_of(self, order):
        return order.partner_id

    @api.model
    def _is_cancellation(self, order):
        return order.state == "cancel"

    @api.model
    def _document(self, flow, order, partner):
        lines = order.order_line.filtered(lambda line: not line.display_type and line.product_id)
        lines._sps_number_lines()
        items = [self._line_item(order, line, partner) for line in lines.filtered("product_qty")]
        if not items:
            raise DocumentError(self.env._("%s has no product lines to order.", order.name))
        company = order.company_id
        ship_to = order.picking_type_id.warehouse_id.partner_id or company.partner_id
        header = {
            "OrderHeader": rsx.compact(
                TradingPartnerId=partner.tpid,
                PurchaseOrderNumber=order.name,
                TsetPurposeCode="00",
                PrimaryPOTypeCode="SA",
                PurchaseOrderDate=fields.Date.to_string(order.date_order),
                BuyersCurrency=order.currency_id.name,
                Vendor=partner.vendor_number,
            ),
            "Dates": [{"DateTimeQualifier": "002", "Date": fields.Date.to_string(order.date_planned)}]
            if order.date_planned
            else [],
            "Address": [address("ST", ship_to), address("BT", company.partner_id)],
        }
        if order.payment_term_id:
            header["PaymentTerms"] = [{"TermsDescription": order.payment_term_id.name}]
        total = round(
            sum(item["OrderLine"]["OrderQty"] * item["OrderLine"]["PurchasePrice"] for item in items), 2
        )
        return {
            "Header": rsx.compact(**header),
            "LineItem": items,
            "Summary": {"TotalAmount": number(total), "TotalLineItemNumber": len(items)},
        }

    @api.model
    def _line_item(self, order, line, partner):
        product = line.product_id
        code = line.product_uom_id._sps_unit_code()
        if not code:
            raise DocumentError(
                self.env._(
                    "%(order)s: unit %(unit)s of %(product)s has no SPS unit code. Set it on the unit of "
                    "measure, then replay this line.",
                    order=order.name,
                    unit=line.product_uom_id.name,
                    product=product.display_name,
                )
            )
        seller = product.seller_ids.filtered(
            lambda s: s.partner_id == order.partner_id.commercial_partner_id and s.product_code
        )[:1]
        identifiers = {
            "vendor": seller.product_code,
            "buyer": product.default_code,
            "upc": product.barcode,
        }
        if not identifiers[partner.item_identifier]:
            wanted = dict(partner._fields["item_identifier"].selection)[partner.item_identifier]
            raise DocumentError(
                self.env._(
                    "%(order)s: %(product)s has no %(what)s, which %(partner)s expects on every line (vendor "
                    "part number: the vendor's product code in the product's vendor list).",
                    order=order.name,
                    product=product.display_name,
                    what=wanted.lower(),
                    partner=partner.name,
                )
            )
        order_line = rsx.compact(
            LineSequenceNumber=line.sps_line_number,
            BuyerPartNumber=identifiers["buyer"],
            VendorPartNumber=identifiers["vendor"],
            ConsumerPackageCode=identifiers["upc"],
            OrderQty=number(line.product_qty),
            OrderQtyUOM=code,
            PurchasePrice=number(round(line.price_unit * (1 - (line.discount or 0.0) / 100.0), 4)),
        )
        item = {"OrderLine": order_line}
        pack = line.product_uom_id._sps_pack_size(product.uom_id)
        if pack and product.uom_id._sps_unit_code():
            item["PhysicalDetails"] = [
                {
                    "PackQualifier": "OU",
                    "PackValue": pack,
                    "PackSize": 1,
                    "PackUOM": product.uom_id._sps_unit_code(),
                }
            ]
        description = (line.name or product.display_name).split("\n")[0].strip()
        if description:
            item["ProductOrItemDescription"] = [
                {"ProductCharacteristicCode": "08", "ProductDescription": description[:80]}
            ]
        return item

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
