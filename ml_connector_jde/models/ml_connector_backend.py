import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools.ais import (
    AMOUNT_SCALINGS,
    AUTH_MODES,
    DATE_LITERAL_FORMATS,
    DATE_OUTPUT_FORMATS,
    DEFAULT_ORCHESTRATIONS,
    DEFAULT_TABLES,
    DEFAULT_TIME_COLUMNS,
    DEFAULT_VOUCHER_STATUS_ORCHESTRATION,
    PAGING_MODES,
    AisConfig,
)

API_VERSIONS = [
    ("v2", "v2 (tokenrequest, dataservice)"),
    ("v3", "v3 (jde-login)"),
    ("v1", "v1 (unversioned)"),
]


def _pairs_text(pairs):
    return ",".join(f"{key}={value}" for key, value in pairs.items())


def _orchestration(key, label):
    return fields.Char(
        label,
        default=DEFAULT_ORCHESTRATIONS[key],
        help="Name of the customer's orchestration (it is published under /orchestrator/<name>).",
        prefetch="jde",
    )


class MlConnectorBackend(models.Model):
    _inherit = "ml.connector.backend"

    system_type = fields.Selection(selection_add=[("jde", "JD Edwards (AIS)")], ondelete={"jde": "cascade"})
    # The JD Edwards settings are one prefetch group ("jde"): reading a connection (every flow of a
    # cycle does, after each commit) fetches the engine's fields and its own system's, not the
    # settings of every system installed.

    # -- session (§3) --------------------------------------------------------------------------
    jde_api_version = fields.Selection(
        API_VERSIONS,
        string="AIS API version",
        default="v2",
        help="Which service paths are called. v3 asks for tokens with HTTP Basic on jde-login.",
        prefetch="jde",
    )
    jde_auth_mode = fields.Selection(
        AUTH_MODES,
        string="JD Edwards authentication",
        default="token",
        help="Session token (one login per run), or user and password sent on every call.",
        prefetch="jde",
    )
    jde_environment = fields.Char(
        "Environment", help="E.g. JDV920. Empty: the AIS Server's default.", prefetch="jde"
    )
    jde_role = fields.Char("Role", help="E.g. *ALL. Empty: the AIS Server's default.", prefetch="jde")
    jde_jasserver = fields.Char(
        "HTML server", help="jasserver sent at login. Empty: the AIS Server's default.", prefetch="jde"
    )
    jde_device_name = fields.Char(
        "Device name",
        help="Tokens are bound to it (jde-AIS-Auth-Device). Default ml-connector-<connection id>; give every "
        "connection to the same AIS Server its own.",
        prefetch="jde",
    )
    jde_token_max_age = fields.Integer(
        "Renew token after (s)",
        default=1500,
        help="JD Edwards never says how long a token lives: it is renewed once this old. Keep it below the "
        "AIS Server's session timeout.",
        prefetch="jde",
    )
    jde_orchestration_timeout = fields.Integer("Orchestration timeout (s)", default=120, prefetch="jde")

    # -- dates and amounts (§6) -----------------------------------------------------------------
    jde_server_tz = fields.Selection(
        _tz_get,
        string="Server time zone",
        default="UTC",
        help="Time zone of the JD Edwards server: UPMJ and UPMT/TDAY are its local date and time.",
        prefetch="jde",
    )
    jde_user_date_format = fields.Char(
        "User date format",
        default="MM/dd/yyyy",
        help="Display format of the AIS user (Java pattern), used when the login does not tell it.",
        prefetch="jde",
    )
    jde_date_literal_format = fields.Selection(
        DATE_LITERAL_FORMATS, string="Dates in queries", default="user_format", prefetch="jde"
    )
    jde_date_output_format = fields.Selection(
        DATE_OUTPUT_FORMATS, string="Dates in answers", default="auto", prefetch="jde"
    )
    jde_amount_scaling = fields.Selection(
        AMOUNT_SCALINGS, string="Amounts in answers", default="display", prefetch="jde"
    )
    jde_amount_decimals = fields.Integer(
        "Implied decimals",
        default=2,
        help="Decimals of raw amounts (unit costs PRRC have 4).",
        prefetch="jde",
    )

    # -- reading (§5) ---------------------------------------------------------------------------
    jde_page_size = fields.Integer("Rows per page", default=500, prefetch="jde")
    jde_paging_mode = fields.Selection(PAGING_MODES, string="Paging", default="next_link", prefetch="jde")
    jde_time_columns = fields.Char(
        "Time columns",
        default=_pairs_text(DEFAULT_TIME_COLUMNS),
        help="Tables whose change time is not UPMT, as TABLE=COLUMN pairs separated by commas.",
        prefetch="jde",
    )
    jde_tables = fields.Char(
        "Tables",
        help="Tables or custom tables replacing the standard ones, as entity=TABLE pairs (entities: "
        + ", ".join(DEFAULT_TABLES)
        + "). Empty: the standard tables.",
        prefetch="jde",
    )
    jde_supplier_search_type = fields.Char(
        "Supplier search type", default="V", help="F0101.AT1 of suppliers.", prefetch="jde"
    )

    # -- writing (§7) ---------------------------------------------------------------------------
    jde_orchestration_voucher = _orchestration("voucher", "Voucher orchestration")
    jde_orchestration_supplier_add = _orchestration("supplier_add", "Supplier add orchestration")
    jde_orchestration_account_add = _orchestration("account_add", "Account add orchestration")
    jde_orchestration_business_unit_add = _orchestration(
        "business_unit_add", "Business unit add orchestration"
    )
    jde_orchestration_inputs = fields.Text(
        "Orchestration input names",
        help='Input names that differ from the standard ones, as JSON: {"voucher": {"transaction_number": '
        '"SourceDocument"}}.',
        prefetch="jde",
    )
    jde_write_master_data = fields.Boolean(
        "Write master data to JD Edwards",
        help="Suppliers, accounts and business units are created in JD Edwards. Off: JD Edwards is their "
        "master.",
        prefetch="jde",
    )
    jde_voucher_edi_user = fields.Char("Batch user (EDUS)", default="JAGINT", prefetch="jde")
    jde_voucher_batch_prefix = fields.Char("Batch number prefix", default="JAG", prefetch="jde")
    jde_voucher_doc_type = fields.Char("Voucher document type", default="PV", prefetch="jde")
    jde_r04110z_version = fields.Char("R04110Z version", default="ZJDE0001", prefetch="jde")
    jde_orchestration_voucher_status = fields.Char(
        "Batch status orchestration",
        default=DEFAULT_VOUCHER_STATUS_ORCHESTRATION,
        help="Orchestration telling the errors R04110Z recorded for a voucher (e.g. from the Work Center). "
        "Empty: a voucher R04110Z leaves unprocessed waits, then fails once its attempts are spent.",
        prefetch="jde",
    )
    jde_voucher_company = fields.Char(
        "Voucher company",
        help="Company (KCO) of vouchers whose invoice bills no order sent from JD Edwards.",
        prefetch="jde",
    )
    jde_voucher_business_unit = fields.Char(
        "Default business unit",
        help="Business unit of distribution lines whose invoice line names no cost centre. Empty: such lines "
        "are refused.",
        prefetch="jde",
    )
    jde_charge_account = fields.Char(
        "Account for charges",
        help="Account (BU.OBJ or BU.OBJ.SUB) of invoice freight, handling and fees. Empty: invoices with "
        "charges are refused.",
        prefetch="jde",
    )
    jde_tax_account = fields.Char(
        "Account for taxes",
        help="Account (BU.OBJ or BU.OBJ.SUB) of invoice taxes. Empty: invoices with taxes are refused.",
        prefetch="jde",
    )
    jde_batch_wait = fields.Integer(
        "Look at a batch again after (min)",
        default=5,
        help="An invoice whose voucher R04110Z has not processed yet is looked at again after this "
        "long, without using up its attempts, for at most a day.",
        prefetch="jde",
    )

    # -- JD Edwards and JAGGAER -------------------------------------------------------------------
    jde_jaggaer_backend_id = fields.Many2one(
        "ml.connector.backend",
        "JAGGAER connection of JD Edwards",
        domain="[('system_type', '=', 'jaggaer'), ('company_id', '=', company_id)]",
        help="The JAGGAER tenant this JD Edwards exchanges with: setting it creates the flows between the "
        "two (suppliers, GL values, purchase orders and their statuses, invoices).",
        prefetch="jde",
    )
    jde_po_number_format = fields.Char(
        "Order number in JAGGAER",
        default="{DOCO}-{DCTO}",
        help="How a JD Edwards order is numbered in JAGGAER, from its keys {KCOO}, {DOCO}, {DCTO}, {SFXO}.",
        prefetch="jde",
    )
    jde_cancelled_statuses = fields.Char(
        "Cancelled line statuses",
        default="980",
        help="Last statuses (LTTR) of cancelled order lines, comma-separated. An order whose lines are all "
        "cancelled is cancelled in JAGGAER.",
        prefetch="jde",
    )
    jde_new_account_business_unit = fields.Char(
        "Business unit of new accounts",
        help="Business unit under which JAGGAER accounts missing in JD Edwards are created (with master-data "
        "writes on).",
        prefetch="jde",
    )

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends._jde_default_device_name()
        backends._jde_create_jaggaer_flows()
        return backends

    def write(self, vals):
        res = super().write(vals)
        if "system_type" in vals:
            self._jde_default_device_name()
        if {"system_type", "jde_jaggaer_backend_id"} & set(vals):
            self._jde_create_jaggaer_flows()
        return res

    def _jde_create_jaggaer_flows(self):
        """The flows with the JAGGAER connection that this connection does not have yet."""
        for backend in self.filtered(lambda b: b.system_type == "jde" and b.jde_jaggaer_backend_id):
            backend._create_default_flows(backend.jde_jaggaer_backend_id)

    def action_jde_create_flows(self):
        """Create again the flows with the JAGGAER connection that were deleted."""
        self.ensure_one()
        self._check_manager()
        if not self.jde_jaggaer_backend_id:
            raise UserError(self.env._("Choose the JAGGAER connection first."))
        flows = self._create_default_flows(self.jde_jaggaer_backend_id)
        return self._notify(
            self.env._("Flows"),
            self.env._("%s flow(s) created.", len(flows))
            if flows
            else self.env._("Every flow with %s exists already.", self.jde_jaggaer_backend_id.name),
            "info",
        )

    def _jde_default_device_name(self):
        for backend in self.filtered(lambda b: b.system_type == "jde" and not b.jde_device_name):
            backend.jde_device_name = f"ml-connector-{backend.id}"

    @api.constrains(
        "jde_token_max_age", "jde_page_size", "jde_amount_decimals", "jde_time_columns", "jde_tables"
    )
    def _check_jde_settings(self):
        for backend in self.filtered(lambda b: b.system_type == "jde"):
            if backend.jde_token_max_age < 60 or backend.jde_page_size < 1:
                raise ValidationError(
                    self.env._("A token must be kept at least 60 s and a page must hold at least one row.")
                )
            if not 0 <= backend.jde_amount_decimals <= 6:
                raise ValidationError(self.env._("Implied decimals go from 0 to 6."))
            backend._jde_pairs(backend.jde_time_columns)
            backend._jde_pairs(backend.jde_tables)

    @api.constrains("jde_orchestration_inputs")
    def _check_jde_orchestration_inputs(self):
        for backend in self.filtered("jde_orchestration_inputs"):
            backend._jde_input_names()

    @api.constrains("jde_po_number_format", "jde_jaggaer_backend_id", "jde_batch_wait")
    def _check_jde_jaggaer(self):
        for backend in self.filtered(lambda b: b.system_type == "jde"):
            backend._jde_po_number({"KCOO": "00001", "DOCO": 1, "DCTO": "OP", "SFXO": "000"})
            other = backend.jde_jaggaer_backend_id
            if other and (other.system_type != "jaggaer" or other.company_id != backend.company_id):
                raise ValidationError(
                    self.env._("The JAGGAER connection must be a JAGGAER connection of the same company.")
                )
            if backend.jde_batch_wait < 1:
                raise ValidationError(self.env._("A batch is looked at again after at least a minute."))

    def _jde_po_number(self, keys):
        """The number a JD Edwards order with ``keys`` (KCOO, DOCO, DCTO, SFXO) gets in JAGGAER."""
        try:
            number = (self.jde_po_number_format or "{DOCO}-{DCTO}").format(**keys).strip()
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(
                self.env._("The order number format takes {KCOO}, {DOCO}, {DCTO} and {SFXO} only (%s).", exc)
            ) from None
        if not number:
            raise ValidationError(self.env._("The order number format gives an empty number."))
        return number

    def _jde_cancelled_statuses(self):
        return {part.strip() for part in (self.jde_cancelled_statuses or "").split(",") if part.strip()}

    def _jde_pairs(self, text):
        pairs = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            key, equal, value = part.partition("=")
            if not equal or not key.strip() or not value.strip():
                raise ValidationError(self.env._("%s is not a KEY=VALUE pair.", part.strip()))
            pairs[key.strip()] = value.strip().upper()
        return pairs

    def _jde_input_names(self):
        try:
            names = json.loads(self.jde_orchestration_inputs or "{}")
        except ValueError as exc:
            raise ValidationError(self.env._("The orchestration input names are not JSON: %s", exc)) from None
        if not isinstance(names, dict) or not all(isinstance(v, dict) for v in names.values()):
            raise ValidationError(
                self.env._("The orchestration input names are an object of objects, one per orchestration.")
            )
        return names

    def _jde_config(self):
        """The connection's AIS settings for :class:`AisConfig` (empty settings: defaults)."""
        self.ensure_one()
        tables = {key.lower(): value for key, value in self._jde_pairs(self.jde_tables).items()}
        return AisConfig(
            api_version=self.jde_api_version or "v2",
            environment=(self.jde_environment or "").strip(),
            role=(self.jde_role or "").strip(),
            jasserver=(self.jde_jasserver or "").strip(),
            device_name=(self.jde_device_name or "").strip() or f"ml-connector-{self.id}",
            auth_mode=self.jde_auth_mode or "token",
            token_max_age_s=float(self.jde_token_max_age or 1500),
            date_literal_format=self.jde_date_literal_format or "user_format",
            date_output_format=self.jde_date_output_format or "auto",
            user_date_format=(self.jde_user_date_format or "").strip() or "MM/dd/yyyy",
            server_time_zone=self.jde_server_tz or "UTC",
            amount_scaling=self.jde_amount_scaling or "display",
            amount_decimals=self.jde_amount_decimals,
            page_size=self.jde_page_size or 500,
            paging_mode=self.jde_paging_mode or "next_link",
            time_columns={
                key.upper(): value for key, value in self._jde_pairs(self.jde_time_columns).items()
            },
            tables={**DEFAULT_TABLES, **tables},
            supplier_search_type=(self.jde_supplier_search_type or "V").strip(),
            orchestrations={
                key: (self[f"jde_orchestration_{key}"] or "").strip() or default
                for key, default in DEFAULT_ORCHESTRATIONS.items()
            },
            orchestration_inputs=self._jde_input_names(),
            voucher_edi_user=(self.jde_voucher_edi_user or "").strip() or "JAGINT",
            voucher_batch_prefix=(self.jde_voucher_batch_prefix or "").strip(),
            voucher_doc_type=(self.jde_voucher_doc_type or "").strip() or "PV",
            r04110z_version=(self.jde_r04110z_version or "").strip() or "ZJDE0001",
            voucher_status_orchestration=(self.jde_orchestration_voucher_status or "").strip(),
            write_master_data_to_jde=self.jde_write_master_data,
            orchestration_timeout=float(self.jde_orchestration_timeout or 120),
            name=self.name or "JD Edwards",
        )
