from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Coding, Invoice, InvoiceLine, Item, Ref
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from ..tools.fusion import quote
from .ml_connector_fusion_mixin import amount, text

# Fusion LineType -> canonical line kind
LINE_KINDS = {"item": "item", "freight": "freight", "miscellaneous": "misc", "tax": "tax"}
DETAIL_EXPAND = "invoiceLines,invoiceLines.invoiceDistributions"


class MlConnectorReaderFusionInvoice(models.AbstractModel):
    """Oracle Fusion payables invoices (§5.2) as canonical invoices: headers with their lines, the
    lines' order references and GL coding (the account and cost centre of their distribution's
    account combination).

    Invoices already joined to the other end are not passed on: those that came from it (an
    invoice the other direction created in Fusion) and those sent before (an import is not
    repeated), so that the two invoice flows never feed each other.
    """

    _name = "ml.connector.reader.fusion.invoice"
    _inherit = ["ml.connector.reader", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion payables invoices"

    _system = "fusion"
    _document_type = "invoice"

    @api.model
    def _collect(self, flow, run):
        client = self._client(self._backend(flow))
        Binding = self.env["ml.connector.binding"]

        def make_item(row):
            key = str(row.get("InvoiceId") or "")
            if key and Binding._counterpart("invoice", flow.source_backend_id, key, flow.target_backend_id):
                return None
            number = text(row.get("InvoiceNumber")) or key
            return SourceItem(
                source_key=key or f"unidentified:{number}",
                payload=row,
                name=self.env._(
                    "Invoice %(number)s %(supplier)s", number=number, supplier=text(row.get("Supplier"))
                ),
                document_key=number,
                error=None if key else DocumentError(self.env._("This invoice row has no InvoiceId.")),
            )

        units = client.config.business_units
        q = " or ".join(f"BusinessUnit={quote(unit)}" for unit in units) if units else None
        yield from self._collect_changed(flow, run, "invoices", make_item, q=q)

    @api.model
    def _document(self, line):
        row = self._payload(line) or {}
        number = text(row.get("InvoiceNumber"))
        self._check_texts(row, self.env._("Fusion invoice %s", number or row.get("InvoiceId")))
        if not row.get("InvoiceId") or not number:
            raise DocumentError(self.env._("A Fusion invoice needs an InvoiceId and an InvoiceNumber."))
        problem = identifier_problem(number)
        if problem:
            raise DocumentError(
                self.env._("The InvoiceNumber %(number)s %(problem)s.", number=number, problem=problem)
            )
        client = self._client(self._backend(line.flow_id))
        detail = client.follow(client.link(row, "self"), params={"expand": DETAIL_EXPAND})
        self._check_texts(detail, self.env._("Fusion invoice %s", number))
        try:
            invoice = self._invoice(client, detail)
        except Exception as exc:
            exc.payload = detail
            raise
        invoice.source_payload = detail
        return invoice

    @api.model
    def _invoice(self, client, detail):
        number = text(detail.get("InvoiceNumber"))
        total = amount(detail.get("InvoiceAmount"), self.env._("Invoice %s: InvoiceAmount", number))
        lines = [
            self._line(client, number, raw)
            for raw in sorted(
                client.children(detail, "invoiceLines"), key=lambda ln: ln.get("LineNumber") or 0
            )
        ]
        if not lines:
            raise DocumentError(self.env._("Fusion invoice %s has no lines.", number))
        credit = text(detail.get("InvoiceType")).lower().startswith("credit") or total < 0
        return Invoice(
            key=str(detail["InvoiceId"]),
            number=number,
            remote_number=str(detail["InvoiceId"]),
            kind="credit_note" if credit else "invoice",
            date=text(detail.get("InvoiceDate")),
            currency=text(detail.get("InvoiceCurrency")),
            supplier=self._supplier_ref(client, detail),
            business_unit=text(detail.get("BusinessUnit")),
            lines=lines,
            total=total,
            status=text(detail.get("ValidationStatus")),
            payment_status=text(detail.get("PaidStatus")),
        )

    @api.model
    def _supplier_ref(self, client, detail):
        """The invoice's supplier by its key on Fusion's end (SupplierId), found by its number."""
        number = text(detail.get("SupplierNumber"))
        if not number:
            raise DocumentError(
                self.env._("Fusion invoice %s names no SupplierNumber.", detail.get("InvoiceNumber"))
            )
        rows = self._cached(
            "supplier_by_number", (client.http.base_url, number), lambda: client.find_supplier(number=number)
        )
        if len(rows) != 1:
            raise DocumentError(
                self.env._("%(n)s Fusion suppliers have the number %(number)s.", n=len(rows), number=number)
            )
        return Ref(key=str(rows[0]["SupplierId"]), number=number, name=text(detail.get("Supplier")))

    @api.model
    def _line(self, client, number, raw):
        where = self.env._("Invoice %(number)s line %(line)s", number=number, line=raw.get("LineNumber"))
        po = text(raw.get("PurchaseOrderNumber"))
        quantity = raw.get("Quantity")
        price = raw.get("UnitPrice")
        return InvoiceLine(
            number=str(raw.get("LineNumber") or ""),
            kind=LINE_KINDS.get(text(raw.get("LineType")).lower(), "misc"),
            item=Item(description=text(raw.get("Description"))),
            quantity=None if quantity is None else amount(quantity, self.env._("%s: Quantity", where)),
            unit_price=None if price is None else amount(price, self.env._("%s: UnitPrice", where)),
            amount=amount(raw.get("LineAmount"), self.env._("%s: LineAmount", where)),
            po=Ref(number=po) if po else None,
            po_line=text(raw.get("PurchaseOrderLineNumber")),
            coding=self._coding(client, where, raw),
        )

    @api.model
    def _coding(self, client, where, raw):
        expanded = raw.get("invoiceDistributions") is not None
        distributions = client.children(raw, "invoiceDistributions") if expanded else []
        concatenated = text(raw.get("DistributionCombination")) or next(
            (
                text(d.get("DistributionCombination"))
                for d in distributions
                if d.get("DistributionCombination")
            ),
            "",
        )
        if not concatenated:
            return Coding()
        combination = self._cached(
            "combination_any",
            (client.http.base_url, concatenated),
            lambda: client.combination(concatenated=concatenated, enabled_only=False),
        )
        if not combination:
            raise DocumentError(
                self.env._(
                    "%(where)s: account combination %(c)s is not in the chart.", where=where, c=concatenated
                )
            )
        account = text(client.config.account_of(combination))
        centre = text(client.config.cost_center_of(combination))
        return Coding(
            account=Ref(number=account) if account else None,
            cost_centres=[Ref(number=centre)] if centre else [],
        )
