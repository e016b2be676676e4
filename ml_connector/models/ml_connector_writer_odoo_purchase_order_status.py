from odoo import api, models

from ..tools.errors import DocumentSkipped


class MlConnectorWriterOdooPurchaseOrderStatus(models.AbstractModel):
    """A remote status or acknowledgement of one of our purchase orders, recorded on it.

    The order is the one bound to the remote order, else the one with its number in the
    connection's company (of the document's supplier when it names one). What the order keeps of
    it is the source system's business (``ml.connector.system._record_po_status``); an order
    that is not ours (created on the other side) is skipped.
    """

    _name = "ml.connector.writer.odoo.purchase_order_status"
    _inherit = "ml.connector.writer"
    _description = "Odoo purchase order statuses"

    _document_type = "purchase_order_status"

    @api.model
    def _write(self, line, status):
        source = line.flow_id.source_backend_id
        po = self._purchase_order(source, status)
        if not po:
            raise DocumentSkipped(
                self.env._(
                    "Not a purchase order of %(company)s in Odoo (created in %(system)s or elsewhere).",
                    company=source.company_id.name,
                    system=source._system_label(),
                )
            )
        message = source._system()._record_po_status(source, po, status, line)
        return {"res_model": "purchase.order", "res_id": po.id, "message": message}

    @api.model
    def _purchase_order(self, source, status):
        Binding = self.env["ml.connector.binding"]
        binding = (
            Binding._counterpart("purchase_order", source, status.po.key, None) if status.po.key else None
        )
        po = binding._record() if binding else None
        if po or not status.po.number:
            return po
        domain = [("name", "=", status.po.number), ("company_id", "=", source.company_id.id)]
        vendor = (
            Binding._counterpart("supplier", source, status.supplier.key, None)
            if status.supplier.key
            else None
        )
        if vendor and vendor._record():
            domain.append(("partner_id.commercial_partner_id", "=", vendor.res_id))
        return self.env["purchase.order"].sudo().search(domain, limit=1)
