from odoo import api, fields, models

from ..tools.documents import Invoice, InvoiceLine, Item, TaxAmount
from .ml_connector_reader_odoo_purchase_order import address_of, odoo_ref


class MlConnectorReaderOdooCustomerInvoice(models.AbstractModel):
    """Our posted customer invoices and credit notes as canonical invoices (we are the seller).

    The customer's purchase order number is the invoice's customer reference; lines carry the
    product's identifiers (our internal reference as the vendor's code, the customer's own code
    from the product's partner list, the barcode).
    """

    _name = "ml.connector.reader.odoo.customer_invoice"
    _inherit = "ml.connector.reader.odoo"
    _description = "Odoo customer invoices"

    _document_type = "customer_invoice"
    _source_model = "account.move"

    @api.model
    def _source_domain(self, flow):
        return [
            ("company_id", "=", flow.company_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
        ]

    @api.model
    def _read_record(self, flow, invoice):
        customer = invoice.commercial_partner_id
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        company = invoice.company_id
        currency = invoice.currency_id
        return Invoice(
            key=f"account.move,{invoice.id}",
            number=invoice.name,
            kind="credit_note" if invoice.move_type == "out_refund" else "invoice",
            date=fields.Date.to_string(invoice.invoice_date) or "",
            due_date=fields.Date.to_string(invoice.invoice_date_due) or "",
            currency=currency.name,
            supplier=odoo_ref(company.partner_id),
            buyer=odoo_ref(customer, number=(customer.ref or "").strip()),
            po_number=(invoice.ref or "").strip(),
            payment_terms=odoo_ref(invoice.invoice_payment_term_id),
            lines=[self._line(invoice, line, index) for index, line in enumerate(lines, start=1)],
            taxes=[] if currency.is_zero(invoice.amount_tax) else [TaxAmount(amount=invoice.amount_tax)],
            untaxed=invoice.amount_untaxed,
            total=invoice.amount_total,
            addresses=[
                address
                for address in (
                    address_of(invoice.partner_id, "bill_to"),
                    address_of(invoice.partner_shipping_id or invoice.partner_id, "ship_to"),
                    address_of(company.partner_id, "remit_to"),
                )
                if address
            ],
        )

    @api.model
    def _line(self, invoice, line, index):
        product = line.product_id
        uom = line.product_uom_id or product.uom_id
        # the customer's own item number, when we keep it as its code in the product's partner list
        buyer_code = product.seller_ids.filtered(
            lambda s: s.partner_id == invoice.commercial_partner_id and s.product_code
        )[:1].product_code
        return InvoiceLine(
            number=str(index),
            item=Item(
                key=f"product.product,{product.id}" if product else "",
                buyer_code=buyer_code or "",
                vendor_code=product.default_code or "",
                gtin=product.barcode or "",
                description=(line.name or "").split("\n")[0].strip(),
            ),
            quantity=line.quantity,
            unit_price=round(line.price_unit * (1 - (line.discount or 0.0) / 100.0), 4),
            uom=uom.name or "",
            uom_key=f"uom.uom,{uom.id}" if uom else "",
        )
