from odoo import api, models

from odoo.addons.ml_connector.tools.documents import PurchaseOrderStatus, Ref
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem

# JAGGAER's PO lifecycle (§2.2) in the canonical statuses
STATUSES = {
    "approved": "approved",
    "distributed": "sent",
    "acknowledged": "acknowledged",
    "partially received": "partially_received",
    "received": "received",
    "closed": "closed",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}


class MlConnectorReaderJaggaerPurchaseOrderStatus(models.AbstractModel):
    """Where JAGGAER's purchase orders stand (status, revision), from its PO list."""

    _name = "ml.connector.reader.jaggaer.purchase_order_status"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER purchase order statuses"

    _system = "jaggaer"
    _document_type = "purchase_order_status"

    @api.model
    def _collect(self, flow, run):
        def make_item(record):
            key = str(record.get("poId") or "")
            return SourceItem(
                source_key=key or f"unidentified:{record.get('poNumber')}",
                payload=record,
                name=self.env._(
                    "PO %(number)s: %(status)s", number=record.get("poNumber"), status=record.get("status")
                ),
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
        remote = self._payload(line) or {}
        self._check_texts(remote)
        if not remote.get("status"):
            raise DocumentError(self.env._("The purchase order has no status."))
        try:
            revision = float(remote.get("revisionNumber") or 0)
            if not revision.is_integer():
                raise ValueError(revision)
            revision = int(revision)
        except (TypeError, ValueError, OverflowError):
            raise DocumentError(
                self.env._(
                    "The revisionNumber of purchase order %(po)s is not a whole number: %(value)r.",
                    po=remote.get("poNumber"),
                    value=remote.get("revisionNumber"),
                )
            ) from None
        supplier = remote.get("supplier") if isinstance(remote.get("supplier"), dict) else {}
        return PurchaseOrderStatus(
            key=str(remote.get("poId") or ""),
            po=Ref(key=str(remote.get("poId") or ""), number=str(remote.get("poNumber") or "")),
            status=STATUSES.get(str(remote["status"]).strip().lower(), ""),
            remote_status=str(remote["status"]),
            revision=revision,
            changed_at=str(remote.get("lastUpdate") or ""),
            supplier=Ref(
                key=str(supplier.get("id") or ""),
                number=str(supplier.get("supplierNumber") or ""),
                name=str(supplier.get("name") or ""),
            ),
            lines=[],
        )
