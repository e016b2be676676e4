from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import float_round

# What a trading partner's 850 becomes in Odoo (see the trading partner's "Orders become").
ORDER_TARGETS = [
    ("sale_order", "Sales orders (we are the supplier)"),
    ("purchase_order", "Draft purchase orders"),
    ("requisition", "Purchase agreements"),
]


class MlConnectorSpsOrderTarget(models.AbstractModel):
    """What an order from a trading partner (a canonical customer order, prepared as a *plan* by
    the customer-order writer) becomes in Odoo, one model per kind of record.

    A plan is ``{"header": {...}, "lines": [...]}``: the header holds ``partner``, ``sps_partner``,
    ``ref`` (the partner's order number), ``company``, ``currency``, ``date_order``,
    ``date_planned``, ``ship_to`` (a contact of the partner), ``drop_ship``, ``notes``, ``origin``;
    each line ``product``, ``quantity``, ``uom``, ``price`` (None: the price list decides),
    ``discount``, ``taxes`` (None: the product's taxes), ``name``, ``date_planned``, ``number``
    (the partner's line number), ``store`` (its split's location) and ``kind`` (product or
    charge).
    """

    _name = "ml.connector.sps.order.target"
    _description = "SPS customer order target"

    _model = None
    _tax_use = None  # "sale" or "purchase": the taxes the record's lines carry (None: no taxes)
    _open_states = ("draft",)

    @api.model
    def _records(self):
        return self.env[self._model].sudo()

    @api.model
    def _find(self, header):
        """The records of the partner's order number, oldest first."""
        raise NotImplementedError

    @api.model
    def _is_open(self, record):
        """True while the record may still be replaced, changed or cancelled by the partner."""
        return record.state in self._open_states + ("cancel",)

    @api.model
    def _create(self, plan):
        return self._records().create(self._values(plan))

    @api.model
    def _rewrite(self, record, plan):
        """Replace the record's header values and lines with the plan's."""
        values = self._values(plan)
        lines = values.pop(self._lines_field())
        record.write({**values, self._lines_field(): [Command.clear(), *lines]})

    @api.model
    def _values(self, plan):
        raise NotImplementedError

    @api.model
    def _lines_field(self):
        return "order_line"

    @api.model
    def _order_lines(self, record):
        return record[self._lines_field()]

    @api.model
    def _line_number(self, line):
        return line.sps_line_number

    @api.model
    def _cancel(self, record):
        raise NotImplementedError

    @api.model
    def _line_values(self, line, header):
        raise NotImplementedError

    @api.model
    def _apply_change(self, record, plan):
        """Apply a change order's plan: its deleted line numbers go, each line number it states
        replaces the lines of that number (keeping the price, quantity and unit the change does not
        state), a new number is added; charges it states are added; its wanted date, ship-to and
        notes are written when it has them."""
        by_number = {}
        for order_line in self._order_lines(record):
            number = self._line_number(order_line)
            by_number[number] = by_number.get(number, order_line.browse()) | order_line
        commands, header = [], plan["header"]
        for number in plan["deleted"]:
            commands += [Command.unlink(order_line.id) for order_line in by_number.pop(number, [])]
        for line in plan["lines"]:
            previous = by_number.get(line["number"]) if line["kind"] == "product" else None
            if previous:
                line["price"] = line["price"] if line["price"] is not None else previous[0].price_unit
                line["uom"] = line["uom"] or previous[0][self._uom_field()]
                line["quantity"] = line["quantity"] or sum(previous.mapped(self._quantity_field()))
            self._keep_unchanged(record, line, previous)
        for number in {line["number"] for line in plan["lines"] if line["kind"] == "product"}:
            commands += [Command.unlink(order_line.id) for order_line in by_number.pop(number, [])]
        commands += [Command.create(self._line_values(line, header)) for line in plan["lines"]]
        values = {self._lines_field(): commands}
        values.update(self._change_header_values(record, header))
        record.write(values)

    @api.model
    def _keep_unchanged(self, record, line, previous):
        """Complete a line of a change order with what the record keeps (its dates…)."""

    @api.model
    def _change_header_values(self, record, header):
        values = {}
        if header.get("notes") and "note" in record._fields:
            values["note"] = (record.note or "") + self._html("\n" + header["notes"])
        return values

    @api.model
    def _uom_field(self):
        return "product_uom_id"

    @api.model
    def _quantity_field(self):
        return "product_qty"

    @api.model
    def _totals(self, record):
        """``(untaxed, taxes)`` of the record, in its currency."""
        return record.amount_untaxed, record.amount_tax

    @api.model
    def _flag(self, record, message, file_total):
        """Say on the record that its totals are not the partner's: a message, a to-do activity."""
        record.message_post(body=message)
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("SPS: totals differ from the partner's order"),
            note=message,
            user_id=(record.user_id or self.env.user).id if "user_id" in record._fields else self.env.user.id,
        )

    @api.model
    def _html(self, text):
        return Markup("<br/>").join(text.splitlines()) if text else False

    @api.model
    def _line_name(self, line):
        name = line["name"] or line["product"].display_name
        return f"{name} [{line['store']}]" if line.get("store") else name


