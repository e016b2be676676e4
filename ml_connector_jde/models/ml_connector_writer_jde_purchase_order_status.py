from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import DocumentSkipped


class MlConnectorWriterJdePurchaseOrderStatus(models.AbstractModel):
    """JAGGAER's status of an order that came from JD Edwards, recorded on the binding that joins
    the two orders (and on the audit line). JD Edwards itself is not written: the reference knows
    no orchestration for it, and the order's status in JD Edwards follows its own activity rules."""

    _name = "ml.connector.writer.jde.purchase_order_status"
    _inherit = "ml.connector.writer"
    _description = "JD Edwards purchase order statuses (recorded on the order's binding)"

    _system = "jde"
    _document_type = "purchase_order_status"

    @api.model
    def _write(self, line, status):
        flow = line.flow_id
        binding = self.env["ml.connector.binding"]._counterpart(
            "purchase_order", flow.source_backend_id, status.po.key, flow.target_backend_id
        )
        if not binding:
            raise DocumentSkipped(
                self.env._(
                    "%s did not come from JD Edwards: nothing to record.", status.po.number or status.key
                )
            )
        data = dict(binding.data or {})
        before = data.get("status")
        label = status.remote_status or status.status
        data.update(
            status=label,
            canonical_status=status.status,
            revision=status.revision,
            status_changed_at=status.changed_at or fields.Datetime.now().isoformat(sep=" "),
        )
        binding.data = data
        order = (
            binding.local_ref if binding.local_backend_id == flow.target_backend_id else binding.external_id
        )
        if before and before != label:
            message = self.env._(
                "%(po)s: %(old)s → %(new)s.", po=status.po.number or order, old=before, new=label
            )
        else:
            message = self.env._("%(po)s: %(status)s.", po=status.po.number or order, status=label)
        return {
            "target_key": order,
            "sent": {"status": label, "revision": status.revision},
            "message": message,
        }
