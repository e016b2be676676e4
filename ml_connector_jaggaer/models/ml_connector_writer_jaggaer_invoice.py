"""Invoices of another end (an ERP's invoice headers and lines) imported into JAGGAER.

J1P's one confirmed invoice write is the OCR import (``POST …/ji/v1/invoices/ocr``, jaggaer-api.md
§1.4 [C], body §1.9): JAGGAER stores the invoice as one that arrived from outside (Pending,
Unmatched, In process) and runs it through its own workflow. It only creates: an invoice JAGGAER
already has (same supplier and number, §4) is refused, and a repeated ``batchId`` returns the first
result. So each invoice is sent once, with a ``batchId`` of its own, and looked up by supplier and
number after an unclear answer or a refusal as a duplicate.
"""

from odoo import api, fields, models
from odoo.tools import float_round

from odoo.addons.ml_connector.tools.errors import (
    ConnectorError,
    DocumentError,
    DocumentSkipped,
    RemoteBusinessError,
)

from ..tools.client import dig, iso_ms, parse_stamp, splittable
from .ml_connector_jaggaer_mixin import INVOICE_BINDING

CHARGE_KINDS = {"freight": "shippingCharge", "handling": "handlingCharge", "tax": "taxCharge1"}


class MlConnectorWriterJaggaerInvoice(models.AbstractModel):
    _name = "ml.connector.writer.jaggaer.invoice"
    _inherit = ["ml.connector.writer", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER invoice import"

    _system = "jaggaer"
    _document_type = "invoice"
    _binding_kind = "invoice"

    @api.model
    def _write(self, line, invoice):
        flow = line.flow_id
        backend = self._backend(flow)
        binding = self.env["ml.connector.binding"]._counterpart(
            "invoice", flow.source_backend_id, invoice.key, backend
        )
        if binding:
            origin = (
                self.env._("Already in JAGGAER")
                if binding.backend_id == backend
                else self.env._("Came from JAGGAER")
            )
            raise DocumentSkipped(self.env._("%(origin)s: not imported again.", origin=origin))
        client = self._client(backend)
        document = self._render(line, invoice)
        what = self.env._("invoice %s", invoice.number)
        try:
            answer, warning = client.post("invoice_import", document, what)
        except RemoteBusinessError as exc:
            found = self._lookup(client, invoice.number, document)
            if not found:
                exc.sent = document
                raise
            return self._bind_invoice(
                line, invoice, found, document, exc.body, self.env._("Already in JAGGAER")
            )
        except ConnectorError as exc:
            exc.sent = document
            raise
        header = next(
            (
                dig(record, "header")
                for record in client.records(answer, "invoices")
                if dig(record, "header.invoiceId")
            ),
            None,
        ) or self._lookup(client, invoice.number, document)
        if not header:
            raise RemoteBusinessError(
                self.env._(
                    "JAGGAER accepted %s but neither its answer nor its list shows an invoiceId.", what
                ),
                body=answer,
            )
        result = self._bind_invoice(
            line, invoice, header, document, answer, self.env._("Imported into JAGGAER")
        )
        result["message"] = " ".join(filter(None, [result["message"], self._warned(warning)]))
        return result

    @api.model
    def _resolve_unknown_outcome(self, line, invoice):
        client = self._client(self._backend(line.flow_id))
        document = self._render(line, invoice)
        found = self._lookup(client, invoice.number, document)
        if not found:
            return None
        return self._bind_invoice(
            line, invoice, found, document, found, self.env._("Found in JAGGAER after an unanswered import")
        )

    @api.model
    def _lookup(self, client, number, document):
        supplier_number = dig(document, "invoiceOcr.invoiceOcrHeader.supplier.supplierNumber")
        records = client.find(
            "invoice_list",
            "invoices",
            self.env._("invoice %s", number),
            flt=f"supplierInvoiceNumber=={number};supplier.supplierNumber=={supplier_number}",
        )
        return next((dig(record, "header") for record in records if dig(record, "header.invoiceId")), None)

    @api.model
    def _bind_invoice(self, line, invoice, header, document, answer, how):
        flow = line.flow_id
        invoice_id = str(header["invoiceId"])
        self.env["ml.connector.binding"]._bind(
            self._backend(flow),
            INVOICE_BINDING,
            invoice_id,
            **self._local_side(flow, invoice.key),
            external_key=invoice.number,
            content_hash=line.content_hash,
        )
        message = self.env._(
            "%(how)s: invoice %(number)s is %(id)s (%(status)s).",
            how=how,
            number=invoice.number,
            id=header.get("invoiceNumber") or invoice_id,
            status=header.get("workflowStatus") or "?",
        )
        return {
            "external_id": invoice_id,
            "target_key": invoice_id,
            "sent": document,
            "response": answer,
            "message": message,
        }

    # -- the OCR import document ------------------------------------------------------------
    @api.model
    def _render(self, line, invoice):
        """The §1.9 import of canonical ``invoice``; waits while its supplier or coding is unknown."""
        flow = line.flow_id
        backend = self._backend(flow)
        orders = self.env["ml.connector.writer.jaggaer.purchase_order"]
        supplier_number, _bravo_id = orders._supplier_reference(flow, invoice.supplier)
        date = parse_stamp(invoice.date)
        if not date:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s has no valid date: %(date)r.",
                    number=invoice.number,
                    date=invoice.date,
                )
            )
        header = {
            "supplierInvoiceNumber": invoice.number,
            "invoiceType": "Credit memo" if invoice.is_credit_note else "Invoice",
            "invoiceDate": iso_ms(date),
            "supplier": {"supplierNumber": supplier_number},
        }
        if backend.jaggaer_business_unit:
            header["businessUnit"] = {"internalName": backend.jaggaer_business_unit}
        lines, charges = self._lines(flow, invoice)
        header.update({key: float_round(abs(value), 2) for key, value in charges.items() if value})
        if invoice.total is not None:
            header["total"] = {"currency": invoice.currency, "value": float_round(abs(invoice.total), 2)}
        source = flow.source_backend_id
        system = source._system_label() if source else "Odoo"
        batch = f"{source.system_type}-{source.id}" if source else "odoo"
        return {
            "batchId": f"{batch}-{invoice.key}",
            "batchInfo": {
                "batchNumber": invoice.key,
                "batchTimestamp": iso_ms(fields.Datetime.now()),
                "batchDescription": self.env._(
                    "%(system)s invoice %(number)s", system=system, number=invoice.number
                ),
            },
            "invoiceOcr": {"invoiceOcrHeader": header, "invoiceOcrLineList": {"invoiceOcrLine": lines}},
        }

    @api.model
    def _lines(self, flow, invoice):
        """OCR lines of the invoice's item and miscellaneous lines, and its freight, handling and
        tax as header charges (amounts without sign: a credit memo says it in its type)."""
        orders = self.env["ml.connector.writer.jaggaer.purchase_order"]
        lines, charges = [], {}
        # an invoice of charges only (a freight bill) imports them as its lines
        itemised = any(invoice_line.kind not in CHARGE_KINDS for invoice_line in invoice.lines)
        for invoice_line in invoice.lines:
            charge = CHARGE_KINDS.get(invoice_line.kind) if itemised else None
            if charge:
                charges[charge] = charges.get(charge, 0.0) + (invoice_line.amount or 0.0)
                continue
            quantity, price = invoice_line.quantity, invoice_line.unit_price
            if not quantity or price is None:
                quantity, price = 1, invoice_line.amount or 0.0  # an amount-only line, billed once
            ocr_line = {
                "lineNumber": len(lines) + 1,
                "ocrItem": {
                    "description": invoice_line.item.description or invoice_line.notes,
                    "unitOfMeasure": invoice_line.uom or "EA",
                },
                "quantity": abs(quantity),
                "unitPrice": {"currency": invoice.currency, "money": abs(price)},
                "splittableFieldSetGroupList": splittable(orders._gl_coding(flow, invoice, invoice_line)),
            }
            if invoice_line.po and invoice_line.po.number:
                ocr_line.update(poNumber=invoice_line.po.number, poLineNumber=invoice_line.po_line or None)
            lines.append(ocr_line)
        for charge in invoice.charges:
            key = CHARGE_KINDS.get(charge.kind, "handlingCharge")
            charges[key] = charges.get(key, 0.0) + charge.amount
        for tax in invoice.taxes:
            charges["taxCharge1"] = charges.get("taxCharge1", 0.0) + (tax.amount or 0.0)
        if not lines:
            raise DocumentError(self.env._("Invoice %s has no item line to import.", invoice.number))
        return lines, charges
