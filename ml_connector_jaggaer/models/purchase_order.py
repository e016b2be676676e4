from odoo import fields, models

from ..tools.client import parse_stamp


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    jaggaer_po_id = fields.Char("JAGGAER PO id", readonly=True, copy=False, index="btree_not_null")
    jaggaer_status = fields.Char(
        "JAGGAER status",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Status of this order in JAGGAER (Approved, Distributed, Acknowledged, Partially Received, "
        "Received, Closed, Canceled…), as read by the last synchronisation.",
    )
    jaggaer_revision = fields.Integer("JAGGAER revision", readonly=True, copy=False)
    jaggaer_last_update = fields.Datetime(
        "Changed in JAGGAER", readonly=True, copy=False, help="JAGGAER's modification time of the order."
    )
    jaggaer_last_sync = fields.Datetime("Synchronised with JAGGAER", readonly=True, copy=False)

    def _jaggaer_record_remote(self, remote):
        """Keep JAGGAER's view of this order (id, status, revision); a status change is noted in
        the chatter."""
        self.ensure_one()
        vals = {
            "jaggaer_po_id": str(remote.get("poId") or self.jaggaer_po_id or "") or False,
            "jaggaer_status": remote.get("status") or self.jaggaer_status,
            "jaggaer_revision": int(remote.get("revisionNumber") or 0),
            "jaggaer_last_update": parse_stamp(remote.get("lastUpdate")) or self.jaggaer_last_update,
        }
        status_before = self.jaggaer_status
        self.write({**vals, "jaggaer_last_sync": fields.Datetime.now()})
        if self.jaggaer_status != status_before:
            # a note in the chatter, notifying nobody: logged, not posted (no follower lookup)
            self._message_log(
                body=self.env._(
                    "JAGGAER status: %(old)s → %(new)s",
                    old=status_before or self.env._("not in JAGGAER"),
                    new=self.jaggaer_status,
                ),
            )
