from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    jaggaer_invoice_id = fields.Char("JAGGAER invoice id", readonly=True, copy=False, index="btree_not_null")
    jaggaer_invoice_number = fields.Char(
        "JAGGAER invoice number",
        readonly=True,
        copy=False,
        help="JAGGAER's own number of the invoice (I00101…).",
    )
