from odoo import api, models


class MlConnectorBinding(models.Model):
    _inherit = "ml.connector.binding"

    @api.model_create_multi
    def create(self, vals_list):
        bindings = super().create(vals_list)
        bindings._release_waiting_for_jde_supplier()
        return bindings

    def write(self, vals):
        res = super().write(vals)
        if {"external_id", "local_ref", "local_backend_id"} & set(vals):
            self._release_waiting_for_jde_supplier()
        return res

    def _release_waiting_for_jde_supplier(self):
        """Invoices of a supplier of another connection that had no JD Edwards supplier yet can go
        now that the supplier flow linked the two."""
        Writer = self.env["ml.connector.writer.jde.invoice"]
        for binding in self.filtered(lambda b: b.local_backend_id.system_type == "jde"):
            if binding.object_type == binding.backend_id._binding_type("supplier"):
                self.env["ml.connector.audit.line"]._release(
                    Writer._supplier_wait_key(binding.backend_id, binding.external_id), binding.backend_id
                )
