from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.ml_connector.tools.errors import DocumentError

from ..tools.transaction_api import TransactionApi
from ..tools.values import number
from .ml_connector_sps_partner import TRADING_PARTNER_LOOKUPS

DEFAULT_TOKEN_URL = "https://auth.spscommerce.com/oauth/token"
DEFAULT_API_URL = "https://api.spscommerce.com"
DEFAULT_AUDIENCE = "https://spscommerce.com"
# Folder fields: where each inbound document type arrives, relative to the inbound root.
INBOUND_FOLDER_FIELDS = {
    "850": "sps_folder_850",
    "855": "sps_folder_855",
    "856": "sps_folder_856",
    "944": "sps_folder_944",
    "846": "sps_folder_846",
}
FOLDER_FIELDS = ("sps_out_folder", "sps_in_folder", *INBOUND_FOLDER_FIELDS.values())


def _normalize_folder(value, root=False):
    """'out' -> 'out/', '/out/PO' -> 'out/PO/'; a sub-folder may be empty (the root itself)."""
    value = (value or "").strip().strip("/")
    if not value:
        return "" if not root else False
    return value + "/"


def _test_variant(folder):
    """SPS test traffic uses sibling folders: 'out/' -> 'testout/', 'edi/in/' -> 'edi/testin/'."""
    parts = folder.strip("/").split("/")
    parts[-1] = "test" + parts[-1]
    return "/".join(parts) + "/"


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(selection_add=[("sps", "SPS Commerce")], ondelete={"sps": "cascade"})
    # The SPS settings are one prefetch group ("sps"): reading a connection (every flow of a
    # cycle does, after each commit) fetches the engine's fields and its own system's, not the
    # settings of every system installed.
    sps_audience = fields.Char(
        "Audience",
        default=DEFAULT_AUDIENCE,
        help="OAuth2 audience of the token request. SPS moves every app from the legacy "
        "'api://api.spscommerce.com/' to 'https://spscommerce.com'.",
        prefetch="sps",
    )
    sps_token_body = fields.Selection(
        [("json", "JSON"), ("form", "Form (x-www-form-urlencoded)")],
        string="Token request body",
        default="json",
        help="SPS's Auth0 tenant accepts both; JSON is what SPS's own examples send.",
        prefetch="sps",
    )
    sps_out_folder = fields.Char(
        "Inbound root",
        default="out/",
        help="Folder where SPS puts the documents of your trading partners. The connector deletes "
        "each file once it is safely stored in Odoo.",
        prefetch="sps",
    )
    sps_folder_850 = fields.Char(
        "Orders (850)", default="PO/", help="Sub-folder of the inbound root.", prefetch="sps"
    )
    sps_folder_855 = fields.Char(
        "Acknowledgements (855)", default="PR/", help="Sub-folder of the inbound root.", prefetch="sps"
    )
    sps_folder_856 = fields.Char(
        "Ship notices (856)", default="SH/", help="Sub-folder of the inbound root.", prefetch="sps"
    )
    sps_folder_944 = fields.Char(
        "Warehouse receipts (944)",
        default="RC/",
        help="Sub-folder of the inbound root. SPS documents no prefix for 944 files: check with SPS.",
        prefetch="sps",
    )
    sps_folder_846 = fields.Char(
        "Inventory advice (846)", default="IB/", help="Sub-folder of the inbound root.", prefetch="sps"
    )
    sps_charge_product_id = fields.Many2one(
        "product.product",
        "Charges and allowances",
        help="Product of the lines that carry the charges (freight, handling…) and allowances (discounts) of "
        "partners' orders. A charge code mapped to its own product (mapping type 'SPS charge') uses that "
        "one.",
        prefetch="sps",
    )
    sps_in_folder = fields.Char(
        "Outbound folder",
        default="in/",
        help="Folder we upload our documents to; SPS removes them as it processes them.",
        prefetch="sps",
    )
    sps_test_folders = fields.Boolean(
        "Use SPS test folders",
        help="Exchange test traffic through testout/ and testin/ instead of out/ and in/. Independent of the "
        "connection's test mode, which only allows plain http and local simulators.",
        prefetch="sps",
    )
    sps_page_size = fields.Integer(
        "Listing page size", default=200, help="Files per directory listing page (1-1000).", prefetch="sps"
    )
    sps_history_lag = fields.Integer(
        "History lag (s)",
        default=300,
        help="SPS's file history shows uploads about five minutes late. After an upload whose answer was "
        "lost, the connector waits this long before concluding from the history that the file never "
        "arrived.",
        prefetch="sps",
    )
    sps_partner_ids = fields.One2many(
        "ml.connector.sps.partner", "backend_id", string="Trading partners", prefetch="sps"
    )
    sps_partner_count = fields.Integer(compute="_compute_sps_partner_count", prefetch="sps")

    @api.depends("sps_partner_ids")
    def _compute_sps_partner_count(self):
        for backend in self:
            backend.sps_partner_count = len(backend.sps_partner_ids)

    @api.constrains("sps_page_size", "system_type")
    def _check_sps_page_size(self):
        for backend in self.filtered(lambda b: b.system_type == "sps"):
            if not 1 <= backend.sps_page_size <= 1000:
                raise ValidationError(self.env._("The SPS listing page size must be between 1 and 1000."))
            if not backend.sps_out_folder or not backend.sps_in_folder:
                raise ValidationError(
                    self.env._("SPS connections need an inbound root and an outbound folder.")
                )

    @api.onchange("system_type")
    def _onchange_system_type_sps(self):
        if self.system_type == "sps":
            self.base_url = self.base_url or DEFAULT_API_URL
            self.token_url = self.token_url or DEFAULT_TOKEN_URL

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("system_type") == "sps":
                vals.setdefault("base_url", DEFAULT_API_URL)
                vals.setdefault("token_url", DEFAULT_TOKEN_URL)
            self._normalize_folder_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_folder_vals(vals)
        return super().write(vals)

    @api.model
    def _normalize_folder_vals(self, vals):
        for name in FOLDER_FIELDS:
            if name in vals:
                vals[name] = _normalize_folder(vals[name], root=name in ("sps_out_folder", "sps_in_folder"))

    # ------------------------------------------------------------------ SPS helpers
    def _sps_folder(self, code=None):
        """The folder of an inbound document type ('850'…), or the outbound folder (None)."""
        self.ensure_one()
        if code is None:
            folder = self.sps_in_folder or "in/"
        else:
            folder = self.sps_out_folder or "out/"
        if self.sps_test_folders:
            folder = _test_variant(folder)
        if code is not None:
            folder += self[INBOUND_FOLDER_FIELDS[code]] or ""
        return folder

    def _sps_api(self):
        self.ensure_one()
        return TransactionApi(self._http(), self.sps_page_size)

    def _sps_partner(self, tpid):
        """The active trading partner with this TPID on this connection (empty if unknown)."""
        self.ensure_one()
        if not tpid:
            return self.env["ml.connector.sps.partner"]
        lookups = self.env.cr.cache.setdefault(TRADING_PARTNER_LOOKUPS, {})
        key = ("tpid", self.id, tpid)
        if key not in lookups:
            lookups[key] = (
                self.env["ml.connector.sps.partner"]
                .sudo()
                .search([("backend_id", "=", self.id), ("tpid", "=", tpid)], limit=1)
            )
        return lookups[key]

    def _sps_partner_of(self, partner, flag=None):
        """The trading partner of an Odoo partner (its commercial entity), optionally with ``flag`` set."""
        self.ensure_one()
        lookups = self.env.cr.cache.setdefault(TRADING_PARTNER_LOOKUPS, {})
        key = ("partner", self.id, partner.commercial_partner_id.id, flag)
        if key not in lookups:
            domain = [("backend_id", "=", self.id), ("partner_id", "=", partner.commercial_partner_id.id)]
            if flag:
                domain.append((flag, "=", True))
            lookups[key] = self.env["ml.connector.sps.partner"].sudo().search(domain, limit=1)
        return lookups[key]

    def _sps_order(self, partner, po_number):
        """The purchase order we sent to trading partner ``partner`` under ``po_number`` (its
        binding, else the order of that number and vendor), or an empty recordset."""
        self.ensure_one()
        binding = self.env["ml.connector.binding"]._find(
            self, self._binding_type("purchase_order"), external_id=f"{partner.tpid}:{po_number}"
        )
        order = binding._record() if binding else None
        if order:
            return order
        return (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("name", "=", po_number),
                    ("partner_id.commercial_partner_id", "=", partner.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )

    def _sps_unknown_order(self, partner, po_number, label):
        """The error of a document (``label``) about an order of ours Odoo does not have."""
        return DocumentError(
            self.env._(
                "%(label)s refers to purchase order %(po)s, which does not exist in Odoo for %(partner)s.",
                label=label,
                po=po_number or "?",
                partner=partner.partner_id.display_name,
            )
        )

    def _sps_required_order(self, partner, po_number, label):
        order = self._sps_order(partner, po_number) if po_number else None
        if not order:
            raise self._sps_unknown_order(partner, po_number, label)
        return order

    def _sps_uom(self, code, product, pack=None, hint=None):
        """The Odoo unit an RSX unit code (with an optional pack size) stands for.

        A mapping 'UoM' of the connection wins ('CA/12' for cases of 12, or 'CA'); then ``hint``
        (the unit of the order line) when it carries that code; then the one unit with that SPS
        code (or standard code) that converts to the product's unit (holding ``pack`` of them when
        given). Otherwise the document waits for a mapping, which is listed for the admin.
        """
        self.ensure_one()
        code = (code or "EA").strip().upper()
        Mapping = self.env["ml.connector.mapping"]
        key = f"{code}/{number(pack)}" if pack else code
        mapped = Mapping._resolve(self, "UoM", key, required=False)
        if not mapped and pack:
            mapped = Mapping._resolve(self, "UoM", code, required=False)
        if mapped:
            return mapped
        reference = product.uom_id
        if hint and hint._sps_unit_code() == code and (not pack or hint._sps_holds(pack, reference)):
            return hint
        found = self.env["uom.uom"]._sps_find(code, reference, pack)
        if found:
            return found
        return Mapping._resolve(
            self,
            "UoM",
            key,
            label=self.env._("SPS unit %(key)s for %(product)s", key=key, product=product.display_name),
        )

    def action_open_sps_partners(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ml_connector_sps.action_ml_connector_sps_partner"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action
