from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    sps_partner_id = fields.Many2one(
        "ml.connector.sps.partner",
        "SPS trading partner",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The SPS relationship this order was received from.",
    )
    sps_total_issue = fields.Char(
        "SPS totals", readonly=True, copy=False, help="Set when the order's totals differ from the partner's."
    )
    sps_change_seq = fields.Integer("Last change applied (860)", readonly=True, copy=False)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    sps_line_number = fields.Char(
        "SPS line", readonly=True, copy=False, help="The partner's LineSequenceNumber for this line."
    )
    sps_store = fields.Char(
        "Store",
        readonly=True,
        copy=False,
        help="The store (location number) this part of a split line goes to.",
    )
