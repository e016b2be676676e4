"""JAGGAER J1P simulator.

Spec: ``jaggaer-api.md`` §1 (confirmed facts), §2 (PROPOSED layout and record shapes) and §4
(what a faithful simulator must do). Section numbers in comments refer to that document.
Everything marked PROPOSED is our own design where JAGGAER publishes nothing; the connector
takes every path and wrapper from configuration, so only those settings change when the real
API is known.

One simulator instance is one tenant: every configured client sees the same data. Run two
instances to test two tenants.

Return codes (HTTP 200 unless ``strict_mode``, §1.5). ``0`` and ``1`` (accepted with warning)
are confirmed; the negative codes are PROPOSED and only need to be distinct and non-zero:
see :class:`RC`.
"""

import copy
import functools
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .base import CONTROL_PREFIX, SimulatorApp, TokenBucket, TokenIssuer, iso_ms, json_response, parse_iso

DEFAULT_PATHS = {
    # §1.3 confirmed
    "token": "/auth/realms/J1p-integrations/protocol/openid-connect/token",
    # §1.4 inferred (S4 + S2)
    "suppliers": "/j1p/api/public/ja/v1/companyprofiles",
    # §1.4 confirmed (detail, OCR import), list inferred
    "invoices": "/j1p/api/public/ji/v1/invoices",
    # §2 PROPOSED
    "custom_fields": "/j1p/api/public/ji/v1/customfields",
    "purchase_orders": "/j1p/api/public/jp/v1/purchaseorders",
    "contracts": "/j1p/api/public/jc/v1/contracts",
}

DEFAULT_CLIENTS = {"demo-client": "demo-secret"}

DEFAULT_OPTIONS = {
    "token_lifetime": 300,  # §1.3: Keycloak default, seconds on the simulated clock
    "token_rate_limit": 30,  # token requests per minute per client_id
    "token_scope": "profile email",
    "basic_auth_allowed": False,  # §1.3: known clients send the secret in the body
    "legacy_token_mode": False,  # §1.3: esop/jint answer {"token", "expire_in" (ms)}
    "legacy_401_quirk": False,  # §1.8: no WWW-Authenticate, Content-Type "; charset=UTF-8"
    "request_rate_limit": 600,  # resource requests per minute per client_id
    "rate_limit_retry_after": True,
    "page_size": 100,  # §1.6: cap per call, no page-size parameter
    "strict_mode": False,  # business errors as HTTP 400 instead of 200 + returnCode
    "auto_advance_po": False,  # demo: imported POs get Distributed, then Acknowledged
    "business_units": [],  # empty = businessUnit.internalName is not checked
    "address_codes": [],  # empty = billTo/shipTo/remitTo addressCode are not checked
    "currencies": ["USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY", "SEK", "DKK", "NOK", "PLN", "MXN"],
    "ocr_key_casing": "any",  # §1.4: "invoiceOcr" or "invoiceOCR" both seen; "any" accepts both
    # Choices the reference leaves open (a faithful server may make either; see FREE_CHOICES)
    "list_order": "oldest_first",  # §1.6 does not fix the order of a list
    "po_import_answer": "list",  # §2 PROPOSED import: the answer's shape is not fixed
    "supplier_upsert_answer": "top",  # S2 answers bravoId at the top; other servers may not
    "wrappers": {},  # resource -> item wrapper served instead of the default (§1.5: per resource)
    "timestamp_format": "iso_ms",  # how stamps and dates are written (§1.7, §1.9)
    "amount_format": "number",  # §1.9 amounts are JSON numbers in S1; other servers write text
    "return_code_type": "int",  # §1.5: "int or string"
}
SERVER_ZONE = timezone(timedelta(hours=2))  # where an "iso_offset" server writes its times
# Each open choice and the values a faithful server may pick (the first is the default).
FREE_CHOICES = {
    "list_order": ("oldest_first", "newest_first"),
    # list: under the list wrapper; top: the order's fields at the top of the envelope; id_only:
    # {poId} only; none: accepted without saying which id (the client looks the order up)
    "po_import_answer": ("list", "top", "id_only", "none"),
    # top: bravoId beside returnCode (S2); nested: the stored company profile; none: no id
    "supplier_upsert_answer": ("top", "nested", "none"),
    # iso_ms 2024-05-27T09:14:03.118Z; iso_seconds 2024-05-27T09:14:03Z; iso_offset the same moment
    # at +02:00; compact 20240527091403 (company profiles' format, §1.7)
    "timestamp_format": ("iso_ms", "iso_seconds", "iso_offset", "compact"),
    "amount_format": ("number", "string"),
    "return_code_type": ("int", "string"),
}
# The other legal choice of each, at once: a second faithful server for the connector's tests.
OTHER_CHOICES = {
    "list_order": "newest_first",
    "po_import_answer": "top",
    "supplier_upsert_answer": "nested",
    "timestamp_format": "iso_offset",
    "amount_format": "string",
    "return_code_type": "string",
}
TIMESTAMP_KEYS = {
    "lastUpdate", "orderDate", "invoiceDate", "dueDate", "accountingDate", "invoiceCreateDate",
}  # fmt: skip
# Calendar dates among them (§1.9: midnight UTC in S1); a server in another zone writes its own
# midnight, so the date is the one written, not the one in UTC.
DATE_KEYS = {"invoiceDate", "dueDate", "accountingDate", "invoiceCreateDate"}
AMOUNT_KEYS = {
    "quantity", "unitPrice", "value", "money", "fee", "quantityReceived",
    "taxCharge1", "taxCharge2", "shippingCharge", "handlingCharge", "discountAmount",
}  # fmt: skip

# §1.12: the GL chart is a set of splittable segments. Account and CostCenter always exist.
DEFAULT_CUSTOM_FIELDS = [
    {"name": "Account", "label": "Account", "type": "Splittable", "context": "Line", "active": "true"},
    {"name": "CostCenter", "label": "Cost Center", "type": "Splittable", "context": "Line", "active": "true"},
]
DEFAULT_GL_VALUES = [
    {"internalName": "Account", "value": "600000", "description": "Purchases", "active": "true"},
    {"internalName": "Account", "value": "610000", "description": "Laboratory supplies", "active": "true"},
    {"internalName": "Account", "value": "620000", "description": "Freight", "active": "true"},
    {"internalName": "CostCenter", "value": "CC-100", "description": "Operations", "active": "true"},
    {"internalName": "CostCenter", "value": "CC-200", "description": "Laboratory", "active": "true"},
]

# S2 CompanyInfo fields (§1.11) plus the S4 additions we keep.
COMPANY_FIELDS = (
    "companyName", "userAlias", "dAndBCode", "extCode", "extUniqueCode", "fiscalCode", "euVat", "type",
    "bizEmail", "bizPhone", "bizFax", "webSite", "address", "zip", "city", "province", "isoCountry",
    "userSurName", "userName", "userEmail", "userPhone", "userMobPhone", "userExtCode", "status",
)  # fmt: skip
RETURN_COMPANY_FIELDS = (
    "bravoId", "companyName", "extCode", "extUniqueCode", "dAndBCode", "fiscalCode", "type", "isoCountry",
    "city", "zip", "address", "province", "bizEmail", "bizPhone", "webSite", "lastModTime", "status",
)  # fmt: skip
COMPANY_OPERATIONS = ("CREATE", "UPDATE", "CREATEUPDATE", "CREATE_FROM_TEMPLATE", "UPDATE_RESET")

# §2.2 PROPOSED PO lifecycle. Canceled is reachable only while nothing has been received.
PO_TRANSITIONS = {
    "Draft": {"Pending Approval", "Approved", "Canceled"},
    "Pending Approval": {"Draft", "Approved", "Canceled"},
    "Approved": {"Distributed", "Canceled"},
    "Distributed": {"Acknowledged", "Partially Received", "Received", "Canceled"},
    "Acknowledged": {"Partially Received", "Received", "Canceled"},
    "Partially Received": {"Received", "Closed"},
    "Received": {"Closed"},
    "Closed": set(),
    "Canceled": set(),
}
PO_INITIAL_STATUSES = ("Draft", "Pending Approval", "Approved")
OPTIONAL_PO_KEYS = ("businessUnit", "requestor", "billTo", "shipTo", "terms", "customFieldValueSetList")
PO_RECEIVABLE = ("Distributed", "Acknowledged", "Partially Received")
PO_FROZEN = ("Received", "Closed", "Canceled")

# §1.10 / §4: invoice status transitions (Paid is PROPOSED).
INVOICE_TRANSITIONS = {
    "workflowStatus": {"Pending": {"Completed"}, "Completed": set()},
    "matchStatus": {"Unmatched": {"Matched", "Do Not Match"}, "Matched": set(), "Do Not Match": set()},
    "paymentStatus": {"InProcess": {"Payable"}, "Payable": {"Paid"}, "Paid": set()},
}
INVOICE_TYPES = ("Invoice", "Credit memo")
HEADER_CHARGES = ("taxCharge1", "taxCharge2", "shippingCharge", "handlingCharge", "discountAmount")


class RC:
    """``returnCode`` values. 0 and 1 are confirmed (§1.5); the negative ones are PROPOSED."""

    OK = 0
    WARNING = 1
    INVALID_FILTER = -100  # flt/deFlt: unknown field, bad syntax or bad value
    INVALID_REQUEST = -101  # bad start, unknown comp component, malformed JSON body
    MISSING_FIELD = -200
    UNKNOWN_SUPPLIER = -201
    UNKNOWN_BUSINESS_UNIT = -202
    UNKNOWN_ADDRESS = -203
    TOTAL_MISMATCH = -204
    UNKNOWN_GL_VALUE = -205
    INVALID_QUANTITY = -206
    UNKNOWN_CURRENCY = -207
    NO_LINES = -208
    INVALID_VALUE = -209
    DUPLICATE_INVOICE = -300  # same supplierInvoiceNumber for the same supplier
    DUPLICATE_COMPANY = -301  # extCode / extUniqueCode already used by another company
    NOT_FOUND = -404
    ILLEGAL_TRANSITION = -409


