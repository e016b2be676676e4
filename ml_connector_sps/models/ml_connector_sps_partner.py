from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .ml_connector_sps_order_target import ORDER_TARGETS

# Which documents each role exchanges by default (the admin may tick others).
ROLE_DOCUMENTS = {
    "vendor": ("send_850", "receive_855", "receive_856", "receive_944"),
    "retailer": ("receive_850", "send_810"),
}
# The model each order target needs (the purchase agreement add-on is optional)
TARGET_MODELS = {
    "sale_order": "sale.order",
    "purchase_order": "purchase.order",
    "requisition": "purchase.requisition",
}
# trading partners looked up by the documents of the transaction (a batch), in cr.cache
TRADING_PARTNER_LOOKUPS = ("ml_connector_sps", "trading_partners")
DOCUMENT_FLAGS = (
    "send_850",
    "send_810",
    "receive_850",
    "receive_855",
    "receive_856",
    "receive_944",
    "receive_846",
)


class MlConnectorSpsPartner(models.Model):
    """One trading relationship on SPS: the TPID SPS assigned to it and the Odoo partner it is.

    Configured once and used by every flow: outbound documents are addressed with the TPID,
    inbound documents are keyed to the Odoo partner through it (reference §5).
    """

    _name = "ml.connector.sps.partner"
    _description = "SPS trading partner"
    _order = "backend_id, name, id"

    name = fields.Char(compute="_compute_name", store=True)
    backend_id = fields.Many2one(
        "ml.connector.backend",
        "Connection",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("system_type", "=", "sps")],
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    tpid = fields.Char(
        "Trading partner ID",
        required=True,
        help="TradingPartnerId assigned by SPS to this relationship (1 to 15 characters, e.g. "
        "123ALLSPSCOMMER). SPS gives it to you; it cannot be discovered through the API.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Odoo partner",
        required=True,
        index=True,
        domain=[("parent_id", "=", False)],
        help="The company this TPID stands for. Documents from it are keyed to this partner; documents to "
        "it are sent when they concern this partner.",
    )
    role = fields.Selection(
        [("vendor", "Vendor we buy from"), ("retailer", "Retailer that orders from us")],
        required=True,
        default="vendor",
        help="Sets the usual documents; tick or untick them below as agreed with the partner.",
    )
    vendor_number = fields.Char(
        "Vendor number",
        help="'Vendor' in RSX headers: the vendor number of the seller at the buyer (your number at a "
        "retailer, or the vendor's number in your purchasing).",
    )
    send_850 = fields.Boolean("Send purchase orders (850)")
    send_810 = fields.Boolean("Send invoices (810)")
    receive_850 = fields.Boolean("Receive orders (850)")
    receive_855 = fields.Boolean("Receive acknowledgements (855)")
    receive_856 = fields.Boolean("Receive ship notices (856)")
    receive_944 = fields.Boolean("Receive warehouse receipts (944)")
    receive_846 = fields.Boolean("Receive inventory advice (846)")
    order_target = fields.Selection(
        selection="_selection_order_target",
        string="Orders become",
        default="purchase_order",
        help="What the orders (850) this partner sends us become in Odoo: sales orders when we are its "
        "supplier (the partner is the customer: usually the right choice for a retailer), draft purchase "
        "orders keyed to the partner, or purchase agreements (with the Purchase Agreements app).",
    )
    dropship_picking_type_id = fields.Many2one(
        "stock.picking.type",
        "Drop-ship operation",
        help="Purchase orders made of this partner's drop-ship orders use this operation type, delivering to "
        "the consumer's address.",
    )
    dropship_route_id = fields.Many2one(
        "stock.route",
        "Drop-ship route",
        help="Sales orders made of this partner's drop-ship orders use this route on their lines.",
    )
    item_identifier = fields.Selection(
        [
            ("vendor", "Vendor part number"),
            ("buyer", "Buyer part number"),
            ("upc", "UPC (barcode)"),
        ],
        string="Item identifier",
        default="vendor",
        required=True,
        help="Identifier every line we send must carry (the others are added when known). Vendor part "
        "number: the vendor's product code (purchase orders) or our internal reference (invoices); "
        "buyer part number: our internal reference (purchase orders) or the retailer's code from its "
        "vendor pricelist entry (invoices); UPC: the product barcode.",
    )
    validate_on_asn = fields.Boolean(
        "Receive on ship notice",
        help="For partners that send no warehouse receipt (944): validate the receipt with the shipped "
        "quantities as soon as the ship notice arrives. Otherwise the ship notice only prepares the "
        "receipt and the 944 (or a person) validates it.",
    )
    note = fields.Text()

    _backend_tpid_uniq = models.Constraint(
        "UNIQUE (backend_id, tpid)", "This trading partner ID is already set up on this connection."
    )
    _backend_partner_uniq = models.Constraint(
        "UNIQUE (backend_id, partner_id)", "This partner already has a trading partner ID on this connection."
    )

    @api.model
    def _selection_order_target(self):
        return [(value, label) for value, label in ORDER_TARGETS if TARGET_MODELS[value] in self.env]

    def _order_target(self):
        """The order target in use: the chosen one while its model is installed."""
        self.ensure_one()
        target = self.order_target or "purchase_order"
        return target if TARGET_MODELS[target] in self.env else "purchase_order"

    def _sps_delivery_contact(self, address):
        """The contact of the partner a ship-to address (canonical ``Address``) stands for: the one
        whose reference is the address's location number, else one with the same name and street;
        created as a delivery address of the partner when there is none (a consumer's address on a
        drop-ship order, a new store). A store known only by its number has no contact: None."""
        self.ensure_one()
        company = self.partner_id.commercial_partner_id
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        children = [("id", "child_of", company.id), ("id", "!=", company.id)]
        if address.code:
            found = Partner.search([*children, ("ref", "=", address.code)], limit=1)
            if found or not address.name:
                return found or None
        if not (address.name or address.street):
            return None
        country = (
            self.env["res.country"].search([("code", "=", address.country)], limit=1)
            if address.country
            else None
        )
        state = (
            self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state)], limit=1
            )
            if country and address.state
            else None
        )
        values = {
            "name": address.name or address.street,
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
            "state_id": state.id if state else False,
        }
        found = Partner.search(
            [
                *children,
                *[(key, "=", value) for key, value in values.items() if key in ("name", "street", "zip")],
            ],
            limit=1,
        )
        if found:
            return found
        return Partner.create(
            {**values, "parent_id": company.id, "type": "delivery", "ref": address.code or False}
        )

    @api.depends("tpid", "partner_id.name")
    def _compute_name(self):
        for record in self:
            record.name = f"{record.tpid or ''} {record.partner_id.name or ''}".strip()

    @api.constrains("tpid")
    def _check_tpid(self):
        for record in self:
            tpid = record.tpid or ""
            if not 1 <= len(tpid) <= 15 or tpid != tpid.strip() or " " in tpid:
                raise ValidationError(
                    self.env._("A trading partner ID has 1 to 15 characters and no spaces (got '%s').", tpid)
                )

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for record in self:
            if record.partner_id != record.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Choose the company (%(company)s), not one of its contacts.",
                        company=record.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.onchange("role")
    def _onchange_role(self):
        for record in self:
            for flag in DOCUMENT_FLAGS:
                record[flag] = flag in ROLE_DOCUMENTS.get(record.role, ())

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("tpid"):
                vals["tpid"] = vals["tpid"].strip()
            if not any(flag in vals for flag in DOCUMENT_FLAGS):
                for flag in ROLE_DOCUMENTS.get(vals.get("role") or "vendor", ()):
                    vals[flag] = True
        self.env.cr.cache.pop(TRADING_PARTNER_LOOKUPS, None)
        records = super().create(vals_list)
        records._release_waiting_documents()
        return records

    def write(self, vals):
        if vals.get("tpid"):
            vals["tpid"] = vals["tpid"].strip()
        self.env.cr.cache.pop(TRADING_PARTNER_LOOKUPS, None)
        res = super().write(vals)
        if {"tpid", "active", *DOCUMENT_FLAGS} & set(vals):
            self._release_waiting_documents()
        return res

    def unlink(self):
        self.env.cr.cache.pop(TRADING_PARTNER_LOOKUPS, None)
        return super().unlink()

    @api.model
    def _blocking_key(self, tpid):
        return f"sps_tpid:{tpid}"

    def _release_waiting_documents(self):
        """Documents that arrived before their TPID was set up go through now."""
        Line = self.env["ml.connector.audit.line"]
        for record in self.filtered("active"):
            Line._release(self._blocking_key(record.tpid), record.backend_id, reason="mapping")

    def _allows(self, flag):
        self.ensure_one()
        return bool(self.active and self[flag])
