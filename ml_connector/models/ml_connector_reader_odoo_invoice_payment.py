from odoo import api, fields, models

from ..tools.documents import Invoice
from .ml_connector_reader_odoo_purchase_order import odoo_ref


class MlConnectorReaderOdooInvoicePayment(models.AbstractModel):
    """Vendor bills that are paid, as canonical invoices carrying their payment status: a system
    whose invoice became the bill is told it is paid (its writer narrows to the bills made of its
    invoices). Only the payment facts travel: status, amounts, the last payment's date."""

    _name = "ml.connector.reader.odoo.invoice_payment"
    _inherit = "ml.connector.reader.odoo"
    _description = "Odoo vendor bill payments"

    _document_type = "invoice_payment"
    _source_model = "account.move"

    @api.model
    def _source_domain(self, flow):
        return [
            ("company_id", "=", flow.company_id.id),
            ("move_type", "in", ("in_invoice", "in_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("paid", "in_payment")),
        ]

    @api.model
    def _read_record(self, flow, bill):
        payments = bill._get_reconciled_payments()
        paid_on = max(payments.mapped("date"), default=False)
        return Invoice(
            key=f"account.move,{bill.id}",
            number=(bill.ref or "").strip(),
            remote_number=bill.name,
            kind="credit_note" if bill.move_type == "in_refund" else "invoice",
            date=fields.Date.to_string(paid_on or bill.invoice_date) or "",
            currency=bill.currency_id.name,
            supplier=odoo_ref(bill.commercial_partner_id),
            total=bill.amount_total,
            untaxed=bill.amount_untaxed,
            payment_status="in_payment" if bill.payment_state == "in_payment" else "paid",
        )
