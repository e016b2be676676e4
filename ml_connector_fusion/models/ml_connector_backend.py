from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.fusion import (
    ACKNOWLEDGMENT_MODES,
    API_VERSION,
    DEFAULT_FIELDS,
    DEFAULT_RESOURCES,
    LITERAL_FORMATS,
    MAX_PAGE_SIZE,
    FusionConfig,
    default_scope,
)

# entities whose changes are read by LastUpdateDate (§4.2): their filter is a setting
INCREMENTAL = ("purchase_orders", "invoices", "suppliers", "account_combinations")
ACKNOWLEDGMENT_LABELS = {
    "acknowledgments": "purchaseOrderAcknowledgments (25C and later)",
    "action": "purchaseOrders action acknowledge (feature: delivery pending acknowledgment)",
}


def _path(entity, label):
    return fields.Char(
        label,
        default=DEFAULT_RESOURCES[entity],
        help="Resource path under /fscmRestApi/resources/<API version>/. Empty: the default.",
        prefetch="fusion",
    )


def _stamp_field(entity):
    return fields.Char(
        default="LastUpdateDate",
        help="Attribute compared with the last run's mark in q (changed rows, oldest first).",
        prefetch="fusion",
    )


def _stamp_format(entity):
    return fields.Selection(
        LITERAL_FORMATS,
        default="iso_offset_ms",
        help="How that time is written in q. Without milliseconds the rows are paged by offset.",
        prefetch="fusion",
    )


