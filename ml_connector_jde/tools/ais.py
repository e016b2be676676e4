"""JD Edwards EnterpriseOne AIS Server wire conventions, without the ORM.

Everything here follows ``jde-api.md``: session tokens in ``jde-AIS-Auth`` bound to a device
name, 444 for a token the server no longer knows (§3); the data service's ``DataRequest`` and
its ``fs_DATABROWSE_<TABLE>`` answer with cells keyed ``<TABLE>_<ALIAS>`` (§5); Julian dates,
``HHMMSS`` times and amounts with implied decimals (§6); orchestrations as the write path, with
``jde__status`` next to their outputs (§7). What the reference leaves open ([U]: date formats,
next-page links, amount scaling, orchestration names and inputs) comes from an
:class:`AisConfig`, and the parsing accepts every answer seen or plausible (scalar or
``{value, internalValue}`` cells, any date format when ``date_output_format`` is ``auto``).

An :class:`AisClient` wraps any ``tools.http.HttpClient`` (timeouts, retries, the token of an
:class:`AisTokenAuth`), so a flow between two remote systems (JD Edwards to JAGGAER) needs no
Odoo record to read or write JD Edwards.
"""

import base64
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo.addons.ml_connector.tools.auth import SessionTokenAuth
from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    DocumentError,
    OutcomeUnknownError,
    PermanentError,
    RemoteBusinessError,
    TransientError,
)
from odoo.addons.ml_connector.tools.http import parse_json

_logger = logging.getLogger(__name__)

# §2 / §3 / §5 / §7: service paths under the base URL (``https://host:port/jderest``), per API
# version; a connection may override any of them.
PATH_PRESETS = {
    "v1": {
        "token": "/tokenrequest",
        "validate": "/tokenrequest/validate",
        "logout": "/tokenrequest/logout",
        "dataservice": "/dataservice",
        "next": "/v2/dataservice/next",
        "orchestrator": "/orchestrator/",
    },
    "v2": {
        "token": "/v2/tokenrequest",
        "validate": "/v2/tokenrequest/validate",
        "logout": "/v2/tokenrequest/logout",
        "dataservice": "/v2/dataservice",
        "next": "/v2/dataservice/next",
        "orchestrator": "/v2/orchestrator/",
    },
    "v3": {
        "token": "/v3/orchestrator/jde-login",
        "validate": "/v3/orchestrator/jde-validate-session",
        "logout": "/v2/tokenrequest/logout",
        "dataservice": "/v2/dataservice",
        "next": "/v2/dataservice/next",
        "orchestrator": "/v3/orchestrator/",
    },
}
# How each version asks for a token: JSON body (§3.1) or HTTP Basic on a GET (v3, J2).
LOGIN_METHODS = {"v1": "post_json", "v2": "post_json", "v3": "get_basic"}

DATE_LITERAL_FORMATS = [
    ("user_format", "The user's display format (e.g. MM/dd/yyyy)"),
    ("julian", "Julian CYYDDD (124075)"),
    ("yyyyMMdd", "yyyyMMdd (20240315)"),
]
DATE_OUTPUT_FORMATS = [("auto", "Detect"), *DATE_LITERAL_FORMATS]
AMOUNT_SCALINGS = [("display", "Display values (1250.00)"), ("raw_implied", "Raw, implied decimals (125000)")]
PAGING_MODES = [("next_link", "Next-page links"), ("keyset", "Key-set (re-query past the last row)")]
AUTH_MODES = [("token", "Session token"), ("basic_per_request", "User and password on every call")]

# §5.6: which table holds what, which columns identify a row, what a reader asks for.
DEFAULT_TABLES = {
    "address_book": "F0101",
    "supplier": "F0401",
    "po_header": "F4301",
    "po_detail": "F4311",
    "account": "F0901",
    "business_unit": "F0006",
    "payables": "F0411",
    "voucher_batch": "F0411Z1",
    "voucher_batch_gl": "F0911Z1",
}
DEFAULT_KEYS = {
    "F0101": ("AN8",),
    "F0401": ("AN8",),
    "F4301": ("KCOO", "DOCO", "DCTO", "SFXO"),
    "F4311": ("KCOO", "DOCO", "DCTO", "SFXO", "LNID"),
    "F0901": ("AID",),
    "F0006": ("MCU",),
    "F0411": ("KCO", "DOC", "DCT", "SFX"),
    "F0411Z1": ("EDUS", "EDBT", "EDTN", "EDLN"),
    "F0911Z1": ("EDUS", "EDBT", "EDTN", "EDLN"),
}
DEFAULT_COLUMNS = {
    "address_book": ("AN8", "ALPH", "AT1", "TAX", "TX2", "DUNS", "MCU", "UPMJ", "UPMT"),
    "supplier": ("AN8", "TRAP", "CRRP", "PYIN", "HDPY", "UPMJ", "UPMT"),
    "po_header": (
        "KCOO", "DOCO", "DCTO", "SFXO", "AN8", "SHAN", "MCU", "TRDJ", "DRQJ", "CRCD", "OTOT", "ORBY",
        "HOLD", "UPMJ", "TDAY",
    ),
    "po_detail": (
        "KCOO", "DOCO", "DCTO", "SFXO", "LNID", "LITM", "DSC1", "UORG", "UOM", "PRRC", "AEXP", "AOPN",
        "LTTR", "NXTR", "ANI", "OBJ", "SUB", "MCU", "UPMJ", "TDAY",
    ),
    "account": ("AID", "CO", "MCU", "OBJ", "SUB", "DL01", "PEC", "LDA", "UPMJ", "UPMT"),
    "business_unit": ("MCU", "STYL", "DL01", "CO", "LDM", "UPMJ", "UPMT"),
    "payables": ("KCO", "DOC", "DCT", "SFX", "AN8", "VINV", "DIVJ", "AG", "AAP", "PST", "UPMJ", "UPMT"),
    "voucher_batch": ("EDUS", "EDBT", "EDTN", "EDLN", "EDSP", "AN8", "VINV", "DOC", "DCT", "KCO", "AG"),
    "voucher_batch_gl": ("EDUS", "EDBT", "EDTN", "EDLN", "EDSP", "ANI", "AA"),
}  # fmt: skip
DEFAULT_TIME_COLUMNS = {"F4301": "TDAY", "F4311": "TDAY"}
# Data-dictionary types the parser needs: which aliases are dates, times and amounts (§6).
DATE_COLUMNS = frozenset(
    {"UPMJ", "TRDJ", "DRQJ", "DIVJ", "DGJ", "DDJ", "DSVJ", "PDDJ", "OPDJ", "CNDJ", "EFTJ", "EFDJ", "DTUP"}
)
TIME_COLUMNS = frozenset({"UPMT", "TDAY", "TORG"})
AMOUNT_COLUMNS = frozenset(
    {"OTOT", "AG", "AAP", "ATXA", "STAM", "ADSC", "AEXP", "AOPN", "PRRC", "UORG", "UOPN", "UREC", "AA", "FAP"}
)
# Business units are stored right-justified in 12 characters (§5.4): padded in conditions.
BUSINESS_UNIT_COLUMNS = frozenset({"MCU", "MCUP", "MMCU", "MCUS"})
BUSINESS_UNIT_WIDTH = 12

