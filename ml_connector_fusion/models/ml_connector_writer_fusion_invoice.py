from decimal import Decimal

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import (
    ConnectorError,
    DocumentError,
    DocumentSkipped,
    NeedsReviewError,
)

from .ml_connector_fusion_mixin import money, text

# canonical line kinds and charges -> Fusion LineType (§6.1)
LINE_TYPES = {"item": "Item", "freight": "Freight", "misc": "Miscellaneous", "tax": "Tax"}
CHARGE_TYPES = {"freight": "Freight", "handling": "Freight", "tax": "Tax"}
DESCRIPTION_LENGTH = 240


def supplier_wait_key(source, key):
    """What an invoice waits for while supplier ``key`` of connection ``source`` has no Fusion
    supplier yet (released when the pair's binding is written)."""
    return f"fusion:supplier:{source.id}:{key}"


class MlConnectorWriterFusionInvoice(models.AbstractModel):
    """Supplier invoices of another end (JAGGAER's) as Fusion payables invoices (§6.1), with
    their lines and distributions.

    A line billing a Fusion order is matched to it (order, line and schedule numbers: Fusion
    takes the distributions from the order); any other line gets a distribution on the account
    combination of its coding (the source's account and cost centre, through the mappings between
    the two connections, found in Fusion's chart). Charges become freight, miscellaneous or tax
    lines. Payables keeps an invoice number unique per supplier and business unit: the invoice is
    looked up by supplier and number before it is created and after any unclear answer, so it is
    never created twice; an invoice that came from Fusion in the first place is not sent back.
    """

    _name = "ml.connector.writer.fusion.invoice"
    _inherit = ["ml.connector.writer", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion payables invoices"

    _system = "fusion"
    _document_type = "invoice"
    _binding_kind = "invoice"

    @api.model
    def _write(self, line, invoice):
        flow = line.flow_id
        backend = self._backend(flow)
        binding = self.env["ml.connector.binding"]._counterpart(
            "invoice", flow.source_backend_id, invoice.key, backend
        )
        if binding and binding.backend_id != backend:
            raise DocumentSkipped(
                self.env._("Came from Fusion (invoice %s): not sent back.", binding.local_ref)
            )
        client = self._client(backend)
        payload = self._payload_of(line, client, invoice)
        if binding:
            found = self._lookup(client, payload)
            if found:
                return self._bound(line, found, payload, self.env._("Already in Fusion"))
        try:
            created_invoice, created = client.create_invoice(payload)
        except ConnectorError as exc:
            exc.sent = payload
            raise
        if not created:
            return self._bound(
                line,
                created_invoice,
                payload,
                self.env._("Found in Fusion by supplier and number, not created twice"),
            )
        return self._bound(line, created_invoice, payload, self.env._("Created in Fusion"))

    @api.model
    def _resolve_unknown_outcome(self, line, invoice):
        client = self._client(self._backend(line.flow_id))
        payload = self._payload_of(line, client, invoice)
        found = self._lookup(client, payload)
        if not found:
            return None
        return self._bound(line, found, payload, self.env._("Found in Fusion after an unanswered send"))

    @api.model
    def _lookup(self, client, payload):
        return client.find_invoice(
            payload["InvoiceNumber"],
            supplier_number=payload.get("SupplierNumber"),
            business_unit=payload.get("BusinessUnit"),
        )

    @api.model
    def _bound(self, line, found, payload, how):
        flow = line.flow_id
        invoice_id = str(found["InvoiceId"])
        self.env["ml.connector.binding"]._bind(
            self._backend(flow),
            self._backend(flow)._binding_type("invoice"),
            invoice_id,
            local_ref=line.source_key,
            local_backend=flow.source_backend_id,
            external_key=payload["InvoiceNumber"],
            content_hash=line.content_hash,
        )
        message = self.env._(
            "%(how)s: invoice %(number)s of %(supplier)s (InvoiceId %(id)s, %(status)s).",
            how=how,
            number=payload["InvoiceNumber"],
            supplier=payload.get("Supplier"),
            id=invoice_id,
            status=found.get("ValidationStatus") or "?",
        )
        return {
            "external_id": invoice_id,
            "target_key": invoice_id,
            "sent": payload,
            "response": found,
            "message": message,
        }

    # -- the payables invoice --------------------------------------------------------------------
    @api.model
    def _payload_of(self, line, client, invoice):
        supplier = self._supplier(line, client, invoice)
        site = self._site(client, supplier, invoice)
        lines = self._lines(line, client, invoice)
        total = sum((money(ln["LineAmount"]) for ln in lines), Decimal(0))
        # a credit note's total may be written with or without its sign
        if invoice.total is not None and abs(abs(money(invoice.total)) - abs(total)) > Decimal("0.01"):
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s: its lines and charges make %(lines)s, its total says %(total)s.",
                    number=invoice.number,
                    lines=total,
                    total=money(invoice.total),
                )
            )
        source = line.flow_id.source_backend_id
        payload = {
            "InvoiceNumber": invoice.number,
            "InvoiceCurrency": invoice.currency,
            "InvoiceAmount": total,
            "InvoiceDate": invoice.date,
            "Supplier": supplier.get("Supplier"),
            "SupplierNumber": supplier.get("SupplierNumber"),
            "SupplierSite": site.get("SupplierSite"),
            "Description": self.env._(
                "%(system)s invoice %(number)s",
                system=source._system_label(),
                number=invoice.remote_number or invoice.key,
            )[:DESCRIPTION_LENGTH],
            "invoiceLines": lines,
        }
        if invoice.is_credit_note:
            payload["InvoiceType"] = "Credit Memo"
        return client.invoice_defaults(payload)

    @api.model
    def _supplier(self, line, client, invoice):
        flow = line.flow_id
        source = flow.source_backend_id
        supplier_id = self.env["ml.connector.binding"]._counterpart_key(
            "supplier", source, invoice.supplier.key, self._backend(flow)
        )
        if not supplier_id:
            raise NeedsReviewError(
                self.env._(
                    "Waiting: supplier %(name)s (%(key)s) is not linked to a Fusion supplier yet. The "
                    "supplier flow links or creates it on its next cycle (see its audit line if it waits "
                    "on a decision); this invoice then goes by itself.",
                    name=invoice.supplier.name,
                    key=invoice.supplier.key,
                ),
                blocking_key=supplier_wait_key(source, invoice.supplier.key),
            )
        row = self._supplier_row(client, supplier_id)
        if row is None:
            raise DocumentError(self.env._("Fusion supplier %s no longer exists.", supplier_id))
        return row

    @api.model
    def _site(self, client, supplier, invoice):
        """The supplier's active site in the invoice's business unit (else its first active one)."""
        reader = self.env["ml.connector.reader.fusion.supplier"]
        units = [client.config.procurement_bu, *client.config.business_units]
        sites = [s for s in client.children(supplier, "sites") if reader._site_active(s)]
        sites.sort(key=lambda s: (s.get("ProcurementBU") not in units, s.get("SupplierSiteId") or 0))
        if not sites:
            raise DocumentError(
                self.env._(
                    "Fusion supplier %(number)s %(name)s has no active site to invoice; add one in Fusion, "
                    "then replay.",
                    number=supplier.get("SupplierNumber"),
                    name=supplier.get("Supplier"),
                )
            )
        return sites[0]

    @api.model
    def _lines(self, line, client, invoice):
        sign = Decimal(-1) if invoice.is_credit_note else Decimal(1)
        lines = []
        for invoice_line in invoice.lines:
            lines.append(self._line(line, client, invoice, invoice_line, len(lines) + 1, sign))
        for charge in invoice.charges:
            lines.append(
                {
                    "LineNumber": len(lines) + 1,
                    "LineType": CHARGE_TYPES.get(charge.kind, "Miscellaneous"),
                    "LineAmount": money(charge.amount) * sign,
                    "Description": (charge.description or charge.code or charge.kind)[:DESCRIPTION_LENGTH],
                }
            )
        for tax in invoice.taxes:
            if tax.amount:
                lines.append(
                    {
                        "LineNumber": len(lines) + 1,
                        "LineType": "Tax",
                        "LineAmount": money(tax.amount) * sign,
                        "Description": (tax.code or "Tax")[:DESCRIPTION_LENGTH],
                    }
                )
        if not lines:
            raise DocumentError(self.env._("Invoice %s has no lines.", invoice.number))
        return lines

    @api.model
    def _line(self, line, client, invoice, invoice_line, number, sign):
        quantity = Decimal(str(invoice_line.quantity)) if invoice_line.quantity is not None else None
        price = Decimal(str(invoice_line.unit_price)) if invoice_line.unit_price is not None else None
        if invoice_line.amount is not None:
            line_amount = money(invoice_line.amount)
        elif quantity is not None and price is not None:
            line_amount = money(quantity * price)
        else:
            raise DocumentError(
                self.env._(
                    "Invoice %(number)s line %(line)s has no amount.",
                    number=invoice.number,
                    line=invoice_line.number,
                )
            )
        result = {
            "LineNumber": number,
            "LineType": LINE_TYPES.get(invoice_line.kind, "Item"),
            "LineAmount": line_amount * sign,
            "Description": (invoice_line.item.description or invoice_line.notes or "")[:DESCRIPTION_LENGTH]
            or None,
        }
        if quantity is not None and price is not None:
            result.update(Quantity=quantity * sign, UnitPrice=price)
        match = self._po_match(line, client, invoice_line)
        if match:
            result.update(match)
        else:
            combination = self._combination(line, client, invoice, invoice_line)
            result["invoiceDistributions"] = [
                {
                    "DistributionLineNumber": 1,
                    "DistributionAmount": line_amount * sign,
                    "DistributionCombination": combination,
                }
            ]
        return {k: v for k, v in result.items() if v is not None}

    @api.model
    def _po_match(self, line, client, invoice_line):
        """Order, line and schedule numbers of the Fusion order line ``invoice_line`` bills, or None
        when it bills no order that came from Fusion."""
        if not invoice_line.po or not invoice_line.po.number:
            return None
        flow = line.flow_id
        source, backend = flow.source_backend_id, self._backend(flow)
        Binding = self.env["ml.connector.binding"].sudo()
        order = Binding.search(
            [
                ("backend_id", "=", source.id),
                ("object_type", "=", source._binding_type("purchase_order")),
                ("external_key", "=", invoice_line.po.number),
                ("local_backend_id", "=", backend.id),
            ],
            limit=1,
        )
        if not order:
            return None
        line_number = invoice_line.po_line or "1"
        line_id = Binding._counterpart_key(
            "purchase_order_line", source, f"{invoice_line.po.number}/{line_number}", backend
        )
        fusion_line = self._order_line(client, order.local_ref, line_id, line_number)
        schedules = sorted(
            client.children(fusion_line, "schedules"), key=lambda s: s.get("ScheduleNumber") or 0
        )
        return {
            "PurchaseOrderNumber": invoice_line.po.number,
            "PurchaseOrderLineNumber": fusion_line.get("LineNumber"),
            "PurchaseOrderScheduleLineNumber": schedules[0].get("ScheduleNumber") if schedules else 1,
        }

    @api.model
    def _order_line(self, client, header_id, line_id, line_number):
        def read():
            page = next(
                client.pages(
                    "purchase_orders",
                    finder=f"PrimaryKey;{client.config.key('purchase_orders')}={header_id}",
                    fields="",
                    expand="lines,lines.schedules",
                    limit=1,
                )
            )
            return client.children(page.items[0], "lines") if page.items else []

        lines = self._cached("order_lines", (client.http.base_url, header_id), read)
        found = next((ln for ln in lines if line_id and str(ln.get("POLineId")) == str(line_id)), None)
        found = found or next((ln for ln in lines if str(ln.get("LineNumber")) == str(line_number)), None)
        if found is None:
            raise DocumentError(self.env._("The Fusion order has no line %s.", line_number))
        return found

    @api.model
    def _combination(self, line, client, invoice, invoice_line):
        """The Fusion account combination of a line's coding (source values mapped to Fusion's)."""
        flow = line.flow_id
        source, backend = flow.source_backend_id, self._backend(flow)
        where = self.env._(
            "Invoice %(number)s line %(line)s", number=invoice.number, line=invoice_line.number
        )
        account = invoice_line.coding.account
        if not account:
            raise DocumentError(
                self.env._("%s bills no order of Fusion and has no account to charge.", where)
            )
        Mapping = self.env["ml.connector.mapping"]
        values = {
            "account": Mapping._resolve(source, account.group or "Account", account.number, end=backend)
        }
        for centre in invoice_line.coding.cost_centres[:1]:
            values["cost_centre"] = Mapping._resolve(
                source, centre.group or "CostCenter", centre.number, end=backend
            )
        combination = self._cached(
            "combination_of",
            (client.http.base_url, tuple(sorted(values.items()))),
            lambda: client.combination(**values),
        )
        if not combination:
            raise DocumentError(
                self.env._(
                    "%(where)s: Fusion's chart has no enabled account combination with account %(account)s "
                    "and cost centre %(centre)s.",
                    where=where,
                    account=values["account"],
                    centre=values.get("cost_centre") or "-",
                )
            )
        return text(combination.get("ConcatenatedSegments"))