class BusinessError(Exception):
    """A request the simulator refuses with a non-zero ``returnCode``."""

    def __init__(self, code: int, message: str, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


# -- small helpers ---------------------------------------------------------------------


def dig(record, dotted: str):
    """``dig(po, "supplier.supplierNumber")``; None when any step is missing."""
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def number(value, what: str, code: int = RC.INVALID_VALUE) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise BusinessError(code, f"{what} must be a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BusinessError(code, f"{what} must be a number, got {value!r}") from None


def none_or_str(value) -> str | None:
    return None if value in (None, "") else str(value)


def clean_number(value: float):
    """5.0 -> 5, so re-posting ``5`` and ``5.0`` is the same content."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def same_numbers(value):
    """Deep copy with every number as :func:`clean_number`, for content comparisons."""
    if isinstance(value, dict):
        return {key: same_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [same_numbers(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return clean_number(value)
    return value


def compact_ts(value: datetime) -> str:
    """Company profile ``lastModTime``: ``YYYYMMDDHHMMSS`` UTC (§1.7)."""
    return value.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return parse_iso(str(value))


def midnight_iso(value) -> str:
    """Invoice dates are midnight UTC with milliseconds (§1.9, S1)."""
    moment = as_datetime(value)
    return iso_ms(datetime(moment.year, moment.month, moment.day, tzinfo=UTC))


def truncate_ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def splittable(values: dict, descriptions: dict | None = None) -> dict:
    """§1.12 ``splittableFieldSetGroupList`` with one split holding ``{segment: value}``."""
    descriptions = descriptions or {}
    entries = []
    for name, value in values.items():
        entry = {"internalName": name, "value": value}
        if (name, value) in descriptions:
            entry["description"] = descriptions[(name, value)]
        entries.append(entry)
    return {
        "splittableFieldSetGroup": [
            {
                "splittableFieldIndexSet": [
                    {
                        "context": "Line",
                        "splittableFieldIndexList": {
                            "splittableFieldIndex": [{"customFieldValueList": {"customFieldValue": entries}}]
                        },
                    }
                ]
            }
        ]
    }


def splittable_entries(group_list) -> list[dict]:
    """All ``customFieldValue`` entries of a §1.12 structure; BusinessError when malformed."""
    if group_list in (None, {}):
        return []
    entries = []
    try:
        for group in group_list.get("splittableFieldSetGroup") or []:
            for index_set in group.get("splittableFieldIndexSet") or []:
                index_list = index_set.get("splittableFieldIndexList") or {}
                for index in index_list.get("splittableFieldIndex") or []:
                    values = (index.get("customFieldValueList") or {}).get("customFieldValue") or []
                    entries.extend(v for v in values if isinstance(v, dict))
    except AttributeError:
        raise BusinessError(
            RC.INVALID_VALUE, "malformed splittableFieldSetGroupList (see §1.12 shape)"
        ) from None
    return entries


def custom_field_values(record) -> dict[str, list[str]]:
    """``customFieldValueSetList`` (§1.12) as ``{lower-case name: [values]}``, for ``deFlt``."""
    result = {}
    sets = dig(record, "customFieldValueSetList.customFieldValueSet") or []
    for value_set in sets:
        values = dig(value_set, "customFieldValueList.customFieldValue") or []
        result[str(value_set.get("name", "")).lower()] = [str(v["value"]) for v in values if "value" in v]
    return result


# -- flt / deFlt / comp / start (§1.6, §1.7, §4) ---------------------------------------

_CLAUSE = re.compile(r"^\s*([^=!<>]+?)\s*(=in=|==|!=|>=|<=|>|<)(.*)$", re.S)
_COMPACT_TS = re.compile(r"^\d{14}$")


def unquote_value(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def parse_clauses(text: str, param: str) -> list[tuple[str, str, list[str]]]:
    """``a==1;b=in=(x,y)`` -> ``[("a", "==", ["1"]), ("b", "=in=", ["x", "y"])]``."""
    clauses = []
    for part in text.split(";"):
        match = _CLAUSE.match(part)
        if not match:
            raise BusinessError(RC.INVALID_FILTER, f"Invalid {param} expression: {part!r}")
        name, op, raw = match.group(1).strip(), match.group(2), match.group(3).strip()
        if op == "=in=":
            if not (raw.startswith("(") and raw.endswith(")")) or not raw[1:-1].strip():
                raise BusinessError(RC.INVALID_FILTER, f"Invalid {param} list for {name}: {raw!r}")
            values = [unquote_value(v) for v in raw[1:-1].split(",")]
        else:
            if not raw:
                raise BusinessError(RC.INVALID_FILTER, f"Missing value in {param} expression: {part!r}")
            values = [unquote_value(raw)]
        clauses.append((name, op, values))
    return clauses


def coerce(value, kind: str, field: str, from_filter: bool):
    """Comparable form of a record or filter value. ``iso`` compares at millisecond precision."""
    if value is None:
        return None
    try:
        if kind == "num":
            return float(value)
        if kind == "iso":
            return iso_moment(str(value))
        if kind == "compact":
            if from_filter and not _COMPACT_TS.match(str(value)):
                raise ValueError
            return str(value)
    except (TypeError, ValueError):
        if from_filter:
            expected = {"num": "a number", "iso": "an ISO-8601 timestamp", "compact": "YYYYMMDDHHMMSS"}
            raise BusinessError(
                RC.INVALID_FILTER, f"Invalid value {value!r} for {field}: expected {expected[kind]}"
            ) from None
        return None
    return str(value)


@functools.lru_cache(maxsize=1 << 16)
def iso_moment(text: str) -> datetime:
    """``text`` as a comparable moment (milliseconds). Cached: a list filter compares every stored
    record's stamp, and parsing each one again on every request made the simulator's answer grow
    with its store (a real server answers such a filter from an index)."""
    return truncate_ms(parse_iso(text))


def compare(record_value, op: str, wanted: list) -> bool:
    if record_value is None:
        return op == "!="
    if op == "==":
        return record_value == wanted[0]
    if op == "!=":
        return record_value != wanted[0]
    if op == "=in=":
        return record_value in wanted
    if op == ">=":
        return record_value >= wanted[0]
    if op == "<=":
        return record_value <= wanted[0]
    if op == ">":
        return record_value > wanted[0]
    return record_value < wanted[0]


class ListSpec:
    """How one resource is listed: wrapper path, filterable fields, order, components."""

    def __init__(self, name, wrapper, fields, order, components=(), custom_fields=None):
        self.name = name
        self.wrapper = wrapper  # "jiinvoiceList.jiinvoice" or "returnCompanyData"
        self.fields = {key.lower(): spec for key, spec in fields.items()}  # name -> (path, kind)
        self.order = order  # record -> sort key
        self.components = set(components)
        self.custom_fields = custom_fields  # record -> dict for deFlt, None = no deFlt

    def predicate(self, flt: str, de_flt: str):
        """Record test for ``flt`` (declared fields) and ``deFlt`` (custom-field values), AND-ed."""
        field_tests, custom_tests = [], []
        for name, op, values in parse_clauses(flt, "flt") if flt else []:
            spec = self.fields.get(name.lower())
            if spec is None:
                raise BusinessError(RC.INVALID_FILTER, f"Unknown filter field '{name}' for {self.name}")
            path, kind = spec
            wanted = [coerce(v, kind, name, from_filter=True) for v in values]
            field_tests.append((path, kind, name, op, wanted))
        if de_flt:
            if self.custom_fields is None:
                raise BusinessError(RC.INVALID_FILTER, f"deFlt is not supported for {self.name}")
            custom_tests = [(n.lower(), op, values) for n, op, values in parse_clauses(de_flt, "deFlt")]

        def matches(record) -> bool:
            for path, kind, name, op, wanted in field_tests:
                if not compare(coerce(dig(record, path), kind, name, from_filter=False), op, wanted):
                    return False
            if custom_tests:
                values_by_name = self.custom_fields(record)
                for name, op, wanted in custom_tests:
                    values = values_by_name.get(name) or []
                    if not (any(compare(v, op, wanted) for v in values) or (op == "!=" and not values)):
                        return False
            return True

        return matches

    def parse_components(self, comp: str) -> set[str]:
        requested = {c.strip().upper() for c in comp.split(";") if c.strip()} if comp else set()
        unknown = requested - self.components
        if unknown:
            raise BusinessError(RC.INVALID_REQUEST, f"Unknown component(s) {sorted(unknown)} for {self.name}")
        return requested


def parse_start(raw: str | None) -> int:
    """§1.6: ``start`` is a 1-based record index."""
    if raw in (None, ""):
        return 1
    try:
        start = int(raw)
    except ValueError:
        start = 0
    if start < 1:
        raise BusinessError(RC.INVALID_REQUEST, f"Invalid start {raw!r}: a 1-based record index is expected")
    return start


def wrap(wrapper: str, items: list) -> dict:
    """``wrap("jiinvoiceList.jiinvoice", [...])`` -> ``{"jiinvoiceList": {"jiinvoice": [...]}}``."""
    result = items
    for key in reversed(wrapper.split(".")):
        result = {key: result}
    return result


def envelope(total: int, items: list, start: int, wrapper: str, code=RC.OK, message: str = "") -> dict:
    """§1.5 list envelope."""
    body = {"returnCode": code, "returnMessage": message, "totRecords": total}
    body.update({"returnedRecords": len(items), "startAt": start})
    body.update(wrap(wrapper, items))
    return body


def api(handler):
    """Resource endpoint: needs a valid bearer token; BusinessError becomes a returnCode answer."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        token = self.tokens.check(request.headers.get("Authorization"))
        if token is None:
            return self.unauthorized()
        try:
            return handler(self, request, **values)
        except BusinessError as exc:
            return self.business_error(exc)

    return wrapper


def control(handler):
    """``/_sim/jaggaer/...`` endpoint: ValueError -> 400, KeyError -> 404."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        try:
            return json_response(handler(self, request, **values))
        except KeyError as exc:
            return json_response({"error": str(exc.args[0] if exc.args else exc)}, status=404)
        except BusinessError as exc:
            status = 404 if exc.code == RC.NOT_FOUND else 400
            return json_response({"error": exc.message, "returnCode": exc.code}, status=status)
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)

    return wrapper


class JaggaerSimulator(SimulatorApp):
    """In-memory JAGGAER J1P tenant. See the module docstring and ``jaggaer-api.md`` §4."""

    name = "jaggaer"
    request_rate_limit = DEFAULT_OPTIONS["request_rate_limit"]

    def __init__(self, paths: dict | None = None):
        self.paths = self._merge_paths(dict(DEFAULT_PATHS), paths or {})
        super().__init__()
        self.tokens = TokenIssuer(self.clock, DEFAULT_OPTIONS["token_lifetime"])
        self.token_rate_limiter = TokenBucket(self.clock, DEFAULT_OPTIONS["token_rate_limit"])
        self.between_pages = None
        self._apply_defaults()
        self._clear_data()

    # ================================================================================
    # routing and options
    # ================================================================================
    def rules(self) -> list[Rule]:
        p = self.paths
        jag = CONTROL_PREFIX + "jaggaer/"
        return [
            Rule(p["token"], endpoint="api_token", methods=["POST"]),
            Rule(p["suppliers"], endpoint="api_suppliers", methods=["GET", "POST"]),
            Rule(p["custom_fields"], endpoint="api_custom_fields", methods=["GET"]),
            Rule(p["custom_fields"] + "/<name>/values", endpoint="api_custom_field_values", methods=["GET"]),
            Rule(p["purchase_orders"], endpoint="api_purchase_orders", methods=["GET", "POST"]),
            Rule(p["purchase_orders"] + "/<int:po_id>", endpoint="api_purchase_order", methods=["GET"]),
            Rule(p["purchase_orders"] + "/<int:po_id>/status", endpoint="api_po_status", methods=["POST"]),
            Rule(p["invoices"], endpoint="api_invoices", methods=["GET"]),
            Rule(p["invoices"] + "/ocr", endpoint="api_invoice_ocr", methods=["POST"]),
            Rule(p["invoices"] + "/ocr/", endpoint="api_invoice_ocr", methods=["POST"]),  # S1 code uses the /
            Rule(p["invoices"] + "/<int:invoice_id>", endpoint="api_invoice", methods=["GET"]),
            Rule(p["invoices"] + "/<int:invoice_id>/status", endpoint="api_invoice_status", methods=["POST"]),
            Rule(p["contracts"], endpoint="api_contracts", methods=["GET"]),
            Rule(jag + "purchase-orders/<po_number>", endpoint="_control_po", methods=["GET"]),
            Rule(jag + "purchase-orders/<po_number>/status", endpoint="_control_po_status", methods=["POST"]),
            Rule(jag + "purchase-orders/<po_number>/receive", endpoint="_control_receive", methods=["POST"]),
            Rule(jag + "invoices", endpoint="_control_add_invoice", methods=["POST"]),
            Rule(
                jag + "invoices/<int:invoice_id>/status", endpoint="_control_invoice_status", methods=["POST"]
            ),
            Rule(jag + "suppliers", endpoint="_control_supplier", methods=["POST"]),
            Rule(jag + "demo-seed", endpoint="_control_demo_seed", methods=["POST"]),
            Rule(jag + "jde-demo-seed", endpoint="_control_jde_demo_seed", methods=["POST"]),
        ]

    @staticmethod
    def _merge_paths(paths: dict, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULT_PATHS)
        if unknown:
            raise ValueError(f"unknown path keys {sorted(unknown)}")
        paths.update(changes)
        return paths

    def set_paths(self, **paths) -> dict:
        """Serve the resources elsewhere (``set_paths(invoices="/other/invoices")``)."""
        self.paths = self._merge_paths(dict(self.paths), paths)
        control_rules = [r.empty() for r in self.url_map.iter_rules() if r.endpoint.startswith("_control")]
        own = {r.endpoint for r in self.rules()}
        self.url_map = Map(
            [r for r in control_rules if r.endpoint not in own] + self.rules(), strict_slashes=False
        )
        return dict(self.paths)

    def configure(self, **options) -> dict:
        paths = options.pop("paths", None)
        for key, value in options.items():
            if key in FREE_CHOICES and value not in FREE_CHOICES[key]:
                raise ValueError(f"{key} must be one of {', '.join(FREE_CHOICES[key])}")
        result = super().configure(**options)
        if "token_lifetime" in options:
            self.tokens.lifetime = options["token_lifetime"]
        if "token_rate_limit" in options:
            self.token_rate_limiter.rate = options["token_rate_limit"]
        if paths is not None:
            result["paths"] = self.set_paths(**paths)
        return result

    def _apply_defaults(self):
        for key, value in DEFAULT_OPTIONS.items():
            setattr(self, key, copy.deepcopy(value))
        self.rate_limiter.rate = self.request_rate_limit
        self.token_rate_limiter.rate = self.token_rate_limit
        self.tokens.lifetime = self.token_lifetime

    def _clear_data(self):
        with self.lock:
            self.clients = dict(DEFAULT_CLIENTS)
            self.suppliers: dict[int, dict] = {}  # bravoId -> company info (flat)
            self.supplier_warnings: dict[int, str] = {}  # bravoId -> returnCode 1 message
            self.custom_fields: dict[str, dict] = {f["name"]: dict(f) for f in DEFAULT_CUSTOM_FIELDS}
            self.gl_values: dict[tuple[str, str], dict] = {}
            self.purchase_orders: dict[int, dict] = {}  # poId -> PO (§2.2 shape)
            self.po_ids_by_number: dict[str, int] = {}  # poNumber -> poId (see _po_by_number)
            self.import_counts: dict[str, int] = {}  # poNumber -> PO imports received
            self.invoices: dict[int, dict] = {}  # invoiceId -> {"header", "lineList"}
            self.contracts: dict[int, dict] = {}
            self.ocr_batches: dict[str, dict] = {}  # batchId -> first accepted answer
            self._seq = {"bravo": 3900, "po": 880120, "invoice": 5100230, "invoice_no": 100, "line": 8875910}
            self._seq["contract"] = 7000
            for value in DEFAULT_GL_VALUES:
                self.gl_values[(value["internalName"], value["value"])] = dict(value)

    def reset(self):
        """Forget data, tokens, faults and the request log; restore default options and clients.

        Paths are kept: they describe where the simulator is deployed, not its state.
        """
        super().reset()
        self.tokens.reset()
        self.token_rate_limiter.reset()
        self.between_pages = None
        self._apply_defaults()
        self._clear_data()

    def token_issuers(self) -> list[TokenIssuer]:
        return [self.tokens]

    def _next(self, key: str, at_least: int | None = None) -> int:
        if at_least is not None:
            self._seq[key] = max(self._seq[key], at_least)
            return at_least
        self._seq[key] += 1
        return self._seq[key]

    def _now_iso(self) -> str:
        return iso_ms(self.clock.now())

    def _bump(self, record: dict, key: str = "lastUpdate", compact: bool = False):
        """Every change moves the record's modification stamp forward, never backward."""
        now = compact_ts(self.clock.now()) if compact else self._now_iso()
        record[key] = max(now, record.get(key) or "")

    # ================================================================================
    # answers shared by all resources
    # ================================================================================
    def business_error(self, exc: BusinessError, string_code: bool = False) -> Response:
        """§1.5: HTTP 200 with a non-zero returnCode (400 in strict mode)."""
        status = exc.http_status or (400 if self.strict_mode else 200)
        code = str(exc.code) if string_code else exc.code
        return self.answer({"returnCode": code, "returnMessage": exc.message}, status=status)

    def unauthorized(self) -> Response:
        body = json.dumps({"error": "invalid_token", "error_description": "Token verification failed"})
        if self.legacy_401_quirk:
            # §1.8: the sourcing API's 401 has no WWW-Authenticate and a Content-Type without media type.
            response = Response(body, status=401)
            response.headers["Content-Type"] = "; charset=UTF-8"
            return response
        challenge = 'Bearer realm="J1p-integrations", error="invalid_token"'
        return json_response(json.loads(body), status=401, headers={"WWW-Authenticate": challenge})

    def _retry_after(self, wait: float) -> dict:
        return {"Retry-After": str(max(int(wait + 0.999), 1))} if self.rate_limit_retry_after else {}

    @staticmethod
    def _body(request: Request) -> dict:
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise BusinessError(RC.INVALID_REQUEST, "Malformed JSON body", http_status=400) from None
        if not isinstance(body, dict):
            raise BusinessError(RC.INVALID_REQUEST, "A JSON object is expected", http_status=400)
        return body

    def wrapper_of(self, spec: ListSpec) -> str:
        return self.wrappers.get(spec.name) or spec.wrapper

    def served(self, body: dict) -> dict:
        """``body`` as this server writes it (timestamps, amounts and return codes in its chosen
        formats); records are kept in one canonical form, so filters compare like with like."""

        def convert(value, key=None):
            if isinstance(value, dict):
                return {k: convert(v, k) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(item, key) for item in value]
            if key in TIMESTAMP_KEYS and isinstance(value, str):
                return self._served_stamp(value, date_only=key in DATE_KEYS)
            if key in AMOUNT_KEYS and self.amount_format == "string" and isinstance(value, int | float):
                return str(value) if not isinstance(value, bool) else value
            return value

        body = convert(body)
        if self.return_code_type == "string" and "returnCode" in body:
            body["returnCode"] = str(body["returnCode"])
        return body

    def _served_stamp(self, value: str, date_only: bool = False) -> str:
        if self.timestamp_format == "iso_ms":
            return value
        try:
            moment = parse_iso(value)
        except ValueError:
            return value  # a malformed stamp seeded on purpose stays as it is
        if date_only:
            zone = SERVER_ZONE if self.timestamp_format == "iso_offset" else UTC
            moment = datetime(moment.year, moment.month, moment.day, tzinfo=zone)
        if self.timestamp_format == "iso_seconds":
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.timestamp_format == "compact":
            return compact_ts(moment)
        return moment.astimezone(SERVER_ZONE).isoformat(timespec="milliseconds")

    def answer(self, body: dict, status: int = 200) -> Response:
        return json_response(self.served(body), status=status)

    def _list(self, request: Request, spec: ListSpec, records, render) -> Response:
        """§1.6 paging + §1.7 filters over ``records`` (an iterable evaluated under the lock)."""
        args = request.args
        start = parse_start(args.get("start"))
        matches = spec.predicate(args.get("flt", ""), args.get("deFlt", ""))
        components = spec.parse_components(args.get("comp", ""))
        with self.lock:
            newest_first = self.list_order == "newest_first"
            selected = sorted((r for r in records() if matches(r)), key=spec.order, reverse=newest_first)
            page = selected[start - 1 : start - 1 + max(int(self.page_size), 1)]
            items = [render(r, components) for r in page]
        body = envelope(len(selected), items, start, self.wrapper_of(spec))
        response = self.answer(body)
        if self.between_pages is not None:
            # Test hook: change data after a page was built, before the client asks for the next.
            self.between_pages(spec.name, start, len(items))
        return response

    # ================================================================================
    # rate limiting (§4): one bucket per client_id for resources, another for tokens
    # ================================================================================
    def rate_limit_key(self, request: Request) -> str:
        token = self.tokens.check(request.headers.get("Authorization"))
        return token.client_id if token else super().rate_limit_key(request)

    def check_rate_limit(self, request: Request) -> Response | None:
        if request.path.rstrip("/") == self.paths["token"].rstrip("/"):
            return None  # the token endpoint has its own per-client limit
        if self.tokens.check(request.headers.get("Authorization")) is None:
            return None  # answered 401 by the endpoint
        return super().check_rate_limit(request)

    # ================================================================================
    # auth (§1.3)
    # ================================================================================
    def api_token(self, request: Request) -> Response:
        if request.mimetype != "application/x-www-form-urlencoded":
            return json_response(
                {"error": "invalid_request", "error_description": "Form-encoded body expected"}, status=400
            )
        form = request.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if self.basic_auth_allowed and request.authorization and request.authorization.type == "basic":
            client_id, client_secret = request.authorization.username, request.authorization.password
        if not form.get("grant_type"):
            return json_response(
                {"error": "invalid_request", "error_description": "Missing form parameter: grant_type"},
                status=400,
            )
        if client_id:
            wait = self.token_rate_limiter.hit(client_id)
            if wait:
                return json_response(
                    {"error": "too_many_requests", "error_description": "Token request rate exceeded"},
                    status=429,
                    headers=self._retry_after(wait),
                )
        with self.lock:
            known_secret = self.clients.get(client_id or "")
        if not client_id or not client_secret or known_secret != client_secret:
            return json_response(
                {
                    "error": "invalid_client",
                    "error_description": "Invalid client or Invalid client credentials",
                },
                status=401,
            )
        if form.get("grant_type") != "client_credentials":
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"}, status=400
            )
        token = self.tokens.issue(client_id, prefix="j1p")
        if self.legacy_token_mode:
            return json_response({"token": token.value, "expire_in": int(self.token_lifetime) * 1000})
        return json_response(
            {
                "access_token": token.value,
                "expires_in": int(self.token_lifetime),
                "refresh_expires_in": 0,
                "token_type": "Bearer",
                "not-before-policy": 0,
                "scope": self.token_scope,
            }
        )

    # ================================================================================
    # suppliers: company profiles (§1.4, §1.11, §2.2)
    # ================================================================================
    supplier_spec = ListSpec(
        "suppliers",
        "returnCompanyData",
        {
            "bravoId": ("bravoId", "num"),
            "companyName": ("companyName", "str"),
            "extCode": ("extCode", "str"),
            "extUniqueCode": ("extUniqueCode", "str"),
            "dAndBCode": ("dAndBCode", "str"),
            "fiscalCode": ("fiscalCode", "str"),
            "euVat": ("euVat", "str"),
            "type": ("type", "str"),
            "isoCountry": ("isoCountry", "str"),
            "city": ("city", "str"),
            "zip": ("zip", "str"),
            "status": ("status", "str"),
            "lastModTime": ("lastModTime", "compact"),
        },
        order=lambda s: (s["lastModTime"], s["bravoId"]),
        components=("USER", "SSO_CODE"),
    )

    def _render_supplier(self, supplier: dict, components=()) -> dict:
        info = {key: supplier.get(key, "") for key in RETURN_COMPANY_FIELDS}
        info["bravoId"] = str(supplier["bravoId"])  # a string in S2's ReturnCompanyInfo
        item = {"returnCompanyInfo": info}
        if "USER" in components:
            users = []
            if supplier.get("userName") or supplier.get("userEmail") or supplier.get("userAlias"):
                users.append(
                    {
                        "name": supplier.get("userName", ""),
                        "surname": supplier.get("userSurName", ""),
                        "email": supplier.get("userEmail", ""),
                        "login": supplier.get("userAlias", ""),
                        "userId": f"{supplier['bravoId']}01",
                        "phoneNumber": supplier.get("userPhone", ""),
                        "mobilePhoneNumber": supplier.get("userMobPhone", ""),
                    }
                )
            item["returnSubUser"] = {"subUser": users}
        return item

    @api
    def api_suppliers(self, request: Request) -> Response:
        if request.method == "GET":
            return self._list(request, self.supplier_spec, self.suppliers.values, self._render_supplier)
        try:
            bravo_id, warning = self.upsert_company(self._body(request))
        except BusinessError as exc:
            return self.business_error(exc, string_code=True)
        body = {"returnCode": str(RC.WARNING), "returnMessage": warning} if warning else {}
        body = body or {"returnCode": "0", "returnMessage": "OK"}
        if self.supplier_upsert_answer == "top":
            body["bravoId"] = bravo_id  # S2's answer
        elif self.supplier_upsert_answer == "nested":
            body["returnCompanyInfo"] = self._render_supplier(self.suppliers[bravo_id])["returnCompanyInfo"]
        return json_response(body)

    def _find_company(self, key: str, value, exclude: int | None = None) -> dict | None:
        if value in (None, ""):
            return None
        for supplier in self.suppliers.values():
            if supplier["bravoId"] != exclude and str(supplier.get(key) or "") == str(value):
                return supplier
        return None

    def upsert_company(self, body: dict) -> tuple[int, str | None]:
        """S2 create/update: ``{operationCode, sendEMail, companyInfo}``. Returns (bravoId, warning)."""
        operation = str(body.get("operationCode") or "").upper()
        if operation not in COMPANY_OPERATIONS:
            raise BusinessError(RC.INVALID_VALUE, f"Unknown operationCode {body.get('operationCode')!r}")
        info = body.get("companyInfo")
        if not isinstance(info, dict):
            raise BusinessError(RC.MISSING_FIELD, "companyInfo is required")
        given = {k: ("" if info[k] is None else str(info[k])) for k in COMPANY_FIELDS if k in info}
        with self.lock:
            existing = None
            if info.get("bravoId") not in (None, ""):
                try:
                    existing = self.suppliers.get(int(info["bravoId"]))
                except (TypeError, ValueError):
                    raise BusinessError(RC.INVALID_VALUE, f"Invalid bravoId {info['bravoId']!r}") from None
                if existing is None and operation in ("UPDATE", "UPDATE_RESET"):
                    raise BusinessError(RC.NOT_FOUND, f"Company with bravoId {info['bravoId']} not found")
            elif operation == "CREATEUPDATE":
                existing = self._find_company("extCode", given.get("extCode")) or self._find_company(
                    "extUniqueCode", given.get("extUniqueCode")
                )
            if operation in ("UPDATE", "UPDATE_RESET") and existing is None:
                raise BusinessError(RC.MISSING_FIELD, "bravoId is required for UPDATE")
            if operation in ("CREATE", "CREATE_FROM_TEMPLATE"):
                existing = None
            exclude = existing["bravoId"] if existing else None
            for key in ("extCode", "extUniqueCode"):
                other = self._find_company(key, given.get(key), exclude=exclude)
                if other:
                    raise BusinessError(
                        RC.DUPLICATE_COMPANY,
                        f"A company with {key} '{given[key]}' already exists (bravoId {other['bravoId']})",
                    )
            if "type" in given and given["type"] not in ("SELLER", "BUYER"):
                raise BusinessError(RC.INVALID_VALUE, f"Invalid type {given['type']!r}: SELLER or BUYER")
            if "status" in given and given["status"] not in ("ACTIVE", "INACTIVE"):
                raise BusinessError(
                    RC.INVALID_VALUE, f"Invalid status {given['status']!r}: ACTIVE or INACTIVE"
                )
            if existing is None:
                if not given.get("companyName"):
                    raise BusinessError(RC.MISSING_FIELD, "companyInfo.companyName is required")
                bravo_id = self._next("bravo")
                record = dict.fromkeys(COMPANY_FIELDS, "")
                record.update({"type": "SELLER", "status": "ACTIVE"}, **given)
                record.update(bravoId=bravo_id, lastModTime="")
                self._bump(record, "lastModTime", compact=True)
                self.suppliers[bravo_id] = record
            else:
                bravo_id = existing["bravoId"]
                if operation == "UPDATE_RESET":
                    updated = dict.fromkeys(COMPANY_FIELDS, "")
                    updated.update({"type": existing["type"], "status": existing["status"]}, **given)
                else:
                    updated = {**{k: existing.get(k, "") for k in COMPANY_FIELDS}, **given}
                if not updated.get("companyName"):
                    raise BusinessError(RC.MISSING_FIELD, "companyInfo.companyName cannot be empty")
                if any(existing.get(k, "") != v for k, v in updated.items()):
                    existing.update(updated)
                    self._bump(existing, "lastModTime", compact=True)
            return bravo_id, self.supplier_warnings.get(bravo_id)

    def _supplier_by_number(self, supplier_number) -> dict:
        """Active SELLER whose ``extCode`` is the ERP supplier number (§1.11)."""
        if supplier_number in (None, ""):
            raise BusinessError(RC.MISSING_FIELD, "supplier.supplierNumber is required")
        for supplier in self.suppliers.values():
            if supplier.get("extCode") == str(supplier_number) and supplier.get("type") == "SELLER":
                if supplier.get("status") != "ACTIVE":
                    raise BusinessError(RC.UNKNOWN_SUPPLIER, f"Supplier {supplier_number} is inactive")
                return supplier
        raise BusinessError(RC.UNKNOWN_SUPPLIER, f"Unknown supplier.supplierNumber '{supplier_number}'")

    @staticmethod
    def _supplier_ref(supplier: dict) -> dict:
        """The ``supplier`` block of invoices and POs (§1.9)."""
        return {
            "id": supplier["bravoId"],
            "name": supplier.get("companyName", ""),
            "supplierNumber": supplier.get("extCode", ""),
            "duns": supplier.get("dAndBCode") or supplier.get("extUniqueCode") or "",
        }

    # ================================================================================
    # GL segments / custom fields (§1.12, §2 PROPOSED)
    # ================================================================================
    custom_field_spec = ListSpec(
        "custom_fields",
        "customFieldList.customField",
        {"name": ("name", "str"), "type": ("type", "str"), "active": ("active", "str")},
        order=lambda f: f["name"],
    )
    gl_value_spec = ListSpec(
        "gl_values",
        "customFieldValueList.customFieldValue",
        {"value": ("value", "str"), "description": ("description", "str"), "active": ("active", "str")},
        order=lambda v: v["value"],
    )

    @api
    def api_custom_fields(self, request: Request) -> Response:
        return self._list(request, self.custom_field_spec, self.custom_fields.values, lambda f, c: dict(f))

    @api
    def api_custom_field_values(self, request: Request, name: str) -> Response:
        with self.lock:
            if name not in self.custom_fields:
                raise BusinessError(RC.NOT_FOUND, f"Unknown custom field '{name}'", http_status=404)

        def values():
            return [v for (segment, _), v in self.gl_values.items() if segment == name]

        return self._list(request, self.gl_value_spec, values, lambda v, c: dict(v))

    def _gl_descriptions(self) -> dict:
        return {key: v.get("description", "") for key, v in self.gl_values.items()}

    def _check_gl(self, group_list, where: str):
        """Every filled segment of a split must be a defined segment with an active value."""
        for entry in splittable_entries(group_list):
            segment, value = entry.get("internalName"), entry.get("value")
            if value in (None, ""):
                continue  # S1 shows unfilled segments as {"internalName": ...}
            if segment not in self.custom_fields:
                raise BusinessError(RC.UNKNOWN_GL_VALUE, f"{where}: unknown GL segment '{segment}'")
            known = self.gl_values.get((segment, str(value)))
            if known is None or known.get("active") != "true":
                state = "inactive" if known else "unknown"
                raise BusinessError(RC.UNKNOWN_GL_VALUE, f"{where}: {state} {segment} value '{value}'")

    # ================================================================================
    # purchase orders (§2.2 PROPOSED)
    # ================================================================================
    po_spec = ListSpec(
        "purchase_orders",
        "purchaseOrderList.purchaseOrder",
        {
            "poId": ("poId", "num"),
            "poNumber": ("poNumber", "str"),
            "revisionNumber": ("revisionNumber", "num"),
            "status": ("status", "str"),
            "orderDate": ("orderDate", "iso"),
            "lastUpdate": ("lastUpdate", "iso"),
            "supplierNumber": ("supplier.supplierNumber", "str"),
            "supplier.supplierNumber": ("supplier.supplierNumber", "str"),
            "supplier.id": ("supplier.id", "num"),
            "businessUnit": ("businessUnit.internalName", "str"),
            "businessUnit.internalName": ("businessUnit.internalName", "str"),
        },
        order=lambda po: (po["lastUpdate"], po["poId"]),
        components=("LINES",),  # §2.2: list items already carry their lines
        custom_fields=custom_field_values,
    )

    def _po_by_number(self, po_number) -> dict | None:
        """The PO numbered ``po_number``, through an index of the numbers: an import finds its PO
        at any volume. The index is rebuilt when it no longer matches the POs (a test may add,
        remove or renumber some directly)."""
        number = str(po_number)
        for rebuild in (len(self.po_ids_by_number) != len(self.purchase_orders), True):
            if rebuild:
                self.po_ids_by_number = {po["poNumber"]: po_id for po_id, po in self.purchase_orders.items()}
            po_id = self.po_ids_by_number.get(number)
            po = self.purchase_orders.get(po_id)
            if po["poNumber"] == number if po is not None else po_id is None:
                return po
        return None

    @api
    def api_purchase_orders(self, request: Request) -> Response:
        if request.method == "POST":
            return self._import_answer(*self.import_po(self._body(request)))
        if self.auto_advance_po and request.args.get("start", "1") in ("", "1"):
            self._acknowledge_distributed()
        return self._list(request, self.po_spec, self.purchase_orders.values, lambda po, c: copy.deepcopy(po))

    @api
    def api_purchase_order(self, request: Request, po_id: int) -> Response:
        with self.lock:
            po = self.purchase_orders.get(po_id)
            if po is None:
                raise BusinessError(RC.NOT_FOUND, f"Purchase order {po_id} not found", http_status=404)
            return self._po_answer(copy.deepcopy(po), None)

    @api
    def api_po_status(self, request: Request, po_id: int) -> Response:
        status = self._body(request).get("status")
        with self.lock:
            po = self.purchase_orders.get(po_id)
            if po is None:
                raise BusinessError(RC.NOT_FOUND, f"Purchase order {po_id} not found", http_status=404)
            self._change_po_status(po, status)
            return self._po_answer(copy.deepcopy(po), self._warning_for(dig(po, "supplier.id")))

    def _po_answer(self, po: dict, warning: str | None) -> Response:
        code, message = (RC.WARNING, warning) if warning else (RC.OK, "")
        return self.answer(envelope(1, [po], 1, self.wrapper_of(self.po_spec), code, message))

    def _import_answer(self, po: dict, warning: str | None) -> Response:
        """The answer to a PO import, in the shape this server chose (``po_import_answer``)."""
        if self.po_import_answer == "list":
            return self._po_answer(po, warning)
        code, message = (RC.WARNING, warning) if warning else (RC.OK, "")
        body = {"returnCode": code, "returnMessage": message}
        if self.po_import_answer == "top":
            body.update(po)
        elif self.po_import_answer == "id_only":
            body["poId"] = po["poId"]
        return self.answer(body)

    def _warning_for(self, bravo_id) -> str | None:
        return self.supplier_warnings.get(bravo_id)

    def _check_address_codes(self, body: dict, where: str):
        if not self.address_codes:
            return
        for role in ("billTo", "shipTo", "remitTo"):
            code = dig(body, f"{role}.address.addressCode")
            if code not in (None, "") and code not in self.address_codes:
                raise BusinessError(RC.UNKNOWN_ADDRESS, f"{where}: unknown {role} addressCode '{code}'")

    def _check_business_unit(self, internal_name, where: str):
        if not self.business_units:
            return
        if internal_name in (None, ""):
            raise BusinessError(RC.MISSING_FIELD, f"{where}: businessUnit.internalName is required")
        if internal_name not in self.business_units:
            raise BusinessError(RC.UNKNOWN_BUSINESS_UNIT, f"{where}: unknown businessUnit '{internal_name}'")

    def _check_currency(self, currency, where: str) -> str:
        if currency in (None, ""):
            raise BusinessError(RC.MISSING_FIELD, f"{where}: currency is required")
        if currency not in self.currencies:
            raise BusinessError(RC.UNKNOWN_CURRENCY, f"{where}: unknown currency '{currency}'")
        return currency

    def _po_content(self, body: dict, existing: dict | None) -> dict:
        """Validate an import body (§4) and return the PO content it describes."""
        po_number = str(body.get("poNumber") or "").strip()
        if not po_number:
            raise BusinessError(RC.MISSING_FIELD, "poNumber is required")
        where = f"PO {po_number}"
        supplier = self._supplier_by_number(dig(body, "supplier.supplierNumber"))
        business_unit = dig(body, "businessUnit.internalName")
        self._check_business_unit(business_unit, where)
        self._check_address_codes(body, where)
        total = body.get("total")
        if not isinstance(total, dict) or total.get("value") in (None, ""):
            raise BusinessError(RC.MISSING_FIELD, f"{where}: total.value is required")
        currency = self._check_currency(total.get("currency"), f"{where} total")
        lines_in = dig(body, "lineList.poLine")
        if not isinstance(lines_in, list) or not lines_in:
            raise BusinessError(RC.NO_LINES, f"{where}: lineList.poLine has no lines")
        lines, seen, line_sum = [], set(), 0.0
        for position, line in enumerate(lines_in, start=1):
            if not isinstance(line, dict):
                raise BusinessError(RC.INVALID_VALUE, f"{where}: line {position} is not an object")
            line_number = str(line.get("lineNumber") or position)
            at = f"{where} line {line_number}"
            if line_number in seen:
                raise BusinessError(RC.INVALID_VALUE, f"{at}: duplicate lineNumber")
            seen.add(line_number)
            quantity = number(line.get("quantity"), f"{at} quantity", RC.INVALID_QUANTITY)
            if quantity <= 0:
                raise BusinessError(RC.INVALID_QUANTITY, f"{at}: quantity must be greater than 0")
            price = line.get("unitPrice")
            if not isinstance(price, dict):
                raise BusinessError(RC.MISSING_FIELD, f"{at}: unitPrice {{currency, value}} is required")
            unit_price = number(price.get("value"), f"{at} unitPrice.value")
            if unit_price < 0:
                raise BusinessError(RC.INVALID_VALUE, f"{at}: unitPrice.value must not be negative")
            if self._check_currency(price.get("currency"), at) != currency:
                raise BusinessError(RC.UNKNOWN_CURRENCY, f"{at}: currency differs from the PO currency")
            item = line.get("item")
            if not isinstance(item, dict) or not item.get("description"):
                raise BusinessError(RC.MISSING_FIELD, f"{at}: item.description is required")
            split = line.get("splittableFieldSetGroupList") or {"splittableFieldSetGroup": []}
            self._check_gl(split, at)
            line_sum += quantity * unit_price
            lines.append(
                {
                    "lineNumber": line_number,
                    "item": copy.deepcopy(item),
                    "quantity": clean_number(quantity),
                    "unitPrice": {"currency": currency, "value": clean_number(unit_price)},
                    "splittableFieldSetGroupList": copy.deepcopy(split),
                }
            )
        total_value = number(total.get("value"), f"{where} total.value")
        if abs(total_value - line_sum) > 0.01:
            raise BusinessError(
                RC.TOTAL_MISMATCH, f"{where}: total.value {total_value:.2f} != sum of lines {line_sum:.2f}"
            )
        order_date = body.get("orderDate") or (existing or {}).get("orderDate") or self._now_iso()
        try:
            order_date = iso_ms(parse_iso(str(order_date)))
        except ValueError:
            raise BusinessError(RC.INVALID_VALUE, f"{where}: invalid orderDate {order_date!r}") from None
        content = {
            "poNumber": po_number,
            "orderDate": order_date,
            "supplier": self._supplier_ref(supplier),
            "total": {"currency": currency, "value": clean_number(round(total_value, 2))},
            "lineList": {"poLine": lines},
        }
        for key in ("businessUnit", "requestor", "billTo", "shipTo", "terms", "customFieldValueSetList"):
            if body.get(key) not in (None, {}):
                content[key] = copy.deepcopy(body[key])
        return content

    @staticmethod
    def _fingerprint(po: dict) -> str:
        """What the ERP controls; server fields (ids, statuses, receipts, supplier names) excluded."""
        content = {k: v for k, v in po.items() if k not in ("poId", "revisionNumber", "status", "lastUpdate")}
        content["supplier"] = po["supplier"].get("supplierNumber")
        content["lineList"] = [
            {k: v for k, v in line.items() if k not in ("status", "quantityReceived")}
            for line in po["lineList"]["poLine"]
        ]
        return json.dumps(same_numbers(content), sort_keys=True)

    @staticmethod
    def _line_status(po_status: str, line: dict) -> str:
        if po_status == "Canceled":
            return "Canceled"
        if po_status in ("Draft", "Pending Approval"):
            return "Pending"
        received = line.get("quantityReceived", 0)
        if received and received >= line.get("quantity", 0):
            return "Received"
        return "Partially Received" if received else "Approved"

    def _set_po_status(self, po: dict, status: str):
        po["status"] = status
        if status == "Received":
            for line in po["lineList"]["poLine"]:
                line["quantityReceived"] = line["quantity"]
        for line in po["lineList"]["poLine"]:
            line["status"] = self._line_status(status, line)
        self._bump(po)

    @staticmethod
    def _check_po_transition(po: dict, status):
        if status not in PO_TRANSITIONS:
            raise BusinessError(RC.INVALID_VALUE, f"Unknown PO status {status!r}")
        received = any(line.get("quantityReceived") for line in po["lineList"]["poLine"])
        if status != po["status"] and (
            status not in PO_TRANSITIONS[po["status"]] or (status == "Canceled" and received)
        ):
            raise BusinessError(
                RC.ILLEGAL_TRANSITION, f"PO {po['poNumber']}: status {po['status']} cannot become {status}"
            )

    def _change_po_status(self, po: dict, status, force: bool = False):
        if force:
            if status not in PO_TRANSITIONS:
                raise BusinessError(RC.INVALID_VALUE, f"Unknown PO status {status!r}")
        else:
            self._check_po_transition(po, status)
        if status != po["status"]:
            self._set_po_status(po, status)

    def import_po(self, body: dict) -> tuple[dict, str | None]:
        """``POST purchaseorders`` (§2 PROPOSED): create or update by ``poNumber``.

        Returns (stored PO, warning). Same content again = no change; changed content bumps
        ``revisionNumber``; ``status: "Canceled"`` on a known PO is a cancel request.
        """
        po_number = str(body.get("poNumber") or "").strip()
        if not po_number:
            raise BusinessError(RC.MISSING_FIELD, "poNumber is required")
        with self.lock:
            # how many times a client sent this PO: the proof counts documents sent twice
            self.import_counts[po_number] = self.import_counts.get(po_number, 0) + 1
            existing = self._po_by_number(po_number)
            status = body.get("status")
            if existing is not None and status == "Canceled":
                self._change_po_status(existing, "Canceled")
                return copy.deepcopy(existing), self._warning_for(dig(existing, "supplier.id"))
            if existing is None and status is not None and status not in PO_INITIAL_STATUSES:
                if status not in PO_TRANSITIONS:
                    raise BusinessError(RC.INVALID_VALUE, f"Unknown PO status {status!r}")
                raise BusinessError(
                    RC.ILLEGAL_TRANSITION, f"PO {po_number}: a new PO cannot start as {status}"
                )
            content = self._po_content(body, existing)
            if existing is None:
                po = {"poId": self._next("po"), "poNumber": po_number, "revisionNumber": 0}
                po["status"] = status or "Approved"
                po.update(content)
                po["lastUpdate"] = ""
                for line in po["lineList"]["poLine"]:
                    line["quantityReceived"] = 0
                self._set_po_status(po, po["status"])
                if self.auto_advance_po and po["status"] == "Approved":
                    self._set_po_status(po, "Distributed")
                self.purchase_orders[po["poId"]] = self._ordered_po(po)
                self.po_ids_by_number[po_number] = po["poId"]
                po = self.purchase_orders[po["poId"]]
            else:
                po = existing
                if status is not None:
                    self._check_po_transition(po, status)  # refuse before changing anything
                self._update_po(po, content)
                if status is not None:
                    self._change_po_status(po, status)
            return copy.deepcopy(po), self._warning_for(dig(po, "supplier.id"))

    def _update_po(self, po: dict, content: dict):
        """Apply re-imported content; a real change bumps ``revisionNumber`` (§2.2)."""
        candidate = {k: v for k, v in po.items() if k not in OPTIONAL_PO_KEYS}
        candidate.update(content)
        received = {line["lineNumber"]: line.get("quantityReceived", 0) for line in po["lineList"]["poLine"]}
        for line in candidate["lineList"]["poLine"]:
            line["quantityReceived"] = received.get(line["lineNumber"], 0)
        if self._fingerprint(candidate) == self._fingerprint(po):
            return
        if po["status"] in PO_FROZEN:
            raise BusinessError(
                RC.ILLEGAL_TRANSITION, f"PO {po['poNumber']} is {po['status']}: changes are not accepted"
            )
        new_lines = {line["lineNumber"]: line for line in candidate["lineList"]["poLine"]}
        for line_number, quantity in received.items():
            if quantity and (line_number not in new_lines or new_lines[line_number]["quantity"] < quantity):
                raise BusinessError(
                    RC.INVALID_QUANTITY,
                    f"PO {po['poNumber']} line {line_number}: {quantity} already received",
                )
        candidate["revisionNumber"] = po["revisionNumber"] + 1
        self._set_po_status(candidate, candidate["status"])
        po.clear()
        po.update(self._ordered_po(candidate))

    @staticmethod
    def _ordered_po(po: dict) -> dict:
        """Keys in the §2.2 order, so answers read like the reference."""
        order = ["poId", "poNumber", "revisionNumber", "status", "orderDate", "lastUpdate", "supplier"]
        order += [*OPTIONAL_PO_KEYS, "total", "lineList"]
        return {key: po[key] for key in order if key in po}

    def _acknowledge_distributed(self):
        """``auto_advance_po``: suppliers acknowledge what was distributed before this sync."""
        with self.lock:
            for po in self.purchase_orders.values():
                if po["status"] == "Distributed":
                    self._set_po_status(po, "Acknowledged")

    # ================================================================================
    # invoices (§1.5, §1.9, §1.10, §4)
    # ================================================================================
    invoice_spec = ListSpec(
        "invoices",
        "jiinvoiceList.jiinvoice",
        {
            "invoiceId": ("header.invoiceId", "num"),
            "invoiceNumber": ("header.invoiceNumber", "str"),
            "supplierInvoiceNumber": ("header.supplierInvoiceNumber", "str"),
            "invoiceType": ("header.invoiceType", "str"),
            "invoiceLineType": ("header.invoiceLineType", "str"),
            "invoiceSource": ("header.invoiceSource", "str"),
            "invoiceDate": ("header.invoiceDate", "iso"),
            "dueDate": ("header.dueDate", "iso"),
            "lastUpdate": ("header.lastUpdate", "iso"),
            "businessUnit": ("header.businessUnit", "str"),
            "workflowStatus": ("header.workflowStatus", "str"),
            "matchStatus": ("header.matchStatus", "str"),
            "paymentStatus": ("header.paymentStatus", "str"),
            "validationStatus": ("header.validationStatus", "str"),
            "nonPOInvoice": ("header.nonPOInvoice", "str"),
            "supplierNumber": ("header.supplier.supplierNumber", "str"),
            "supplier.supplierNumber": ("header.supplier.supplierNumber", "str"),
            "supplier.id": ("header.supplier.id", "num"),
            "supplier.duns": ("header.supplier.duns", "str"),
        },
        order=lambda inv: (inv["header"]["lastUpdate"], inv["header"]["invoiceId"]),
        components=("LINES",),
        custom_fields=lambda inv: custom_field_values(inv["header"]),
    )

    @staticmethod
    def _render_invoice_item(invoice: dict, components) -> dict:
        # §1.5 [C]: list items carry only the header; lines only when asked with comp=LINES.
        item = {"header": copy.deepcopy(invoice["header"])}
        if "LINES" in components:
            item["lineList"] = copy.deepcopy(invoice["lineList"])
        return item

    @api
    def api_invoices(self, request: Request) -> Response:
        return self._list(request, self.invoice_spec, self.invoices.values, self._render_invoice_item)

    @api
    def api_invoice(self, request: Request, invoice_id: int) -> Response:
        with self.lock:
            invoice = self.invoices.get(invoice_id)
            if invoice is None:
                raise BusinessError(RC.NOT_FOUND, f"Invoice {invoice_id} not found", http_status=404)
            # §1.4 [C]: the detail is {header, lineList} at the top level.
            return self.answer({"returnCode": RC.OK, "returnMessage": "", **copy.deepcopy(invoice)})

    @api
    def api_invoice_status(self, request: Request, invoice_id: int) -> Response:
        body = self._body(request)
        changes = {key: body[key] for key in INVOICE_TRANSITIONS if key in body}
        header = self.set_invoice_status(invoice_id, **changes)
        return self.answer({"returnCode": RC.OK, "returnMessage": "", "header": header})

    def _ocr_part(self, node, name: str):
        """§1.4: ``invoiceOcr`` (S1 code) vs ``invoiceOCR`` (S1 curl); which one J1P requires is unknown."""
        if not isinstance(node, dict):
            return None
        casings = {"any": ("Ocr", "OCR"), "invoiceOcr": ("Ocr",), "invoiceOCR": ("OCR",)}[self.ocr_key_casing]
        for casing in casings:
            key = name.replace("Ocr", casing)
            if key in node:
                return node[key]
        return None

    @api
    def api_invoice_ocr(self, request: Request) -> Response:
        body = self._body(request)
        batch_id = body.get("batchId")
        with self.lock:
            if batch_id not in (None, "") and str(batch_id) in self.ocr_batches:
                # §4: a repeated batchId returns the first result, nothing new is created.
                return json_response(copy.deepcopy(self.ocr_batches[str(batch_id)]))
            invoice, warnings = self._import_ocr(body)
            code, message = (RC.WARNING, "; ".join(warnings)) if warnings else (RC.OK, "")
            answer = envelope(1, [{"header": copy.deepcopy(invoice["header"])}], 1, "jiinvoiceList.jiinvoice")
            answer.update(returnCode=code, returnMessage=message)
            if batch_id not in (None, ""):
                answer["batchId"] = batch_id
                self.ocr_batches[str(batch_id)] = copy.deepcopy(answer)
            return json_response(answer)

    def _import_ocr(self, body: dict) -> tuple[dict, list[str]]:
        """§1.9 OCR import validated per §4; stores a Pending / Unmatched / InProcess invoice."""
        root = self._ocr_part(body, "invoiceOcr")
        header_in = self._ocr_part(root, "invoiceOcrHeader")
        if not isinstance(header_in, dict):
            raise BusinessError(RC.MISSING_FIELD, "invoiceOcr.invoiceOcrHeader is required")
        supplier_invoice_number = str(header_in.get("supplierInvoiceNumber") or "").strip()
        if not supplier_invoice_number:
            raise BusinessError(RC.MISSING_FIELD, "supplierInvoiceNumber is required")
        where = f"Invoice {supplier_invoice_number}"
        supplier = self._supplier_by_number(dig(header_in, "supplier.supplierNumber"))
        self._check_duplicate_invoice(supplier, supplier_invoice_number)
        invoice_type = header_in.get("invoiceType") or "Invoice"
        if invoice_type not in INVOICE_TYPES:
            raise BusinessError(RC.INVALID_VALUE, f"{where}: invalid invoiceType {invoice_type!r}")
        business_unit = dig(header_in, "businessUnit.internalName")
        self._check_business_unit(business_unit, where)
        self._check_address_codes(header_in, where)
        try:
            invoice_date = midnight_iso(header_in.get("invoiceDate") or self.clock.now())
        except ValueError:
            raise BusinessError(RC.INVALID_VALUE, f"{where}: invalid invoiceDate") from None
        lines_in = self._ocr_part(self._ocr_part(root, "invoiceOcrLineList"), "invoiceOcrLine")
        if not isinstance(lines_in, list) or not lines_in:
            raise BusinessError(RC.NO_LINES, f"{where}: invoiceOcrLineList has no lines")
        lines, currency, warnings = [], None, []
        for position, line in enumerate(lines_in, start=1):
            if not isinstance(line, dict):
                raise BusinessError(RC.INVALID_VALUE, f"{where}: line {position} is not an object")
            at = f"{where} line {line.get('lineNumber') or position}"
            quantity = number(line.get("quantity"), f"{at} quantity", RC.INVALID_QUANTITY)
            if quantity <= 0:
                raise BusinessError(RC.INVALID_QUANTITY, f"{at}: quantity must be greater than 0")
            price = line.get("unitPrice")
            if not isinstance(price, dict):
                raise BusinessError(RC.MISSING_FIELD, f"{at}: unitPrice {{currency, money}} is required")
            line_currency = self._check_currency(price.get("currency"), at)
            if currency and line_currency != currency:
                raise BusinessError(RC.UNKNOWN_CURRENCY, f"{at}: lines use different currencies")
            currency = line_currency
            item = self._ocr_part(line, "ocrItem") or line.get("item") or {}
            split = line.get("splittableFieldSetGroupList") or {"splittableFieldSetGroup": []}
            self._check_gl(split, at)
            po_number = line.get("poNumber")
            if po_number not in (None, "") and self._po_by_number(po_number) is None:
                warnings.append(f"{at}: PO {po_number} not found, line left unmatched")
            lines.append(
                {
                    "lineNumber": int(line.get("lineNumber") or position),
                    "description": item.get("description", ""),
                    "unitOfMeasure": item.get("unitOfMeasure") or "EA",
                    "catalogNumber": item.get("catalogNumber"),
                    "quantity": quantity,
                    "unitPrice": number(price.get("money"), f"{at} unitPrice.money"),
                    "poNumber": none_or_str(po_number),
                    "poLineNumber": none_or_str(line.get("poLineNumber")),
                    "split": split,
                }
            )
        charges = {key: number(header_in.get(key) or 0, f"{where} {key}") for key in HEADER_CHARGES}
        total = header_in.get("total")
        if isinstance(total, dict) and total.get("value") not in (None, ""):
            expected = invoice_total(lines, charges)
            given = number(total.get("value"), f"{where} total.value")
            if abs(given - expected) > 0.01:
                raise BusinessError(
                    RC.TOTAL_MISMATCH, f"{where}: total.value {given:.2f} != lines and charges {expected:.2f}"
                )
        warning = self._warning_for(supplier["bravoId"])
        if warning:
            warnings.insert(0, warning)
        invoice = self._store_invoice(
            supplier,
            supplier_invoice_number,
            lines,
            invoice_type=invoice_type,
            invoice_date=invoice_date,
            currency=currency,
            charges=charges,
            terms=copy.deepcopy(header_in.get("terms")) or None,
            business_unit=business_unit,
            statuses={"workflowStatus": "Pending", "matchStatus": "Unmatched", "paymentStatus": "InProcess"},
            source="Automated",
            extra={k: copy.deepcopy(header_in[k]) for k in ("billTo", "shipTo", "remitTo") if k in header_in},
        )
        return invoice, warnings

    def _check_duplicate_invoice(self, supplier: dict, supplier_invoice_number: str):
        for invoice in self.invoices.values():
            header = invoice["header"]
            if (
                dig(header, "supplier.id") == supplier["bravoId"]
                and header["supplierInvoiceNumber"] == supplier_invoice_number
            ):
                raise BusinessError(
                    RC.DUPLICATE_INVOICE,
                    f"Duplicate supplierInvoiceNumber '{supplier_invoice_number}' for supplier "
                    f"{supplier.get('extCode')} (invoice {header['invoiceNumber']})",
                )

    def _store_invoice(
        self,
        supplier,
        supplier_invoice_number,
        lines,
        *,
        invoice_type,
        invoice_date,
        currency,
        charges,
        terms,
        business_unit,
        statuses,
        source,
        extra=None,
        invoice_id=None,
        invoice_number=None,
        last_update=None,
        misc_fees=(),
        tax_code=None,
    ) -> dict:
        """Build and keep an invoice in the §1.9 shape from normalised lines."""
        invoice_id = self._next("invoice", invoice_id)
        invoice_number = invoice_number or f"I{self._next('invoice_no'):05d}"
        has_po = any(line["poNumber"] for line in lines)
        has_non_po = any(not line["poNumber"] for line in lines)
        if terms is None:
            terms = {"type": "Net", "days": 0, "daysAfter": 30, "standardPaymentTermsCode": "Net 30"}
        days = terms.get("daysAfter")
        if days is None:
            digits = re.findall(r"\d+", str(terms.get("standardPaymentTermsCode") or ""))
            days = int(digits[0]) if digits else 30
        due_date = iso_ms(parse_iso(invoice_date) + timedelta(days=int(days)))
        descriptions = self._gl_descriptions()
        header = {
            "invoiceId": invoice_id,
            "invoiceNumber": invoice_number,
            "originalInvoiceNumber": invoice_number,
            "supplierInvoiceNumber": supplier_invoice_number,
            "invoiceName": f"{supplier.get('companyName', '')} {supplier_invoice_number}",
            "originalRequestMessageId": str(uuid.uuid4()),
            "invoiceType": invoice_type,
            "invoiceLineType": "PO" if has_po else "Non-PO",
            "invoiceSource": source,
            "invoiceDate": invoice_date,
            "invoiceCreateDate": midnight_iso(self.clock.now()),
            "dueDate": due_date,
            "accountingDate": invoice_date,
            "lastUpdate": last_update or self._now_iso(),
            "supplier": self._supplier_ref(supplier),
            "terms": terms,
            "validationStatus": "Unneeded",
            "workflowStatus": statuses["workflowStatus"],
            "matchStatus": statuses["matchStatus"],
            "paymentStatus": statuses["paymentStatus"],
            "nonPOInvoice": "false" if has_po else "true",
            "containsNonPOLines": "true" if has_po and has_non_po else "false",
            **{key: clean_number(charges.get(key, 0)) for key in HEADER_CHARGES},
            "total": {"currency": currency, "value": round(invoice_total(lines, charges, misc_fees), 2)},
        }
        if misc_fees:
            header["miscFeeList"] = {"miscFee": [dict(fee) for fee in misc_fees]}
        if tax_code:
            header["customFieldValueSetList"] = custom_field_set("TaxCode", tax_code)
        if business_unit:
            header["businessUnit"] = business_unit
        header.update(extra or {})
        matched = statuses["matchStatus"] == "Matched"
        invoice_lines = []
        for line in lines:
            item = {"description": line["description"], "unitOfMeasure": {"dimension": line["unitOfMeasure"]}}
            if line.get("catalogNumber"):
                item["catalogNumber"] = line["catalogNumber"]
            item["productType"] = "NonCatalogItem"
            split = line["split"]
            if not isinstance(split, dict) or "splittableFieldSetGroup" not in split:
                split = splittable(split, descriptions)
            invoice_line = {"lineId": self._next("line"), "lineNumber": line["lineNumber"], "item": item}
            if line["poNumber"]:
                invoice_line.update(poNumber=line["poNumber"], poLineNumber=line["poLineNumber"] or "1")
            invoice_line.update(
                quantity=clean_number(line["quantity"]),
                unitPrice=clean_number(line["unitPrice"]),
                capitalExpense="false",
                taxable="true" if line.get("taxable") else "false",
                isSubstituteItem="false",
                matchStatus=statuses["matchStatus"],
                splittableFieldSetGroupList=split,
            )
            if line.get("taxCode"):
                invoice_line["customFieldValueSetList"] = custom_field_set("TaxCode", line["taxCode"])
            if line["poNumber"]:
                line_match = "Fully Matched" if matched else "Not Matched"
                invoice_line.update(poMatchStatus=line_match, poLineMatchStatus=line_match)
                invoice_line["toleranceStatus"] = "Exact" if matched else "Not Checked"
                invoice_line["receipts"] = {"receipt": []}
            invoice_lines.append(invoice_line)
        invoice = {"header": header, "lineList": {"invoiceLine": invoice_lines}}
        self.invoices[invoice_id] = invoice
        return invoice

    def set_invoice_status(self, invoice_id: int, force: bool = False, **changes) -> dict:
        """Apply ``workflowStatus`` / ``matchStatus`` / ``paymentStatus`` changes (§4 transitions).

        Raises BusinessError (NOT_FOUND, ILLEGAL_TRANSITION); the same value again is a no-op.
        Returns the header.
        """
        unknown = set(changes) - set(INVOICE_TRANSITIONS)
        if unknown:
            raise BusinessError(RC.INVALID_VALUE, f"Unknown status field(s) {sorted(unknown)}")
        if not changes:
            raise BusinessError(RC.MISSING_FIELD, "workflowStatus, matchStatus or paymentStatus is required")
        with self.lock:
            invoice = self.invoices.get(int(invoice_id))
            if invoice is None:
                raise BusinessError(RC.NOT_FOUND, f"Invoice {invoice_id} not found", http_status=404)
            header = invoice["header"]
            after = {key: header[key] for key in INVOICE_TRANSITIONS}
            for key, value in changes.items():
                if value not in INVOICE_TRANSITIONS[key]:
                    raise BusinessError(RC.INVALID_VALUE, f"Unknown {key} {value!r}")
                if value != header[key] and not force and value not in INVOICE_TRANSITIONS[key][header[key]]:
                    raise BusinessError(RC.ILLEGAL_TRANSITION, f"{key} {header[key]} cannot become {value}")
                after[key] = value
            if not force:
                # Rules tied to the transitions actually requested (§1.10 lifecycle).
                non_po = header.get("nonPOInvoice") == "true"
                becomes = {key: value for key, value in after.items() if value != header[key]}
                if becomes.get("paymentStatus") == "Payable" and after["workflowStatus"] != "Completed":
                    raise BusinessError(RC.ILLEGAL_TRANSITION, "an invoice is Payable only once Completed")
                if becomes.get("matchStatus") == "Matched" and non_po:
                    raise BusinessError(RC.ILLEGAL_TRANSITION, "a non-PO invoice cannot be Matched")
                if becomes.get("matchStatus") == "Do Not Match" and not non_po:
                    raise BusinessError(RC.ILLEGAL_TRANSITION, "a PO invoice cannot be Do Not Match")
            if any(header[key] != value for key, value in after.items()):
                header.update(after)
                for line in invoice["lineList"]["invoiceLine"]:
                    line["matchStatus"] = after["matchStatus"]
                self._bump(header)
            return copy.deepcopy(header)

    # ================================================================================
    # contracts (§1.4 S3 wrapper, §2.2 PROPOSED item)
    # ================================================================================
    contract_spec = ListSpec(
        "contracts",
        "contractList.item",
        {
            "contractId": ("contractId", "num"),
            "contractReferenceCode": ("contractReferenceCode", "str"),
            "title": ("title", "str"),
            "deletedStatus": ("deletedStatus", "str"),
            "startDate": ("startDate", "iso"),
            "endDate": ("endDate", "iso"),
            "lastUpdate": ("lastUpdate", "iso"),
            "supplier.bravoId": ("supplier.bravoId", "num"),
            "supplierNumber": ("supplier.supplierNumber", "str"),
            "supplier.supplierNumber": ("supplier.supplierNumber", "str"),
        },
        order=lambda c: (c["lastUpdate"], c["contractId"]),
        custom_fields=custom_field_values,
    )

    @api
    def api_contracts(self, request: Request) -> Response:
        return self._list(request, self.contract_spec, self.contracts.values, lambda c, _: copy.deepcopy(c))

    # ================================================================================
    # Python control API
    # ================================================================================
    def seed(self, data: dict) -> dict:
        """Add data in the wire shapes. Keys (all optional):

        ``clients`` ``{id: secret}`` or ``[{client_id, client_secret}]``; ``suppliers`` company
        info dicts (flat, or under ``companyInfo`` / ``returnCompanyInfo``; ``bravoId``,
        ``lastModTime`` and ``simWarning`` — a returnCode 1 message — are honoured);
        ``custom_fields``; ``gl_values``; ``purchase_orders`` (§2.2 shape, server fields
        honoured); ``invoices`` (``{header, lineList}`` as served, or :meth:`add_invoice`
        keyword dicts); ``contracts``; ``business_units``; ``address_codes``.
        """
        with self.lock:
            clients = data.get("clients") or {}
            if isinstance(clients, list):
                clients = {c["client_id"]: c["client_secret"] for c in clients}
            self.clients.update(clients)
            for field in data.get("custom_fields", []):
                self.custom_fields[field["name"]] = {
                    "name": field["name"],
                    "label": field.get("label", field["name"]),
                    "type": field.get("type", "Splittable"),
                    "context": field.get("context", "Line"),
                    "active": str(field.get("active", "true")).lower(),
                }
            for value in data.get("gl_values", []):
                self.seed_gl_value(**value)
            for info in data.get("suppliers", []):
                self._seed_supplier(info)
            for po in data.get("purchase_orders", []):
                self._seed_po(po)
            for invoice in data.get("invoices", []):
                if "header" in invoice:
                    self._seed_invoice(invoice)
                else:
                    self.add_invoice(**invoice)
            for contract in data.get("contracts", []):
                self._seed_contract(contract)
            if "business_units" in data:
                self.business_units = list(data["business_units"])
            if "address_codes" in data:
                self.address_codes = list(data["address_codes"])
            return {"ok": True, "counts": self.state()["counts"]}

    def seed_gl_value(self, internalName: str, value: str, description: str = "", active="true") -> dict:
        with self.lock:
            if internalName not in self.custom_fields:
                self.custom_fields[internalName] = {
                    "name": internalName,
                    "label": internalName,
                    "type": "Splittable",
                    "context": "Line",
                    "active": "true",
                }
            record = {
                "internalName": internalName,
                "value": str(value),
                "description": description,
                "active": str(active).lower(),
            }
            self.gl_values[(internalName, str(value))] = record
            return dict(record)

    def _seed_supplier(self, info: dict) -> dict:
        info = info.get("companyInfo") or info.get("returnCompanyInfo") or info
        if info.get("bravoId") not in (None, ""):
            bravo_id = self._next("bravo", int(info["bravoId"]))
        else:
            bravo_id = self._next("bravo")
        record = dict.fromkeys(COMPANY_FIELDS, "")
        record.update(type="SELLER", status="ACTIVE")
        record.update({k: str(info[k]) for k in COMPANY_FIELDS if info.get(k) is not None})
        record.update(bravoId=bravo_id, lastModTime=str(info.get("lastModTime") or ""))
        if not record["lastModTime"]:
            self._bump(record, "lastModTime", compact=True)
        self.suppliers[bravo_id] = record
        if info.get("simWarning"):
            self.supplier_warnings[bravo_id] = str(info["simWarning"])
        return record

    def _seed_po(self, po: dict) -> dict:
        po = copy.deepcopy(po)
        if "poNumber" not in po:
            raise ValueError("a seeded purchase order needs a poNumber (empty only on purpose)")
        po.setdefault("lineList", {"poLine": []})
        po["poId"] = self._next("po", int(po["poId"])) if po.get("poId") else self._next("po")
        po.setdefault("revisionNumber", 0)
        po.setdefault("status", "Approved")
        po.setdefault("orderDate", self._now_iso())
        po.setdefault("lastUpdate", self._now_iso())
        number_ = dig(po, "supplier.supplierNumber")
        known = next((s for s in self.suppliers.values() if number_ and s.get("extCode") == number_), None)
        if known:
            po["supplier"] = self._supplier_ref(known)
        for position, line in enumerate(dig(po, "lineList.poLine") or [], start=1):
            if not isinstance(line, dict):
                continue  # odd records are seeded as they are (malformed-input tests)
            line["lineNumber"] = str(line.get("lineNumber") or position)
            line.setdefault("splittableFieldSetGroupList", {"splittableFieldSetGroup": []})
            line.setdefault("quantityReceived", 0)
            line.setdefault("status", self._line_status(po["status"], line))
        po = self._ordered_po(po)
        self.purchase_orders[po["poId"]] = po
        self.po_ids_by_number[str(po["poNumber"])] = po["poId"]
        return po

    def _seed_invoice(self, invoice: dict) -> dict:
        invoice = copy.deepcopy(invoice)
        header = invoice["header"]
        header["invoiceId"] = self._next("invoice", header.get("invoiceId"))
        header.setdefault("invoiceNumber", f"I{self._next('invoice_no'):05d}")
        header.setdefault("lastUpdate", self._now_iso())
        for key, default in (("workflowStatus", "Pending"), ("matchStatus", "Unmatched")):
            header.setdefault(key, default)
        header.setdefault("paymentStatus", "InProcess")
        supplier_number = dig(header, "supplier.supplierNumber")
        known = next((s for s in self.suppliers.values() if s.get("extCode") == supplier_number), None)
        if known and not dig(header, "supplier.id"):
            header["supplier"] = {**self._supplier_ref(known), **header.get("supplier", {})}
        invoice.setdefault("lineList", {"invoiceLine": []})
        for line in invoice["lineList"].get("invoiceLine", []):
            if isinstance(line, dict):  # odd records are seeded as they are (malformed-input tests)
                line.setdefault("lineId", self._next("line"))
        self.invoices[header["invoiceId"]] = invoice
        return invoice

    def _seed_contract(self, contract: dict) -> dict:
        contract = copy.deepcopy(contract)
        if contract.get("contractId"):
            contract["contractId"] = self._next("contract", int(contract["contractId"]))
        else:
            contract["contractId"] = self._next("contract")
        contract.setdefault("deletedStatus", "NOT-DELETED")
        contract.setdefault("lastUpdate", self._now_iso())
        self.contracts[contract["contractId"]] = contract
        return contract

    def add_invoice(
        self,
        supplier_number: str,
        supplier_invoice_number: str,
        lines: list[dict],
        *,
        invoice_type: str = "Invoice",
        invoice_date=None,
        currency: str = "USD",
        tax: float = 0.0,
        shipping: float = 0.0,
        handling: float = 0.0,
        discount: float = 0.0,
        misc_fees: list | None = None,
        tax_code: str | None = None,
        terms_days: int = 30,
        workflow_status: str = "Completed",
        match_status: str | None = None,
        payment_status: str = "Payable",
        business_unit: str | None = None,
        source: str = "Manual",
        invoice_id: int | None = None,
        invoice_number: str | None = None,
        last_update: str | None = None,
    ) -> dict:
        """Create an invoice as if keyed in JAGGAER; returns ``{header, lineList}``.

        ``lines``: ``[{po_number, po_line_number, quantity, unit_price, description, account,
        cost_center, unit_of_measure="EA", catalog_number=None, taxable=False, tax_code=None}]``
        (PO fields optional). ``tax`` is the tax the supplier states (taxCharge1), ``tax_code`` the
        header's TaxCode custom field; ``shipping``, ``handling``, ``discount`` and ``misc_fees``
        (``[{name, fee}]``) are header charges.
        ``match_status`` defaults to Matched for PO invoices, Do Not Match otherwise.
        Raises ValueError for an unknown supplier or GL value, or a duplicate invoice number.
        """
        try:
            with self.lock:
                supplier = self._supplier_by_number(supplier_number)
                self._check_duplicate_invoice(supplier, supplier_invoice_number)
                normalised = []
                for position, line in enumerate(lines, start=1):
                    segments = {}
                    if line.get("account"):
                        segments["Account"] = str(line["account"])
                    if line.get("cost_center"):
                        segments["CostCenter"] = str(line["cost_center"])
                    self._check_gl(splittable(segments), f"line {position}")
                    normalised.append(
                        {
                            "lineNumber": int(line.get("line_number", position)),
                            "description": line.get("description", ""),
                            "unitOfMeasure": line.get("unit_of_measure", "EA"),
                            "catalogNumber": line.get("catalog_number"),
                            "quantity": float(line["quantity"]),
                            "unitPrice": float(line["unit_price"]),
                            "poNumber": line.get("po_number"),
                            "poLineNumber": none_or_str(line.get("po_line_number")),
                            "split": segments,
                            "taxable": bool(line.get("taxable")),
                            "taxCode": line.get("tax_code"),
                        }
                    )
                has_po = any(line["poNumber"] for line in normalised)
                statuses = {
                    "workflowStatus": workflow_status,
                    "matchStatus": match_status or ("Matched" if has_po else "Do Not Match"),
                    "paymentStatus": payment_status,
                }
                terms = {
                    "type": "Net",
                    "days": 0,
                    "daysAfter": terms_days,
                    "standardPaymentTermsCode": f"Net {terms_days}",
                }
                invoice = self._store_invoice(
                    supplier,
                    supplier_invoice_number,
                    normalised,
                    invoice_type=invoice_type,
                    invoice_date=midnight_iso(invoice_date or self.clock.now()),
                    currency=currency,
                    charges={
                        "taxCharge1": tax,
                        "shippingCharge": shipping,
                        "handlingCharge": handling,
                        "discountAmount": discount,
                    },
                    misc_fees=[{"name": fee["name"], "fee": float(fee["fee"])} for fee in misc_fees or []],
                    tax_code=tax_code,
                    terms=terms,
                    business_unit=business_unit,
                    statuses=statuses,
                    source=source,
                    invoice_id=invoice_id,
                    invoice_number=invoice_number,
                    last_update=last_update,
                )
                return copy.deepcopy(invoice)
        except BusinessError as exc:
            raise ValueError(exc.message) from None

    def set_po_status(self, po_number: str, status: str, force: bool = False) -> dict:
        """Move a PO through the §2.2 lifecycle; ``force`` skips the transition rules.

        Raises KeyError (unknown PO) or ValueError (illegal transition). Returns the PO.
        """
        with self.lock:
            po = self._po_by_number(po_number)
            if po is None:
                raise KeyError(f"unknown PO {po_number}")
            try:
                self._change_po_status(po, status, force=force)
            except BusinessError as exc:
                raise ValueError(exc.message) from None
            return copy.deepcopy(po)

    def edit_po(self, po_number: str, quantities: dict) -> dict:
        """A JAGGAER buyer changes the quantities ``{line_number: quantity}`` of an order: a new
        revision (§2.2). Raises KeyError (unknown PO) or ValueError (a frozen order, less than received)."""
        with self.lock:
            po = self._po_by_number(po_number)
            if po is None:
                raise KeyError(f"unknown PO {po_number}")
            kept = ("lineList", "total", *OPTIONAL_PO_KEYS)
            content = copy.deepcopy({key: po[key] for key in kept if key in po})
            for line in content["lineList"]["poLine"]:
                if line["lineNumber"] in quantities:
                    line["quantity"] = clean_number(quantities[line["lineNumber"]])
            content["total"]["value"] = clean_number(
                round(
                    sum(
                        line["quantity"] * line["unitPrice"]["value"]
                        for line in content["lineList"]["poLine"]
                    ),
                    2,
                )
            )
            try:
                self._update_po(po, content)
            except BusinessError as exc:
                raise ValueError(exc.message) from None
            return copy.deepcopy(po)

    def receive(self, po_number: str, quantities: dict) -> dict:
        """Record receipts ``{line_number: quantity}``; the PO becomes Partially Received or Received."""
        with self.lock:
            po = self._po_by_number(po_number)
            if po is None:
                raise KeyError(f"unknown PO {po_number}")
            if po["status"] not in PO_RECEIVABLE:
                raise ValueError(f"PO {po_number} is {po['status']}: nothing can be received")
            lines = {line["lineNumber"]: line for line in po["lineList"]["poLine"]}
            for line_number, quantity in quantities.items():
                line = lines.get(str(line_number))
                if line is None:
                    raise ValueError(f"PO {po_number} has no line {line_number}")
                if float(quantity) <= 0:
                    raise ValueError(f"PO {po_number} line {line_number}: quantity must be positive")
                if line["quantityReceived"] + float(quantity) > line["quantity"] + 1e-9:
                    raise ValueError(f"PO {po_number} line {line_number}: more than ordered")
            for line_number, quantity in quantities.items():
                line = lines[str(line_number)]
                line["quantityReceived"] = clean_number(line["quantityReceived"] + float(quantity))
            complete = all(line["quantityReceived"] >= line["quantity"] for line in lines.values())
            self._set_po_status(po, "Received" if complete else "Partially Received")
            return copy.deepcopy(po)

    def update_supplier(self, bravo_id: int, **fields) -> dict:
        """Edit a company profile as a JAGGAER user would (bumps ``lastModTime`` on change)."""
        try:
            self.upsert_company({"operationCode": "UPDATE", "companyInfo": {"bravoId": bravo_id, **fields}})
        except BusinessError as exc:
            raise ValueError(exc.message) from None
        return self.get_supplier(bravo_id)

    def get_supplier(self, bravo_id: int) -> dict:
        with self.lock:
            return self._render_supplier(self.suppliers[int(bravo_id)])["returnCompanyInfo"]

    def get_po(self, po_number: str) -> dict | None:
        with self.lock:
            po = self._po_by_number(po_number)
            return copy.deepcopy(po) if po else None

    def get_invoice(self, invoice_id: int) -> dict | None:
        with self.lock:
            invoice = self.invoices.get(int(invoice_id))
            return copy.deepcopy(invoice) if invoice else None

    def state(self) -> dict:
        with self.lock:
            return {
                "now": self._now_iso(),
                "tokens_issued": self.tokens.issued_count,
                "import_counts": dict(self.import_counts),
                "counts": {
                    "suppliers": len(self.suppliers),
                    "gl_values": len(self.gl_values),
                    "purchase_orders": len(self.purchase_orders),
                    "invoices": len(self.invoices),
                    "contracts": len(self.contracts),
                    "ocr_batches": len(self.ocr_batches),
                },
                "suppliers": [
                    {k: s.get(k) for k in ("bravoId", "companyName", "extCode", "extUniqueCode", "status")}
                    | {"lastModTime": s["lastModTime"]}
                    for s in sorted(self.suppliers.values(), key=lambda s: s["bravoId"])
                ],
                "purchase_orders": [
                    {
                        "poId": po["poId"],
                        "poNumber": po["poNumber"],
                        "status": po["status"],
                        "revisionNumber": po["revisionNumber"],
                        "total": dig(po, "total.value"),
                        "lastUpdate": po["lastUpdate"],
                    }
                    for po in sorted(self.purchase_orders.values(), key=lambda po: po["poId"])
                ],
                "invoices": [
                    {
                        key: inv["header"].get(key)
                        for key in (
                            "invoiceId",
                            "invoiceNumber",
                            "supplierInvoiceNumber",
                            "workflowStatus",
                            "matchStatus",
                            "paymentStatus",
                            "lastUpdate",
                        )
                    }
                    | {"supplierNumber": dig(inv, "header.supplier.supplierNumber")}
                    for inv in sorted(self.invoices.values(), key=lambda inv: inv["header"]["invoiceId"])
                ],
                "gl_values": {
                    name: sorted(v for (segment, v) in self.gl_values if segment == name)
                    for name in sorted(self.custom_fields)
                },
            }

    # ================================================================================
    # HTTP control routes (/_sim/jaggaer/...), for an out-of-process Odoo
    # ================================================================================
    @control
    def _control_po(self, request, po_number):
        po = self.get_po(po_number)
        if po is None:
            raise KeyError(f"unknown PO {po_number}")
        return po

    @control
    def _control_po_status(self, request, po_number):
        body = self._json(request)
        return self.set_po_status(po_number, body["status"], force=bool(body.get("force")))

    @control
    def _control_receive(self, request, po_number):
        return self.receive(po_number, self._json(request).get("lines") or {})

    @control
    def _control_add_invoice(self, request):
        return self.add_invoice(**self._json(request))

    @control
    def _control_invoice_status(self, request, invoice_id):
        body = self._json(request)
        force = bool(body.pop("force", False))
        return self.set_invoice_status(invoice_id, force=force, **body)

    @control
    def _control_supplier(self, request):
        """Body ``{bravoId, ...fields}``: edit a company as a JAGGAER user would."""
        body = self._json(request)
        return self.update_supplier(body.pop("bravoId"), **body)

    @control
    def _control_demo_seed(self, request):
        return demo_seed(self)

    @control
    def _control_jde_demo_seed(self, request):
        return jde_demo_seed(self)


def invoice_total(lines: list[dict], charges: dict, misc_fees=()) -> float:
    """Lines plus header charges and misc fees, minus the discount (§1.9 amounts)."""
    total = sum(line["quantity"] * line["unitPrice"] for line in lines)
    total += sum(charges.get(key, 0) for key in HEADER_CHARGES if key != "discountAmount")
    total += sum(fee["fee"] for fee in misc_fees)
    return total - charges.get("discountAmount", 0)


def custom_field_set(name, value):
    """§1.12 ``customFieldValueSetList`` holding one value of custom field ``name``."""
    return {
        "customFieldValueSet": [
            {"name": name, "label": name, "customFieldValueList": {"customFieldValue": [{"value": value}]}}
        ]
    }


# ========================================================================================
# demo data
# ========================================================================================
# bravoId, companyName, extCode, DUNS, isoCountry, city, zip, province, address, bizEmail
DEMO_SUPPLIER_ROWS = [
    (3901, "LAB SUPPLY INC", "006105", "123456789", "US", "Raleigh", "27601", "NC", "1 Main St",
     "orders@labsupply.example"),
    (3902, "Northwind Lab Services GmbH", "", "314159265", "DE", "Hamburg", "20095", "", "Speicherstadt 12",
     "sales@northwind-lab.example"),
    (3903, "Acme Lab Equipment, Inc.", "", "", "US", "Austin", "78701", "TX", "500 Congress Ave",
     "info@acme-lab.example"),
    (3904, "Helix Reagents Ltd", "", "", "GB", "Cambridge", "CB2 1TN", "", "7 Science Park",
     "orders@helix-reagents.example"),
    (3905, "Lab Supplies Incorporated", "", "", "US", "Durham", "27701", "NC", "200 Market St",
     "hello@labsupplies-inc.example"),
]  # fmt: skip
DEMO_SUPPLIERS = [
    {
        "bravoId": bravo,
        "companyName": name,
        "extCode": ext_code,
        "extUniqueCode": duns,
        "dAndBCode": duns,
        "type": "SELLER",
        "isoCountry": country,
        "city": city,
        "zip": zip_code,
        "province": province,
        "address": address,
        "bizEmail": email,
    }
    for bravo, name, ext_code, duns, country, city, zip_code, province, address, email in DEMO_SUPPLIER_ROWS
]
# The main demo supplier has a super user, so comp=USER has something to show.
DEMO_SUPPLIERS[0].update(
    userName="Dana", userSurName="Reed", userEmail="dana.reed@labsupply.example", userAlias="dreed-labsupply"
)

DEMO_CONTRACTS = [
    {
        "contractId": 7001,
        "contractReferenceCode": "CTR-2024-001",
        "title": "Laboratory consumables framework",
        "supplier": {"bravoId": 3901, "supplierNumber": "006105"},
        "startDate": "2024-01-01T00:00:00.000Z",
        "endDate": "2026-12-31T00:00:00.000Z",
        "deletedStatus": "NOT-DELETED",
        "value": {"currency": "USD", "value": 50000.0},
    },
    {
        "contractId": 7002,
        "contractReferenceCode": "CTR-2024-002",
        "title": "Analytical services",
        "supplier": {"bravoId": 3902, "supplierNumber": ""},
        "startDate": "2024-03-01T00:00:00.000Z",
        "endDate": "2025-02-28T00:00:00.000Z",
        "deletedStatus": "NOT-DELETED",
        "value": {"currency": "EUR", "value": 12000.0},
    },
]


def demo_seed(sim: JaggaerSimulator) -> dict:
    """Small coherent dataset for the product demo. Idempotent on a fresh or reset simulator.

    Suppliers (company profiles, all ``type`` SELLER, ``status`` ACTIVE):

    ======  ==============================  ========  =========  ===============================
    bravoId companyName                     extCode   DUNS       matching intent in Odoo
    ======  ==============================  ========  =========  ===============================
    3901    LAB SUPPLY INC                  006105    123456789  vendor "Lab Supply Inc", ref 006105
    3902    Northwind Lab Services GmbH     (empty)   314159265  vendor "Northwind Scientific",
                                                                 no ref, DUNS 314159265 (DUNS only)
    3903    Acme Lab Equipment, Inc.        (empty)   (empty)    vendor "ACME Lab Equipment"
                                                                 (punctuation / legal suffix only)
    3904    Helix Reagents Ltd              (empty)   (empty)    none: exists only in JAGGAER
    3905    Lab Supplies Incorporated       (empty)   (empty)    near duplicate of "Lab Supply Inc":
                                                                 should go to review
    ======  ==============================  ========  =========  ===============================

    DUNS is in both ``extUniqueCode`` and ``dAndBCode``; invoices show it as ``supplier.duns``.

    GL segments (splittable custom fields): Account 600000 Purchases, 610000 Laboratory
    supplies, 620000 Freight; CostCenter CC-100 Operations, CC-200 Laboratory.

    Invoices (supplier 006105 / bravoId 3901, USD, Net 30, invoice dates relative to today):

    =========  =============  ==============  ===========================================  ======
    invoiceId  invoiceNumber  supplierInvNo   lines (poNumber / poLineNumber, qty x price,   total
                                              Account / CostCenter)
    =========  =============  ==============  ===========================================  ======
    5100231    I00101         LS-88120        PO-DEMO-0001/1 "Nitrile gloves, box of 100"  305.00
                                              10 x 12.50, 610000/CC-200; PO-DEMO-0001/2
                                              "Pipette tips 200 ul, rack of 96" 4 x 45.00,
                                              610000/CC-200. Completed/Matched/Payable
    5100232    I00102         LS-88121        PO-DEMO-0002/1 "Centrifuge rotor 24 x 2 ml"  705.00
                                              2 x 310.00, 600000/CC-100; PO-DEMO-0002/2
                                              "Freight" 1 x 85.00, 620000/CC-100.
                                              Completed/Matched/Payable
    5100233    I00103         LS-88122        PO-DEMO-0001/1 "Nitrile gloves, box of 100"   62.50
                                              5 x 12.50, 610000/CC-200.
                                              Pending/Unmatched/InProcess (not yet payable)
    =========  =============  ==============  ===========================================  ======

    The Odoo demo POs that match: PO-DEMO-0001 for vendor ref 006105 with line 1 "Nitrile gloves,
    box of 100" 15 x 12.50 and line 2 "Pipette tips 200 ul, rack of 96" 4 x 45.00 (total
    367.50); PO-DEMO-0002 for vendor ref 006105 with line 1 "Centrifuge rotor 24 x 2 ml"
    2 x 310.00 and line 2 "Freight" 1 x 85.00 (total 705.00).

    Contracts: 7001 CTR-2024-001 (3901) and 7002 CTR-2024-002 (3902).

    :func:`demo_seed_full` adds what the later flows of the demo need.
    """
    today = sim.clock.now().date()
    gloves = "Nitrile gloves, box of 100"
    sim.seed(
        {
            "suppliers": [s for s in DEMO_SUPPLIERS if s["bravoId"] not in sim.suppliers],
            "gl_values": DEFAULT_GL_VALUES,
            "contracts": [c for c in DEMO_CONTRACTS if c["contractId"] not in sim.contracts],
        }
    )

    def line(po_number, po_line, description, quantity, unit_price, account, cost_center):
        return {
            "po_number": po_number,
            "po_line_number": po_line,
            "description": description,
            "quantity": quantity,
            "unit_price": unit_price,
            "account": account,
            "cost_center": cost_center,
        }

    tips, rotor = "Pipette tips 200 ul, rack of 96", "Centrifuge rotor 24 x 2 ml"
    demo_invoices = [
        {
            "invoice_id": 5100231,
            "invoice_number": "I00101",
            "supplier_invoice_number": "LS-88120",
            "invoice_date": today - timedelta(days=5),
            "lines": [
                line("PO-DEMO-0001", "1", gloves, 10, 12.50, "610000", "CC-200"),
                line("PO-DEMO-0001", "2", tips, 4, 45.00, "610000", "CC-200"),
            ],
        },
        {
            "invoice_id": 5100232,
            "invoice_number": "I00102",
            "supplier_invoice_number": "LS-88121",
            "invoice_date": today - timedelta(days=3),
            "lines": [
                line("PO-DEMO-0002", "1", rotor, 2, 310.00, "600000", "CC-100"),
                line("PO-DEMO-0002", "2", "Freight", 1, 85.00, "620000", "CC-100"),
            ],
        },
        {
            "invoice_id": 5100233,
            "invoice_number": "I00103",
            "supplier_invoice_number": "LS-88122",
            "invoice_date": today - timedelta(days=1),
            "workflow_status": "Pending",
            "match_status": "Unmatched",
            "payment_status": "InProcess",
            "lines": [line("PO-DEMO-0001", "1", gloves, 5, 12.50, "610000", "CC-200")],
        },
    ]
    for invoice in demo_invoices:
        if invoice["invoice_id"] not in sim.invoices:
            sim.add_invoice(supplier_number="006105", **invoice)
    return {"ok": True, "counts": sim.state()["counts"]}


def demo_seed_full(sim: JaggaerSimulator) -> dict:
    """:func:`demo_seed` plus what the later flows of the demo need. Idempotent.

    * invoice 5100230 I00100 LS-88001 (006105, non-PO "Annual calibration service" 1 x 240.00,
      600000/CC-100, Completed/Do Not Match/Payable, 40 days old): Odoo already has it as a paid
      bill, so the first run tells JAGGAER it is Paid;
    * purchase order 880100 P0007001, created in JAGGAER by a buyer (requestor jdoe, Approved):
      Lab Supply, line 1 catalogNumber LAB-GLV-100 "Nitrile gloves, box of 100" 20 x 12.50,
      610000/CC-200; it becomes a draft purchase order in Odoo.
    """
    demo_seed(sim)
    if 5100230 not in sim.invoices:
        sim.add_invoice(
            "006105",
            "LS-88001",
            [
                {
                    "description": "Annual calibration service",
                    "quantity": 1,
                    "unit_price": 240.0,
                    "account": "600000",
                    "cost_center": "CC-100",
                }
            ],
            invoice_id=5100230,
            invoice_number="I00100",
            invoice_date=sim.clock.now().date() - timedelta(days=40),
        )
    if DEMO_JAGGAER_PO["poId"] not in sim.purchase_orders:
        sim.seed({"purchase_orders": [DEMO_JAGGAER_PO]})
    return {"ok": True, "counts": sim.state()["counts"]}


# A purchase order a buyer created in JAGGAER (no ERP sent it)
DEMO_JAGGAER_PO = {
    "poId": 880100,
    "poNumber": "P0007001",
    "status": "Approved",
    "supplier": {"supplierNumber": "006105"},
    "requestor": {"username": "jdoe"},
    "total": {"currency": "USD", "value": 250.0},
    "lineList": {
        "poLine": [
            {
                "lineNumber": "1",
                "item": {
                    "catalogNumber": "LAB-GLV-100",
                    "description": "Nitrile gloves, box of 100",
                    "unitOfMeasure": "EA",
                },
                "quantity": 20,
                "unitPrice": {"currency": "USD", "value": 12.5},
                "splittableFieldSetGroupList": splittable({"Account": "610000", "CostCenter": "CC-200"}),
            }
        ]
    },
}


# ========================================================================================
# the JAGGAER tenant of the JD Edwards demo manufacturer (tests/simulators/jde.py::demo_seed)
# ========================================================================================
JDE_DEMO_CLIENT = ("plants-client", "plants-secret")
# bravoId, companyName, extCode, DUNS, fiscalCode, isoCountry, city: how each meets a JD Edwards supplier
JDE_DEMO_SUPPLIER_ROWS = [
    (3951, "LAB SUPPLY INC", "SUP-0391", "123456789", "", "US", "Raleigh"),  # AN8 6105, by DUNS
    (3952, "Midwest Steel Service Center", "4410", "", "", "US", "Gary"),  # AN8 4410, by number
    (3953, "Northwind Lab Services", "SUP-0393", "", "DE811234567", "DE", "Hamburg"),  # AN8 4343, by VAT
    (3954, "Great Lakes Freight, LLC", "SUP-0394", "", "", "US", "Toledo"),  # AN8 4430, by name
    (3955, "Helix Reagents Ltd", "SUP-0395", "", "", "GB", "Cambridge"),  # JAGGAER only
]
JDE_DEMO_GL_VALUES = [
    ("Account", "6110", "Direct Materials"),
    ("Account", "6120", "Laboratory Supplies"),
    ("Account", "6310", "Freight In"),
    ("Account", "6400", "Maintenance and Repairs"),  # JAGGAER only
    ("CostCenter", "CC-DET", "Detroit Assembly"),
    ("CostCenter", "CC-TOL", "Toledo Machining"),
    ("CostCenter", "CC-CLE", "Cleveland Finishing"),
]
# invoiceId, supplier number, supplier invoice number, days ago, statuses, lines
# [(poNumber, poLineNumber, description, quantity, unit price, Account, CostCenter)]
JDE_DEMO_INVOICES = [
    (5200301, "SUP-0391", "LS-90117", 3, "payable", [
        ("10230-OP", "1", "Nitrile gloves, box of 100", 40, 12.50, "6120", "CC-CLE"),
        ("10230-OP", "2", "Pipette tips 200 ul, rack of 96", 10, 45.00, "6120", "CC-CLE"),
    ]),
    (5200302, "4410", "MSS-23001", 2, "payable", [
        ("10231-OP", "1", "Steel bar 1045, 25 mm x 3 m", 120, 38.75, "6110", "CC-TOL"),
    ]),
    (5200303, "SUP-0394", "GLF-10571", 1, "payable", [
        ("10234-OP", "1", "LTL freight Toledo - Detroit", 6, 310.00, "6310", "CC-TOL"),
        ("10234-OP", "2", "Fuel surcharge", 6, 42.50, "6310", "CC-TOL"),
    ]),
    # the same supplier invoice number as JD Edwards voucher 40101, keyed by hand long ago
    (5200304, "SUP-0391", "LS-87990", 30, "payable", [
        ("10230-OP", "1", "Nitrile gloves, box of 100", 50, 12.50, "6120", "CC-CLE"),
    ]),
    (5200305, "SUP-0391", "LS-90118", 0, "pending", [
        ("10230-OP", "1", "Nitrile gloves, box of 100", 5, 12.50, "6120", "CC-CLE"),
    ]),
]  # fmt: skip


def jde_demo_seed(sim: JaggaerSimulator) -> dict:
    """The JAGGAER tenant of the JD Edwards demo (the manufacturer of ``jde.demo_seed``): a client
    of its own, suppliers that meet JD Edwards ones by each rung of the supplier lookup, GL values
    for its plants, and supplier invoices billing its purchase orders. Idempotent.

    ======  ============================  ========  =========  ===========  ==========================
    bravoId companyName                   extCode   DUNS       fiscalCode   JD Edwards supplier (AN8)
    ======  ============================  ========  =========  ===========  ==========================
    3951    LAB SUPPLY INC                SUP-0391  123456789               6105, by DUNS
    3952    Midwest Steel Service Center  4410                              4410, by supplier number
    3953    Northwind Lab Services        SUP-0393             DE811234567  4343, by VAT
    3954    Great Lakes Freight, LLC      SUP-0394                          4430, by normalised name
    3955    Helix Reagents Ltd            SUP-0395                          none (JAGGAER only)
    ======  ============================  ========  =========  ===========  ==========================

    JD Edwards suppliers 4350 ACME and 4420 Precision Bearings are not in JAGGAER: the supplier
    flow creates them. GL segments: Account 6110, 6120, 6310 (the JD Edwards object accounts, so
    mapped by code) and 6400 (JAGGAER only); CostCenter CC-DET, CC-TOL, CC-CLE (the plants M10,
    M20, M30 under other codes: mapped by hand).

    Invoices (USD, bill the JD Edwards orders numbered ``<DOCO>-<DCTO>`` in JAGGAER):
    5200301 LS-90117 (10230-OP, 950.00), 5200302 MSS-23001 (10231-OP, 4650.00), 5200303 GLF-10571
    (10234-OP, 2115.00), 5200304 LS-87990 (625.00, already JD Edwards voucher 40101), 5200305
    LS-90118 (pending approval: not payable yet).
    """
    client_id, secret = JDE_DEMO_CLIENT
    today = sim.clock.now().date()
    sim.seed(
        {
            "clients": {client_id: secret},
            "suppliers": [
                {
                    "bravoId": bravo,
                    "companyName": name,
                    "extCode": number,
                    "extUniqueCode": duns,
                    "dAndBCode": duns,
                    "fiscalCode": vat,
                    "type": "SELLER",
                    "isoCountry": country,
                    "city": city,
                }
                for bravo, name, number, duns, vat, country, city in JDE_DEMO_SUPPLIER_ROWS
                if bravo not in sim.suppliers
            ],
            "gl_values": [
                {"internalName": segment, "value": value, "description": description}
                for segment, value, description in JDE_DEMO_GL_VALUES
            ],
        }
    )
    statuses = {
        "payable": {"workflow_status": "Completed", "payment_status": "Payable"},
        "pending": {"workflow_status": "Pending", "match_status": "Unmatched", "payment_status": "InProcess"},
    }
    for invoice_id, supplier, number, days, status, lines in JDE_DEMO_INVOICES:
        if invoice_id in sim.invoices:
            continue
        sim.add_invoice(
            supplier_number=supplier,
            supplier_invoice_number=number,
            invoice_id=invoice_id,
            invoice_date=today - timedelta(days=days),
            lines=[
                {
                    "po_number": po,
                    "po_line_number": po_line,
                    "description": description,
                    "quantity": quantity,
                    "unit_price": price,
                    "account": account,
                    "cost_center": cost_center,
                }
                for po, po_line, description, quantity, price, account, cost_center in lines
            ],
            **statuses[status],
        )
    return {"ok": True, "counts": sim.state()["counts"]}
