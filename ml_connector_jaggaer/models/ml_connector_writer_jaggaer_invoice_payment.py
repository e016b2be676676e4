"""Payment status back to JAGGAER: a vendor bill made of a JAGGAER invoice is paid in Odoo, JAGGAER's
invoice becomes Paid (``POST …/invoices/{invoiceId}/status``, PROPOSED in §2: path and status value
are settings of the connection)."""

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentSkipped

from ..tools.client import find_records
from .ml_connector_jaggaer_mixin import INVOICE_BINDING

PAYMENT_BINDING = "jaggaer_invoice_payment"


class MlConnectorWriterJaggaerInvoicePayment(models.AbstractModel):
    _name = "ml.connector.writer.jaggaer.invoice_payment"
    _inherit = ["ml.connector.writer", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER invoice payment statuses"

    _system = "jaggaer"
    _document_type = "invoice_payment"
    _binding_type = PAYMENT_BINDING

    @api.model
    def _source_domain(self, flow):
        return [("jaggaer_invoice_id", "!=", False)]

    @api.model
    def _write(self, line, payment):
        flow = line.flow_id
        backend = self._backend(flow)
        status = (backend.jaggaer_paid_status or "").strip()
        if not status:
            raise DocumentSkipped(self.env._("Payments are not sent to JAGGAER (no paid status is set)."))
        bill = self._odoo_record(flow, payment)
        invoice = (
            self.env["ml.connector.binding"]._find(backend, INVOICE_BINDING, record=bill) if bill else None
        )
        if not invoice:
            raise DocumentSkipped(
                self.env._("This bill was not made of a JAGGAER invoice of this connection.")
            )
        body = {"paymentStatus": status}
        what = self.env._("the payment of invoice %s", payment.number)
        answer, warning = self._client(backend).post("invoice_status", body, what, id=invoice.external_id)
        header = next(iter(find_records(answer, "paymentStatus")), {})
        self.env["ml.connector.binding"]._bind(
            backend,
            PAYMENT_BINDING,
            invoice.external_id,
            record=bill,
            external_key=payment.number,
            content_hash=line.content_hash,
        )
        message = self.env._(
            "JAGGAER invoice %(id)s (%(number)s) is now %(status)s.",
            id=invoice.external_id,
            number=payment.number,
            status=header.get("paymentStatus") or status,
        )
        return {
            "external_id": invoice.external_id,
            "target_key": invoice.external_id,
            "sent": body,
            "response": answer,
            "message": " ".join(filter(None, [message, self._warned(warning)])),
        }