class MlConnectorSpsOrderTargetSale(models.AbstractModel):
    _name = "ml.connector.sps.order.target.sale_order"
    _inherit = "ml.connector.sps.order.target"
    _description = "SPS customer orders as sales orders"

    _model = "sale.order"
    _tax_use = "sale"
    _open_states = ("draft", "sent")

    @api.model
    def _find(self, header):
        return self._records().search(
            [
                ("client_order_ref", "=", header["ref"]),
                ("partner_id.commercial_partner_id", "=", header["partner"].id),
                ("company_id", "=", header["company"].id),
            ],
            order="id",
        )

    @api.model
    def _values(self, plan):
        header = plan["header"]
        values = {
            "partner_id": header["partner"].id,
            "client_order_ref": header["ref"],
            "company_id": header["company"].id,
            "sps_partner_id": header["sps_partner"].id,
            "origin": header["origin"],
            "note": self._html(header["notes"]),
            "order_line": [Command.create(self._line_values(line, header)) for line in plan["lines"]],
        }
        if header.get("ship_to"):
            values["partner_shipping_id"] = header["ship_to"].id
        if header.get("currency"):
            values["currency_id"] = header["currency"].id
        if header.get("date_order"):
            values["date_order"] = header["date_order"]
        if header.get("date_planned"):
            values["commitment_date"] = header["date_planned"]
        return values

    @api.model
    def _quantity_field(self):
        return "product_uom_qty"

    @api.model
    def _change_header_values(self, record, header):
        values = super()._change_header_values(record, header)
        if header.get("ship_to"):
            values["partner_shipping_id"] = header["ship_to"].id
        if header.get("date_planned"):
            values["commitment_date"] = header["date_planned"]
        return values

    @api.model
    def _line_values(self, line, header):
        values = {
            "product_id": line["product"].id,
            "product_uom_qty": line["quantity"],
            "product_uom_id": line["uom"].id,
            "name": self._line_name(line),
            "sps_line_number": line["number"],
            "sps_store": line.get("store") or False,
        }
        if line["price"] is not None:
            values["price_unit"] = line["price"]
        if line.get("discount"):
            values["discount"] = line["discount"]
        if line.get("taxes") is not None:
            values["tax_ids"] = [Command.set(line["taxes"].ids)]
        route = header["sps_partner"].dropship_route_id
        if header.get("drop_ship") and route and line["kind"] == "product":
            values["route_ids"] = [Command.set(route.ids)]
        return values

    @api.model
    def _cancel(self, record):
        record._action_cancel()


