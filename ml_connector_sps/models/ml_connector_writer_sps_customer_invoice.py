from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Ref
from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools import rsx
from ..tools.values import number
from .ml_connector_writer_sps import rsx_address

ADDRESS_CODES = {"bill_to": "BT", "ship_to": "ST", "remit_to": "RI"}


class MlConnectorWriterSpsCustomerInvoice(models.AbstractModel):
    """810 out: our customer invoices and credit notes to retailers that trade through SPS.

    The 810 is the seller's invoice: the goods the retailer received from us, billed against
    the retailer's purchase order number (for Odoo's invoices, the invoice's customer
    reference). Invoices are InvoiceTypeCode DR, credit notes CR. An invoice that changes after
    a version reached SPS (reset and posted again with other content) goes as a replacement (05).
    """

    _name = "ml.connector.writer.sps.customer_invoice"
    _inherit = "ml.connector.writer.sps"
    _description = "SPS invoices to retailers (810)"

    _document_type = "customer_invoice"
    _binding_kind = "customer_invoice"
    _sps_code = "810"
    _sps_flag = "send_810"

    @api.model
    def _source_domain(self, flow):
        backend = self._backend(flow)
        retailers = backend.sps_partner_ids.filtered(lambda p: p.active and p.send_810).partner_id
        return [("commercial_partner_id", "in", retailers.ids)]

    @api.model
    def _partner_ref(self, invoice):
        return invoice.buyer

    @api.model
    def _render(self, flow, invoice, partner):
        po_number = invoice.po_number
        if not po_number:
            raise DocumentError(
                self.env._(
                    "%(invoice)s has no purchase order number of %(partner)s: enter it as the invoice's "
                    "customer reference, then replay this line.",
                    invoice=invoice.number,
                    partner=partner.partner_id.display_name,
                )
            )
        items = [
            self._line_item(flow, invoice, invoice_line, index, partner)
            for index, invoice_line in enumerate(invoice.lines, start=1)
        ]
        if not items:
            raise DocumentError(self.env._("%s has no product lines to invoice.", invoice.number))
        header = {
            "InvoiceHeader": rsx.compact(
                TradingPartnerId=partner.tpid,
                InvoiceNumber=invoice.number,
                InvoiceDate=invoice.date,
                PurchaseOrderNumber=po_number,
                InvoiceTypeCode="CR" if invoice.is_credit_note else "DR",
                TsetPurposeCode="00",
                BuyersCurrency=invoice.currency,
                Vendor=partner.vendor_number,
            ),
            "PaymentTerms": [
                rsx.compact(
                    TermsNetDueDate=invoice.due_date,
                    TermsDescription=invoice.payment_terms.name if invoice.payment_terms else None,
                )
            ],
            "Address": [
                rsx_address(ADDRESS_CODES[address.kind], address)
                for address in invoice.addresses
                if address.kind in ADDRESS_CODES
            ],
        }
        tax = sum(tax.amount or 0.0 for tax in invoice.taxes)
        if invoice.taxes:
            header["Taxes"] = [{"TaxTypeCode": "TX", "TaxAmount": number(tax)}]
        summary = rsx.compact(
            TotalAmount=number(invoice.total),
            TotalSalesAmount=number(invoice.untaxed),
            TotalTaxesAndCharges=number(tax) if header.get("Taxes") else None,
            TotalLineItemNumber=len(items),
        )
        return {"Header": rsx.compact(**header), "LineItem": items, "Summary": summary}

    @api.model
    def _line_item(self, flow, invoice, invoice_line, index, partner):
        item = invoice_line.item
        product = self._odoo_record(flow, Ref(key=item.key))
        uom = self._odoo_record(flow, Ref(key=invoice_line.uom_key))
        if flow.source_backend_id:
            code = invoice_line.uom or "EA"
        else:
            code = uom._sps_unit_code() if uom else "EA"
        if not code:
            raise DocumentError(
                self.env._(
                    "%(invoice)s: unit %(unit)s has no SPS unit code. Set it on the unit of measure, then "
                    "replay this line.",
                    invoice=invoice.number,
                    unit=uom.name,
                )
            )
        identifiers = {"vendor": item.vendor_code, "buyer": item.buyer_code, "upc": item.gtin}
        if not identifiers[partner.item_identifier]:
            wanted = dict(partner._fields["item_identifier"].selection)[partner.item_identifier]
            raise DocumentError(
                self.env._(
                    "%(invoice)s: %(item)s has no %(what)s, which %(partner)s expects on every line.",
                    invoice=invoice.number,
                    item=product.display_name if product else item.description,
                    what=wanted.lower(),
                    partner=partner.name,
                )
            )
        rsx_item = {
            "InvoiceLine": rsx.compact(
                LineSequenceNumber=invoice_line.number or str(index),
                BuyerPartNumber=identifiers["buyer"],
                VendorPartNumber=identifiers["vendor"],
                ConsumerPackageCode=identifiers["upc"],
                InvoiceQty=number(invoice_line.quantity),
                InvoiceQtyUOM=code,
                PurchasePrice=number(round(invoice_line.unit_price or 0.0, 4)),
            )
        }
        description = item.description.split("\n")[0].strip()
        if description:
            rsx_item["ProductOrItemDescription"] = [
                {"ProductCharacteristicCode": "08", "ProductDescription": description[:80]}
            ]
        return rsx_item

    @api.model
    def _business_problems(self, doc):
        return rsx.total_problems(doc, "InvoiceLine", "InvoiceQty")