def _fields(entity):
    return fields.Char(
        default=DEFAULT_FIELDS.get(entity, ""),
        help="fields= of the list calls (attributes per level, e.g. A,B;lines:C,D). Empty: every "
        "attribute. Fewer attributes keep large reads under Fusion's five-minute limit.",
        prefetch="fusion",
    )


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(
        selection_add=[("fusion", "Oracle Fusion Cloud ERP")], ondelete={"fusion": "cascade"}
    )
    # The Fusion settings are one prefetch group ("fusion"): reading a connection (every flow of a
    # cycle does, after each commit) fetches the engine's fields and its own system's, not the
    # settings of every system installed.
    fusion_jaggaer_id = fields.Many2one(
        "ml.connector.backend",
        "JAGGAER connection of Fusion",
        domain="[('system_type', '=', 'jaggaer'), ('company_id', '=', company_id)]",
        ondelete="set null",
        help="The JAGGAER tenant this pod syncs with. Setting it creates the flows between the two "
        "(GL values, suppliers both ways, purchase orders, acknowledgments, receipts, invoices), run "
        "by this connection; the flows with a JAGGAER connection set before are archived.",
        prefetch="fusion",
    )

    # -- authentication (§3) --------------------------------------------------------------
    fusion_auth_mode = fields.Selection(
        [
            ("oauth", "OAuth2 client credentials"),
            ("basic_user", "HTTP Basic with a Fusion user (development)"),
        ],
        string="Fusion authentication",
        default="oauth",
        help="HTTP Basic sends the client id and secret as a Fusion user name and password: for "
        "development pods only.",
        prefetch="fusion",
    )
    fusion_scope = fields.Char(
        "Scope",
        help="Scope of the token request. Empty: <pod URL>:443urn:opc:resource:consumer::all. Some identity "
        "domains want urn:opc:resource:consumer::all alone.",
        prefetch="fusion",
    )
    fusion_client_auth = fields.Selection(
        [("basic", "HTTP Basic"), ("body", "Form body")],
        string="Client authentication",
        default="basic",
        help="How the identity domain receives the client id and secret.",
        prefetch="fusion",
    )
    fusion_token_margin = fields.Integer(
        "Renew the token early (s)",
        default=60,
        help="A token is renewed this many seconds before it expires.",
        prefetch="fusion",
    )

    # -- API (§2, §4) -------------------------------------------------------------------
    fusion_api_version = fields.Char("API version", default=API_VERSION, prefetch="fusion")
    fusion_framework_version = fields.Integer(
        "REST framework version",
        default=4,
        help="Sent as REST-Framework-Version. 2 or later is needed to read changes (q expressions); "
        "from 4 Fusion explains refusals in JSON.",
        prefetch="fusion",
    )
    fusion_page_size = fields.Integer(
        "Page size", default=200, help=f"Rows per list call, at most {MAX_PAGE_SIZE}.", prefetch="fusion"
    )
    fusion_overlap_seconds = fields.Integer(
        "Overlap (s)",
        default=300,
        help="Changes are read from the last mark minus this many seconds.",
        prefetch="fusion",
    )
    fusion_time_zone = fields.Char(
        "Time zone of q times",
        default="UTC",
        help="Time zone in which times are written in q filters (for the formats without offset it must "
        "be the Fusion user's preferred time zone).",
        prefetch="fusion",
    )
    fusion_path_purchase_orders = _path("purchase_orders", "Purchase orders")
    fusion_path_invoices = _path("invoices", "Invoices")
    fusion_path_suppliers = _path("suppliers", "Suppliers")
    fusion_path_account_combinations = _path("account_combinations", "Account combinations")
    fusion_path_value_sets = _path("value_sets", "Value sets")
    fusion_path_acknowledgments = _path("acknowledgments", "PO acknowledgments")
    fusion_path_receipt_requests = _path("receipt_requests", "Receipt requests")
    fusion_stamp_field_purchase_orders = _stamp_field("purchase_orders")
    fusion_stamp_field_invoices = _stamp_field("invoices")
    fusion_stamp_field_suppliers = _stamp_field("suppliers")
    fusion_stamp_field_account_combinations = _stamp_field("account_combinations")
    fusion_stamp_format_purchase_orders = _stamp_format("purchase_orders")
    fusion_stamp_format_invoices = _stamp_format("invoices")
    fusion_stamp_format_suppliers = _stamp_format("suppliers")
    fusion_stamp_format_account_combinations = _stamp_format("account_combinations")
    fusion_fields_purchase_orders = _fields("purchase_orders")
    fusion_fields_invoices = _fields("invoices")
    fusion_fields_suppliers = _fields("suppliers")
    fusion_fields_account_combinations = _fields("account_combinations")
    fusion_expand_purchase_orders = fields.Char(
        "Purchase orders: expand",
        default="lines",
        help="Children read with each purchase order.",
        prefetch="fusion",
    )
    fusion_expand_invoices = fields.Char("Invoices: expand", default="invoiceLines", prefetch="fusion")
    fusion_expand_suppliers = fields.Char(
        "Suppliers: expand",
        default="addresses,sites",
        help="Children read with each supplier.",
        prefetch="fusion",
    )

    # -- business settings (§12) -------------------------------------------------------------
    fusion_business_units = fields.Char(
        "Business units",
        help="Comma-separated business units read and written; the first is the default.",
        prefetch="fusion",
    )
    fusion_procurement_bu = fields.Char("Procurement BU", prefetch="fusion")
    fusion_receiving_org = fields.Char(
        "Receiving organization", help="OrganizationCode of receipts, e.g. M1.", prefetch="fusion"
    )
    fusion_receiving_employee_id = fields.Char(
        "Receiving employee id",
        help="EmployeeId of the person receipts are recorded for (a Fusion id).",
        prefetch="fusion",
    )
    fusion_invoice_group_pattern = fields.Char(
        "Invoice group",
        default="JAGGAER-{date}",
        help="InvoiceGroup of created invoices; {date} = YYYYMMDD.",
        prefetch="fusion",
    )
    fusion_invoice_source = fields.Char(
        "Invoice source", help="InvoiceSource of created invoices (empty: none).", prefetch="fusion"
    )
    fusion_validate_invoices = fields.Boolean(
        "Validate created invoices",
        default=True,
        help="Run Fusion's invoice validation after each create.",
        prefetch="fusion",
    )
    fusion_ack_mode = fields.Selection(
        [(mode, ACKNOWLEDGMENT_LABELS[mode]) for mode in ACKNOWLEDGMENT_MODES],
        string="PO acknowledgments through",
        default="acknowledgments",
        prefetch="fusion",
    )
    fusion_chart_of_accounts_id = fields.Char("Chart of accounts id", prefetch="fusion")
    fusion_account_segment = fields.Integer(
        "Account segment number",
        help="n of Segment<n> holding the natural account in an account combination. Empty: the whole "
        "combination is mapped as one value.",
        prefetch="fusion",
    )
    fusion_account_value_set = fields.Char(
        "Account value set",
        help="Value set code of natural accounts (matched with JAGGAER's accounts).",
        prefetch="fusion",
    )
    fusion_cost_center_segment = fields.Integer(
        "Cost centre segment number",
        help="n of Segment<n> holding the cost centre in an account combination.",
        prefetch="fusion",
    )
    fusion_cost_center_value_set = fields.Char(
        "Cost centre value set", help="Value set code of cost centres.", prefetch="fusion"
    )
    fusion_receipt_wait = fields.Integer(
        "Look at receipt requests every (s)",
        default=60,
        help="Fusion processes receipt requests later: their audit line waits, looking at the request "
        "this often, until Fusion processed it (at most a day).",
        prefetch="fusion",
    )
    fusion_upsert_on_post = fields.Boolean(
        "Upsert-Mode on create",
        default=False,
        help="Send Upsert-Mode: true with creates (POST).",
        prefetch="fusion",
    )
    fusion_upsert_on_patch = fields.Boolean(
        "Upsert-Mode on collection updates",
        default=True,
        help="Send Upsert-Mode: true with updates of a whole collection (PATCH /invoices).",
        prefetch="fusion",
    )

    @api.constrains(
        "fusion_page_size",
        "fusion_framework_version",
        "fusion_token_margin",
        "fusion_overlap_seconds",
        "fusion_time_zone",
        "fusion_receiving_employee_id",
        "fusion_chart_of_accounts_id",
        "fusion_cost_center_segment",
        "fusion_account_segment",
        "fusion_receipt_wait",
    )
    def _check_fusion_settings(self):
        for backend in self.filtered(lambda b: b.system_type == "fusion"):
            if not 1 <= backend.fusion_page_size <= MAX_PAGE_SIZE:
                raise ValidationError(self.env._("The page size must be between 1 and %s.", MAX_PAGE_SIZE))
            if backend.fusion_framework_version < 1:
                raise ValidationError(self.env._("The REST framework version must be 1 or more."))
            if (
                min(
                    backend.fusion_token_margin,
                    backend.fusion_overlap_seconds,
                    backend.fusion_cost_center_segment,
                    backend.fusion_account_segment,
                    backend.fusion_receipt_wait,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._("Token renewal, overlap, segments and waits must not be negative.")
                )
            for label, value in (
                (self.env._("Receiving employee id"), backend.fusion_receiving_employee_id),
                (self.env._("Chart of accounts id"), backend.fusion_chart_of_accounts_id),
            ):
                if value and not value.strip().isdigit():
                    raise ValidationError(self.env._("%s must be a number.", label))
            try:
                ZoneInfo(backend.fusion_time_zone or "UTC")
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError(self.env._("Unknown time zone %s.", backend.fusion_time_zone)) from None

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends.filtered("fusion_jaggaer_id")._fusion_link_jaggaer()
        return backends

    def write(self, vals):
        res = super().write(vals)
        if "fusion_jaggaer_id" in vals:
            self._fusion_link_jaggaer()
        return res

    def _fusion_link_jaggaer(self):
        """Flows with the linked JAGGAER connection: created when missing, unarchived when set
        aside before; the flows with any other JAGGAER connection are archived."""
        Flow = self.env["ml.connector.flow"].with_context(active_test=False)
        for backend in self.filtered(lambda b: b.system_type == "fusion"):
            jaggaer = backend.fusion_jaggaer_id
            flows = Flow.search([("backend_id", "=", backend.id)])
            for flow in flows:
                other = flow._other_backends()
                if other.system_type == "jaggaer":
                    flow.active = other == jaggaer
            if jaggaer:
                Flow._create_default_flows(backend, jaggaer)

    @api.model
    def _fusion_list(self, text):
        return tuple(part.strip() for part in (text or "").split(",") if part.strip())

    def _fusion_scope(self):
        self.ensure_one()
        return (self.fusion_scope or "").strip() or default_scope(self.base_url)

    def _fusion_config(self):
        """The connection's settings as a :class:`FusionConfig` (empty settings: defaults)."""
        self.ensure_one()
        zone = (self.fusion_time_zone or "UTC").strip()
        return FusionConfig(
            api_version=(self.fusion_api_version or API_VERSION).strip(),
            framework_version=self.fusion_framework_version or 4,
            resources={
                e: (self[f"fusion_path_{e}"] or DEFAULT_RESOURCES[e]).strip() for e in DEFAULT_RESOURCES
            },
            incremental_fields={
                e: (self[f"fusion_stamp_field_{e}"] or "LastUpdateDate").strip() for e in INCREMENTAL
            },
            literal_formats={e: self[f"fusion_stamp_format_{e}"] or "iso_offset_ms" for e in INCREMENTAL},
            time_zones=dict.fromkeys(DEFAULT_RESOURCES, zone),
            page_size=self.fusion_page_size or 200,
            fields={e: (self[f"fusion_fields_{e}"] or "").strip() for e in INCREMENTAL},
            expand={
                "purchase_orders": (self.fusion_expand_purchase_orders or "").strip(),
                "invoices": (self.fusion_expand_invoices or "").strip(),
                "suppliers": (self.fusion_expand_suppliers or "").strip(),
            },
            overlap_seconds=self.fusion_overlap_seconds,
            business_units=self._fusion_list(self.fusion_business_units),
            procurement_bu=(self.fusion_procurement_bu or "").strip(),
            receiving_organization=(self.fusion_receiving_org or "").strip(),
            receiving_employee_id=_number(self.fusion_receiving_employee_id),
            invoice_group_pattern=self.fusion_invoice_group_pattern or "",
            invoice_source=(self.fusion_invoice_source or "").strip(),
            validate_invoices=self.fusion_validate_invoices,
            acknowledgment_mode=self.fusion_ack_mode or "acknowledgments",
            chart_of_accounts_id=_number(self.fusion_chart_of_accounts_id),
            account_segment=self.fusion_account_segment or None,
            account_value_set=(self.fusion_account_value_set or "").strip(),
            cost_center_segment=self.fusion_cost_center_segment or None,
            cost_center_value_set=(self.fusion_cost_center_value_set or "").strip(),
            receipt_wait_seconds=self.fusion_receipt_wait or 60,
            upsert_on_post=self.fusion_upsert_on_post,
            upsert_on_patch=self.fusion_upsert_on_patch,
            client_id=self.client_id or "",
            name=self.name or "Oracle Fusion",
        )


def _number(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() else None