class MlConnectorSpsOrderTargetPurchase(models.AbstractModel):
    _name = "ml.connector.sps.order.target.purchase_order"
    _inherit = "ml.connector.sps.order.target"
    _description = "SPS customer orders as draft purchase orders"

    _model = "purchase.order"
    _tax_use = "purchase"
    _open_states = ("draft", "sent")

    @api.model
    def _find(self, header):
        return self._records().search(
            [
                ("partner_ref", "=", header["ref"]),
                ("partner_id.commercial_partner_id", "=", header["partner"].id),
                ("company_id", "=", header["company"].id),
            ],
            order="id",
        )

    @api.model
    def _values(self, plan):
        header = plan["header"]
        values = {
            "partner_id": header["partner"].id,
            "partner_ref": header["ref"],
            "company_id": header["company"].id,
            "sps_partner_id": header["sps_partner"].id,
            "origin": header["origin"],
            "note": self._html(header["notes"]),
            "sps_ship_to_id": header["ship_to"].id if header.get("ship_to") else False,
            "order_line": [Command.create(self._line_values(line, header)) for line in plan["lines"]],
        }
        picking_type = header["sps_partner"].dropship_picking_type_id
        if header.get("drop_ship") and picking_type:
            values.update(picking_type_id=picking_type.id, dest_address_id=header["ship_to"].id)
        if header.get("currency"):
            values["currency_id"] = header["currency"].id
        if header.get("date_order"):
            values["date_order"] = header["date_order"]
        if header.get("date_planned"):
            values["date_planned"] = header["date_planned"]
        return values

    @api.model
    def _keep_unchanged(self, record, line, previous):
        if not line.get("date_planned"):
            line["date_planned"] = previous[0].date_planned if previous else record.date_planned

    @api.model
    def _change_header_values(self, record, header):
        values = super()._change_header_values(record, header)
        if header.get("ship_to"):
            values["sps_ship_to_id"] = header["ship_to"].id
        if header.get("date_planned"):
            values["date_planned"] = header["date_planned"]
        return values

    @api.model
    def _line_values(self, line, header):
        values = {
            "product_id": line["product"].id,
            "product_qty": line["quantity"],
            "product_uom_id": line["uom"].id,
            "name": self._line_name(line),
            "sps_line_number": line["number"],
            "sps_store": line.get("store") or False,
        }
        if line["price"] is not None:
            values["price_unit"] = line["price"]
        if line.get("discount"):
            values["discount"] = line["discount"]
        if line.get("taxes") is not None:
            values["tax_ids"] = [Command.set(line["taxes"].ids)]
        if line.get("date_planned"):
            values["date_planned"] = line["date_planned"]
        return values

    @api.model
    def _cancel(self, record):
        record.button_cancel()


class MlConnectorSpsOrderTargetRequisition(models.AbstractModel):
    """Purchase agreements (``purchase_requisition``, optional): a purchase template keyed to the
    trading partner, one line per product line. Agreements carry neither discounts nor taxes:
    a discount lowers the unit price, and the taxes the partner states are only noted."""

    _name = "ml.connector.sps.order.target.requisition"
    _inherit = "ml.connector.sps.order.target"
    _description = "SPS customer orders as purchase agreements"

    _model = "purchase.requisition"
    _open_states = ("draft",)

    @api.model
    def _find(self, header):
        return self._records().search(
            [
                ("reference", "=", header["ref"]),
                ("vendor_id.commercial_partner_id", "=", header["partner"].id),
                ("company_id", "=", header["company"].id),
            ],
            order="id",
        )

    @api.model
    def _lines_field(self):
        return "line_ids"

    @api.model
    def _line_number(self, line):
        return line.product_description_variants and line.product_description_variants.split(" ", 1)[0]

    @api.model
    def _values(self, plan):
        header = plan["header"]
        values = {
            "vendor_id": header["partner"].id,
            "reference": header["ref"],
            "requisition_type": "purchase_template",
            "company_id": header["company"].id,
            "description": self._html(header["notes"]),
            "line_ids": [Command.create(self._line_values(line, header)) for line in plan["lines"]],
        }
        if header.get("currency"):
            values["currency_id"] = header["currency"].id
        start = fields.Date.to_date(header["date_order"]) if header.get("date_order") else None
        end = fields.Date.to_date(header["date_planned"]) if header.get("date_planned") else None
        if start:
            values["date_start"] = start
        if end and (not start or end >= start):
            values["date_end"] = end
        return values

    @api.model
    def _change_header_values(self, record, header):
        values = {}
        if header.get("notes"):
            values["description"] = (record.description or "") + self._html("\n" + header["notes"])
        if header.get("date_planned"):
            values["date_end"] = fields.Date.to_date(header["date_planned"])
        return values

    @api.model
    def _line_values(self, line, header):
        price = line["price"] if line["price"] is not None else line["product"].lst_price
        if line.get("discount"):
            price = float_round(price * (1 - line["discount"] / 100), precision_digits=6)
        return {
            "product_id": line["product"].id,
            "product_qty": line["quantity"],
            "product_uom_id": line["uom"].id,
            "price_unit": price,
            # the partner's line number first: what a change order names the line by
            "product_description_variants": f"{line['number']} {self._line_name(line)}",
        }

    @api.model
    def _cancel(self, record):
        record.action_cancel()

    @api.model
    def _totals(self, record):
        untaxed = sum(line.product_qty * line.price_unit for line in record.line_ids)
        return record.currency_id.round(untaxed), 0.0
