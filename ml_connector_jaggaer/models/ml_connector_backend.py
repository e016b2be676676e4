from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.client import (
    DEFAULT_FILTERS,
    DEFAULT_PATHS,
    DEFAULT_STAMP_FIELDS,
    DEFAULT_STAMP_FORMATS,
    DEFAULT_TOKEN_PATH,
    DEFAULT_WRAPPERS,
    STAMP_FORMATS,
    JaggaerConfig,
)

# field name on the connection -> key in JaggaerConfig.paths / wrappers / filters...
PATH_FIELDS = {
    "jaggaer_path_suppliers_list": "suppliers_list",
    "jaggaer_path_suppliers_upsert": "suppliers_upsert",
    "jaggaer_path_po_list": "po_list",
    "jaggaer_path_po_detail": "po_detail",
    "jaggaer_path_po_import": "po_import",
    "jaggaer_path_po_status": "po_status",
    "jaggaer_path_invoice_list": "invoice_list",
    "jaggaer_path_invoice_detail": "invoice_detail",
    "jaggaer_path_invoice_import": "invoice_import",
    "jaggaer_path_invoice_status": "invoice_status",
    "jaggaer_path_gl_values": "gl_values",
}
WRAPPER_FIELDS = {
    "jaggaer_items_suppliers": "suppliers",
    "jaggaer_items_supplier_record": "supplier_record",
    "jaggaer_items_purchase_orders": "purchase_orders",
    "jaggaer_items_invoices": "invoices",
    "jaggaer_items_invoice_detail": "invoice_detail",
    "jaggaer_items_gl_values": "gl_values",
}
RESOURCES = ("suppliers", "purchase_orders", "invoices")


def _path(key, label):
    return fields.Char(
        label,
        default=DEFAULT_PATHS[key],
        help="Path under the base URL; {id} (or {name} for GL segments) is replaced. Empty: the "
        "proposed default of the JAGGAER reference.",
        prefetch="jaggaer",
    )


def _wrapper(key, label):
    return fields.Char(
        label,
        default=DEFAULT_WRAPPERS[key],
        help="Where the records sit in JAGGAER's answer, as a dotted path (e.g. jiinvoiceList.jiinvoice).",
        prefetch="jaggaer",
    )


def _filter(resource):
    return fields.Char(
        default=DEFAULT_FILTERS[resource],
        help="flt= expression selecting the records changed since the last run; {since} is replaced "
        "by the high-water mark (minus the flow's overlap) in the format below.",
        prefetch="jaggaer",
    )


def _stamp_format(resource):
    return fields.Selection(STAMP_FORMATS, default=DEFAULT_STAMP_FORMATS[resource], prefetch="jaggaer")


