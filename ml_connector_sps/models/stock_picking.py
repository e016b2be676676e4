from odoo import fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    sps_asn_ref = fields.Char(
        "Ship notices", readonly=True, copy=False, index="trigram", help="SPS 856 ShipmentIdentification(s)."
    )
    sps_bol = fields.Char("Bill of lading", readonly=True, copy=False)
    sps_packs = fields.Text(
        "Packs announced",
        readonly=True,
        copy=False,
        help="The pallets and cartons (SSCC) the ship notices announced, by notice.",
    )
    sps_ship_date = fields.Date("Shipped on", readonly=True, copy=False)
    sps_receipt_ref = fields.Char(
        "Warehouse receipt", readonly=True, copy=False, index="trigram", help="SPS 944 WarehouseReceiptId."
    )
    sps_receipt_note = fields.Text("SPS receiving notes", readonly=True, copy=False)

    def _sps_set_quantities(self, quantities):
        """Set the quantities of the moves of this receipt.

        ``quantities``: ``{move: [(qty in the move's unit, lot name or '')…]}``; moves of the
        picking that are not listed get no quantity. Lots are only recorded for lot-tracked
        products (an untracked product's lot is noted by the caller).
        """
        self.ensure_one()
        for move in self.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
            entries = [(qty, lot) for qty, lot in quantities.get(move, []) if qty > 0]
            move.move_line_ids.unlink()
            tracked = move.product_id.tracking != "none"
            by_lot = {}
            for qty, lot in entries:
                key = lot if tracked else ""
                by_lot[key] = by_lot.get(key, 0.0) + qty
            vals_list = []
            for lot, qty in by_lot.items():
                vals = move._prepare_move_line_vals()
                vals.update(quantity=qty, product_uom_id=move.product_uom.id)
                if lot:
                    vals["lot_name"] = lot
                vals_list.append(vals)
            if vals_list:
                self.env["stock.move.line"].create(vals_list)
            move.picked = bool(vals_list)

    def _sps_validate(self):
        """Validate the quantities set; what is left of each move goes to a backorder."""
        self.ensure_one()
        if not any(move.quantity for move in self.move_ids):
            raise UserError(
                self.env._("%s: nothing was received, there is nothing to validate.", self.display_name)
            )
        self.with_context(skip_backorder=True).button_validate()
        if self.state != "done":
            raise UserError(self.env._("%s could not be validated.", self.display_name))
        return self.backorder_ids


class StockMove(models.Model):
    _inherit = "stock.move"

    sps_asn_qty = fields.Float(
        "Shipped (SPS)", digits="Product Unit", readonly=True, copy=False, help="Announced by ship notices."
    )
    sps_damaged_qty = fields.Float(
        "Damaged or held (SPS)",
        digits="Product Unit",
        readonly=True,
        copy=False,
        help="Reported by the warehouse receipt as damaged or on hold: not received into stock.",
    )
