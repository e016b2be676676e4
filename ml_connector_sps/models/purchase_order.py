from odoo import api, fields, models

ACK_STATUSES = [
    ("awaiting", "Awaiting acknowledgement"),
    ("accepted", "Accepted"),
    ("changed", "Accepted with changes"),
    ("backordered", "Accepted, partly backordered"),
    ("hold", "On hold"),
    ("rejected", "Rejected"),
]
LINE_ACK_STATUSES = [
    ("accepted", "Accepted"),
    ("changed", "Changed"),
    ("backordered", "Backordered"),
    ("hold", "On hold"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
# Changes of a confirmed order that change the 850 we send: send it again right away.
ORDER_FIELDS_SENT = {
    "state",
    "order_line",
    "partner_id",
    "partner_ref",
    "date_order",
    "date_planned",
    "picking_type_id",
    "currency_id",
    "payment_term_id",
}
LINE_FIELDS_SENT = {
    "product_id",
    "product_qty",
    "product_uom_id",
    "price_unit",
    "discount",
    "name",
    "date_planned",
}


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    sps_partner_id = fields.Many2one(
        "ml.connector.sps.partner",
        "SPS trading partner",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The SPS relationship this order was received from or sent to.",
    )
    sps_ack_status = fields.Selection(
        ACK_STATUSES,
        "SPS acknowledgement",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="What the vendor answered through SPS (855): set to 'Awaiting' when the order is sent.",
    )
    sps_ack_type = fields.Char("Acknowledgement type", readonly=True, copy=False)
    sps_ack_number = fields.Char("Acknowledgement number", readonly=True, copy=False)
    sps_ack_date = fields.Date("Acknowledged on", readonly=True, copy=False)
    sps_order_file = fields.Char("Last 850 sent", readonly=True, copy=False)
    sps_order_revision = fields.Integer("850 revision", readonly=True, copy=False)
    sps_sent_date = fields.Datetime("Sent to SPS on", readonly=True, copy=False)
    sps_last_asn = fields.Char("Last ship notice", readonly=True, copy=False)
    sps_ship_to_id = fields.Many2one(
        "res.partner",
        "Partner's ship-to",
        readonly=True,
        copy=False,
        help="Where the trading partner wants the goods of its order (a store, a distribution centre, a "
        "consumer on drop-ship orders).",
    )
    sps_total_issue = fields.Char(
        "SPS totals", readonly=True, copy=False, help="Set when the order's totals differ from the partner's."
    )
    sps_change_seq = fields.Integer("Last change applied (860)", readonly=True, copy=False)

    def write(self, vals):
        res = super().write(vals)
        if ORDER_FIELDS_SENT & set(vals):
            self._sps_trigger_send()
        return res

    def _sps_trigger_send(self):
        """Confirmed (or cancelled) orders to SPS vendors changed: ask their connections to run now.

        The run happens in the connection's scheduled action after this transaction commits, so a
        change that is rolled back is never sent; the schedule itself remains the catch-up.
        """
        orders = self.filtered(lambda order: order.state in ("purchase", "done", "cancel"))
        if not orders:
            return
        partners = (
            self.env["ml.connector.sps.partner"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", orders.partner_id.commercial_partner_id.ids),
                    ("send_850", "=", True),
                    ("company_id", "in", orders.company_id.ids),
                ]
            )
        )
        partners.backend_id._trigger_run()

    def _sps_apply_ack(self, values, line_statuses, message):
        """Record an acknowledgement (855) on the order and its lines."""
        self.ensure_one()
        self.sudo().write(values)
        for line, (status, detail) in line_statuses.items():
            line.sudo().write({"sps_ack_status": status, "sps_ack_detail": detail})
        self.message_post(body=message)

    def _sps_order_line(self, number, item):
        """The line of this order an SPS document's line talks about: by LineSequenceNumber
        (``number``: we send it), else by part number (the vendor's code, our internal reference)
        or UPC of ``item`` (a canonical ``Item``); an empty recordset if none."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: not line.display_type)
        if number:
            found = lines.filtered(lambda line: line.sps_line_number == number)
            if len(found) == 1:
                return found
        vendor = self.partner_id.commercial_partner_id
        for code in (item.vendor_code, item.buyer_code):
            if not code:
                continue
            found = lines.filtered(
                lambda line, code=code: (
                    line.product_id.default_code == code
                    or code
                    in line.product_id.seller_ids.filtered(lambda s: s.partner_id == vendor).mapped(
                        "product_code"
                    )
                )
            )
            if found:
                return found[0]
        if item.gtin:
            found = lines.filtered(
                lambda line: (line.product_id.barcode or "").lstrip("0") == item.gtin.lstrip("0")
            )
            if found:
                return found[0]
        return self.env["purchase.order.line"]


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    sps_line_number = fields.Char(
        "SPS line",
        copy=False,
        readonly=True,
        help="LineSequenceNumber of this line on SPS documents; stays the same for the life of the order.",
    )
    sps_ack_status = fields.Selection(LINE_ACK_STATUSES, "SPS line status", readonly=True, copy=False)
    sps_ack_detail = fields.Char("SPS acknowledgement", readonly=True, copy=False)
    sps_store = fields.Char(
        "Store",
        readonly=True,
        copy=False,
        help="The store (location number) this part of a split line goes to.",
    )

    def write(self, vals):
        res = super().write(vals)
        if LINE_FIELDS_SENT & set(vals):
            self.order_id._sps_trigger_send()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._sps_trigger_send()
        return lines

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._sps_trigger_send()
        return res

    def _sps_number_lines(self):
        """Give lines without an SPS line number the next free one (numbers never change)."""
        for order in self.order_id:
            lines = self.filtered(lambda line, order=order: line.order_id == order)
            used = [int(n) for n in order.order_line.mapped("sps_line_number") if n and n.isdigit()]
            next_number = max(used, default=0) + 1
            for line in lines.filtered(lambda line: not line.sps_line_number).sorted(
                lambda line: (line.sequence, line.id)
            ):
                line.sudo().sps_line_number = str(next_number)
                next_number += 1
