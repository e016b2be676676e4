"""JD Edwards EnterpriseOne AIS Server simulator.

Spec: ``jde-api.md`` §10 (what a faithful simulator must do); section numbers in comments refer
to that document. Where the reference leaves a choice open ([U]: date formats, next-page link
shape, amount scaling, count answer, orchestration error handling), a switch makes the
simulator answer each plausible way, so that the connector is tested against all of them:

=============================  ====================================================================
option                         values (default first)
=============================  ====================================================================
``date_output_format``         ``user_format`` (session's simpleDateFormat) | ``julian`` | ``yyyyMMdd``
``cell_shape``                 ``scalar`` | ``value_object`` (``{"value", "internalValue"}`` cells)
``amount_scaling``             ``display`` (1250.0) | ``raw`` (implied decimals: 125000)
``next_link_style``            ``query`` (href carries the result set: GET or POST) |
                               ``context`` (bare href plus a ``context`` object to POST back)
``next_link_absolute``         True | False (href relative to the server root)
``next_page_processing``       True | False (``enableNextPageProcessing`` ignored: first page only)
``count_shape``                ``totalCount`` (``data.totalCount``) | ``count`` (``count`` in the block)
``unknown_target_status``      500 | 400 (unknown table, alias, operator or literal)
``unknown_orchestration_status`` 403 | 404
``orchestration_error_status`` 200 (``jde__status: ERROR``) | 500 (``ServiceErrorResponse`` with
                               ``userDefinedErrorText``)
``auto_run_r04110z``           False | True (run the voucher batch processor after each voucher
                               orchestration)
=============================  ====================================================================

Storage follows JDE: dates are Julian ``CYYDDD`` integers, times ``HHMMSS`` integers in the
server's time zone (``time_zone``), amounts display values (rendered raw on demand), strings
fixed-width where JDE pads them (``MCU`` right-justified in 12). Every row insert or update
stamps ``UPMJ`` and the table's time column (``UPMT``; ``TDAY`` on F4301/F4311) from the
simulated clock.

One simulator instance is one AIS Server in front of one JDE environment set.
"""

import base64
import copy
import functools
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .base import CONTROL_PREFIX, SimulatorApp, json_response

API = "/jderest"
SERVICE_EXCEPTION = "com.oracle.e1.jdemf.JDERestServiceException"

DEFAULT_USERS = {
    "JAGINT": {"password": "Jde-Sim-Pass-42", "addressNumber": 2111, "alphaName": "Integration, JAGGAER"},
}

DEFAULT_ORCHESTRATIONS = {
    "voucher": "JAG_CreateVoucherBatch",
    "supplier_add": "JAG_AddSupplier",
    "account_add": "JAG_AddAccount",
    "business_unit_add": "JAG_AddBusinessUnit",
    "voucher_status": "JAG_VoucherBatchStatus",
}

# Input names of the built-in orchestrations (§7.1 PROPOSED); customers name theirs freely, so
# they are options too.
DEFAULT_INPUTS = {
    "voucher": {
        "batch_user": "BatchUser",
        "batch_number": "BatchNumber",
        "transaction_number": "TransactionNumber",
        "pay_item": "PayItem",
        "supplier": "Supplier",
        "supplier_invoice": "SupplierInvoice",
        "invoice_date": "InvoiceDate",
        "gl_date": "GLDate",
        "gross_amount": "GrossAmount",
        "currency": "Currency",
        "company": "Company",
        "document_type": "DocumentType",
        "remark": "Remark",
        "distributions": "Distributions",
        "line": "Line",
        "account": "Account",
        "amount": "Amount",
        "explanation": "Explanation",
    },
    "supplier_add": {
        "name": "AlphaName",
        "tax_id": "TaxId",
        "duns": "DUNS",
        "search_type": "SearchType",
        "business_unit": "BusinessUnit",
        "currency": "Currency",
        "payment_terms": "PaymentTerms",
        "payment_instrument": "PaymentInstrument",
    },
    "account_add": {
        "business_unit": "BusinessUnit",
        "object": "Object",
        "subsidiary": "Subsidiary",
        "description": "Description",
        "company": "Company",
        "posting_edit": "PostingEdit",
        "level_of_detail": "LevelOfDetail",
    },
    "business_unit_add": {
        "business_unit": "BusinessUnit",
        "description": "Description",
        "company": "Company",
        "type": "Type",
        "level_of_detail": "LevelOfDetail",
    },
    # a customer's read of what R04110Z recorded for a voucher (the Work Center): errors is an output
    "voucher_status": {
        "batch_user": "BatchUser",
        "batch_number": "BatchNumber",
        "transaction_number": "TransactionNumber",
        "errors": "Errors",
    },
}

DEFAULT_OPTIONS = {
    "token_ttl": 1800,  # §3.4, seconds on the simulated clock
    "token_idle_timeout": 0,  # 0 = no idle timeout
    "default_environment": "JDV920",
    "environments": ["JDV920", "JPY920"],
    "default_role": "*ALL",
    "simple_date_format": "MM/dd/yyyy",  # §3.2 userInfo.simpleDateFormat
    "decimal_format": ".",
    "time_zone": "UTC",  # server local time of UPMJ/UPMT (§6)
    "default_page_size": 100,  # rows when the request gives no maxPageSize
    "result_set_idle_timeout": 300,  # §5.5 / §10.9
    "result_set_bound_to_session": True,  # a new login cannot continue an old session's result set
    "next_page_processing": True,  # False: enableNextPageProcessing is ignored (no links, §10.9)
    "date_output_format": "user_format",
    "cell_shape": "scalar",
    "amount_scaling": "display",
    "amount_decimals": 2,
    "column_decimals": {"PRRC": 4},
    "next_link_style": "query",
    "next_link_absolute": True,
    "count_shape": "totalCount",
    "unknown_target_status": 500,
    "unknown_orchestration_status": 403,
    "orchestration_error_status": 200,
    "orchestration_status_elements": True,
    "auto_run_r04110z": False,
    "r04110z_version": "ZJDE0001",
    "orchestration_names": DEFAULT_ORCHESTRATIONS,
    "orchestration_inputs": DEFAULT_INPUTS,
}

NEXT_NUMBER_START = {"AN8": 7000, "DOC": 50000, "AID": 900}

# ================================================================================================
# tables
# ================================================================================================


@dataclass(frozen=True)
class Column:
    alias: str
    label: str
    kind: str = "str"  # str | mcu | int | amount | date | time


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    keys: tuple
    columns: tuple
    time_column: str = "UPMT"

    def column(self, alias: str) -> Column | None:
        return next((c for c in self.columns if c.alias == alias), None)

    @property
    def aliases(self) -> list[str]:
        return [c.alias for c in self.columns]


def _table(name, title, keys, columns, time_column="UPMT"):
    cols = [Column(alias, label, kind) for alias, label, kind in columns]
    cols += [
        Column("USER", "User ID"),
        Column("UPMJ", "Date Updated", "date"),
        Column(time_column, "Time Last Updated" if time_column == "UPMT" else "Time of Day", "time"),
    ]
    return Table(name, title, tuple(keys), tuple(cols), time_column)


_VOUCHER_KEYS = ("EDUS", "EDBT", "EDTN", "EDLN")
_BATCH_COLUMNS = [
    ("EDUS", "EDI - User ID", "str"),
    ("EDBT", "EDI - Batch Number", "str"),
    ("EDTN", "EDI - Transaction Number", "str"),
    ("EDLN", "EDI - Line Number", "int"),
    ("EDSP", "EDI - Successfully Processed", "str"),
    ("EDTC", "Transaction Action", "str"),
    ("EDTR", "Transaction Type", "str"),
]

