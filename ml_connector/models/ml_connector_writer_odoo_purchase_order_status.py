from odoo import api, models

from ..tools.errors import DocumentSkipped


class MlConnectorWriterOdooPurchaseOrderStatus(models.AbstractModel):
    """A remote status or acknowledgement of one of our purchase orders, recorded on it.

    The order is the one bound to the remote order, else the one with its number in the
    connection's company. What the order keeps of it is the source system's business
    (``ml.connector.system._record_po_status``), and so is a status of an order Odoo does not
    have (created on the other side: skipped by default).
    """

    _name = "ml.connector.writer.odoo.purchase_order_status"
    _inherit = "ml.connector.writer.keyed"
    _description = "Odoo purchase order statuses"

    _document_type = "purchase_order_status"
    _binding_kind = "purchase_order_status"
    _bind_prefix = "status"

    @api.model
    def _external_key(self, status):
        return status.po.number or False

    @api.model
    def _already_applied(self, line, status, binding, po):
        if binding and po and binding.content_hash == line.content_hash:
            raise DocumentSkipped(self.env._("This status is already recorded on %s.", po.name), record=po)
        return None

    @api.model
    def _apply_original(self, line, status, _record):
        source = line.flow_id.source_backend_id
        po = self._purchase_order(source, status)
        if not po:
            raise source._system()._unknown_order_error(source, status)
        message = source._system()._record_po_status(source, po, status, line)
        return {"record": po, "res_model": "purchase.order", "res_id": po.id, "message": message}

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
        return self.env["purchase.order"].sudo().search(domain, limit=1)
