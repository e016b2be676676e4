from odoo import fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    ml_origin_backend_id = fields.Many2one(
        "ml.connector.backend",
        "Created from",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The connection whose system created this order (it is that system's document: its lines are "
        "changed there, not in Odoo).",
    )


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _make_po_get_domain(self, company_id, values, partner):
        """Replenishment never adds lines to an order another system created: it mirrors that
        system's document, which would then differ from it."""
        return (
            *super()._make_po_get_domain(company_id, values, partner),
            ("ml_origin_backend_id", "=", False),
        )
