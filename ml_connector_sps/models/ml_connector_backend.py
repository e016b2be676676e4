from odoo import fields, models


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(selection_add=[("sps", "SPS Commerce")], ondelete={"sps": "cascade"})
