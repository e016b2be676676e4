from odoo import api, models

from .ml_connector_writer_fusion_invoice import supplier_wait_key


class MlConnectorBinding(models.Model):
    _inherit = "ml.connector.binding"

    @api.model_create_multi
    def create(self, vals_list):
        bindings = super().create(vals_list)
        bindings._release_waiting_for_fusion_supplier()
        return bindings

    def write(self, vals):
        res = super().write(vals)
        if {"external_id", "local_ref", "local_backend_id"} & set(vals):
            self._release_waiting_for_fusion_supplier()
        return res

    def _release_waiting_for_fusion_supplier(self):
        """Documents of a supplier that had no Fusion supplier yet can go now."""
        Line = self.env["ml.connector.audit.line"]
        for binding in self.filtered(lambda b: b.local_backend_id.system_type == "fusion"):
            if binding.object_type == binding.backend_id._binding_type("supplier"):
                Line._release(supplier_wait_key(binding.backend_id, binding.external_id), binding.backend_id)