TABLES = {
    t.name: t
    for t in (
        _table(
            "F0101",
            "Address Book Master",
            ["AN8"],
            [
                ("AN8", "Address Number", "int"),
                ("ALKY", "Long Address", "str"),
                ("ALPH", "Alpha Name", "str"),
                ("AT1", "Sch Typ", "str"),
                ("TAX", "Tax ID", "str"),
                ("TX2", "Add'l Ind Tax ID", "str"),
                ("DUNS", "DUNS Number", "str"),
                ("MCU", "Business Unit", "mcu"),
            ],
        ),
        _table(
            "F0401",
            "Supplier Master",
            ["AN8"],
            [
                ("AN8", "Address Number", "int"),
                ("TRAP", "Payment Terms - A/P", "str"),
                ("CRRP", "Currency Code - A/P", "str"),
                ("PYIN", "Payment Instrument", "str"),
                ("HDPY", "Hold Payment Code", "str"),
                ("MCUP", "Business Unit - A/P Default", "mcu"),
            ],
        ),
        _table(
            "F4301",
            "Purchase Order Header",
            ["KCOO", "DOCO", "DCTO", "SFXO"],
            [
                ("KCOO", "Order Co", "str"),
                ("DOCO", "Order Number", "int"),
                ("DCTO", "Or Ty", "str"),
                ("SFXO", "Order Suffix", "str"),
                ("MCU", "Business Unit", "mcu"),
                ("AN8", "Supplier", "int"),
                ("SHAN", "Ship To", "int"),
                ("TRDJ", "Order Date", "date"),
                ("DRQJ", "Requested", "date"),
                ("CRCD", "Cur Cod", "str"),
                ("OTOT", "Order Gross Amount", "amount"),
                ("ORBY", "Ordered By", "str"),
                ("HOLD", "Hold Code", "str"),
                ("VR01", "Reference", "str"),
            ],
            time_column="TDAY",
        ),
        _table(
            "F4311",
            "Purchase Order Detail",
            ["KCOO", "DOCO", "DCTO", "SFXO", "LNID"],
            [
                ("KCOO", "Order Co", "str"),
                ("DOCO", "Order Number", "int"),
                ("DCTO", "Or Ty", "str"),
                ("SFXO", "Order Suffix", "str"),
                ("LNID", "Line Number", "int"),
                ("MCU", "Business Unit", "mcu"),
                ("AN8", "Supplier", "int"),
                ("LITM", "2nd Item Number", "str"),
                ("DSC1", "Description", "str"),
                ("UORG", "Quantity Ordered", "amount"),
                ("UOM", "Tr UM", "str"),
                ("PRRC", "Unit Cost", "amount"),
                ("AEXP", "Extended Cost", "amount"),
                ("AOPN", "Amount Open", "amount"),
                ("LTTR", "Last Stat", "str"),
                ("NXTR", "Next Stat", "str"),
                ("ANI", "Account Number", "str"),
                ("OBJ", "Obj Acct", "str"),
                ("SUB", "Sub", "str"),
                ("TRDJ", "Order Date", "date"),
                ("DRQJ", "Requested", "date"),
            ],
            time_column="TDAY",
        ),
        _table(
            "F0901",
            "Account Master",
            ["AID"],
            [
                ("AID", "Account ID", "str"),
                ("CO", "Company", "str"),
                ("MCU", "Business Unit", "mcu"),
                ("OBJ", "Obj Acct", "str"),
                ("SUB", "Sub", "str"),
                ("DL01", "Description", "str"),
                ("PEC", "Posting Edit", "str"),
                ("LDA", "Level of Detail", "str"),
            ],
        ),
        _table(
            "F0006",
            "Business Unit Master",
            ["MCU"],
            [
                ("MCU", "Business Unit", "mcu"),
                ("STYL", "BU Type", "str"),
                ("DL01", "Description", "str"),
                ("CO", "Company", "str"),
                ("LDM", "Level of Detail", "str"),
            ],
        ),
        _table(
            "F0411",
            "Accounts Payable Ledger",
            ["KCO", "DOC", "DCT", "SFX"],
            [
                ("KCO", "Document Company", "str"),
                ("DOC", "Document Number", "int"),
                ("DCT", "Doc Type", "str"),
                ("SFX", "Pay Item", "str"),
                ("AN8", "Address Number", "int"),
                ("VINV", "Supplier Invoice Number", "str"),
                ("DIVJ", "Invoice Date", "date"),
                ("DGJ", "G/L Date", "date"),
                ("AG", "Gross Amount", "amount"),
                ("AAP", "Open Amount", "amount"),
                ("PST", "Pay Status", "str"),
                ("CRCD", "Cur Cod", "str"),
                ("RMK", "Remark", "str"),
            ],
        ),
        _table(
            "F0411Z1",
            "Voucher Transactions - Batch Upload",
            _VOUCHER_KEYS,
            [
                *_BATCH_COLUMNS,
                ("AN8", "Address Number", "int"),
                ("KCO", "Document Company", "str"),
                ("DOC", "Document Number", "int"),
                ("DCT", "Doc Type", "str"),
                ("SFX", "Pay Item", "str"),
                ("DIVJ", "Invoice Date", "date"),
                ("DGJ", "G/L Date", "date"),
                ("AG", "Gross Amount", "amount"),
                ("CRCD", "Cur Cod", "str"),
                ("VINV", "Supplier Invoice Number", "str"),
                ("RMK", "Remark", "str"),
            ],
        ),
        _table(
            "F0911Z1",
            "Journal Entry Transactions - Batch File",
            _VOUCHER_KEYS,
            [
                *_BATCH_COLUMNS,
                ("KCO", "Document Company", "str"),
                ("DCT", "Doc Type", "str"),
                ("DGJ", "G/L Date", "date"),
                ("ANI", "Account Number", "str"),
                ("AID", "Account ID", "str"),
                ("MCU", "Business Unit", "mcu"),
                ("OBJ", "Obj Acct", "str"),
                ("SUB", "Sub", "str"),
                ("AA", "Amount", "amount"),
                ("EXA", "Explanation", "str"),
            ],
        ),
    )
}

# ================================================================================================
# dates, times, formats
# ================================================================================================


def to_julian(value: date) -> int:
    """JDE Julian ``CYYDDD`` (§6): 2024-03-15 -> 124075."""
    return (value.year - 1900) * 1000 + value.timetuple().tm_yday


