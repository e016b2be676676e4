from odoo import fields, models


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(selection_add=[("jaggaer", "JAGGAER")], ondelete={"jaggaer": "cascade"})