def _stamp_field(resource):
    return fields.Char(
        default=DEFAULT_STAMP_FIELDS[resource],
        help="Field of each record holding its last modification time (dotted path; for suppliers, inside "
        "the company profile).",
        prefetch="jaggaer",
    )


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(selection_add=[("jaggaer", "JAGGAER")], ondelete={"jaggaer": "cascade"})
    # The JAGGAER settings are one prefetch group ("jaggaer"): reading a connection (every flow of a
    # cycle does, after each commit) fetches the engine's fields and its own system's, not the
    # settings of every system installed.

    # -- authentication (§1.3) ---------------------------------------------------------
    jaggaer_token_style = fields.Selection(
        [
            ("oauth2", "OAuth2 (access_token, expires_in seconds)"),
            ("legacy_ms", "Legacy sourcing API (token, expire_in milliseconds)"),
        ],
        string="Token answer",
        default="oauth2",
        prefetch="jaggaer",
    )
    jaggaer_secret_in = fields.Selection(
        [("body", "Form body"), ("basic", "HTTP Basic")],
        string="Client secret sent in",
        default="body",
        help="Known J1P clients send client_id and client_secret in the form body.",
        prefetch="jaggaer",
    )
    jaggaer_token_skew = fields.Integer(
        "Renew token early (s)",
        default=30,
        help="A token is renewed this many seconds before it expires.",
        prefetch="jaggaer",
    )
    jaggaer_success_codes = fields.Char(
        "Accepted returnCodes",
        default="0,1",
        help="returnCode values that mean success. 1 = accepted with a warning: the warning is written "
        "on the audit line and the document does not fail.",
        prefetch="jaggaer",
    )

    # -- resource paths (§2, PROPOSED where JAGGAER publishes nothing) ----------------
    jaggaer_path_suppliers_list = _path("suppliers_list", "Suppliers: list")
    jaggaer_path_suppliers_upsert = _path("suppliers_upsert", "Suppliers: create/update")
    jaggaer_path_po_list = _path("po_list", "Purchase orders: list")
    jaggaer_path_po_detail = _path("po_detail", "Purchase orders: detail")
    jaggaer_path_po_import = _path("po_import", "Purchase orders: import")
    jaggaer_path_po_status = _path("po_status", "Purchase orders: status")
    jaggaer_path_invoice_list = _path("invoice_list", "Invoices: list")
    jaggaer_path_invoice_detail = _path("invoice_detail", "Invoices: detail")
    jaggaer_path_invoice_import = _path("invoice_import", "Invoices: import")
    jaggaer_path_invoice_status = _path("invoice_status", "Invoices: payment status")
    jaggaer_path_gl_values = _path("gl_values", "GL segment values")

    # -- item wrappers (§1.5) ---------------------------------------------------------
    jaggaer_items_suppliers = _wrapper("suppliers", "Suppliers list items")
    jaggaer_items_supplier_record = _wrapper("supplier_record", "Supplier inside an item")
    jaggaer_items_purchase_orders = _wrapper("purchase_orders", "Purchase order items")
    jaggaer_items_invoices = _wrapper("invoices", "Invoice list items")
    jaggaer_items_invoice_detail = _wrapper("invoice_detail", "Invoice detail")
    jaggaer_items_gl_values = _wrapper("gl_values", "GL value items")

    # -- change filters (§1.7) --------------------------------------------------------
    jaggaer_filter_suppliers = _filter("suppliers")
    jaggaer_filter_purchase_orders = _filter("purchase_orders")
    jaggaer_filter_invoices = _filter("invoices")
    jaggaer_stamp_format_suppliers = _stamp_format("suppliers")
    jaggaer_stamp_format_purchase_orders = _stamp_format("purchase_orders")
    jaggaer_stamp_format_invoices = _stamp_format("invoices")
    jaggaer_stamp_field_suppliers = _stamp_field("suppliers")
    jaggaer_stamp_field_purchase_orders = _stamp_field("purchase_orders")
    jaggaer_stamp_field_invoices = _stamp_field("invoices")
    jaggaer_supplier_filter = fields.Char(
        "Suppliers: always filter",
        default="type==SELLER",
        help="flt= expression added to every supplier list call (company profiles also hold buyers).",
        prefetch="jaggaer",
    )

    # -- business settings ------------------------------------------------------------
    jaggaer_business_unit = fields.Char(
        "Business unit",
        help="businessUnit.internalName sent on purchase orders (empty: not sent).",
        prefetch="jaggaer",
    )
    jaggaer_bill_to_code = fields.Char(
        "Bill-to address code", help="billTo addressCode on purchase orders.", prefetch="jaggaer"
    )
    jaggaer_ship_to_code = fields.Char(
        "Ship-to address code", help="shipTo addressCode on purchase orders.", prefetch="jaggaer"
    )
    jaggaer_supplier_number_prefix = fields.Char(
        "Supplier number prefix",
        default="ODOO-",
        help="Vendors without a Reference get the JAGGAER supplier number <prefix><vendor id>. The Odoo "
        "vendor is not changed; set its Reference to use another number.",
        prefetch="jaggaer",
    )
    jaggaer_account_segment = fields.Char(
        "Account segment",
        default="Account",
        help="Splittable GL segment holding the G/L account.",
        prefetch="jaggaer",
    )
    jaggaer_cost_center_segment = fields.Char(
        "Cost centre segment",
        default="CostCenter",
        help="Splittable GL segment holding the cost centre (an analytic account in Odoo).",
        prefetch="jaggaer",
    )
    jaggaer_extra_segments = fields.Char(
        "Other GL segments",
        help="Comma-separated names of further splittable segments to list in the mappings (e.g. Fund, "
        "Project). They are listed for reference; only the two above are used on documents.",
        prefetch="jaggaer",
    )
    jaggaer_invoice_workflow_statuses = fields.Char(
        "Invoice workflow statuses",
        default="Completed",
        help="Comma-separated workflowStatus values of invoices that become vendor bills.",
        prefetch="jaggaer",
    )
    jaggaer_invoice_payment_statuses = fields.Char(
        "Invoice payment statuses",
        default="Payable,Paid",
        help="Comma-separated paymentStatus values of invoices that become vendor bills. Other invoices "
        "are recorded as skipped and imported once JAGGAER moves them on.",
        prefetch="jaggaer",
    )
    jaggaer_tax_code_field = fields.Char(
        "Tax code field",
        default="TaxCode",
        help="Custom field of an invoice header or line holding its tax code (§1.12); the code is mapped to "
        "an Odoo tax with a 'Tax' mapping. Without one, lines get their product's purchase taxes through "
        "the vendor's fiscal position.",
        prefetch="jaggaer",
    )
    jaggaer_paid_status = fields.Char(
        "Paid status",
        default="Paid",
        help="paymentStatus sent to JAGGAER when the vendor bill made of one of its invoices is paid (the "
        "status endpoint is PROPOSED: see its path below). Empty: payments are not sent.",
        prefetch="jaggaer",
    )
    jaggaer_po_vendor_scope = fields.Selection(
        [
            ("all", "Every vendor linked to a JAGGAER supplier"),
            ("selected", "Only the vendors listed"),
        ],
        string="Send POs of",
        default="all",
        required=True,
        prefetch="jaggaer",
    )
    jaggaer_po_vendor_ids = fields.Many2many(
        "res.partner",
        "ml_connector_backend_jaggaer_po_vendor_rel",
        "backend_id",
        "partner_id",
        string="Vendors whose POs go to JAGGAER",
        domain=[("is_company", "=", True)],
        help="With 'Only the vendors listed': the purchase orders of these vendors (and their contacts) "
        "are sent; the others stay in Odoo.",
        prefetch="jaggaer",
    )
    jaggaer_po_import_statuses = fields.Char(
        "Import JAGGAER POs in status",
        default="Approved,Distributed,Acknowledged,Partially Received,Received",
        help="Comma-separated statuses of purchase orders created in JAGGAER that become draft purchase "
        "orders in Odoo; others (Draft, Pending Approval…) wait until JAGGAER moves them on. Canceled "
        "cancels the Odoo draft.",
        prefetch="jaggaer",
    )
    jaggaer_po_since = fields.Date(
        "Send POs confirmed from",
        help="Only purchase orders confirmed on or after this date are sent (empty: all). Use it so that a "
        "new connection does not send years of history.",
        prefetch="jaggaer",
    )

    @api.constrains("jaggaer_success_codes", "price_tolerance", "jaggaer_token_skew")
    def _check_jaggaer_settings(self):
        for backend in self.filtered(lambda b: b.system_type == "jaggaer"):
            if "0" not in backend._jaggaer_list(backend.jaggaer_success_codes):
                raise ValidationError(self.env._("The accepted returnCodes must include 0."))
            if backend.price_tolerance < 0 or backend.jaggaer_token_skew < 0:
                raise ValidationError(self.env._("Tolerance and token renewal must not be negative."))

    @api.model
    def _jaggaer_list(self, text):
        return [part.strip() for part in (text or "").split(",") if part.strip()]

    def _jaggaer_token_url(self):
        self.ensure_one()
        if self.token_url:
            return self.token_url
        return f"{(self.base_url or '').rstrip('/')}{DEFAULT_TOKEN_PATH}"

    def _jaggaer_config(self):
        """The connection's API layout for :class:`JaggaerClient` (empty settings: defaults)."""
        self.ensure_one()
        return JaggaerConfig(
            paths={key: self[name] or DEFAULT_PATHS[key] for name, key in PATH_FIELDS.items()},
            wrappers={
                key: (self[name] or DEFAULT_WRAPPERS[key]).strip() for name, key in WRAPPER_FIELDS.items()
            },
            filters={res: self[f"jaggaer_filter_{res}"] or DEFAULT_FILTERS[res] for res in RESOURCES},
            stamp_formats={
                res: self[f"jaggaer_stamp_format_{res}"] or DEFAULT_STAMP_FORMATS[res] for res in RESOURCES
            },
            stamp_fields={
                res: self[f"jaggaer_stamp_field_{res}"] or DEFAULT_STAMP_FIELDS[res] for res in RESOURCES
            },
            base_filters={"suppliers": (self.jaggaer_supplier_filter or "").strip()},
            success_codes=tuple(self._jaggaer_list(self.jaggaer_success_codes) or ("0", "1")),
            name=self.name or "JAGGAER",
        )