def from_julian(value: int) -> date | None:
    value = int(value)
    if value <= 0:
        return None
    return date(1900 + value // 1000, 1, 1) + timedelta(days=value % 1000 - 1)


_JAVA_TOKENS = re.compile(r"yyyy|yy|MM|M|dd|d|[^yMd]+")
_JAVA_TO_STRFTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d"}


def java_format(pattern: str) -> str:
    """Java ``SimpleDateFormat`` date pattern (``MM/dd/yyyy``) as a ``strftime`` one."""
    return "".join(
        _JAVA_TO_STRFTIME.get(tok, tok.replace("%", "%%")) for tok in _JAVA_TOKENS.findall(pattern)
    )


def parse_date_text(text: str, user_format: str) -> date:
    """A date literal: Julian (≤ 6 digits), ``yyyyMMdd``, ISO, or the session's display format."""
    text = str(text).strip()
    if text.isdigit() and len(text) <= 6:
        parsed = from_julian(int(text))
        if parsed is None or not 1 <= int(text) % 1000 <= 366:
            raise ValueError(f"{text!r} is not a Julian date")
        return parsed
    for pattern in ("%Y%m%d", "%Y-%m-%d", java_format(user_format)):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (Julian, yyyyMMdd or {user_format})")


def hhmmss(moment: datetime) -> int:
    return moment.hour * 10000 + moment.minute * 100 + moment.second


def ais_timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# ================================================================================================
# errors and request plumbing
# ================================================================================================


class ServiceError(Exception):
    """An answer with a ``ServiceErrorResponse`` body (§4)."""

    def __init__(self, status: int, message: str, *, user_text=None, error_text=None, exception=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.user_text = user_text
        self.error_text = error_text
        self.exception = exception or SERVICE_EXCEPTION


class OrchestrationError(Exception):
    """A business step of an orchestration failed (``jde__status: ERROR``)."""


def invalid_token() -> ServiceError:
    return ServiceError(444, "Invalid Token")


def ais(handler):
    """AIS endpoint: body parsed (415/400), ServiceError -> ``ServiceErrorResponse``."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        try:
            return handler(self, request, self._payload(request), **values)
        except ServiceError as exc:
            return self.service_error(exc)

    return wrapper


def control(handler):
    """``/_sim/jde/...`` endpoint: KeyError -> 404, ValueError/TypeError -> 400."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        try:
            return json_response(handler(self, request, **values))
        except KeyError as exc:
            return json_response({"error": str(exc.args[0] if exc.args else exc)}, status=404)
        except (ValueError, TypeError, OrchestrationError) as exc:
            return json_response({"error": str(exc)}, status=400)

    return wrapper


@dataclass
class AisSession:
    token: str
    username: str
    environment: str
    role: str
    device: str
    date_format: str
    issued_at: datetime
    last_used: datetime
    logged_out: bool = False
    expired: bool = False


@dataclass
class ResultSet:
    rid: str
    table: Table
    aliases: list
    rows: list
    page_size: int
    token: str
    last_access: datetime
    position: int = 0
    pages_served: int = 1


@dataclass
class Condition:
    column: Column
    operator: str
    values: list = field(default_factory=list)


OPERATORS = (
    "EQUAL",
    "NOT_EQUAL",
    "GREATER",
    "GREATER_EQUAL",
    "LESS",
    "LESS_EQUAL",
    "BETWEEN",
    "LIST",
    "STR_START_WITH",
    "STR_END_WITH",
    "STR_CONTAIN",
)
# §5.3 simple GET grammar -> DataRequest operators
SIMPLE_OPERATORS = {
    "EQ": "EQUAL",
    "NE": "NOT_EQUAL",
    "LT": "LESS",
    "LE": "LESS_EQUAL",
    "GT": "GREATER",
    "GE": "GREATER_EQUAL",
    "STARTSWITH": "STR_START_WITH",
    "ENDSWITH": "STR_END_WITH",
    "CONTAINS": "STR_CONTAIN",
}
_SIMPLE_FILTER = re.compile(r"^\s*(\S+)\s+([A-Z]+)\s+(.*?)\s*$", re.S)
_RELATIVE = re.compile(r"^(\d+)\s+(TODAY_MINUS_DAY|TODAY_PLUS_DAY)$")


def _compare(value, operator: str, wanted: list) -> bool:
    if operator == "EQUAL":
        return value == wanted[0]
    if operator == "NOT_EQUAL":
        return value != wanted[0]
    if operator == "LIST":
        return value in wanted
    if operator == "BETWEEN":
        return wanted[0] <= value <= wanted[1]
    if operator in ("STR_START_WITH", "STR_END_WITH", "STR_CONTAIN"):
        text, part = str(value), str(wanted[0])
        if operator == "STR_START_WITH":
            return text.startswith(part)
        return text.endswith(part) if operator == "STR_END_WITH" else part in text
    if operator == "GREATER":
        return value > wanted[0]
    if operator == "GREATER_EQUAL":
        return value >= wanted[0]
    if operator == "LESS":
        return value < wanted[0]
    return value <= wanted[0]


def _sort_value(value):
    return (0, value) if isinstance(value, int | float) else (1, str(value))


# ================================================================================================
# the simulator
# ================================================================================================


class JdeSimulator(SimulatorApp):
    """In-memory AIS Server with the tables and orchestrations of ``jde-api.md`` §10."""

    name = "jde"

    def __init__(self):
        super().__init__()
        self._apply_defaults()
        self._clear_data()

    # -- routing ------------------------------------------------------------------------------
    def rules(self) -> list[Rule]:
        ctl = CONTROL_PREFIX + "jde/"
        rules = [
            Rule(API + "/defaultconfig", endpoint="api_default_config", methods=["GET"]),
            Rule(API + "/orchestrator/jde-login", endpoint="api_login", methods=["POST"]),
            Rule(API + "/v3/orchestrator/jde-login", endpoint="api_login", methods=["GET", "POST"]),
            Rule(API + "/v3/orchestrator/jde-validate-session", endpoint="api_validate_v3", methods=["GET"]),
            Rule(API + "/dataservice/next", endpoint="api_next", methods=["GET", "POST"]),
            Rule(API + "/v2/dataservice/next", endpoint="api_next", methods=["GET", "POST"]),
            Rule(API + "/v2/dataservice/table/<target>", endpoint="api_simple_query", methods=["GET"]),
            Rule(API + "/v2/dataservice/view/<target>", endpoint="api_simple_view", methods=["GET"]),
            Rule(API + "/orchestrator/<name>", endpoint="api_orchestrate", methods=["GET", "POST"]),
            Rule(API + "/v2/orchestrator/<name>", endpoint="api_orchestrate", methods=["POST"]),
            Rule(API + "/v3/orchestrator/<name>", endpoint="api_orchestrate", methods=["POST"]),
            Rule(ctl + "rows/<table>", endpoint="_control_rows", methods=["GET", "POST", "PATCH"]),
            Rule(ctl + "r04110z", endpoint="_control_r04110z", methods=["POST"]),
            Rule(ctl + "batch-errors", endpoint="_control_batch_errors", methods=["GET"]),
            Rule(ctl + "result-sets/expire", endpoint="_control_expire_result_sets", methods=["POST"]),
            Rule(ctl + "stickiness/lose", endpoint="_control_lose_stickiness", methods=["POST"]),
            Rule(ctl + "demo-seed", endpoint="_control_demo_seed", methods=["POST"]),
            Rule(ctl + "corrupt", endpoint="_control_corrupt", methods=["POST"]),
        ]
        for version in ("", "/v2", "/v3"):
            rules += [
                Rule(API + version + "/tokenrequest", endpoint="api_login", methods=["POST"]),
                Rule(API + version + "/tokenrequest/validate", endpoint="api_validate", methods=["POST"]),
                Rule(API + version + "/tokenrequest/logout", endpoint="api_logout", methods=["POST"]),
                Rule(API + version + "/dataservice", endpoint="api_dataservice", methods=["POST"]),
            ]
        return rules

    def logged_headers(self, request: Request) -> dict:
        kept = {
            k: request.headers[k] for k in ("jde-AIS-Auth", "jde-AIS-Auth-Device") if k in request.headers
        }
        if request.authorization:
            kept["Authorization"] = request.authorization.type  # the scheme, never the password
        if request.content_type:
            kept["Content-Type"] = request.content_type
        return kept

    # -- options and state ----------------------------------------------------------------------
    def _apply_defaults(self):
        for key, value in DEFAULT_OPTIONS.items():
            setattr(self, key, copy.deepcopy(value))

    def _clear_data(self):
        with self.lock:
            self.users = copy.deepcopy(DEFAULT_USERS)
            self.sessions: dict[str, AisSession] = {}
            self.result_sets: dict[str, ResultSet] = {}
            self.tables: dict[str, list[dict]] = {name: [] for name in TABLES}
            self.next_numbers = dict(NEXT_NUMBER_START)
            self.batch_errors: list[dict] = []
            self.corruptions: list[tuple[str, dict, object]] = []
            self.orchestrations: dict[str, tuple] = {}
            self.logins = 0
            self.logouts = 0
            self._register_builtins()

    def reset(self):
        """Forget data, sessions, custom orchestrations, faults and the request log; default options."""
        super().reset()
        self._apply_defaults()
        self._clear_data()

    def configure(self, **options) -> dict:
        result = super().configure(**options)
        if {"orchestration_names", "orchestration_inputs"} & set(options):
            with self.lock:
                self.orchestration_names = {**DEFAULT_ORCHESTRATIONS, **self.orchestration_names}
                self._register_builtins()
        return result

    def expire_tokens(self):
        with self.lock:
            for session in self.sessions.values():
                session.expired = True

    def expire_result_sets(self):
        with self.lock:
            self.result_sets.clear()

    def corrupt(self, table_name: str, where: dict, cells):
        """Hostile answers: rows of ``table_name`` matching ``where`` are sent with ``cells``
        (``{alias: value as sent}``) instead of their own values, or, if ``cells`` is not a dict,
        sent as that value instead of a row. The stored row is unchanged."""
        table = TABLES[str(table_name).upper()]
        with self.lock:
            self._find(table, where)  # refuses unknown columns
            self.corruptions.append((table.name, dict(where), copy.deepcopy(cells)))

    def _corruption(self, table: Table, row: dict):
        for name, where, cells in self.corruptions:
            if name == table.name and all(
                self._comparable(table.column(a), row.get(a)) == self._comparable(table.column(a), v)
                for a, v in where.items()
            ):
                return cells
        return None

    def lose_stickiness(self, count: int = 1, path: str = API + "/v2/dataservice"):
        """The load balancer sends the next ``count`` calls to a node that does not know the
        session (§3.3): they get 444 although the token is still valid on its own node."""
        body = json.dumps(self._error_body(invalid_token()))
        return self.inject("status", status=444, count=count, path=path, body=body)

    def fail_next(self, status: int, count: int = 1, path: str = API + "/", message: str = "Server error"):
        """The next ``count`` calls under ``path`` answer ``status`` with a ServiceErrorResponse."""
        body = json.dumps(self._error_body(ServiceError(status, message)))
        return self.inject("status", status=status, count=count, path=path, body=body)

    def hang(self, seconds: float, count: int = 1, path: str = API + "/"):
        """The next ``count`` calls wait ``seconds`` (past the client's timeout) before answering."""
        return self.inject("delay", delay=seconds, count=count, path=path)

    def local_now(self) -> datetime:
        """The simulated clock in the server's time zone (JDE stamps local times)."""
        return self.clock.now().astimezone(ZoneInfo(self.time_zone))

    def state(self) -> dict:
        with self.lock:
            return {
                "now": self.local_now().isoformat(),
                "logins": self.logins,
                "logouts": self.logouts,
                "sessions": len(self.sessions),
                "open_result_sets": len(self.result_sets),
                "counts": {name: len(rows) for name, rows in self.tables.items()},
                "orchestrations": sorted(self.orchestrations),
                "batch_errors": list(self.batch_errors),
                "next_numbers": dict(self.next_numbers),
            }

    # -- answers ---------------------------------------------------------------------------------
    def _error_body(self, exc: ServiceError) -> dict:
        return {
            "message": exc.message,
            "errorText": exc.error_text,
            "exception": exc.exception,
            "exceptionId": None,
            "status": "ERROR",
            "timeStamp": ais_timestamp(self.local_now()),
            "type": None,
            "userDefinedErrorText": exc.user_text,
        }

    def service_error(self, exc: ServiceError) -> Response:
        return json_response(self._error_body(exc), status=exc.status)

    def not_found(self, request: Request) -> Response:
        return self.service_error(ServiceError(404, f"No service at {request.path}"))

    @staticmethod
    def _payload(request: Request) -> dict:
        """§10.1: a body must be JSON (415 otherwise) and well-formed (400 otherwise)."""
        if request.method == "GET" or not request.get_data():
            return {}
        if request.mimetype != "application/json":
            raise ServiceError(415, "Unsupported Media Type: Content-Type must be application/json")
        try:
            body = json.loads(request.get_data(as_text=True))
        except ValueError:
            raise ServiceError(400, "Invalid JSON input") from None
        if not isinstance(body, dict):
            raise ServiceError(400, "Invalid JSON input: an object is expected")
        return body

    def _bad_request(self, message: str) -> ServiceError:
        """Unknown table, alias, operator or literal: 500 like AIS, or 400 (switch)."""
        return ServiceError(int(self.unknown_target_status), message)

    # ==========================================================================================
    # authentication (§3, §10.2-§10.5)
    # ==========================================================================================
    def _credentials(self, request: Request, body: dict) -> tuple[str | None, str | None]:
        auth = request.authorization
        if auth and auth.type == "basic":
            return auth.username, auth.password
        return body.get("username"), body.get("password")

    def _check_user(self, username, password) -> dict:
        user = self.users.get(username or "")
        if not username or user is None or user["password"] != password:
            raise ServiceError(403, "Authorization Failure: invalid user name or password")
        return user

    @staticmethod
    def _device(request: Request, body: dict) -> str:
        return (
            request.headers.get("jde-AIS-Auth-Device") or body.get("deviceName") or request.remote_addr or ""
        )

    @ais
    def api_login(self, request: Request, body: dict) -> Response:
        username, password = self._credentials(request, body)
        user = self._check_user(username, password)
        environment = (
            request.headers.get("jde-AIS-Auth-Environment")
            or body.get("environment")
            or self.default_environment
        )
        if environment not in self.environments:
            raise ServiceError(403, f"Authorization Failure: environment {environment} is not available")
        role = request.headers.get("jde-AIS-Auth-Role") or body.get("role") or self.default_role
        now = self.clock.now()
        token = "044" + base64.b64encode(secrets.token_bytes(48)).decode()
        session = AisSession(
            token, username, environment, role, self._device(request, body), self.simple_date_format, now, now
        )
        with self.lock:
            self.sessions[token] = session
            self.logins += 1
        return json_response(self._login_answer(session, user))

    def _login_answer(self, session: AisSession, user: dict) -> dict:
        """The token response of §3.2 (J3)."""
        separator = next((c for c in session.date_format if c not in "yMd"), "")
        return {
            "username": session.username,
            "environment": session.environment,
            "role": session.role,
            "jasserver": "https://jas.example:443",
            "userInfo": {
                "token": session.token,
                "langPref": "  ",
                "locale": "en",
                "dateFormat": "MDE",
                "dateSeperator": separator,
                "simpleDateFormat": session.date_format,
                "decimalFormat": self.decimal_format,
                "addressNumber": user.get("addressNumber", 0),
                "alphaName": user.get("alphaName", session.username),
            },
            "userAuthorized": False,
            "version": None,
            "poStringJSON": None,
            "altPoStringJSON": None,
            "aisSessionCookie": f"{uuid.uuid4().hex}!{int(session.issued_at.timestamp() * 1000)}",
        }

    def _live_session(self, token: str | None, device: str) -> AisSession | None:
        """The session of ``token`` if it is known, unexpired, not logged out and of this device."""
        session = self.sessions.get(token or "")
        if session is None or session.logged_out or session.expired or session.device != device:
            return None
        now = self.clock.now()
        if now >= session.issued_at + timedelta(seconds=float(self.token_ttl)):
            return None
        idle = float(self.token_idle_timeout or 0)
        if idle and now >= session.last_used + timedelta(seconds=idle):
            return None
        return session

    def _session(self, request: Request, body: dict) -> AisSession:
        """§10.3: the caller's session (token in header, body or ``$token``), or stateless
        credentials (Basic or body username/password) checked for this one call."""
        token = request.headers.get("jde-AIS-Auth") or body.get("token") or request.args.get("$token")
        if not token:
            username, password = self._credentials(request, body)
            if username is None:
                username, password = request.args.get("$username"), request.args.get("$password")
            if username is not None:
                self._check_user(username, password)
                now = self.clock.now()
                environment = body.get("environment") or self.default_environment
                device = self._device(request, body)
                return AisSession(
                    "", username, environment, "*ALL", device, self.simple_date_format, now, now
                )
            raise invalid_token()
        with self.lock:
            session = self._live_session(token, self._device(request, body))
            if session is None:
                raise invalid_token()
            session.last_used = self.clock.now()
            return session

    @ais
    def api_validate(self, request: Request, body: dict) -> Response:
        token = body.get("token") or request.headers.get("jde-AIS-Auth")
        with self.lock:
            session = self._live_session(token, self._device(request, body))
            if session is None:
                raise invalid_token()
            if body.get("touch"):
                session.last_used = self.clock.now()
        return json_response({"isValidSession": True, "username": session.username})

    @ais
    def api_validate_v3(self, request: Request, body: dict) -> Response:
        """v3 quirk (§10.5): an invalid token is a 403 here."""
        with self.lock:
            session = self._live_session(request.headers.get("jde-AIS-Auth"), self._device(request, body))
        if session is None:
            raise ServiceError(403, "Token is Invalid")
        return json_response({"isValidSession": True, "username": session.username})

    @ais
    def api_logout(self, request: Request, body: dict) -> Response:
        token = body.get("token") or request.headers.get("jde-AIS-Auth")
        with self.lock:
            session = self._live_session(token, self._device(request, body))
            if session is None:
                raise invalid_token()
            session.logged_out = True
            self.logouts += 1
            for rid in [rid for rid, rs in self.result_sets.items() if rs.token == token]:
                del self.result_sets[rid]
        return json_response({"message": "Logout successful", "username": session.username})

    def api_default_config(self, request: Request) -> Response:
        return json_response(
            {
                "jasHost": "jas.example",
                "jasPort": "443",
                "aisVersion": "9.2.8.3",
                "capabilities": [
                    {"name": "dataservice"},
                    {"name": "dataServiceOrderBy"},
                    {"name": "dataServiceNextPage"},
                    {"name": "orchestrator"},
                ],
                "requiredCapabilities": "",
                "keepJasSessionOpen": True,
            }
        )

    # ==========================================================================================
    # data service (§5, §10.6-§10.10)
    # ==========================================================================================
    def _target(self, name) -> Table:
        table = TABLES.get(str(name or "").upper())
        if table is None:
            raise self._bad_request(f"Table or view {name} is not available to the data service")
        return table

    def _column(self, table: Table, control_id: str) -> Column:
        text = str(control_id or "").strip()
        prefix, dot, alias = text.rpartition(".")
        if dot and prefix.upper() != table.name:
            raise self._bad_request(f"{text} does not belong to {table.name}")
        column = table.column((alias if dot else text).upper())
        if column is None:
            raise self._bad_request(f"Column {text} does not exist in {table.name}")
        return column

    def _selected(self, table: Table, return_ids) -> list[str]:
        if not return_ids:
            return table.aliases
        return [self._column(table, part).alias for part in str(return_ids).split("|") if part.strip()]

    def _decimals(self, column: Column) -> int:
        return int(self.column_decimals.get(column.alias, self.amount_decimals))

    def _literal(self, column: Column, raw, session: AisSession):
        """A condition value in the column's storage form (dates: Julian; amounts: display)."""
        if isinstance(raw, dict):
            special = str(raw.get("specialValueId") or "LITERAL").upper()
            content = raw.get("content")
        else:
            special, content = "LITERAL", raw
        try:
            if special != "LITERAL":
                return self._special_value(column, special, content)
            if column.kind == "date":
                if str(content).strip() in ("", "0"):
                    return 0  # a blank date
                return to_julian(parse_date_text(content, session.date_format))
            if column.kind in ("int", "time"):
                return int(float(str(content).strip()))
            if column.kind == "amount":
                value = float(str(content).strip())
                return value / 10 ** self._decimals(column) if self.amount_scaling == "raw" else value
        except (TypeError, ValueError) as exc:
            raise self._bad_request(f"Invalid value {content!r} for {column.alias}: {exc}") from None
        return str(content if content is not None else "").strip()

    def _special_value(self, column: Column, special: str, content):
        if column.kind != "date":
            raise ValueError(f"{special} only applies to date columns")
        today = self.local_now().date()
        if special == "TODAY":
            return to_julian(today)
        days = int(content or 0)
        if special == "TODAY_MINUS_DAY":
            return to_julian(today - timedelta(days=days))
        if special == "TODAY_PLUS_DAY":
            return to_julian(today + timedelta(days=days))
        raise ValueError(f"unknown special value {special}")

    def _conditions(self, table: Table, query: dict, session: AisSession) -> list[Condition]:
        conditions = []
        for item in query.get("condition") or []:
            if not isinstance(item, dict):
                raise ServiceError(400, "Invalid JSON input: a condition must be an object")
            column = self._column(table, item.get("controlId"))
            operator = str(item.get("operator") or "").upper()
            if operator not in OPERATORS:
                raise self._bad_request(f"Unknown operator {item.get('operator')!r}")
            raw_values = item.get("value")
            raw_values = raw_values if isinstance(raw_values, list) else [raw_values]
            values = [self._literal(column, raw, session) for raw in raw_values if raw is not None]
            needed = 2 if operator == "BETWEEN" else 1
            if len(values) < needed:
                raise self._bad_request(f"{operator} on {column.alias} needs {needed} value(s)")
            conditions.append(Condition(column, operator, values))
        return conditions

    @staticmethod
    def _comparable(column: Column, value):
        if column.kind in ("str", "mcu"):
            return str(value if value is not None else "").strip()
        return value if value is not None else 0

    def _select(self, table: Table, conditions: list[Condition], match: str, order_by) -> list[dict]:
        def matches(row):
            results = (
                _compare(self._comparable(c.column, row.get(c.column.alias)), c.operator, c.values)
                for c in conditions
            )
            return any(results) if match == "MATCH_ANY" else all(results)

        rows = [copy.deepcopy(row) for row in self.tables[table.name] if not conditions or matches(row)]
        for column, descending in reversed(self._order(table, order_by)):
            rows.sort(
                key=lambda r, c=column: _sort_value(self._comparable(c, r.get(c.alias))), reverse=descending
            )
        return rows

    def _order(self, table: Table, order_by) -> list[tuple[Column, bool]]:
        """``orderBy`` (§5.2): ``[{"column": "F4301.UPMJ", "direction": "ASC"}]``; default: the keys."""
        if not order_by:
            return [(table.column(key), False) for key in table.keys]
        if not isinstance(order_by, list):
            raise ServiceError(400, "Invalid JSON input: orderBy must be a list")
        order = []
        for item in order_by:
            if not isinstance(item, dict):
                raise ServiceError(400, "Invalid JSON input: an orderBy entry must be an object")
            direction = str(item.get("direction") or "ASC").upper()
            if direction not in ("ASC", "DESC"):
                raise self._bad_request(f"Unknown order direction {direction!r}")
            order.append((self._column(table, item.get("column")), direction == "DESC"))
        return order

    @staticmethod
    def _page_size(raw, default: int) -> int | None:
        if raw in (None, ""):
            return default
        if str(raw).strip().lower() == "no max":
            return None
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise ServiceError(400, f"Invalid maxPageSize {raw!r}") from None
        return size if size > 0 else default

    @ais
    def api_dataservice(self, request: Request, body: dict) -> Response:
        session = self._session(request, body)
        table = self._target(body.get("targetName"))
        if str(body.get("targetType") or "table").lower() != "table":
            raise self._bad_request(f"Business view {body.get('targetName')} is not available")
        service = str(body.get("dataServiceType") or "BROWSE").upper()
        if service not in ("BROWSE", "COUNT"):
            raise ServiceError(400, f"dataServiceType {service} is not supported")
        query = body.get("query") or {}
        if not isinstance(query, dict):
            raise ServiceError(400, "Invalid JSON input: query must be an object")
        match = str(query.get("matchType") or "MATCH_ALL").upper()
        conditions = self._conditions(table, query, session)
        with self.lock:
            if service == "COUNT":
                return json_response(
                    self._count_answer(table, len(self._select(table, conditions, match, None)))
                )
            aliases = self._selected(table, body.get("returnControlIDs"))
            rows = self._select(table, conditions, match, body.get("orderBy"))
            size = self._page_size(body.get("maxPageSize"), int(self.default_page_size))
            paged = bool(body.get("enableNextPageProcessing")) and self.next_page_processing
            return json_response(self._first_page(request, session, table, aliases, rows, size, paged))

    def _count_answer(self, table: Table, count: int) -> dict:
        block = {"title": f"Data Browser - {table.name} [{table.title}]"}
        if self.count_shape == "count":
            block["count"] = count
        else:
            block["data"] = {"totalCount": count}
        return {f"fs_DATABROWSE_{table.name}": block, "links": []}

    def _first_page(self, request, session, table, aliases, rows, size, paged) -> dict:
        page = rows if size is None else rows[:size]
        more = len(page) < len(rows)
        links = []
        if more and paged:
            result_set = ResultSet(
                uuid.uuid4().hex, table, aliases, rows, size, session.token, self.clock.now(), len(page)
            )
            self.result_sets[result_set.rid] = result_set
            links = [self._next_link(request, result_set)]
        return self._grid(table, aliases, page, more, session, links)

    def _next_link(self, request: Request, result_set: ResultSet) -> dict:
        root = request.host_url.rstrip("/") if self.next_link_absolute else ""
        href = f"{root}{API}/v2/dataservice/next"
        if self.next_link_style == "context":
            context = {
                "rid": result_set.rid,
                "formOID": f"DATABROWSE_{result_set.table.name}",
                "stackId": 1,
                "stateId": result_set.pages_served + 1,
                "maxPageSize": str(result_set.page_size),
            }
            return {"rel": "next", "href": href, "context": context}
        return {
            "rel": "next",
            "href": f"{href}?rid={result_set.rid}&pageNumber={result_set.pages_served + 1}",
        }

    def _grid(self, table: Table, aliases, rows, more, session, links) -> dict:
        """§5.4 response shape."""
        prefix = table.name + "_"
        columns = {prefix + alias: table.column(alias).label for alias in aliases}
        rowset = [self._render_row(table, aliases, row, session) for row in rows]
        return {
            f"fs_DATABROWSE_{table.name}": {
                "title": f"Data Browser - {table.name} [{table.title}]",
                "data": {
                    "gridData": {
                        "id": 1,
                        "fullGridId": "1",
                        "columns": columns,
                        "rowset": rowset,
                        "summary": {"records": len(rowset), "moreRecords": more},
                    }
                },
                "errors": [],
                "warnings": [],
            },
            "currentApp": f"DATABROWSE_{table.name}",
            "timeStamp": ais_timestamp(self.local_now()),
            "sysErrors": [],
            "links": links,
        }

    def _render_row(self, table: Table, aliases, row: dict, session: AisSession):
        cells = {table.name + "_" + a: self._cell(table.column(a), row.get(a), session) for a in aliases}
        corruption = self._corruption(table, row) if self.corruptions else None
        if corruption is None:
            return cells
        if not isinstance(corruption, dict):
            return copy.deepcopy(corruption)
        cells.update({table.name + "_" + a: value for a, value in corruption.items() if a in aliases})
        return cells

    def _cell(self, column: Column, value, session: AisSession):
        """One cell, per the output switches (§10.7, §10.8)."""
        if column.kind == "date":
            internal = int(value or 0)
            shown = self._render_date(internal, session)
        elif column.kind == "amount":
            decimals = self._decimals(column)
            if self.amount_scaling == "raw":
                internal = shown = int(round(float(value or 0) * 10**decimals))
            else:
                internal = shown = round(float(value or 0), decimals)
        elif column.kind in ("int", "time"):
            internal = shown = int(value or 0)
        else:
            internal = shown = "" if value is None else str(value)
        if self.cell_shape == "value_object":
            return {"value": self._display(column, shown), "internalValue": internal}
        return shown

    def _display(self, column: Column, shown) -> str:
        """The ``value`` of a value-object cell: text as a JDE form shows it (1,250.00)."""
        if column.kind == "amount" and self.amount_scaling != "raw":
            text = f"{shown:,.{self._decimals(column)}f}"
            if self.decimal_format != ".":
                text = text.replace(",", "\0").replace(".", self.decimal_format).replace("\0", ".")
            return text
        return str(shown)

    def _render_date(self, julian: int, session: AisSession):
        parsed = from_julian(julian)
        if self.date_output_format == "julian":
            return julian
        if parsed is None:
            return ""
        if self.date_output_format == "yyyyMMdd":
            return parsed.strftime("%Y%m%d")
        return parsed.strftime(java_format(session.date_format))

    @ais
    def api_next(self, request: Request, body: dict) -> Response:
        """§5.5: the next page of an open result set; a timed-out one answers 500."""
        session = self._session(request, body)
        rid = request.args.get("rid") or body.get("rid")
        if self.next_link_style == "context" and not body.get("rid"):
            raise ServiceError(400, "Invalid JSON input: the next-page context must be posted")
        if not rid:
            raise ServiceError(400, "Invalid next page request: no result set given")
        with self.lock:
            result_set = self.result_sets.get(rid)
            now = self.clock.now()
            if result_set and now - result_set.last_access > timedelta(
                seconds=float(self.result_set_idle_timeout)
            ):
                del self.result_sets[rid]
                result_set = None
            if result_set and self.result_set_bound_to_session and result_set.token != session.token:
                result_set = None
            if result_set is None:
                raise ServiceError(
                    500, "sysError: the next page result set is no longer available (timed out)"
                )
            start = result_set.position
            page = result_set.rows[start : start + result_set.page_size]
            result_set.position += len(page)
            result_set.pages_served += 1
            result_set.last_access = now
            more = result_set.position < len(result_set.rows)
            links = [self._next_link(request, result_set)] if more else []
            if not more:
                del self.result_sets[rid]
            return json_response(self._grid(result_set.table, result_set.aliases, page, more, session, links))

    @ais
    def api_simple_query(self, request: Request, body: dict, target: str) -> Response:
        """§5.3 / §10.10: ``$field``, ``$filter``, ``$limit``, ``$filterType``."""
        session = self._session(request, body)
        table = self._target(target)
        args = request.args
        aliases = [self._column(table, f).alias for f in args.getlist("$field")] or table.aliases
        conditions = [self._simple_condition(table, text, session) for text in args.getlist("$filter")]
        match = str(args.get("$filterType") or "MATCH_ALL").upper()
        with self.lock:
            rows = self._select(table, conditions, match, None)
            limit = self._page_size(args.get("$limit"), int(self.default_page_size))
            page = rows if limit is None else rows[:limit]
            return json_response(self._grid(table, aliases, page, len(page) < len(rows), session, []))

    @ais
    def api_simple_view(self, request: Request, body: dict, target: str) -> Response:
        self._session(request, body)
        raise self._bad_request(f"Business view {target} is not available")

    def _simple_condition(self, table: Table, text: str, session: AisSession) -> Condition:
        found = _SIMPLE_FILTER.match(text or "")
        if not found or found.group(2) not in SIMPLE_OPERATORS:
            raise self._bad_request(f"Invalid $filter {text!r}")
        column = self._column(table, found.group(1))
        raw = found.group(3)
        relative = _RELATIVE.match(raw)
        if relative:
            value = self._literal(
                column, {"specialValueId": relative.group(2), "content": relative.group(1)}, session
            )
        else:
            value = self._literal(column, raw, session)
        return Condition(column, SIMPLE_OPERATORS[found.group(2)], [value])

    # ==========================================================================================
    # rows: seed, insert, update (every mutation stamps UPMJ + time, §10.11)
    # ==========================================================================================
    def _normalise(self, table: Table, values: dict) -> dict:
        row = {}
        for column in table.columns:
            raw = values.get(column.alias)
            if column.kind == "date":
                row[column.alias] = self._storage_date(raw)
            elif column.kind in ("int", "time"):
                row[column.alias] = int(raw or 0)
            elif column.kind == "amount":
                row[column.alias] = float(raw or 0)
            elif column.kind == "mcu":
                row[column.alias] = str(raw or "").strip().rjust(12)
            else:
                row[column.alias] = "" if raw is None else str(raw)
        unknown = set(values) - set(table.aliases)
        if unknown:
            raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
        return row

    @staticmethod
    def _storage_date(raw) -> int:
        if raw in (None, "", 0):
            return 0
        if isinstance(raw, datetime):
            return to_julian(raw.date())
        if isinstance(raw, date):
            return to_julian(raw)
        if isinstance(raw, int):
            return raw
        return to_julian(parse_date_text(str(raw), "MM/dd/yyyy"))

    def _stamp(self, table: Table, row: dict, user: str = "SIMUSER"):
        now = self.local_now()
        row["UPMJ"] = to_julian(now.date())
        row[table.time_column] = hhmmss(now)
        row["USER"] = user

    def insert(self, table_name: str, values: dict, user: str = "SIMUSER") -> dict:
        """Add one row (alias keys; dates as date, ISO, yyyyMMdd or Julian); stamped now."""
        table = TABLES[str(table_name).upper()]
        with self.lock:
            row = self._normalise(table, values)
            self._stamp(table, row, user)
            self.tables[table.name].append(row)
            return copy.deepcopy(row)

    def update(self, table_name: str, where: dict, changes: dict, user: str = "SIMUSER") -> list[dict]:
        """Change the rows whose columns equal ``where``; each changed row is stamped now."""
        table = TABLES[str(table_name).upper()]
        with self.lock:
            matched = self._find(table, where)
            if not matched:
                raise KeyError(f"no {table.name} row matches {where}")
            for row in matched:
                merged = self._normalise(table, {**row, **changes})
                row.update(merged)
                self._stamp(table, row, user)
            return copy.deepcopy(matched)

    def _find(self, table: Table, where: dict) -> list[dict]:
        wanted = {alias: self._comparable(table.column(alias), value) for alias, value in where.items()}
        if any(table.column(alias) is None for alias in where):
            raise ValueError(f"unknown column in {where} for {table.name}")
        return [
            row
            for row in self.tables[table.name]
            if all(self._comparable(table.column(a), row.get(a)) == v for a, v in wanted.items())
        ]

    def rows(self, table_name: str, **where) -> list[dict]:
        table = TABLES[str(table_name).upper()]
        with self.lock:
            return copy.deepcopy(self._find(table, where))

    def seed(self, data: dict) -> dict:
        """``{"users": {name: password | {password, addressNumber, alphaName}}, "tables": {T: [rows]},
        "next_numbers": {"AN8": n}}``. Rows get UPMJ/time from the clock, like any insert."""
        with self.lock:
            for name, user in (data.get("users") or {}).items():
                self.users[name] = user if isinstance(user, dict) else {"password": user}
            for table_name, rows in (data.get("tables") or {}).items():
                for values in rows:
                    self.insert(table_name, values)
            for key, value in (data.get("next_numbers") or {}).items():
                self.next_numbers[key] = int(value)
            return {"ok": True, "counts": self.state()["counts"]}

    def _next_number(self, key: str, floor: int = 0) -> int:
        self.next_numbers[key] = max(self.next_numbers.get(key, 0), floor) + 1
        return self.next_numbers[key]

    # ==========================================================================================
    # orchestrations (§7.1, §10.12-§10.14)
    # ==========================================================================================
    def register_orchestration(self, name: str, handler, status_elements: bool | None = None):
        """``handler(sim, inputs, session) -> outputs``; raise OrchestrationError for a failed step."""
        with self.lock:
            self.orchestrations[name] = (handler, status_elements)

    def _register_builtins(self):
        builtins = {
            "voucher": JdeSimulator._orchestrate_voucher,
            "supplier_add": JdeSimulator._orchestrate_supplier_add,
            "account_add": JdeSimulator._orchestrate_account_add,
            "business_unit_add": JdeSimulator._orchestrate_business_unit_add,
            "voucher_status": JdeSimulator._orchestrate_voucher_status,
        }
        for name in [n for n, (h, _s) in self.orchestrations.items() if h in builtins.values()]:
            del self.orchestrations[name]
        for key, handler in builtins.items():
            self.orchestrations[self.orchestration_names.get(key, DEFAULT_ORCHESTRATIONS[key])] = (
                handler,
                None,
            )

    @ais
    def api_orchestrate(self, request: Request, body: dict, name: str) -> Response:
        if request.method == "GET":  # v1 GET: inputs in the query string next to $token & co
            body = {k: v for k, v in request.args.items() if not k.startswith("$")}
        session = self._session(request, body)
        inputs = {k: v for k, v in body.items() if k not in ("token", "deviceName", "username", "password")}
        with self.lock:
            registered = self.orchestrations.get(name)
        if registered is None:
            status = int(self.unknown_orchestration_status)
            raise ServiceError(status, f"Orchestration {name} is not found or not authorized for this user")
        handler, status_elements = registered
        started = self.local_now()
        try:
            with self.lock:
                outputs = handler(self, inputs, session) or {}
            status, message = "SUCCESS", ""
        except OrchestrationError as exc:
            if int(self.orchestration_error_status) != 200:
                raise ServiceError(
                    int(self.orchestration_error_status), f"Orchestration {name} failed", user_text=str(exc)
                ) from None
            outputs, status, message = {}, "ERROR", str(exc)
        if self.orchestration_status_elements if status_elements is None else status_elements:
            ended = self.local_now()
            outputs.update(
                {
                    "jde__status": status,
                    "jde__simpleMessage": message or f"{name} completed",
                    "jde__startTimestamp": started.strftime("%Y-%m-%dT%H:%M:%S.000%z"),
                    "jde__endTimestamp": ended.strftime("%Y-%m-%dT%H:%M:%S.000%z"),
                    "jde__serverExecutionSeconds": round((ended - started).total_seconds(), 3),
                }
            )
        elif status != "SUCCESS":
            outputs["message"] = message
        return json_response(outputs)

    def _inputs(self, key: str, inputs: dict) -> dict:
        """The orchestration's inputs by logical name (per ``orchestration_inputs``)."""
        names = {**DEFAULT_INPUTS[key], **(self.orchestration_inputs.get(key) or {})}
        return {logical: inputs.get(wire) for logical, wire in names.items()}

    @staticmethod
    def _required(values: dict, *keys):
        missing = [k for k in keys if values.get(k) in (None, "")]
        if missing:
            raise OrchestrationError(f"Missing input(s): {', '.join(missing)}")

    @staticmethod
    def _amount(value, what: str) -> float:
        try:
            return round(float(value), 6)
        except (TypeError, ValueError):
            raise OrchestrationError(f"{what} must be a number, got {value!r}") from None

    def _date_input(self, value, session: AisSession, what: str) -> int:
        if value in (None, ""):
            return to_julian(self.local_now().date())
        try:
            return to_julian(parse_date_text(str(value), session.date_format))
        except ValueError as exc:
            raise OrchestrationError(f"{what}: {exc}") from None

    def _orchestrate_voucher(self, inputs: dict, session: AisSession) -> dict:
        """§7.2 / §10.13: one voucher into F0411Z1 + F0911Z1 (EDSP 0), keyed EDUS+EDBT+EDTN+EDLN."""
        v = self._inputs("voucher", inputs)
        self._required(v, "batch_user", "batch_number", "transaction_number", "supplier", "gross_amount")
        keys = {
            "EDUS": str(v["batch_user"]),
            "EDBT": str(v["batch_number"]),
            "EDTN": str(v["transaction_number"]),
            "EDLN": int(v["pay_item"] or 1),
        }
        for alias, limit in (("EDUS", 10), ("EDBT", 15), ("EDTN", 22)):
            if len(keys[alias]) > limit:
                raise OrchestrationError(f"{alias} {keys[alias]!r} is longer than {limit} characters")
        if self._find(TABLES["F0411Z1"], keys):
            raise OrchestrationError(
                f"Duplicate voucher: EDUS {keys['EDUS']}, batch {keys['EDBT']}, transaction {keys['EDTN']}, "
                f"line {keys['EDLN']} is already in F0411Z1"
            )
        distributions = self._distributions(v)
        invoice_date = self._date_input(v["invoice_date"], session, "InvoiceDate")
        gl_date = self._date_input(v["gl_date"], session, "GLDate") if v["gl_date"] else invoice_date
        common = {"EDSP": "0", "EDTC": "A", "EDTR": "1", "KCO": str(v["company"] or "00001")}
        common["DCT"] = str(v["document_type"] or "PV")
        try:
            supplier = int(v["supplier"])
        except (TypeError, ValueError):
            raise OrchestrationError(f"Supplier must be an address number, got {v['supplier']!r}") from None
        header = {
            **keys,
            **common,
            "AN8": supplier,
            "DIVJ": invoice_date,
            "DGJ": gl_date,
            "AG": self._amount(v["gross_amount"], "GrossAmount"),
            "CRCD": str(v["currency"] or ""),
            "VINV": str(v["supplier_invoice"] or ""),
            "RMK": str(v["remark"] or ""),
        }
        self.insert("F0411Z1", header, user=session.username)
        for number, (account, amount, explanation) in enumerate(distributions, start=1):
            self.insert(
                "F0911Z1",
                {
                    **keys,
                    **common,
                    "EDLN": number,
                    "DGJ": gl_date,
                    "ANI": account,
                    "AA": amount,
                    "EXA": explanation,
                },
                user=session.username,
            )
        outputs = {
            "VoucherBatch": keys["EDBT"],
            "TransactionNumber": keys["EDTN"],
            "RowsInserted": 1 + len(distributions),
        }
        if self.auto_run_r04110z:
            result = self.run_r04110z(batch=keys["EDBT"], user=keys["EDUS"])
            outputs["ProcessedVouchers"] = len(result["processed"])
            outputs["BatchErrors"] = [error["message"] for error in result["errors"]]
        return outputs

    def _distributions(self, v: dict) -> list[tuple]:
        names = {**DEFAULT_INPUTS["voucher"], **(self.orchestration_inputs.get("voucher") or {})}
        items = v["distributions"] or []
        if not isinstance(items, list) or not items:
            raise OrchestrationError("A voucher needs at least one distribution line")
        lines = []
        for item in items:
            if not isinstance(item, dict) or item.get(names["account"]) in (None, ""):
                raise OrchestrationError(f"Distribution {item!r} has no {names['account']}")
            amount = self._amount(item.get(names["amount"]), names["amount"])
            lines.append(
                (str(item[names["account"]]), amount, str(item.get(names["explanation"]) or "")[:30])
            )
        return lines

    def _orchestrate_supplier_add(self, inputs: dict, session: AisSession) -> dict:
        """§7.3 / §10.14: F0101 (AT1 = V) first, then F0401; AN8 from the next-number counter."""
        v = self._inputs("supplier_add", inputs)
        self._required(v, "name")
        name, tax = str(v["name"]).strip(), str(v["tax_id"] or "").strip()
        for row in self.tables["F0101"]:
            if (tax and row["TAX"].strip() == tax) or row["ALPH"].strip().lower() == name.lower():
                raise OrchestrationError(f"Duplicate supplier: address number {row['AN8']} ({row['ALPH']})")
        an8 = self._next_number("AN8", max((r["AN8"] for r in self.tables["F0101"]), default=0))
        self.insert(
            "F0101",
            {
                "AN8": an8,
                "ALKY": "",
                "ALPH": name[:40],
                "AT1": str(v["search_type"] or "V"),
                "TAX": tax,
                "DUNS": str(v["duns"] or ""),
                "MCU": str(v["business_unit"] or ""),
            },
            user=session.username,
        )
        self.insert(
            "F0401",
            {
                "AN8": an8,
                "TRAP": str(v["payment_terms"] or ""),
                "CRRP": str(v["currency"] or ""),
                "PYIN": str(v["payment_instrument"] or ""),
            },
            user=session.username,
        )
        return {"AddressNumber": an8}

    def _orchestrate_account_add(self, inputs: dict, session: AisSession) -> dict:
        v = self._inputs("account_add", inputs)
        self._required(v, "business_unit", "object", "description")
        mcu, obj, sub = (
            str(v["business_unit"]).strip(),
            str(v["object"]).strip(),
            str(v["subsidiary"] or "").strip(),
        )
        if not self._find(TABLES["F0006"], {"MCU": mcu}):
            raise OrchestrationError(f"Business unit {mcu} does not exist")
        existing = self._find(TABLES["F0901"], {"MCU": mcu, "OBJ": obj, "SUB": sub})
        if existing:
            raise OrchestrationError(f"Duplicate account {mcu}.{obj}.{sub}: account ID {existing[0]['AID']}")
        aid = f"{self._next_number('AID'):08d}"
        company = v["company"] or self._find(TABLES["F0006"], {"MCU": mcu})[0]["CO"]
        self.insert(
            "F0901",
            {
                "AID": aid,
                "CO": company,
                "MCU": mcu,
                "OBJ": obj,
                "SUB": sub,
                "DL01": str(v["description"])[:30],
                "PEC": str(v["posting_edit"] or ""),
                "LDA": str(v["level_of_detail"] or "7"),
            },
            user=session.username,
        )
        return {"AccountId": aid}

    def _orchestrate_business_unit_add(self, inputs: dict, session: AisSession) -> dict:
        v = self._inputs("business_unit_add", inputs)
        self._required(v, "business_unit", "description")
        mcu = str(v["business_unit"]).strip()
        if len(mcu) > 12:
            raise OrchestrationError(f"Business unit {mcu!r} is longer than 12 characters")
        if self._find(TABLES["F0006"], {"MCU": mcu}):
            raise OrchestrationError(f"Duplicate business unit {mcu}")
        self.insert(
            "F0006",
            {
                "MCU": mcu,
                "STYL": str(v["type"] or "IS"),
                "DL01": str(v["description"])[:30],
                "CO": str(v["company"] or "00001"),
                "LDM": str(v["level_of_detail"] or "6"),
            },
            user=session.username,
        )
        return {"BusinessUnit": mcu}

    def _orchestrate_voucher_status(self, inputs: dict, session: AisSession) -> dict:
        """What R04110Z recorded for a voucher: whether it is posted, and its errors (the Work Center
        messages a customer's orchestration would read)."""
        v = self._inputs("voucher_status", inputs)
        self._required(v, "batch_user", "transaction_number")
        key = {"EDUS": str(v["batch_user"]), "EDTN": str(v["transaction_number"])}
        if v["batch_number"]:
            key["EDBT"] = str(v["batch_number"])
        rows = self._find(TABLES["F0411Z1"], key)
        errors = [e["message"] for e in self.batch_errors if all(e[a] == value for a, value in key.items())]
        names = {
            **DEFAULT_INPUTS["voucher_status"],
            **(self.orchestration_inputs.get("voucher_status") or {}),
        }
        return {
            "TransactionNumber": key["EDTN"],
            "Found": bool(rows),
            "Processed": bool(rows) and all(row["EDSP"] == "1" for row in rows),
            names["errors"]: errors,
        }

    # ==========================================================================================
    # R04110Z, the voucher batch processor (§7.2, §10.13)
    # ==========================================================================================
    def run_r04110z(
        self, batch: str | None = None, user: str | None = None, version: str | None = None
    ) -> dict:
        """Process pending F0411Z1 vouchers (of one batch/user if given): EDSP 1 + F0411 rows, or
        EDSP left 0 and the error recorded (``batch_errors``)."""
        with self.lock:
            pending = [
                row
                for row in self.tables["F0411Z1"]
                if row["EDSP"] != "1"
                and (batch is None or row["EDBT"] == batch)
                and (user is None or row["EDUS"] == user)
            ]
            processed, errors = [], []
            for header in pending:
                key = {a: header[a] for a in ("EDUS", "EDBT", "EDTN")}
                self.batch_errors = [
                    e
                    for e in self.batch_errors
                    if {a: e[a] for a in key} != key or e["EDLN"] != header["EDLN"]
                ]
                message = self._voucher_error(header)
                if message:
                    error = {
                        **key,
                        "EDLN": header["EDLN"],
                        "message": message,
                        "version": version or self.r04110z_version,
                    }
                    self.batch_errors.append(error)
                    errors.append(error)
                    continue
                self._post_voucher(header)
                processed.append(header["EDTN"])
            return {"processed": processed, "errors": errors}

    def _voucher_lines(self, header: dict) -> list[dict]:
        key = {a: header[a] for a in ("EDUS", "EDBT", "EDTN")}
        return [row for row in self.tables["F0911Z1"] if all(row[a] == v for a, v in key.items())]

    def _voucher_error(self, header: dict) -> str:
        """Why R04110Z refuses a voucher ("" if it does not)."""
        for done in self.tables["F0411Z1"]:
            if done["EDSP"] == "1" and done["EDTN"] == header["EDTN"] and done is not header:
                if self._find(TABLES["F0411"], {"KCO": done["KCO"], "DOC": done["DOC"], "DCT": done["DCT"]}):
                    return f"Transaction {header['EDTN']} already exists in F0411 (document {done['DOC']})"
        if not self._find(TABLES["F0401"], {"AN8": header["AN8"]}):
            return f"Address number {header['AN8']} is not a supplier (no F0401 record)"
        lines = self._voucher_lines(header)
        total = round(sum(line["AA"] for line in lines), 2)
        if total != round(header["AG"], 2):
            return f"Distributions total {total:.2f} does not equal the gross amount {header['AG']:.2f}"
        for line in lines:
            if not self._account(line["ANI"]):
                return f"Account {line['ANI']} does not exist (F0901)"
        return ""

    def _account(self, text: str) -> dict | None:
        """An F0901 row by short account ID or ``MCU.OBJ[.SUB]``."""
        text = str(text or "").strip()
        found = self._find(TABLES["F0901"], {"AID": text})
        if not found and "." in text:
            mcu, obj, sub = ([*text.split("."), ""])[:3]
            found = self._find(TABLES["F0901"], {"MCU": mcu, "OBJ": obj, "SUB": sub})
        return found[0] if found else None

    def _post_voucher(self, header: dict):
        doc = self._next_number("DOC", max((r["DOC"] for r in self.tables["F0411"]), default=0))
        self.insert(
            "F0411",
            {
                "KCO": header["KCO"],
                "DOC": doc,
                "DCT": header["DCT"],
                "SFX": f"{header['EDLN']:03d}",
                "AN8": header["AN8"],
                "VINV": header["VINV"],
                "DIVJ": header["DIVJ"],
                "DGJ": header["DGJ"],
                "AG": header["AG"],
                "AAP": header["AG"],
                "PST": "A",
                "CRCD": header["CRCD"],
                "RMK": header["RMK"],
            },
            user="R04110Z",
        )
        header_table = TABLES["F0411Z1"]
        header.update(EDSP="1", SFX=f"{header['EDLN']:03d}", DOC=doc)
        self._stamp(header_table, header, "R04110Z")
        for line in self._voucher_lines(header):
            line["EDSP"] = "1"
            account = self._account(line["ANI"])
            line.update(AID=account["AID"], MCU=account["MCU"], OBJ=account["OBJ"], SUB=account["SUB"])
            self._stamp(TABLES["F0911Z1"], line, "R04110Z")

    # ==========================================================================================
    # HTTP control routes (/_sim/jde/...)
    # ==========================================================================================
    @control
    def _control_rows(self, request, table):
        """GET: rows (``?AN8=4343`` filters); POST: insert a row or a list; PATCH ``{where, set}``."""
        if request.method == "GET":
            return self.rows(table, **dict(request.args.items()))
        body = self._json(request)
        if request.method == "PATCH":
            return self.update(table, body.get("where") or {}, body.get("set") or {})
        items = body if isinstance(body, list) else [body]
        return [self.insert(table, values) for values in items]

    @control
    def _control_r04110z(self, request):
        body = self._json(request)
        return self.run_r04110z(batch=body.get("batch"), user=body.get("user"), version=body.get("version"))

    @control
    def _control_batch_errors(self, request):
        with self.lock:
            return list(self.batch_errors)

    @control
    def _control_expire_result_sets(self, request):
        self.expire_result_sets()
        return {"ok": True}

    @control
    def _control_lose_stickiness(self, request):
        body = self._json(request)
        self.lose_stickiness(int(body.get("count", 1)), body.get("path") or API + "/v2/dataservice")
        return {"ok": True, "pending": self.faults.pending()}

    @control
    def _control_demo_seed(self, request):
        return demo_seed(self)

    @control
    def _control_corrupt(self, request):
        body = self._json(request)
        self.corrupt(body["table"], body.get("where") or {}, body.get("cells"))
        return {"ok": True, "corruptions": len(self.corruptions)}


# ================================================================================================
# demo data
# ================================================================================================
COMPANY = "00200"
# AN8, ALPH, TAX, DUNS, currency, payment terms. 6105 and 4343 are also JAGGAER demo suppliers:
# 6105 <-> bravoId 3901 "LAB SUPPLY INC" (supplierNumber 006105, DUNS 123456789);
# 4343 <-> bravoId 3902 "Northwind Lab Services GmbH" (DUNS 314159265);
# 4350 <-> bravoId 3903 "Acme Lab Equipment, Inc." (name only: JAGGAER has neither tax id nor DUNS).
DEMO_SUPPLIERS = [
    (6105, "Lab Supply Inc", "56-1234567", "123456789", "USD", "N30"),
    (4343, "Northwind Lab Services GmbH", "DE811234567", "314159265", "EUR", "N45"),
    (4350, "ACME Lab Equipment Inc", "74-2345678", "", "USD", "N30"),
    (4410, "Midwest Steel Service Center", "36-3456789", "808123456", "USD", "N30"),
    (4420, "Precision Bearings Co", "34-4567890", "606234567", "USD", "N60"),
    (4430, "Great Lakes Freight LLC", "38-5678901", "", "USD", "N15"),
]
DEMO_BUSINESS_UNITS = [
    ("M10", "Detroit Assembly Plant"),
    ("M20", "Toledo Machining Plant"),
    ("M30", "Cleveland Finishing Plant"),
]
# AID, MCU, OBJ, SUB, description, posting edit ("N" = header, not postable)
DEMO_ACCOUNTS = [
    ("00000300", "M10", "6000", "", "Cost of Goods - Materials", "N"),
    ("00000301", "M10", "6110", "", "Direct Materials", ""),
    ("00000302", "M10", "6120", "", "Laboratory Supplies", ""),
    ("00000303", "M20", "6110", "", "Direct Materials", ""),
    ("00000304", "M20", "6310", "", "Freight In", ""),
    ("00000305", "M30", "6110", "", "Direct Materials", ""),
    ("00000306", "M30", "6120", "", "Laboratory Supplies", ""),
    ("00000307", "M30", "6310", "", "Freight In", ""),
]
# DOCO, supplier, plant, days ago, lines [(LITM, DSC1, quantity, UOM, unit cost, OBJ)]
DEMO_ORDERS = [
    (
        10230,
        6105,
        "M30",
        12,
        [
            ("LAB-GLV-100", "Nitrile gloves, box of 100", 40, "BX", 12.50, "6120"),
            ("LAB-TIP-200", "Pipette tips 200 ul, rack of 96", 10, "EA", 45.00, "6120"),
        ],
    ),
    (10231, 4410, "M20", 9, [("ST-1045-25", "Steel bar 1045, 25 mm x 3 m", 120, "EA", 38.75, "6110")]),
    (
        10232,
        4420,
        "M10",
        6,
        [
            ("BRG-6204-2RS", "Ball bearing 6204-2RS", 500, "EA", 3.20, "6110"),
            ("BRG-6306-ZZ", "Ball bearing 6306-ZZ", 200, "EA", 6.85, "6110"),
            ("BRG-NU205", "Cylindrical roller bearing NU205", 50, "EA", 21.40, "6110"),
        ],
    ),
    (
        10233,
        4343,
        "M30",
        4,
        [("SVC-CAL-01", "Spectrometer calibration service", 1, "EA", 1800.00, "6120")],
    ),
    (
        10234,
        4430,
        "M20",
        2,
        [
            ("FRT-LTL", "LTL freight Toledo - Detroit", 6, "EA", 310.00, "6310"),
            ("FRT-FSC", "Fuel surcharge", 6, "EA", 42.50, "6310"),
            ("FRT-LIFT", "Liftgate service", 2, "EA", 75.00, "6310"),
            ("FRT-DET", "Detention, per hour", 3, "HR", 65.00, "6310"),
        ],
    ),
]
# DOC, supplier, supplier invoice, days ago, gross, open (0 = paid)
DEMO_VOUCHERS = [
    (40101, 6105, "LS-87990", 30, 625.00, 0.0),
    (40102, 4410, "MSS-22817", 20, 4650.00, 4650.00),
    (40103, 4430, "GLF-10442", 8, 2115.00, 2115.00),
]


def demo_seed(sim: JdeSimulator) -> dict:
    """A small discrete manufacturer (company 00200, three plants). Idempotent.

    =====  =============================  ===========  =========  ====================================
    AN8    supplier (F0101 AT1 V + F0401)  TAX          DUNS       in the JAGGAER demo
    =====  =============================  ===========  =========  ====================================
    6105   Lab Supply Inc                  56-1234567   123456789  bravoId 3901, supplierNumber 006105
    4343   Northwind Lab Services GmbH     DE811234567  314159265  bravoId 3902 (same DUNS)
    4350   ACME Lab Equipment Inc          74-2345678   (none)     bravoId 3903 (name only)
    4410   Midwest Steel Service Center    36-3456789   808123456  no
    4420   Precision Bearings Co           34-4567890   606234567  no
    4430   Great Lakes Freight LLC         38-5678901   (none)     no
    =====  =============================  ===========  =========  ====================================

    Business units (F0006): M10 Detroit Assembly Plant, M20 Toledo Machining Plant, M30 Cleveland
    Finishing Plant. Accounts (F0901): 6000 header (not postable) on M10, 6110 direct materials on
    all three plants, 6120 laboratory supplies on M10 and M30, 6310 freight in on M20 and M30.

    Purchase orders (F4301 OP, F4311 lines 1.000, 2.000, ...; order dates relative to today):
    10230 Lab Supply (M30, gloves and pipette tips like the JAGGAER demo), 10231 Midwest Steel
    (M20), 10232 Precision Bearings (M10, 3 lines), 10233 Northwind (M30, EUR), 10234 Great Lakes
    Freight (M20, 4 lines). Vouchers (F0411 PV): 40101 Lab Supply LS-87990 paid, 40102 Midwest
    Steel MSS-22817 open, 40103 Great Lakes Freight GLF-10442 open.
    """
    with sim.lock:
        if sim.rows("F0101", AN8=6105):
            return {"ok": True, "counts": sim.state()["counts"]}
        today = sim.local_now().date()
        tables = {name: [] for name in ("F0006", "F0901", "F0101", "F0401", "F4301", "F4311", "F0411")}
        for mcu, name in DEMO_BUSINESS_UNITS:
            tables["F0006"].append({"MCU": mcu, "STYL": "IS", "DL01": name, "CO": COMPANY, "LDM": "6"})
        for aid, mcu, obj, sub, name, pec in DEMO_ACCOUNTS:
            lda = "5" if pec == "N" else "7"
            account = {"AID": aid, "CO": COMPANY, "MCU": mcu, "OBJ": obj, "SUB": sub, "DL01": name}
            tables["F0901"].append({**account, "PEC": pec, "LDA": lda})
        for an8, name, tax, duns, currency, terms in DEMO_SUPPLIERS:
            tables["F0101"].append(
                {"AN8": an8, "ALKY": str(an8), "ALPH": name, "AT1": "V", "TAX": tax, "DUNS": duns}
            )
            tables["F0401"].append({"AN8": an8, "TRAP": terms, "CRRP": currency, "PYIN": "T", "HDPY": ""})
        currencies = {an8: currency for an8, _n, _t, _d, currency, _p in DEMO_SUPPLIERS}
        for doco, an8, mcu, days, lines in DEMO_ORDERS:
            _demo_order(tables, doco, an8, mcu, today - timedelta(days=days), lines, currencies[an8])
        for doc, an8, invoice, days, gross, open_amount in DEMO_VOUCHERS:
            invoice_date = today - timedelta(days=days)
            tables["F0411"].append(
                {
                    "KCO": COMPANY,
                    "DOC": doc,
                    "DCT": "PV",
                    "SFX": "001",
                    "AN8": an8,
                    "VINV": invoice,
                    "DIVJ": invoice_date,
                    "DGJ": invoice_date,
                    "AG": gross,
                    "AAP": open_amount,
                    "PST": "P" if not open_amount else "A",
                    "CRCD": currencies[an8],
                }
            )
        return sim.seed({"tables": tables})


def _demo_order(tables, doco, an8, mcu, order_date, lines, currency):
    total = round(sum(quantity * cost for _i, _d, quantity, _u, cost, _o in lines), 2)
    keys = {"KCOO": COMPANY, "DOCO": doco, "DCTO": "OP", "SFXO": "000"}
    tables["F4301"].append(
        {
            **keys,
            "MCU": mcu,
            "AN8": an8,
            "SHAN": 200,
            "TRDJ": order_date,
            "DRQJ": order_date + timedelta(days=14),
            "CRCD": currency,
            "OTOT": total,
            "ORBY": "BUYER01",
        }
    )
    for number, (item, description, quantity, uom, cost, obj) in enumerate(lines, start=1):
        amount = round(quantity * cost, 2)
        tables["F4311"].append(
            {
                **keys,
                "LNID": number * 1000,
                "MCU": mcu,
                "AN8": an8,
                "LITM": item,
                "DSC1": description,
                "UORG": quantity,
                "UOM": uom,
                "PRRC": cost,
                "AEXP": amount,
                "AOPN": amount,
                "LTTR": "220",
                "NXTR": "280",
                "ANI": f"{mcu}.{obj}",
                "OBJ": obj,
                "TRDJ": order_date,
                "DRQJ": order_date + timedelta(days=14),
            }
        )
