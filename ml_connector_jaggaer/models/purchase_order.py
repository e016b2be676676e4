from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.client import parse_stamp
from .ml_connector_jaggaer_mixin import PO_BINDING

STATUS_BINDING = "jaggaer_purchase_order_status"


def whole_number(value):
    """A revision as JAGGAER writes it (5, "5", 5.0) as an int; 0 when it is not one."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0
    return int(number) if number.is_integer() else 0


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
        "Changed in JAGGAER",
        readonly=True,
        copy=False,
        help="JAGGAER's modification time of the order when its status or revision last changed.",
    )
    # not stored: reading JAGGAER must not write the order when nothing changed on it (Odoo's own
    # crons, e.g. the procurement scheduler, update the same orders)
    jaggaer_last_sync = fields.Datetime(
        "Synchronised with JAGGAER",
        compute="_compute_jaggaer_last_sync",
        help="When the connector last sent this order to JAGGAER or recorded a change of it from JAGGAER.",
    )

    @api.depends("jaggaer_po_id")
    def _compute_jaggaer_last_sync(self):
        found = (
            self.env["ml.connector.binding"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self._origin.ids),
                    ("object_type", "in", (PO_BINDING, STATUS_BINDING)),
                ],
                ["res_id"],
                ["sync_date:max"],
            )
        )
        last = dict(found)
        for po in self:
            po.jaggaer_last_sync = last.get(po._origin.id, False)

    def _jaggaer_record_remote(self, remote, notes=None):
        """Keep JAGGAER's view of this order (id, status, revision, and when JAGGAER changed them);
        a status change is noted in the chatter. The order is written only when one of them changed:
        Odoo's own crons (the procurement scheduler) update the same orders, and a write of nothing
        new would make them fail on a concurrent update.

        With ``notes`` (a dict), the note is left there for ``_jaggaer_log_notes`` to log with the
        others of a batch (one insert for all) instead of logged now."""
        self.ensure_one()
        vals = {
            "jaggaer_po_id": str(remote.get("poId") or self.jaggaer_po_id or "") or False,
            "jaggaer_status": remote.get("status") or self.jaggaer_status,
            "jaggaer_revision": whole_number(remote.get("revisionNumber")),
        }
        changed = {name: value for name, value in vals.items() if self[name] != value}
        if not changed:
            return False
        changed["jaggaer_last_update"] = parse_stamp(remote.get("lastUpdate")) or self.jaggaer_last_update
        status_before = self.jaggaer_status
        self._jaggaer_store(changed)
        if self.jaggaer_status != status_before:
            body = self.env._(
                "JAGGAER status: %(old)s → %(new)s",
                old=status_before or self.env._("not in JAGGAER"),
                new=self.jaggaer_status,
            )
            if notes is None:
                # a note in the chatter, notifying nobody: logged, not posted (no follower lookup)
                self._message_log(body=body)
            else:
                notes[self.id] = (self.jaggaer_status, body)
        return True

    def _jaggaer_store(self, values):
        """Store what JAGGAER says of this order, its own write date unchanged: the readers of
        this database's orders (to JAGGAER, to SPS…) follow that date, and JAGGAER's view of an
        order is no change of the order; written through the ORM, each status JAGGAER reports
        would make them read every order it concerns once more."""
        self.ensure_one()
        self.flush_recordset(list(values))
        self.env.cr.execute(
            SQL(
                "UPDATE purchase_order SET %s WHERE id = %s",
                SQL(", ").join(SQL("%s = %s", SQL.identifier(name), value) for name, value in values.items()),
                self.id,
            )
        )
        # the cache takes the values stored (invalidated, a read would fetch every column again)
        for name, value in values.items():
            field = self._fields[name]
            field._update_cache(self, field.convert_to_cache(value, self))
        self.invalidate_recordset(["jaggaer_last_sync"])

    @api.model
    def _jaggaer_log_notes(self, notes):
        """Log the status notes ``_jaggaer_record_remote`` left in ``notes`` ({order id: (status,
        body)}), in one go. A note whose change was undone since (its document's savepoint rolled
        back) is dropped: the order no longer has the status it announces."""
        orders = self.browse(list(notes)).exists()
        bodies = {
            order.id: notes[order.id][1] for order in orders if order.jaggaer_status == notes[order.id][0]
        }
        if bodies:
            orders.browse(list(bodies))._message_log_batch(bodies=bodies)
