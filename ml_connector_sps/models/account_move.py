from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._sps_trigger_send()
        return posted

    def _sps_trigger_send(self):
        """Customer invoices of SPS retailers were posted: send them now rather than at the next
        scheduled run (the run starts after this transaction commits)."""
        invoices = self.filtered(lambda move: move.move_type in ("out_invoice", "out_refund"))
        if not invoices:
            return
        partners = (
            self.env["ml.connector.sps.partner"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", invoices.commercial_partner_id.ids),
                    ("send_810", "=", True),
                    ("company_id", "in", invoices.company_id.ids),
                ]
            )
        )
        partners.backend_id._trigger_run()