DEFAULT_ORCHESTRATIONS = {
    "voucher": "JAG_CreateVoucherBatch",
    "supplier_add": "JAG_AddSupplier",
    "account_add": "JAG_AddAccount",
    "business_unit_add": "JAG_AddBusinessUnit",
}
# Logical input name -> the name the customer's orchestration declares (§7.1 PROPOSED set).
DEFAULT_ORCHESTRATION_INPUTS = {
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
    # what R04110Z said of a voucher batch (a customer's orchestration reading the Work Center);
    # ``errors`` names its output: a list of messages, or of objects with a Message
    "voucher_status": {
        "batch_user": "BatchUser",
        "batch_number": "BatchNumber",
        "transaction_number": "TransactionNumber",
        "errors": "Errors",
    },
}
DEFAULT_VOUCHER_STATUS_ORCHESTRATION = "JAG_VoucherBatchStatus"
# Statuses the client reads the ServiceErrorResponse of itself (the rest: HttpClient's rules).
ANSWERED_STATUSES = (200, 400, 403, 404, 405, 406, 415, 500)
MAX_PAGE_GROWTH = 8  # keyset pages whose rows were all read already grow at most this many times
LIST_CHUNK = 50  # values of one LIST condition


@dataclass
class AisConfig:
    """Everything the client needs to know about one AIS Server (``jde-api.md`` §11)."""

    api_version: str = "v2"
    paths: dict = field(default_factory=dict)  # overrides of PATH_PRESETS[api_version]
    login_method: str = ""  # post_json | get_basic; "" = the API version's
    environment: str = ""  # "" = the AIS Server's default
    role: str = ""
    jasserver: str = ""
    device_name: str = "ml-connector"
    auth_mode: str = "token"
    token_max_age_s: float = 1500.0
    date_literal_format: str = "user_format"
    date_output_format: str = "auto"
    user_date_format: str = "MM/dd/yyyy"  # when the login does not tell the user's format
    server_time_zone: str = "UTC"
    amount_scaling: str = "display"
    amount_decimals: int = 2
    column_decimals: dict = field(default_factory=lambda: {"PRRC": 4})
    page_size: int = 500
    paging_mode: str = "next_link"
    max_requeries: int = 3
    time_columns: dict = field(default_factory=lambda: dict(DEFAULT_TIME_COLUMNS))
    tables: dict = field(default_factory=lambda: dict(DEFAULT_TABLES))
    columns: dict = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_COLUMNS.items()})
    keys: dict = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_KEYS.items()})
    date_columns: frozenset = DATE_COLUMNS
    amount_columns: frozenset = AMOUNT_COLUMNS
    supplier_search_type: str = "V"
    orchestrations: dict = field(default_factory=lambda: dict(DEFAULT_ORCHESTRATIONS))
    orchestration_inputs: dict = field(default_factory=dict)  # overrides, per orchestration key
    voucher_edi_user: str = "JAGINT"
    voucher_batch_prefix: str = "JAG"
    voucher_doc_type: str = "PV"
    r04110z_version: str = "ZJDE0001"
    voucher_status_orchestration: str = DEFAULT_VOUCHER_STATUS_ORCHESTRATION  # "" = none
    write_master_data_to_jde: bool = False
    orchestration_timeout: float = 120.0
    max_concurrency: int = 4
    name: str = "JD Edwards"

    def path(self, key):
        preset = PATH_PRESETS.get(self.api_version) or PATH_PRESETS["v2"]
        return self.paths.get(key) or preset[key]

    def login_style(self):
        return self.login_method or LOGIN_METHODS.get(self.api_version, "post_json")

    def table(self, entity):
        """Table of a §5.6 entity (``supplier`` -> ``F0401``); a table name passes through."""
        return (self.tables.get(entity) or entity).upper()

    def entity_columns(self, entity):
        return list(self.columns.get(entity) or DEFAULT_COLUMNS.get(entity) or ())

    def key_columns(self, table):
        return list(self.keys.get(table.upper()) or DEFAULT_KEYS.get(table.upper()) or ())

    def time_column(self, table):
        """``UPMT``, but ``TDAY`` on F4301/F4311 (§6): per table, configurable."""
        return (self.time_columns.get(table.upper()) or "UPMT").upper()

    def decimals(self, alias):
        return int(self.column_decimals.get(alias, self.amount_decimals))

    def zone(self):
        try:
            return ZoneInfo(self.server_time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"Unknown server time zone {self.server_time_zone!r}.") from None

    def orchestration_name(self, key):
        return self.orchestrations.get(key) or DEFAULT_ORCHESTRATIONS.get(key) or key

    def input_names(self, key):
        return {**DEFAULT_ORCHESTRATION_INPUTS.get(key, {}), **(self.orchestration_inputs.get(key) or {})}

    def wire_inputs(self, key, values):
        """``{logical name: value}`` as the orchestration's declared inputs; lists of objects
        (voucher distributions) are renamed with the same mapping."""
        names = self.input_names(key)

        def rename(mapping):
            return {
                names.get(k, k): ([rename(i) for i in v] if _objects(v) else v) for k, v in mapping.items()
            }

        return rename({k: v for k, v in values.items() if v is not None})


