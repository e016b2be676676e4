from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Item, Receipt, ReceiptLine, Ref
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem

from ..tools.client import dig
from .ml_connector_reader_jaggaer_invoice import number


class MlConnectorReaderJaggaerReceipt(models.AbstractModel):
    """What JAGGAER received on its purchase orders, as cumulative receipts.

    J1P has no receipt resource: a purchase order line keeps its ``quantityReceived`` (§2.2).
    An order whose received quantities changed gives one document holding, per line, everything
    received so far (``Receipt.cumulative``): the writer receives on its side what it does not
    have yet. The item holds only the received quantities, so an order that changes otherwise
    (a status, a revision) gives no new receipt, and orders with nothing received give none.
    """

    _name = "ml.connector.reader.jaggaer.receipt"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER received quantities"

    _system = "jaggaer"
    _document_type = "receipt"

    @api.model
    def _collect(self, flow, run):
        def make_item(record):
            lines = dig(record, "lineList.poLine")
            lines = lines if isinstance(lines, list) else []
            received = [
                {key: line.get(key) for key in ("lineNumber", "quantityReceived", "item")}
                for line in lines
                if isinstance(line, dict) and line.get("quantityReceived") not in (None, "", 0, "0")
            ]
            if not received:
                return None
            key = str(record.get("poId") or "")
            supplier = record.get("supplier") if isinstance(record.get("supplier"), dict) else {}
            payload = {"poId": record.get("poId"), "poNumber": record.get("poNumber"), "supplier": supplier}
            payload["lines"] = received
            return SourceItem(
                source_key=key or f"unidentified:{record.get('poNumber')}",
                payload=payload,
                name=self.env._("Received on PO %s", record.get("poNumber")),
                document_key=record.get("poNumber") or key,
                error=None if key else DocumentError(self.env._("This purchase order has no poId.")),
            )

        yield from self._collect_changed(
            flow,
            run,
            "purchase_orders",
            path_key="po_list",
            wrapper_key="purchase_orders",
            what=self.env._("the purchase order list"),
            make_item=make_item,
            key_of=lambda record: str(record.get("poId") or id(record)),
        )

    @api.model
    def _document(self, line):
        payload = self._payload(line) or {}
        self._check_texts(payload)
        po_number = str(payload.get("poNumber") or "")
        if not payload.get("poId") or not po_number:
            raise DocumentError(self.env._("The purchase order has no poId or poNumber."))
        supplier = payload.get("supplier") if isinstance(payload.get("supplier"), dict) else {}
        lines = []
        for raw in payload.get("lines") or []:
            where = self.env._("PO %(po)s line %(line)s", po=po_number, line=raw.get("lineNumber"))
            item = raw.get("item") if isinstance(raw.get("item"), dict) else {}
            lines.append(
                ReceiptLine(
                    po_line=str(raw.get("lineNumber") or ""),
                    item=Item(
                        description=str(item.get("description") or ""),
                        buyer_code=str(item.get("catalogNumber") or ""),
                    ),
                    quantity=number(
                        self.env, raw.get("quantityReceived"), self.env._("%s: quantityReceived", where)
                    ),
                    uom=str(item.get("unitOfMeasure") or ""),
                )
            )
        return Receipt(
            key=str(payload["poId"]),
            number=po_number,
            po=Ref(key=str(payload["poId"]), number=po_number),
            supplier=Ref(
                key=str(supplier.get("id") or ""),
                number=str(supplier.get("supplierNumber") or ""),
                name=str(supplier.get("name") or ""),
            ),
            lines=lines,
            cumulative=True,
        )
