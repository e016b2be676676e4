from odoo import api, models

from .ml_connector_jaggaer_mixin import SUPPLIER_BINDING


class MlConnectorBinding(models.Model):
    _inherit = "ml.connector.binding"

    @api.model_create_multi
    def create(self, vals_list):
        bindings = super().create(vals_list)
        bindings._release_waiting_for_supplier()
        return bindings

    def write(self, vals):
        res = super().write(vals)
        if {"external_id", "external_key", "res_id", "local_ref"} & set(vals):
            self._release_waiting_for_supplier()
        return res

    def _release_waiting_for_supplier(self):
        """Documents of a supplier that had no JAGGAER supplier (number) yet can go now."""
        Mixin = self.env["ml.connector.jaggaer.mixin"]
        for binding in self:
            if binding.object_type == SUPPLIER_BINDING and binding.external_key:
                self.env["ml.connector.audit.line"]._release(
                    Mixin._supplier_wait_key(binding.local_backend_id, binding.local_ref),
                    binding.backend_id,
                    reason="cron",
                )