def _objects(value):
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


# ================================================================================================
# dates, times, amounts (§6)
# ================================================================================================
_JAVA_TOKENS = re.compile(r"yyyy|yy|MM|M|dd|d|[^yMd]+")
_JAVA_TO_STRFTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def to_julian(value):
    """JDE Julian ``CYYDDD``: 2024-03-15 -> 124075 (§6)."""
    return (value.year - 1900) * 1000 + value.timetuple().tm_yday


def from_julian(value):
    """124075 -> 2024-03-15; 0 (a blank date) -> None."""
    value = int(value)
    if value <= 0:
        return None
    day = value % 1000
    if not 1 <= day <= 366:
        raise ValueError(f"{value} is not a Julian date")
    return date(1900 + value // 1000, 1, 1) + timedelta(days=day - 1)


def java_date_format(pattern):
    """A Java ``SimpleDateFormat`` date pattern (``MM/dd/yyyy``) as a ``strftime`` one."""
    return "".join(
        _JAVA_TO_STRFTIME.get(t, t.replace("%", "%%")) for t in _JAVA_TOKENS.findall(pattern or "")
    )


def format_date(value, fmt, user_format="MM/dd/yyyy"):
    """A date as a literal: ``julian`` (124075), ``yyyyMMdd`` or ``user_format``."""
    if fmt == "julian":
        return str(to_julian(value))
    if fmt == "yyyyMMdd":
        return value.strftime("%Y%m%d")
    return value.strftime(java_date_format(user_format))


def parse_date(value, fmt="auto", user_format="MM/dd/yyyy"):
    """A date as JD Edwards sends it, or None for a blank one; ValueError if it is not one.

    ``auto`` reads Julian (a number of at most 6 digits), ``yyyyMMdd`` (8 digits), ISO and the
    user's display format; another ``fmt`` accepts that format only.
    """
    if value in (None, "", 0, "0") or isinstance(value, bool):
        return None
    text = str(value).strip()
    digits = text.isdigit()
    if fmt == "julian" or (fmt == "auto" and digits and len(text) <= 6):
        if not digits:
            raise ValueError(f"{value!r} is not a Julian date")
        return from_julian(int(text))
    if fmt == "yyyyMMdd" or (fmt == "auto" and digits and len(text) == 8):
        return datetime.strptime(text, "%Y%m%d").date()
    if fmt == "auto" and _ISO_DATE.match(text):
        return date.fromisoformat(text[:10])
    return datetime.strptime(text, java_date_format(user_format)).date()


def parse_time(value):
    """``HHMMSS`` (101522, "101522" or "10:15:22") as a ``time``; None when blank."""
    if value in (None, "") or isinstance(value, bool):
        return None
    text = str(value).strip()
    if ":" in text:
        return time.fromisoformat(text)
    number = int(float(text))
    return time(number // 10000, number // 100 % 100, number % 100)


def format_time(value):
    return value.hour * 10000 + value.minute * 100 + value.second


def jde_stamp(day, moment, zone):
    """``UPMJ`` + ``UPMT``/``TDAY`` (server local time) as a naive UTC datetime."""
    if day is None:
        return None
    local = datetime.combine(day, moment or time(0), tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def server_date(moment, zone):
    """The server's local date at a naive UTC moment (the ``UPMJ`` a change then gets)."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def server_time(response):
    """When the server answered, by its own clock (HTTP ``Date``), naive UTC; None if unknown."""
    try:
        moment = parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None  # RFC 9110 dates are GMT; one without a zone cannot be compared
    return moment.astimezone(UTC).replace(tzinfo=None)


def plain_row(row):
    """A parsed row as JSON-friendly data: dates and times as ISO 8601 text."""
    return {
        alias: value.isoformat() if isinstance(value, date | time) else value for alias, value in row.items()
    }


def parse_number(value, decimal_separator="."):
    """A number cell: JSON number, or text as a form shows it (``1,250.00``, ``1.250,00``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value).strip().replace(" ", "")
    if not text:
        return 0
    if decimal_separator == ",":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)


def batch_number(prefix, moment):
    """``EDBT`` of a run (§8 PROPOSED): prefix + ``yyMMddHHmm``, at most 15 characters."""
    return f"{prefix}{moment:%y%m%d%H%M}"[:15]


def transaction_number(document_id):
    """``EDTN`` (at most 22 characters, §7.2): the document id, or its start and a hash if longer."""
    text = str(document_id).strip()
    if len(text) <= 22:
        return text
    return text[:13] + "~" + hashlib.sha256(text.encode()).hexdigest()[:8]


# ================================================================================================
# authentication (§3)
# ================================================================================================
class AisTokenAuth(SessionTokenAuth):
    """AIS session token: ``POST tokenrequest`` (or v3 ``GET jde-login`` with Basic), sent as
    ``jde-AIS-Auth`` with the same ``jde-AIS-Auth-Device`` as the login (§3.3).

    The answer says nothing of the token's lifetime (§3.2): a token is used until it is
    ``config.token_max_age_s`` old, then renewed before use. A 444 makes ``HttpClient`` renew
    once and replay once. What the login tells about the user (date and decimal format) is kept
    with the token, so that every process sharing the token reads dates alike.
    """

    header_name = "jde-AIS-Auth"
    auth_failure_statuses = (444,)
    credentials_per_request = False

    def __init__(self, config, username, password, *, http, **kw):
        kw.setdefault("skew", 0.0)
        super().__init__(**kw)
        self.config = config
        self.username = username
        self.password = password
        self.http = http
        self._info = (None, {})

    # -- the stored value is the token plus what the login said -----------------------------
    @staticmethod
    def _unpack(stored):
        try:
            session = json.loads(stored)
        except (TypeError, ValueError):
            return {"token": stored}
        return session if isinstance(session, dict) else {"token": stored}

    def header_value(self, token):
        return self._unpack(token).get("token") or ""

    def apply(self, headers):
        headers["jde-AIS-Auth-Device"] = self.config.device_name
        return super().apply(headers)

    def session_info(self):
        """What the current session's login said (``simpleDateFormat``...); {} before a login."""
        cached = self.store.get(self.key)
        if not cached:
            return {}
        if self._info[0] != cached[0]:  # read for every date cell: unpacked once per token
            self._info = (cached[0], self._unpack(cached[0]))
        return self._info[1]

    def token_age_limit(self):
        return float(self.config.token_max_age_s)

    # -- login ----------------------------------------------------------------------------------
    def fetch_token(self):
        if not self.username or not self.password:
            raise ConfigurationError(f"Enter the {self.config.name} AIS user name and password.")
        response = self._login_request()
        if response.status_code != 200:
            raise self._login_error(response)
        data = parse_json(response)
        info = (data.get("userInfo") or {}) if isinstance(data, dict) else {}
        if not info.get("token"):
            raise PermanentError(f"{self.config.name} answered the login without a token (userInfo.token).")
        session = {
            "token": info["token"],
            "username": data.get("username") or self.username,
            "environment": data.get("environment") or "",
            "simpleDateFormat": info.get("simpleDateFormat") or "",
            "decimalFormat": info.get("decimalFormat") or ".",
        }
        return json.dumps(session), self.token_age_limit()

    def _login_request(self):
        config = self.config
        headers = {"jde-AIS-Auth-Device": config.device_name}
        if config.login_style() == "get_basic":
            basic = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
            for header, value in (("Environment", config.environment), ("Role", config.role)):
                if value:
                    headers[f"jde-AIS-Auth-{header}"] = value
            return self.http.request(
                "GET", config.path("token"), headers=headers, use_auth=False, expect=ANSWERED_STATUSES
            )
        body = {"username": self.username, "password": self.password, "deviceName": config.device_name}
        body.update({k: v for k, v in (("environment", config.environment), ("role", config.role)) if v})
        if config.jasserver:
            body["jasserver"] = config.jasserver
        # asking for a token twice is harmless: it may be resent after an unclear failure
        return self.http.request(
            "POST",
            config.path("token"),
            json=body,
            headers=headers,
            use_auth=False,
            idempotent=True,
            expect=ANSWERED_STATUSES,
        )

    def _login_error(self, response):
        name, status = self.config.name, response.status_code
        detail = service_error_text(response)
        if status == 403:
            return AuthError(
                f"{name} refused the login of {self.username} (HTTP 403): {detail}. Check the user name, "
                "password, environment and role.",
                status=status,
                body=detail,
            )
        if status == 405:
            return ConfigurationError(
                f"The AIS Server refuses this HTML server (HTTP 405): {detail}", status=status, body=detail
            )
        if status >= 500:
            return TransientError(
                f"{name} could not log in (HTTP {status}): {detail}", status=status, body=detail
            )
        return ConfigurationError(
            f"{name} refused the login request (HTTP {status}): {detail}. Check the API version and the "
            "token path.",
            status=status,
            body=detail,
        )

    # -- session end and checks ---------------------------------------------------------------
    def logout(self):
        """End the session on the server and forget the token; True if a session was ended.

        Never raises: a session that cannot be closed simply times out on the server.
        """
        cached = self.store.get(self.key)
        self.store.clear(self.key)
        if not cached:
            return False
        token = self.header_value(cached[0])
        headers = {"jde-AIS-Auth": token, "jde-AIS-Auth-Device": self.config.device_name}
        try:
            response = self.http.request(
                "POST",
                self.config.path("logout"),
                json={"token": token, "deviceName": self.config.device_name},
                headers=headers,
                use_auth=False,
                idempotent=True,
                expect=(200, 403, 444),
            )
        except ConnectorError as exc:
            _logger.warning(
                "%s: the session could not be closed (%s); it will time out", self.config.name, exc
            )
            return False
        return response.status_code == 200

    def validate(self, touch=True):
        """Whether the server still knows the current token (``touch`` extends its idle time)."""
        cached = self.store.get(self.key)
        if not cached:
            return False
        token = self.header_value(cached[0])
        headers = {"jde-AIS-Auth": token, "jde-AIS-Auth-Device": self.config.device_name}
        if self.config.api_version == "v3":
            response = self.http.request(
                "GET", self.config.path("validate"), headers=headers, use_auth=False, expect=(200, 403, 444)
            )
        else:
            body = {"token": token, "deviceName": self.config.device_name, "touch": bool(touch)}
            response = self.http.request(
                "POST",
                self.config.path("validate"),
                json=body,
                headers=headers,
                use_auth=False,
                idempotent=True,
                expect=(200, 403, 444),
            )
        return response.status_code == 200


class AisBasicAuth:
    """Stateless calls (§3.3, ``auth_mode = basic_per_request``): user and password on each call."""

    credentials_per_request = True

    def __init__(self, config, username, password):
        self.config = config
        self._basic = base64.b64encode(f"{username or ''}:{password or ''}".encode()).decode()
        self.fetch_count = 0

    def apply(self, headers):
        headers["Authorization"] = f"Basic {self._basic}"
        headers["jde-AIS-Auth-Device"] = self.config.device_name

    def is_auth_failure(self, response):
        return False

    def invalidate(self):
        pass

    def get_token(self):
        return None

    def session_info(self):
        return {}

    def logout(self):
        return False


def service_error_text(response):
    """The readable part of a ``ServiceErrorResponse`` (§4), or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:300] or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return str(body)[:300]
    parts = [body.get("userDefinedErrorText"), body.get("message"), body.get("errorText")]
    text = " - ".join(str(p).strip() for p in parts if p)
    return text or json.dumps(body)[:300]


# ================================================================================================
# the client
# ================================================================================================
UNREADABLE = "__unreadable__"  # the key of a Row's raw cells when the server sent no row at all


class Row(dict):
    """A row as ``{alias: value}`` (dates as ``date``, times as ``time``, amounts scaled, text
    stripped), with ``raw``: its cells as the server sent them (``{"F0101_AN8": 4343, ...}``)."""

    def __init__(self, values=(), raw=None):
        super().__init__(values)
        self.raw = raw if raw is not None else {}


@dataclass
class AisPage:
    """One page of a browse: :class:`Row` objects, ``more`` when rows remain."""

    table: str
    rows: list
    more: bool


@dataclass
class Condition:
    """``alias`` (``UPMJ`` or ``F4301.UPMJ``), an operator of §5.2 and its value(s); a value may
    be a ``date``, a ``time``, a number, text or a :class:`Special` relative date."""

    alias: str
    operator: str
    values: tuple


@dataclass
class Special:
    """A relative date value: ``Special("TODAY_MINUS_DAY", 3)``."""

    special_value_id: str
    content: object = ""


class _Browse:
    """What one browse has yielded so far: the keys of its rows and the last raw row."""

    def __init__(self, keys, lenient=False):
        self.keys = keys
        self.lenient = lenient  # cells that cannot be read are None instead of an error
        self.seen = set()
        self.last = None  # (parsed row, raw cells) of the last row read
        self.requeries = 0

    def fresh(self, parsed_rows, raw_rows):
        rows = []
        for parsed, raw in zip(parsed_rows, raw_rows):
            if not isinstance(raw, dict):
                rows.append(parsed)  # no row at all: its document is refused, nothing to seek from
                continue
            self.last = (parsed, raw)
            key = tuple(parsed.get(alias) for alias in self.keys)
            if key in self.seen:
                continue
            self.seen.add(key)
            rows.append(parsed)
        return rows


class AisClient:
    """Data service reads and orchestrations with typed errors.

    ``http`` is a configured ``HttpClient`` whose ``auth`` is an :class:`AisTokenAuth` (or
    :class:`AisBasicAuth`); ``config`` an :class:`AisConfig`.
    """

    def __init__(self, http, config, auth=None):
        self.http = http
        self.config = config
        self.auth = auth or http.auth
        # when the server last answered a read, by its own clock (HTTP Date), naive UTC; None if unknown
        self.answered_at = None

    # -- session ---------------------------------------------------------------------------------
    def session_info(self):
        """The login's user preferences; logs in first if there is no session yet."""
        if self.auth is None:
            return {}
        info = self.auth.session_info()
        if not info:
            self.auth.get_token()
            info = self.auth.session_info()
        return info

    def user_date_format(self):
        return self.session_info().get("simpleDateFormat") or self.config.user_date_format

    def logout(self):
        return bool(self.auth and self.auth.logout())

    # -- values ------------------------------------------------------------------------------------
    def date_literal(self, value):
        """A date as the data service and the orchestrations expect it (``date_literal_format``)."""
        fmt = self.config.date_literal_format
        return format_date(value, fmt, self.user_date_format() if fmt == "user_format" else "")

    def _literal(self, alias, value):
        if isinstance(value, Special):
            return {"content": str(value.content), "specialValueId": value.special_value_id}
        if isinstance(value, datetime):
            raise ConfigurationError(f"Condition on {alias}: give a date or a time, not a datetime.")
        if isinstance(value, date):
            content = self.date_literal(value)
        elif alias in BUSINESS_UNIT_COLUMNS and isinstance(value, str):
            content = value.strip().rjust(BUSINESS_UNIT_WIDTH)
        elif isinstance(value, time):
            content = str(format_time(value))
        elif isinstance(value, int | float) and alias in self.config.amount_columns:
            raw = self.config.amount_scaling == "raw_implied"
            number = round(value * 10 ** self.config.decimals(alias)) if raw else value
            content = _number_text(number)
        else:
            content = _number_text(value) if isinstance(value, int | float) else str(value)
        return {"content": content, "specialValueId": "LITERAL"}

    def parse_row(self, table, cells, lenient=False):
        """A rowset entry (``{"F0101_AN8": 4343, ...}``) as a :class:`Row` ``{"AN8": 4343, ...}``;
        ``lenient``: a cell that cannot be read is None (its document is refused when parsed
        strictly from ``raw``), instead of a DocumentError."""
        if not isinstance(cells, dict):
            raise DocumentError(
                f"{self.config.name} sent a row of {table} that is not an object: {cells!r:.100}"
            )
        row = Row(raw=cells)
        for key, cell in cells.items():
            alias = cell_alias(table, key)
            try:
                row[alias] = self.parse_cell(alias, cell)
            except DocumentError:
                if not lenient:
                    raise
                row[alias] = None
        return row

    def parse_cell(self, alias, cell):
        """One cell, scalar or ``{value, internalValue}``, by the alias's data-dictionary type."""
        value, internal = (
            (cell.get("value"), cell.get("internalValue")) if isinstance(cell, dict) else (cell, None)
        )
        try:
            if alias in self.config.date_columns:
                return self._parse_date_cell(value, internal)
            if alias in TIME_COLUMNS or alias in self.config.time_columns.values():
                return parse_time(internal if internal not in (None, "") else value)
            if alias in self.config.amount_columns:
                return self._parse_amount(alias, internal if _is_number(internal) else value)
        except ValueError as exc:
            raise DocumentError(
                f"{self.config.name} sent {value!r} in {alias}, which cannot be read ({exc}). Check the "
                "date output format and amount scaling of the connection."
            ) from None
        if internal is not None and not isinstance(internal, str):
            return internal
        return value.strip() if isinstance(value, str) else value

    def _parse_date_cell(self, value, internal):
        fmt = self.config.date_output_format
        user_format = self.user_date_format() if fmt in ("auto", "user_format") else ""
        try:
            return parse_date(value, fmt, user_format)
        except ValueError:
            if internal in (None, ""):
                raise
            return parse_date(internal, "auto", user_format)

    def _parse_amount(self, alias, value):
        number = parse_number(value, self.session_info().get("decimalFormat") or ".")
        if self.config.amount_scaling == "raw_implied":
            return round(number / 10 ** self.config.decimals(alias), self.config.decimals(alias))
        return number

    def row_stamp(self, table, row):
        """When a row last changed (``UPMJ`` + the table's time column), naive UTC; None if blank."""
        return jde_stamp(row.get("UPMJ"), row.get(self.config.time_column(table)), self.config.zone())

    # -- data service ------------------------------------------------------------------------------
    def count(self, table, conditions=(), match="MATCH_ALL"):
        """How many rows of ``table`` match (``dataServiceType: COUNT``)."""
        table = self.config.table(table)
        conditions = [_condition(c) for c in conditions]
        body = self._data_request(table, None, conditions, (), match, None, service="COUNT")
        answer = self._post_data(body, f"the count of {table}")
        block = _browse_block(answer, table, self.config.name)
        data = block.get("data") if isinstance(block.get("data"), dict) else {}
        grid = data.get("gridData") if isinstance(data.get("gridData"), dict) else {}
        for found in (data.get("totalCount"), block.get("count"), block.get("totalCount"), data.get("count")):
            if found is not None:
                return int(found)
        summary = grid.get("summary") or {}
        if summary.get("totalCount") is not None:
            return int(summary["totalCount"])
        raise DocumentError(f"{self.config.name} answered the count of {table} without a count.")

    def browse(
        self,
        table,
        columns=None,
        conditions=(),
        order_by=None,
        match="MATCH_ALL",
        page_size=None,
        lenient=False,
    ):
        """Yield :class:`AisPage` objects with every matching row once.

        ``conditions``: :class:`Condition` objects or ``(alias, operator, value or [values])``.
        ``order_by``: aliases or ``(alias, "DESC")``; the table's keys complete it, so the order
        is total. Next-page links are followed (``paging_mode = next_link``); when the server's
        result set expired meanwhile, the read starts again past the last row and skips rows
        already yielded. ``keyset`` paging re-queries past the last row every page.
        """
        table = self.config.table(table)
        keys = self.config.key_columns(table)
        order = self._order(order_by, keys)
        wanted = _merge(columns, keys + [alias for alias, _desc in order]) if columns else None
        conditions = [_condition(c) for c in conditions]
        size = max(int(page_size or self.config.page_size), 1)
        state = _Browse(keys, lenient)
        if self.config.paging_mode == "keyset":
            if match != "MATCH_ALL":
                raise ConfigurationError("Key-set paging needs conditions that must all match (MATCH_ALL).")
            yield from self._keyset_pages(table, wanted, conditions, order, size, state)
            return
        yield from self._linked_pages(table, wanted, conditions, order, match, size, state)

    def browse_changed(
        self, table, since=None, columns=None, conditions=(), page_size=None, lenient=False, after=False
    ):
        """Rows changed at or after ``since`` (naive UTC; None = all), oldest first; strictly after
        it with ``after`` (what changed at ``since`` itself was read already).

        ``UPMJ`` is a day and the time column a separate second, in the server's zone (§6), and
        AIS conditions cannot be or-ed: the rows of ``since``'s day from its second on are read
        first (``UPMJ =`` the day, time ``>=``), then those of the days after (``UPMJ >``), unless
        the server's clock (its answer's HTTP ``Date``) says that day is still today. A poll thus
        reads what changed, not the whole day again.
        """
        table = self.config.table(table)
        time_column = self.config.time_column(table)
        columns = _merge(columns, ["UPMJ", time_column]) if columns else None
        conditions = list(conditions)
        if since is None:
            yield from self._pages_since(table, columns, conditions, None, page_size, lenient)
            return
        zone = self.config.zone()
        local = since.replace(tzinfo=UTC).astimezone(zone)
        day, moment = local.date(), local.time().replace(microsecond=0)
        operator = "GREATER" if after else "GREATER_EQUAL"
        same_day = [Condition("UPMJ", "EQUAL", (day,)), Condition(time_column, operator, (moment,))]
        yield from self._pages_since(table, columns, conditions + same_day, since, page_size, lenient, after)
        if self.answered_at is None or server_date(self.answered_at, zone) > day:
            later = [Condition("UPMJ", "GREATER", (day,))]
            yield from self._pages_since(table, columns, conditions + later, since, page_size, lenient, after)

    def _pages_since(self, table, columns, conditions, since, page_size, lenient, after=False):
        order = ["UPMJ", self.config.time_column(table)]
        for page in self.browse(table, columns, conditions, order, page_size=page_size, lenient=lenient):
            rows = [row for row in page.rows if self._changed_since(table, row, since, after)]
            yield AisPage(table, rows, page.more)

    def _changed_since(self, table, row, since, after):
        if since is None:
            return True
        stamp = self.row_stamp(table, row)
        if stamp is None:
            return not after  # a blank stamp: read while a window is read again, not once settled
        return stamp > since if after else stamp >= since

    def rows_with(self, table, alias, values, columns=None, conditions=(), lenient=False):
        """Every row of ``table`` whose ``alias`` is one of ``values``, and ``conditions``: one
        ``LIST`` condition per ``LIST_CHUNK`` values (AIS has no condition on several columns at
        once: filter the rows for a composite key afterwards)."""
        values = list(dict.fromkeys(values))
        rows = []
        for start in range(0, len(values), LIST_CHUNK):
            chunk = tuple(values[start : start + LIST_CHUNK])
            condition = Condition(alias, "LIST" if len(chunk) > 1 else "EQUAL", chunk)
            for page in self.browse(table, columns, [condition, *conditions], lenient=lenient):
                rows += page.rows
        return rows

    def _order(self, order_by, keys):
        order = []
        for item in order_by or ():
            alias, direction = (item, "ASC") if isinstance(item, str) else item
            order.append((alias.rpartition(".")[2].upper(), str(direction).upper() == "DESC"))
        named = {alias for alias, _desc in order}
        return order + [(key, False) for key in keys if key not in named]

    def _data_request(
        self, table, columns, conditions, order, match, size, service="BROWSE", next_page=False
    ):
        body = {"targetName": table, "targetType": "table", "dataServiceType": service, "findOnEntry": "TRUE"}
        if service == "BROWSE":
            body["outputType"] = "GRID_DATA"
            body["maxPageSize"] = str(size)
            if columns:
                body["returnControlIDs"] = "|".join(f"{table}.{alias}" for alias in columns)
            if order:
                body["orderBy"] = [
                    {"column": f"{table}.{alias}", "direction": "DESC" if desc else "ASC"}
                    for alias, desc in order
                ]
            if next_page:
                body["enableNextPageProcessing"] = True
        if conditions:
            body["query"] = {
                "autoFind": True,
                "matchType": match,
                "condition": [self._condition_body(table, c) for c in conditions],
            }
        return body

    def _condition_body(self, table, condition):
        alias = condition.alias.rpartition(".")[2].upper()
        return {
            "controlId": f"{table}.{alias}",
            "operator": condition.operator,
            "value": [self._literal(alias, value) for value in condition.values],
        }

    def _post_data(self, body, what):
        return self._answer(self._send("POST", self.config.path("dataservice"), what, json=body))

    def _answer(self, response):
        self.answered_at = server_time(response) or self.answered_at
        return parse_json(response)

    def _send(self, method, path, what, write=False, **kw):
        """One call; a non-200 answer becomes a typed error naming ``what``."""
        try:
            response = self.http.request(method, path, expect=ANSWERED_STATUSES, idempotent=not write, **kw)
        except AuthError as exc:
            if exc.status == 444:
                raise AuthError(
                    f"{self.config.name} rejected the session token again right after a new login (HTTP 444) "
                    f"while reading {what}: check that no load balancer drops the session and that the "
                    "device name is not used by another connection.",
                    status=444,
                    body=exc.body,
                ) from exc
            raise
        if response.status_code != 200:
            raise self._service_error(response, what, write)
        return response

    def _service_error(self, response, what, write):
        name, status = self.config.name, response.status_code
        detail = service_error_text(response)
        kw = {"status": status, "body": detail, "url": response.url}
        if status == 403:
            if getattr(self.auth, "credentials_per_request", False):
                return AuthError(f"{name} refused the user name or password (HTTP 403): {detail}", **kw)
            return ConfigurationError(
                f"{name} does not let this user reach {what} (HTTP 403): {detail}. Check the name on the "
                "connection and the user's security in JD Edwards.",
                **kw,
            )
        if status == 404:
            return ConfigurationError(f"{name} has no {what} (HTTP 404): {detail}", **kw)
        if status == 500 and write:
            if _user_defined_text(response):
                return RemoteBusinessError(f"{name} refused {what}: {detail}", **kw)
            return OutcomeUnknownError(f"{name} failed on {what} (HTTP 500), it may have run: {detail}", **kw)
        if status == 500:
            return TransientError(f"{name} failed on {what} (HTTP 500): {detail}", **kw)
        return PermanentError(f"{name} refused {what} (HTTP {status}): {detail}", **kw)

    # -- paging ------------------------------------------------------------------------------------
    def _rows(self, table, answer, lenient=False):
        block = _browse_block(answer, table, self.config.name)
        grid = ((block.get("data") or {}).get("gridData")) or {}
        raw_rows = grid.get("rowset") or []
        if not isinstance(raw_rows, list) or not (lenient or all(isinstance(row, dict) for row in raw_rows)):
            raise DocumentError(
                f"{self.config.name} answered {table} with a rowset that is not a list of rows."
            )
        summary = grid.get("summary") or {}
        more = bool(summary.get("moreRecords"))
        link = next(
            (li for li in answer.get("links") or [] if isinstance(li, dict) and li.get("rel") == "next"), None
        )
        parsed = [
            self.parse_row(table, row, lenient) if isinstance(row, dict) else Row(raw={UNREADABLE: row})
            for row in raw_rows
        ]
        return parsed, raw_rows, more, link

    def _linked_pages(self, table, columns, conditions, order, match, size, state):
        body = self._data_request(table, columns, conditions, order, match, size, next_page=True)
        answer = self._post_data(body, f"table {table}")
        while True:
            parsed, raw, more, link = self._rows(table, answer, state.lenient)
            rows = state.fresh(parsed, raw)
            if rows or not more:
                yield AisPage(table, rows, more)
            if not more:
                return
            if link is None and match == "MATCH_ALL":
                # the server does not hand out next pages: continue past the last row read
                yield from self._keyset_pages(table, columns, conditions, order, size, state)
                return
            if link is None:
                answer = self._post_data({**body, "maxPageSize": "No Max"}, f"table {table}")
                continue
            try:
                answer = self._follow(link, table)
            except TransientError as exc:
                if exc.status != 500:
                    raise
                self._count_requery(table, state, exc)
                if match == "MATCH_ALL":
                    yield from self._keyset_pages(table, columns, conditions, order, size, state)
                    return
                # conditions that need not all match take no seek condition: read again from the
                # start, the rows already yielded are skipped
                answer = self._post_data(body, f"table {table}")

    def _count_requery(self, table, state, exc):
        state.requeries += 1
        if state.requeries > self.config.max_requeries:
            raise TransientError(
                f"{self.config.name} dropped the result set of {table} {state.requeries} times while paging; "
                f"the read stops here and is tried again later: {exc.message}",
                status=exc.status,
            ) from exc
        _logger.info(
            "%s: the result set of %s is gone (%s); reading on past the %d row(s) already read",
            self.config.name,
            table,
            exc.status,
            len(state.seen),
        )

    def _follow(self, link, table):
        """Call a next-page link (§5.5): POST its ``context`` if it has one, else GET its href."""
        url = self._same_server(link.get("href") or self.http.base_url + self.config.path("next"))
        context = link.get("context") or link.get("body")
        method = str(link.get("method") or ("POST" if context is not None else "GET")).upper()
        kw = {"json": context} if method == "POST" else {}
        return self._answer(self._send(method, url, f"the next page of {table}", **kw))

    def _same_server(self, href):
        """An absolute URL for ``href`` on our server: the token never goes to another host."""
        base = self.http.base_url + "/"
        target, mine = urlsplit(urljoin(base, href)), urlsplit(base)
        return urlunsplit((mine.scheme, mine.netloc, target.path, target.query, ""))

    def _keyset_pages(self, table, columns, conditions, order, size, state):
        """Re-query past the last row read, one order column at a time (no OR in AIS queries):
        rows equal on the first n-1 order columns and after it on the n-th, from the deepest n up.
        """
        depth = len(order) if state.last else 0
        growth = 0
        while True:
            seek = self._seek(order, state.last, depth) if depth else []
            body = self._data_request(table, columns, [*conditions, *seek], order, "MATCH_ALL", size)
            parsed, raw, more, _link = self._rows(
                table, self._post_data(body, f"table {table}"), state.lenient
            )
            rows = state.fresh(parsed, raw)
            if more and not rows:
                # a full page of rows read already (the server orders otherwise): a bigger page
                growth += 1
                if growth > MAX_PAGE_GROWTH:
                    raise PermanentError(f"{self.config.name}: paging {table} makes no progress.")
                size *= 2
                continue
            if rows:
                yield AisPage(table, rows, more or depth > 1)
            if more:
                depth, growth = len(order), 0
            elif depth <= 1:
                return
            else:
                depth -= 1

    def _seek(self, order, last, depth):
        """Conditions selecting rows after ``last`` at ``depth`` (1-based order column)."""
        parsed, raw = last
        seek = []
        for position, (alias, descending) in enumerate(order[:depth], start=1):
            value = parsed.get(alias)
            if isinstance(value, str):
                cell = next((v for k, v in raw.items() if k.endswith("_" + alias)), value)
                value = (cell.get("value") if isinstance(cell, dict) else cell) or value
            if value is None:
                value = 0 if alias in self.config.date_columns else ""
            operator = "EQUAL" if position < depth else ("LESS" if descending else "GREATER")
            seek.append(Condition(alias, operator, (value,)))
        return seek

    # -- orchestrations ----------------------------------------------------------------------------
    def orchestrate(self, name, inputs):
        """Run the orchestration ``name`` with ``inputs`` (wire names); return its outputs.

        A business failure (``jde__status`` other than SUCCESS, or ``userDefinedErrorText``)
        raises :class:`RemoteBusinessError`; a timeout or an unclear answer
        :class:`OutcomeUnknownError` (never resent blindly: look the document up first, §8).
        """
        path = self.config.path("orchestrator").rstrip("/") + "/" + quote(name, safe="")
        what = f"orchestration {name}"
        response = self._send(
            "POST", path, what, write=True, json=inputs, timeout=self.config.orchestration_timeout
        )
        body = parse_json(response)
        if not isinstance(body, dict):
            raise OutcomeUnknownError(
                f"{self.config.name} answered {what} with something that is not an object."
            )
        status = str(body.get("jde__status") or "SUCCESS").strip().upper()
        user_text = body.get("userDefinedErrorText")
        if status != "SUCCESS" or user_text:
            message = user_text or body.get("jde__simpleMessage") or body.get("message") or "no message"
            raise RemoteBusinessError(
                f"{self.config.name} refused {what}: {message} ({status})", code=status, body=body
            )
        return body

    def orchestrate_mapped(self, key, values):
        """Run the configured orchestration for ``key`` (``voucher``, ``supplier_add``...) with
        ``values`` by logical input name (see ``DEFAULT_ORCHESTRATION_INPUTS``)."""
        return self.orchestrate(self.config.orchestration_name(key), self.config.wire_inputs(key, values))


def _condition(item):
    if isinstance(item, Condition):
        return item
    alias, operator, value = item
    values = tuple(value) if isinstance(value, list | tuple) else (value,)
    return Condition(alias, operator.upper(), values)


def cell_alias(table, key):
    """``F0101_AN8`` -> ``AN8`` (a cell of another table or view: what follows its last ``_``)."""
    prefix = table + "_"
    return key[len(prefix) :] if key.startswith(prefix) else key.rpartition("_")[2]


def _merge(columns, extra):
    merged = [c.rpartition(".")[2].upper() for c in columns]
    return merged + [alias for alias in extra if alias not in merged]


def _number_text(value):
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _user_defined_text(response):
    try:
        body = response.json()
    except ValueError:
        return ""
    return body.get("userDefinedErrorText") if isinstance(body, dict) else ""


def _browse_block(answer, table, name):
    if not isinstance(answer, dict):
        raise DocumentError(f"{name} answered the read of {table} with something that is not an object.")
    block = answer.get(f"fs_DATABROWSE_{table}")
    if not isinstance(block, dict):
        found = [key for key in answer if key.startswith("fs_DATABROWSE_")]
        raise DocumentError(
            f"{name} answered the read of {table} without fs_DATABROWSE_{table}"
            + (f" (found {', '.join(found)})" if found else "")
            + "."
        )
    return block
