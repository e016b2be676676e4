from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx
from .ml_connector_handler_sps import number
from .ml_connector_handler_sps_order_out import address


class MlConnectorHandlerSpsInvoiceOut(models.AbstractModel):
    """810 out: our posted customer invoices and credit notes to retailers that trade through SPS.

    The 810 is the seller's invoice: the goods the retailer received from us, billed against
    the retailer's purchase order number, which Odoo keeps in the invoice's customer
    reference. Invoices are InvoiceTypeCode DR, credit notes CR. A posted invoice that is
    reset and posted again with other content goes as a replacement (05).
    """

    _name = "ml.connector.handler.sps.invoice.out"
    _inherit = "ml.connector.handler.sps.outbound"
    _description = "SPS flow: invoices out (810)"
    _flow_label = "SPS: invoices to retailers (810)"
    _document_type = "sps_810_out"
    _default_sequence = 20
    _binding_type = "sps_invoice_out"
    _source_model = "account.move"
    _sps_code = "810"
    _sps_flag = "send_810"

    @api.model
    def _source_domain(self, flow):
        retailers = flow.backend_id.sps_partner_ids.filtered(lambda p: p.active and p.send_810).partner_id
        return [
            ("company_id", "=", flow.company_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("commercial_partner_id", "in", retailers.ids),
        ]

    @api.model
    def _partner_of(self, invoice):
        return invoice.commercial_partner_id

    @api.model
    def _document(self, flow, invoice, partner):
        po_number = (invoice.ref or "").strip()
        if not po_number:
            raise DocumentError(
                self.env._(
                    "%(invoice)s has no purchase order number of %(partner)s: enter it as the invoice's "
                    "customer reference, then replay this line.",
                    invoice=invoice.name,
                    partner=partner.partner_id.display_name,
                )
            )
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        items = [self._line_item(invoice, line, index, partner) for index, line in enumerate(lines, start=1)]
        if not items:
            raise DocumentError(self.env._("%s has no product lines to invoice.", invoice.name))
        company = invoice.company_id
        header = {
            "InvoiceHeader": rsx.compact(
                TradingPartnerId=partner.tpid,
                InvoiceNumber=invoice.name,
                InvoiceDate=fields.Date.to_string(invoice.invoice_date),
                PurchaseOrderNumber=po_number,
                InvoiceTypeCode="CR" if invoice.move_type == "out_refund" else "DR",
                TsetPurposeCode="00",
                BuyersCurrency=invoice.currency_id.name,
                Vendor=partner.vendor_number,
            ),
            "PaymentTerms": [
                rsx.compact(
                    TermsNetDueDate=fields.Date.to_string(invoice.invoice_date_due),
                    TermsDescription=invoice.invoice_payment_term_id.name,
                )
            ],
            "Address": [
                address("BT", invoice.partner_id),
                address("ST", invoice.partner_shipping_id or invoice.partner_id),
                address("RI", company.partner_id),
            ],
        }
        if not invoice.currency_id.is_zero(invoice.amount_tax):
            header["Taxes"] = [{"TaxTypeCode": "TX", "TaxAmount": number(invoice.amount_tax)}]
        summary = rsx.compact(
            TotalAmount=number(invoice.amount_total),
            TotalSalesAmount=number(invoice.amount_untaxed),
            TotalTaxesAndCharges=number(invoice.amount_tax) if header.get("Taxes") else None,
            TotalLineItemNumber=len(items),
        )
        return {"Header": rsx.compact(**header), "LineItem": items, "Summary": summary}

    @api.model
    def _line_item(self, invoice, line, index, partner):
        product = line.product_id
        uom = line.product_uom_id or product.uom_id
        code = uom._sps_unit_code() if uom else "EA"
        if not code:
            raise DocumentError(
                self.env._(
                    "%(invoice)s: unit %(unit)s has no SPS unit code. Set it on the unit of measure, then "
                    "replay this line.",
                    invoice=invoice.name,
                    unit=uom.name,
                )
            )
        # The retailer's own item number, when we keep it as its code in the product's partner list.
        buyer_code = product.seller_ids.filtered(
            lambda s: s.partner_id == invoice.commercial_partner_id and s.product_code
        )[:1].product_code
        identifiers = {"vendor": product.default_code, "buyer": buyer_code, "upc": product.barcode}
        if not identifiers[partner.item_identifier]:
            wanted = dict(partner._fields["item_identifier"].selection)[partner.item_identifier]
            raise DocumentError(
                self.env._(
                    "%(invoice)s: %(item)s has no %(what)s, which %(partner)s expects on every line.",
                    invoice=invoice.name,
                    item=product.display_name or line.name,
                    what=wanted.lower(),
                    partner=partner.name,
                )
            )
        invoice_line = rsx.compact(
            LineSequenceNumber=str(index),
            BuyerPartNumber=identifiers["buyer"],
            VendorPartNumber=identifiers["vendor"],
            ConsumerPackageCode=identifiers["upc"],
            InvoiceQty=number(line.quantity),
            InvoiceQtyUOM=code,
            PurchasePrice=number(round(line.price_unit * (1 - (line.discount or 0.0) / 100.0), 4)),
        )
        item = {"InvoiceLine": invoice_line}
        description = (line.name or "").split("\n")[0].strip()
        if description:
            item["ProductOrItemDescription"] = [
                {"ProductCharacteristicCode": "08", "ProductDescription": description[:80]}
            ]
        return item

    @api.model
    def _business_problems(self, doc):
        return rsx.total_problems(doc, "InvoiceLine", "InvoiceQty")
