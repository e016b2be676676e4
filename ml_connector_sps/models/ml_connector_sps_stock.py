from odoo import api, fields, models

QUANTITY_KINDS = [
    ("available", "Available"),
    ("projected", "Projected available"),
    ("on_hand", "On hand"),
    ("on_order", "On order"),
    ("backordered", "Backordered"),
    ("in_transit", "In transit"),
    ("on_hold", "On hold"),
    ("unavailable", "Unavailable"),
    ("other", "Other"),
]


class MlConnectorSpsStock(models.Model):
    """A trading partner's stock of one item at one location, of one kind (available, on hand, on
    order…), as its latest inventory advice (846) stated it, with the date it is as of.

    One row per (connection, trading partner, item, location, kind); a newer advice updates it, an
    older one never does. Items the matching engine could not tie to a product are kept with
    their codes (and no product) for a person to see.
    """

    _name = "ml.connector.sps.stock"
    _description = "Stock of a trading partner (SPS 846)"
    _order = "product_id, sps_partner_id, location, kind"
    _rec_name = "item_code"

    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    sps_partner_id = fields.Many2one(
        "ml.connector.sps.partner", "Trading partner", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="sps_partner_id.partner_id", store=True, string="Partner")
    product_id = fields.Many2one("product.product", index="btree_not_null", ondelete="set null")
    product_tmpl_id = fields.Many2one(
        related="product_id.product_tmpl_id", store=True, index="btree_not_null"
    )
    item_code = fields.Char("Item", required=True, help="The item as the partner names it.")
    item_description = fields.Char("Description")
    location = fields.Char(help="Where the partner holds the quantity (its warehouse or store number).")
    kind = fields.Selection(QUANTITY_KINDS, required=True, default="other")
    quantity_code = fields.Char("Qualifier", help="The partner's QuantityQualifier (33, QOH, OOR…).")
    quantity = fields.Float(digits="Product Unit")
    uom_code = fields.Char("Unit")
    quantity_date = fields.Date(
        "For date", help="The date the quantity is for (e.g. when goods on order arrive)."
    )
    as_of = fields.Datetime(
        "As of", required=True, help="Date of the inventory advice that stated the quantity."
    )
    document = fields.Char("Inventory advice", help="The partner's DocumentId.")

    # one row per item, location and kind of quantity (written by the flow, which runs alone)
    _row_idx = models.Index("(sps_partner_id, item_code, location, quantity_code)")

    @api.model
    def _record(self, key, values):
        """Write the quantity of ``key`` (the unique fields) unless a newer advice stated it already;
        return 'created', 'updated', 'unchanged' or 'older'."""
        domain = [(name, "=", value) for name, value in key.items()]
        row = self.sudo().search(domain, limit=1)
        if not row:
            self.sudo().create({**key, **values})
            return "created"
        if row.as_of > values["as_of"]:
            return "older"
        changed = {
            name: value for name, value in values.items() if row[name] != self._field_value(name, value)
        }
        if not changed:
            return "unchanged"
        row.write(changed)
        return "updated"

    @api.model
    def _field_value(self, name, value):
        field = self._fields[name]
        if field.type == "many2one":
            return self.env[field.comodel_name].browse(value) if value else self.env[field.comodel_name]
        if field.type == "date":
            return fields.Date.to_date(value) if value else False
        if field.type == "datetime":
            return fields.Datetime.to_datetime(value) if value else False
        return value if value not in (None, "") else False


class ProductTemplate(models.Model):
    _inherit = "product.template"

    sps_stock_count = fields.Integer("Partner stock", compute="_compute_sps_stock_count")

    def _compute_sps_stock_count(self):
        counts = {
            template.id: count
            for template, count in self.env["ml.connector.sps.stock"]._read_group(
                [("product_tmpl_id", "in", self.ids)], ["product_tmpl_id"], ["__count"]
            )
        }
        for template in self:
            template.sps_stock_count = counts.get(template.id, 0)

    def action_open_sps_stock(self):
        """The partners' stock of this product, as their inventory advice stated it."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ml_connector_sps.action_ml_connector_sps_stock"
        )
        action["domain"] = [("product_tmpl_id", "=", self.id)]
        action["context"] = {"search_default_group_partner": 1}
        return action
