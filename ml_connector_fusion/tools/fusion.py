"""Oracle Fusion Cloud ERP REST wire conventions, without the ORM.

Everything here follows ``fusion-api.md``: OAuth2 client credentials at the pod's identity
domain (§3), ADF REST collections read by ``limit``/``offset``/``hasMore`` with ``q``,
``fields``, ``expand`` and ``orderBy`` (§4), children reached only through the links the pod
returns (``…UniqID`` keys are opaque, §4.3), writes with ``Upsert-Mode`` (§6, §7), error bodies
as plain text or JSON ``o:errorDetails`` depending on the REST framework version (§8), a 504
after five minutes answered by reading smaller date windows (§9), amounts as ``Decimal`` (§10).

Every choice a tenant can make (§12) comes from a :class:`FusionConfig`. A
:class:`FusionClient` wraps any ``tools.http.HttpClient`` (timeouts, retries, token), so a flow
between two remote systems (Fusion to JAGGAER) uses it with no Odoo record.
"""

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo.addons.ml_connector.tools.auth import OAuth2ClientCredentials
from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConfigurationError,
    OutcomeUnknownError,
    PermanentError,
    RemoteBusinessError,
    TransientError,
)
from odoo.addons.ml_connector.tools.http import IDEMPOTENT_METHODS, safe_url
from odoo.addons.ml_connector.tools.redact import redact_text

API_VERSION = "11.13.18.05"
TRUST_SCOPE = "urn:opc:resource:consumer::all"
MAX_PAGE_SIZE = 500  # §9: rows per GET and records per batch
ITEM_TYPE = "application/vnd.oracle.adf.resourceitem+json"
ACTION_TYPE = "application/vnd.oracle.adf.action+json"
BATCH_TYPE = "application/vnd.oracle.adf.batch+json"
# Refusals read here rather than by HttpClient, so that the full body gives the detail.
CLIENT_ERRORS = frozenset({400, 404, 405, 406, 409, 410, 412, 415, 422})
SUCCESS = frozenset(range(200, 300))

# Entities (the connector's names) -> resource path under the API root (§5, §6).
DEFAULT_RESOURCES = {
    "purchase_orders": "purchaseOrders",
    "invoices": "invoices",
    "suppliers": "suppliers",
    "account_combinations": "accountCombinationsLOV",
    "value_sets": "valueSets",
    "acknowledgments": "purchaseOrderAcknowledgments",
    "receipt_requests": "receivingReceiptRequests",
}
DEFAULT_KEYS = {
    "purchase_orders": "POHeaderId",
    "invoices": "InvoiceId",
    "suppliers": "SupplierId",
    "account_combinations": "CodeCombinationId",
    "value_sets": "ValueSetId",
    "acknowledgments": "POHeaderId",
    "receipt_requests": "HeaderInterfaceId",
}
# §1 F1: ask only for what a flow needs (wide rows make queries run into the 504).
DEFAULT_FIELDS = {
    "purchase_orders": "POHeaderId,OrderNumber,ProcurementBU,Supplier,SupplierId,SupplierSite,CurrencyCode,"
    "Total,DocumentStatusCode,LastUpdateDate",
    "invoices": "InvoiceId,InvoiceNumber,InvoiceCurrency,InvoiceAmount,InvoiceDate,BusinessUnit,Supplier,"
    "SupplierNumber,SupplierSite,ValidationStatus,PaidStatus,LastUpdateDate",
    "suppliers": "SupplierId,SupplierNumber,Supplier,Status,TaxpayerId,DUNSNumber,LastUpdateDate",
    "account_combinations": "CodeCombinationId,ChartOfAccountsId,Segment1,Segment2,Segment3,Segment4,"
    "Segment5,EnabledFlag,LastUpdateDate",
}
LITERAL_FORMATS = [
    ("iso_offset_ms", "ISO 8601, milliseconds and offset (2024-05-01T00:00:00.000+00:00)"),
    ("iso_z_ms", "ISO 8601 UTC, milliseconds and Z (2024-05-01T00:00:00.000Z)"),
    ("iso_offset", "ISO 8601, seconds and offset (2024-05-01T00:00:00+00:00)"),
    ("local_ms", "Wall time in the time zone, no offset (2024-05-01T00:00:00.000)"),
    ("date", "Date only (2024-05-01)"),
]
MS_FORMATS = frozenset({"iso_offset_ms", "iso_z_ms", "local_ms"})
ACKNOWLEDGMENT_MODES = ("acknowledgments", "action")

# The privilege each resource needs and a job role that usually carries it, for the message
# of a 403. Tenants name their custom roles freely: the admin reads this as a hint.
DEFAULT_PRIVILEGES = {
    "purchaseOrders": {"read": ("View Purchase Order", "Buyer")},
    "purchaseOrderAcknowledgments": {"read": ("Acknowledge Purchase Order", "Buyer")},
    "invoices": {
        "read": ("View Payables Invoice", "Accounts Payable Specialist"),
        "write": ("Manage Payables Invoice", "Accounts Payable Specialist"),
    },
    "suppliers": {
        "read": ("View Supplier", "Supplier Administrator"),
        "write": ("Maintain Supplier", "Supplier Administrator"),
    },
    "receivingReceiptRequests": {
        "read": ("View Receipt Request", "Receiving Agent"),
        "write": ("Create Receipt Request", "Receiving Agent"),
    },
    "accountCombinationsLOV": {"read": ("View Account Combination", "General Accountant")},
    "valueSets": {
        "read": ("View Value Set", "General Accountant"),
        "write": ("Manage Value Set", "General Accountant"),
    },
    "action:acknowledge": {"write": ("Acknowledge Purchase Order", "Buyer")},
    "action:validateInvoice": {"write": ("Manage Payables Invoice", "Accounts Payable Specialist")},
}

_FRACTION = re.compile(r"T\d{2}:\d{2}:\d{2}\.(\d+)")
_STAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _per_entity(value):
    return field(default_factory=lambda: dict.fromkeys(DEFAULT_RESOURCES, value))


@dataclass
class FusionConfig:
    """One pod's API layout and the tenant's choices (``fusion-api.md`` §12).

    Per-entity dicts are keyed by the names of :data:`DEFAULT_RESOURCES`; a missing entry
    takes the default. ``cost_center_segment`` is the number ``n`` of ``Segment<n>`` that
    holds the cost centre in the chart of accounts.
    """

    api_version: str = API_VERSION
    framework_version: int = 4  # §2 PROPOSED: q expressions (2+) and JSON errors (4+)
    resources: dict = field(default_factory=lambda: dict(DEFAULT_RESOURCES))
    keys: dict = field(default_factory=lambda: dict(DEFAULT_KEYS))
    incremental_fields: dict = _per_entity("LastUpdateDate")
    literal_formats: dict = _per_entity("iso_offset_ms")
    time_zones: dict = _per_entity("UTC")
    page_size: int = 200
    fields: dict = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    expand: dict = field(default_factory=dict)
    overlap_seconds: int = 300
    seek_paging: bool = True  # page changed rows by (stamp, key) instead of offsets
    max_window_splits: int = 8  # a 504 halves the date window at most this many times in a row
    min_window_seconds: int = 60
    history_start: datetime = datetime(2000, 1, 1, tzinfo=UTC)  # lower bound of a full read
    business_units: tuple = ()
    procurement_bu: str = ""
    receiving_organization: str = ""
    receiving_employee_id: int | None = None
    invoice_group_pattern: str = "JAGGAER-{date}"
    invoice_source: str = ""
    validate_invoices: bool = True
    acknowledgment_mode: str = "acknowledgments"
    chart_of_accounts_id: int | None = None
    account_segment: int | None = None
    account_value_set: str = ""
    cost_center_segment: int | None = None
    cost_center_value_set: str = ""
    receipt_wait_seconds: int = 60  # between two looks at a receipt request being processed
    upsert_on_post: bool = False  # §12 use_upsert_mode: false for POST...
    upsert_on_patch: bool = True  # ...true for PATCH on a collection
    privileges: dict = field(default_factory=lambda: dict(DEFAULT_PRIVILEGES))
    client_id: str = ""  # named in messages about roles
    name: str = "Oracle Fusion"

    def __post_init__(self):
        if not 1 <= int(self.page_size) <= MAX_PAGE_SIZE:
            raise ConfigurationError(
                f"The page size must be between 1 and {MAX_PAGE_SIZE}, not {self.page_size}."
            )
        if int(self.framework_version) < 1:
            raise ConfigurationError("The REST framework version must be 1 or more.")
        if self.acknowledgment_mode not in ACKNOWLEDGMENT_MODES:
            raise ConfigurationError(f"Unknown acknowledgment mode {self.acknowledgment_mode!r}.")
        known = {code for code, _ in LITERAL_FORMATS}
        for entity in DEFAULT_RESOURCES:
            if self.literal_format(entity) not in known:
                raise ConfigurationError(f"Unknown timestamp literal format for {entity}.")
            self.zone(entity)

    # -- per entity -------------------------------------------------------------------
    def resource(self, entity):
        """Resource path of an entity; anything else is taken as a resource name already."""
        return (self.resources.get(entity) or DEFAULT_RESOURCES.get(entity) or entity).strip("/")

    def key(self, entity):
        return self.keys.get(entity) or DEFAULT_KEYS.get(entity) or _entity_of(entity, DEFAULT_KEYS)

    def incremental_field(self, entity):
        return self.incremental_fields.get(entity) or "LastUpdateDate"

    def literal_format(self, entity):
        return self.literal_formats.get(entity) or "iso_offset_ms"

    def zone(self, entity):
        name = self.time_zones.get(entity) or "UTC"
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"Unknown time zone {name!r} for {entity}.") from None

    def literal(self, entity, moment):
        """``moment`` as a quoted ``q`` literal in the entity's format and time zone (§4.2)."""
        return quote(render_stamp(moment, self.literal_format(entity), self.zone(entity)))

    # -- paths ------------------------------------------------------------------------
    @property
    def root(self):
        return f"/fscmRestApi/resources/{self.api_version}"

    def collection_path(self, entity):
        return f"{self.root}/{self.resource(entity)}"

    def invoice_group(self, on):
        """``InvoiceGroup`` of an invoice created on ``on`` (``{date}`` = YYYYMMDD)."""
        return self.invoice_group_pattern.replace("{date}", on.strftime("%Y%m%d"))

    def cost_center_of(self, combination):
        """The cost centre segment value of an account combination (None if not configured)."""
        if not self.cost_center_segment:
            return None
        return combination.get(f"Segment{int(self.cost_center_segment)}")

    def account_of(self, combination):
        """The natural account of a combination: its account segment when one is configured,
        else the whole combination (then mapped as a whole)."""
        if self.account_segment:
            return combination.get(f"Segment{int(self.account_segment)}")
        return combination.get("ConcatenatedSegments")


def _entity_of(resource, mapping):
    """Value of ``mapping`` for the entity whose default resource path is ``resource``."""
    for entity, path in DEFAULT_RESOURCES.items():
        if path == resource:
            return mapping.get(entity)
    return None


# -- values ----------------------------------------------------------------------------------


def to_decimal(value):
    """An amount or quantity as Decimal (§10: numbers or strings on the wire); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PermanentError(f"{value!r} is not an amount.")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PermanentError(f"{value!r} is not an amount.") from None


def quote(value):
    """A ``q`` string literal; a quote inside is doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def parse_stamp(value, zone=UTC):
    """A Fusion timestamp (any offset, ``Z``, or none = ``zone``) as aware UTC cut to the
    millisecond; None when empty or unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
        return _ms(moment.astimezone(UTC))
    match = _STAMP.match(str(value).strip())
    if not match:
        return None
    day, clock, fraction, offset = match.groups()
    text = f"{day}T{clock or '00:00'}" + (":00" if clock and len(clock) == 5 else "")
    text += "." + (fraction or "0")[:6].ljust(6, "0")
    if offset:
        text += "+00:00" if offset == "Z" else offset
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return _ms(moment.astimezone(UTC))


def _ms(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def has_ms(value):
    """Whether a rendered timestamp carries at least milliseconds."""
    match = _FRACTION.search(str(value or ""))
    return bool(match and len(match.group(1)) >= 3)


def render_stamp(moment, fmt, zone=UTC):
    """An instant (naive = UTC) in a literal format of :data:`LITERAL_FORMATS`, unquoted."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if fmt == "iso_z_ms":
        local = moment.astimezone(UTC)
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}Z"
    local = moment.astimezone(zone)
    if fmt == "date":
        return local.strftime("%Y-%m-%d")
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if fmt in MS_FORMATS:
        text += f".{local.microsecond // 1000:03d}"
    if fmt == "local_ms":
        return text
    offset = local.strftime("%z")
    return f"{text}{offset[:3]}:{offset[3:]}"


def server_time(response):
    """When the pod answered, by its clock (HTTP ``Date``), aware UTC; None if unknown."""
    try:
        moment = parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def default_scope(pod_url):
    """§12 default scope: the pod's origin with its port, then the trust scope."""
    parts = urlsplit(pod_url or "")
    if not parts.hostname:
        return TRUST_SCOPE
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname}:{port}{TRUST_SCOPE}"


def error_detail(response):
    """``(message, code)`` of a refusal: JSON ``o:errorDetails`` (framework 4+), an ADF
    ``detail``/``title``, or the plain text of older framework versions (§8)."""
    text = response.text or ""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        details = [d for d in body.get("o:errorDetails") or [] if isinstance(d, dict)]
        if details:
            message = "; ".join(str(d.get("detail") or "").strip() for d in details if d.get("detail"))
            return redact_text(message or body.get("title") or ""), details[0].get("o:errorCode")
        return redact_text(str(body.get("detail") or body.get("title") or text)[:500]), None
    if "<html" in text.lower():
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        return (title.group(1).strip() if title else f"HTTP {response.status_code}"), None
    return redact_text(text.strip()[:1000]), None


# -- authentication (§3) --------------------------------------------------------------------


class FusionTokenAuth(OAuth2ClientCredentials):
    """Client credentials at the identity domain: form body, HTTP Basic client auth (or the
    body), a scope, ``expires_in`` honoured and renewed ``refresh_margin`` seconds early.
    HttpClient renews once on a 401 and replays the call once."""

    def __init__(
        self, token_url, client_id, client_secret, *, scope, client_auth="basic", refresh_margin=60, **kw
    ):
        if client_auth not in ("basic", "body"):
            raise ConfigurationError(f"Unknown client authentication {client_auth!r}: basic or body.")
        super().__init__(
            token_url,
            client_id,
            client_secret,
            body_format="form",
            secret_in=client_auth,
            scope=scope,
            default_lifetime=3600,
            skew=float(refresh_margin),
            **kw,
        )

    def fetch_token(self):
        try:
            return super().fetch_token()
        except AuthError as exc:
            raise self._explain(exc) from exc

    def _explain(self, exc):
        try:
            error = json.loads(exc.body or "").get("error")
        except (ValueError, AttributeError):
            error = None
        sent = "HTTP Basic" if self.secret_in == "basic" else "the form body"
        if error == "invalid_scope":
            return ConfigurationError(
                f"The identity domain refused the scope {self.scope!r} (invalid_scope). Use the scope "
                "its confidential application is granted: usually the pod URL with :443 followed by "
                f"{TRUST_SCOPE}, or {TRUST_SCOPE} alone.",
                status=exc.status,
                body=exc.body,
            )
        if error == "unsupported_grant_type":
            return ConfigurationError(
                "The identity domain does not allow the client credentials grant for this application "
                "(unsupported_grant_type): enable it on the confidential application.",
                status=exc.status,
                body=exc.body,
            )
        if error == "invalid_client":
            return AuthError(
                f"The identity domain refused client id {self.client_id!r} (invalid_client): check the "
                "client id and secret, that the application is active, and that it accepts the client "
                f"secret in {sent}.",
                status=exc.status,
                body=exc.body,
            )
        return exc


class FusionBasicAuth:
    """HTTP Basic with a Fusion user: development pods only (§3.4)."""

    header_name = "Authorization"

    def __init__(self, username, password):
        if not username or not password:
            raise AuthError("A user name and password are required for HTTP Basic.")
        self._value = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.client_id = username
        self.fetch_count = 0

    def apply(self, headers):
        headers[self.header_name] = self._value

    def is_auth_failure(self, response):
        return response.status_code == 401

    def invalidate(self):
        """Nothing to renew: a second 401 ends as an AuthError."""


# -- client ----------------------------------------------------------------------------------


@dataclass
class FusionPage:
    items: list
    offset: int
    limit: int
    has_more: bool
    total: int | None = None
    server_time: datetime | None = None  # the answer's Date header (the pod's clock)


@dataclass
class _Window:
    """Rows with ``lower <= stamp < upper`` (None = unbounded), after ``(lower, after_key)``."""

    lower: datetime | None
    upper: datetime | None
    after_key: object = None


class FusionClient:
    """Fusion REST calls with paging, links, errors and windows handled; typed errors.

    ``http`` is a configured ``HttpClient`` whose base URL is the pod (``https://<pod>``);
    ``config`` a :class:`FusionConfig`. Resources are named by entity (``"invoices"``), by
    resource path, or by an absolute link the pod returned.
    """

    def __init__(self, http, config):
        self.http = http
        self.config = config
        self.last_server_time = None  # the pod's clock at its last answer (HTTP Date)

    # -- plumbing ---------------------------------------------------------------------
    def url(self, target):
        """Absolute URL of an entity, a path under the API root or a link of this pod."""
        if isinstance(target, dict):
            target = target.get("href") or self.link(target, "self")
        target = str(target)
        if target.startswith(("http://", "https://")):
            if _origin(target) != _origin(self.http.base_url):
                raise PermanentError(
                    f"{self.config.name} returned a link to another host ({safe_url(target)}): not followed, "
                    "the token is only sent to the pod."
                )
            return target
        if target.startswith("/"):
            return self.http.url(target if target.startswith("/fscmRestApi") else self.config.root + target)
        return self.http.url(self.config.collection_path(target))

    def headers(self, content_type=None, upsert=False, versioned=True):
        headers = {"Accept": "application/json"}
        if versioned:
            headers["REST-Framework-Version"] = str(self.config.framework_version)
        if content_type:
            headers["Content-Type"] = content_type
        if upsert:
            headers["Upsert-Mode"] = "true"
        return headers

    def send(
        self,
        method,
        target,
        *,
        params=None,
        payload=None,
        content_type=None,
        upsert=False,
        what=None,
        accept=(),
        versioned=True,
    ):
        """One call; a refusal becomes a typed error naming ``what`` with the pod's detail.

        ``accept``: further statuses returned instead of raised (e.g. 504 on a windowed read);
        ``versioned=False`` leaves out REST-Framework-Version (the pod's default applies).
        """
        url = self.url(target)
        data = None if payload is None else json.dumps(payload, default=_json_value).encode()
        try:
            response = self.http.request(
                method,
                url,
                params=params,
                data=data,
                headers=self.headers(
                    content_type or (ITEM_TYPE if payload is not None else None), upsert, versioned
                ),
                expect=SUCCESS | CLIENT_ERRORS | set(accept),
            )
        except AuthError as exc:
            if exc.status == 403:
                raise self._forbidden(method, url) from exc
            raise
        self.last_server_time = server_time(response) or self.last_server_time
        if response.status_code in CLIENT_ERRORS:
            raise self._refusal(response, what or f"{method} {self._resource_of(url)}")
        return response

    def json(self, response):
        """The JSON body with every non-integer number as Decimal (§10)."""
        try:
            return json.loads(response.content or b"null", parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            method = response.request.method if response.request is not None else "GET"
            cls = TransientError if method in IDEMPOTENT_METHODS else OutcomeUnknownError
            raise cls(
                f"{self.config.name} answered {safe_url(response.url or '')} with something that is "
                "not JSON.",
                status=response.status_code,
                url=response.url,
            ) from exc

    def get(self, target, params=None, what=None):
        return self.json(self.send("GET", target, params=params, what=what))

    def _refusal(self, response, what):
        message, code = error_detail(response)
        status = response.status_code
        if status == 404:
            return PermanentError(
                f"{self.config.name}: {what} not found (404). {message}".strip(),
                status=404,
                code=code,
                body=message,
                url=response.url,
            )
        cls = RemoteBusinessError if status in (400, 409, 412, 422) else PermanentError
        return cls(
            f"{self.config.name} refused {what}: {message or 'no detail'}",
            status=status,
            code=code,
            body=message,
            url=response.url,
        )

    def _resource_of(self, url):
        path = urlsplit(url).path
        rest = path.split(self.config.root, 1)[-1].strip("/")
        parts = rest.split("/")
        if "action" in parts:
            return f"action:{parts[parts.index('action') + 1]}"
        return parts[0] if parts and parts[0] else "(root)"

    def _forbidden(self, method, url):
        """A 403 is a missing role of the Fusion user, not refused credentials (§3.4)."""
        resource = self._resource_of(url)
        operation = "read" if method == "GET" else "write"
        hints = self.config.privileges.get(resource) or {}
        privilege, role = hints.get(operation) or hints.get("read") or (None, None)
        needed = (
            f"the privilege '{privilege}' (usually through the {role} job role)" if privilege else "access"
        )
        who = f"client id {self.config.client_id!r}" if self.config.client_id else "this client id"
        return ConfigurationError(
            f"{self.config.name} answered 403 to {method} {resource}: the Fusion user of {who} lacks "
            f"{needed}. The credentials are valid; give that user the role in the Security Console.",
            status=403,
            url=url,
        )

    # -- discovery --------------------------------------------------------------------
    def framework_versions(self):
        """``(default, allowed)`` REST framework versions the pod lists at its root (§2), asked
        without a version so that a version the pod refuses does not hide the answer."""
        response = self.send("GET", "/", what="the resource catalog", versioned=False)
        extension = self.json(response).get("adf:extension") or {}
        allowed = [int(v) for v in extension.get("allowedFrameworkVersions") or [] if str(v).isdigit()]
        default = extension.get("defaultFrameworkVersion")
        return (int(default) if str(default or "").isdigit() else None), allowed

    # -- reading (§4) -------------------------------------------------------------------
    def order_by(self, resource, order_by=None, key=None):
        """``orderBy`` always ending with the key, so equal values never page in random order."""
        key = key or self.config.key(resource)
        parts = [p.strip() for p in (order_by or "").split(",") if p.strip()]
        if key and key not in {p.split(":")[0] for p in parts}:
            parts.append(f"{key}:asc")
        return ",".join(parts)

    def _fields(self, resource, fields_, required=()):
        text = self.config.fields.get(resource, "") if fields_ is None else fields_
        if not text:
            return ""
        top, sep, rest = text.partition(";")
        names = [n for n in top.split(",") if n]
        names += [n for n in required if n and n not in names]
        return ",".join(names) + (sep + rest if sep else "")

    def pages(
        self,
        resource,
        q=None,
        fields=None,
        order_by=None,
        expand=None,
        *,
        finder=None,
        limit=None,
        only_data=False,
        total=False,
        key=None,
        params=None,
    ) -> Iterator[FusionPage]:
        """Yield a :class:`FusionPage` per call, ``offset`` += count while ``hasMore`` (§4.3).

        ``fields``/``expand`` default to the entity's settings; ``orderBy`` always ends with
        the key. Keep ``only_data`` off when children are read through the items' links.
        """
        query = self._list_params(resource, q, fields, order_by, expand, finder, limit, only_data, key)
        if total:
            query["totalResults"] = "true"
        query.update(params or {})
        offset = 0
        while True:
            response = self.send("GET", resource, params={**query, "offset": offset})
            body = self.json(response)
            items = body.get("items") or []
            has_more = bool(body.get("hasMore"))
            yield FusionPage(
                items,
                offset,
                _int(body.get("limit"), len(items)),
                has_more,
                body.get("totalResults"),
                server_time(response),
            )
            if not has_more:
                return
            if not items:
                raise PermanentError(f"{self.config.name} said more rows follow but sent none ({resource}).")
            offset += _int(body.get("count"), len(items))

    def _list_params(self, resource, q, fields_, order_by, expand, finder, limit, only_data, key=None):
        expand = self.config.expand.get(resource, "") if expand is None else expand
        query = {"limit": min(int(limit or self.config.page_size), MAX_PAGE_SIZE)}
        known_key = key or (self.config.key(resource) if not str(resource).startswith("http") else None)
        ordering = self.order_by(resource, order_by, known_key)
        extra = {
            "q": q,
            "fields": self._fields(resource, fields_, [known_key] if ordering else []),
            "expand": expand,
            "finder": finder,
            "orderBy": ordering,
        }
        query.update({name: value for name, value in extra.items() if value})
        if only_data:
            query["onlyData"] = "true"
        return query

    def items(self, resource, **kw) -> Iterator[dict]:
        for page in self.pages(resource, **kw):
            yield from page.items

    def find_by_key(self, resource, value):
        """The item (with its links) whose key is ``value``, by ``finder=PrimaryKey``; or None."""
        key = self.config.key(resource)
        page = next(self.pages(resource, finder=f"PrimaryKey;{key}={value}", fields="", limit=1))
        return page.items[0] if page.items else None

    # -- links (§4.3, §11.14) ----------------------------------------------------------
    @staticmethod
    def link(item, rel, name=None):
        """The href of ``item``'s link ``rel`` (and ``name``); PermanentError when absent."""
        for entry in item.get("links") or []:
            if entry.get("rel") == rel and (name is None or entry.get("name") == name):
                return entry["href"]
        wanted = f"{rel} link {name!r}" if name else f"{rel} link"
        raise PermanentError(
            f"The item has no {wanted}: the pod returns links unless asked for onlyData, and child keys "
            "are opaque, so they cannot be built from ids."
        )

    def follow(self, link, params=None):
        """GET what a link the pod returned points at (an item or a collection page)."""
        return self.get(link, params=params)

    def collection(self, href, **kw) -> Iterator[dict]:
        """Every item of a collection reached by a link, page by page."""
        yield from self.items(href, **kw)

    def children(self, item, name, **kw):
        """All rows of the child collection ``name`` of ``item``: the inline rows when the pod
        expanded them completely (an array below framework 3, a collection from 3), else read
        through the item's ``child`` link, all pages."""
        inline = item.get(name)
        if isinstance(inline, list):
            return inline
        if isinstance(inline, dict) and "items" in inline and not inline.get("hasMore") and not kw:
            return inline["items"]
        return list(self.collection(self.link(item, "child", name), **kw))

    # -- changed rows (§4.2, §9) --------------------------------------------------------
    def stamp_of(self, resource, item):
        """An item's incremental stamp as aware UTC (None when absent)."""
        return parse_stamp(item.get(self.config.incremental_field(resource)), self.config.zone(resource))

    def changed_since(
        self, resource, since, overlap=None, *, until=None, q=None, fields=None, expand=None
    ) -> Iterator[dict]:
        """Rows changed at or after ``since - overlap`` (and before ``until``), oldest first.

        Pages by the (stamp, key) of the last row read, so rows changed while reading move
        behind the cursor instead of shifting offsets; a 504 splits the date window in halves
        (at most ``max_window_splits`` times in a row) and reads on, nothing lost. ``since``
        None reads everything from ``history_start``.
        """
        if int(self.config.framework_version) < 2:
            raise ConfigurationError(
                "Reading changes needs REST framework version 2 or later (the q expression grammar)."
            )
        overlap = timedelta(seconds=self.config.overlap_seconds) if overlap is None else _delta(overlap)
        lower = None if since is None else _aware(since) - overlap
        window = _Window(lower, None if until is None else _aware(until))
        yield from self._read_window(resource, window, 0, q, fields, expand)

    def _window_q(self, resource, window, extra):
        stamp, key = self.config.incremental_field(resource), self.config.key(resource)
        clauses = []
        if window.lower is not None and window.after_key is not None:
            at = self.config.literal(resource, window.lower)
            after = window.after_key if isinstance(window.after_key, int) else quote(window.after_key)
            clauses.append(f"({stamp}>{at} or ({stamp}={at} and {key}>{after}))")
        elif window.lower is not None:
            clauses.append(f"{stamp}>={self.config.literal(resource, window.lower)}")
        if window.upper is not None:
            clauses.append(f"{stamp}<{self.config.literal(resource, window.upper)}")
        if extra:
            clauses.append(f"({extra})")
        return " and ".join(clauses)

    def _seeks(self, resource):
        return self.config.seek_paging and self.config.literal_format(resource) in MS_FORMATS

    def _read_window(self, resource, window, depth, extra, fields_, expand):
        stamp_field, key = self.config.incremental_field(resource), self.config.key(resource)
        seek = self._seeks(resource)
        base = self._list_params(
            resource, None, fields_, f"{stamp_field}:asc,{key}:asc", expand, None, None, False
        )
        base["fields"] = self._fields(resource, fields_, [stamp_field, key])
        q, offset, last = self._window_q(resource, window, extra), 0, None
        while True:
            response = self.send("GET", resource, params={**base, "q": q, "offset": offset}, accept=(504,))
            if response.status_code == 504:
                yield from self._split(resource, window, last, depth, extra, fields_, expand, response)
                return
            body = self.json(response)
            items = body.get("items") or []
            for item in items:
                last = (self.stamp_of(resource, item), item.get(key))
                yield item
            if not body.get("hasMore"):
                return
            if not items:
                raise PermanentError(f"{self.config.name} said more rows follow but sent none ({resource}).")
            if seek and all(has_ms(item.get(stamp_field)) for item in items):
                window = _Window(last[0], window.upper, last[1])
                q, offset = self._window_q(resource, window, extra), 0
            else:
                offset += len(items)  # stamps shown without milliseconds: a key cannot seek in them

    def _split(self, resource, window, last, depth, extra, fields_, expand, response):
        """A 504: read the rest of the window as two halves (§9)."""
        if last is not None:
            # resume behind the last row read; without a usable key, at its stamp (rows of that
            # stamp come again: a repeat, never a loss)
            window = _Window(last[0], window.upper, last[1] if self._seeks(resource) else None)
        lower = window.lower or _aware(self.config.history_start)
        end = window.upper or server_time(response) or datetime.now(UTC)
        if (
            depth >= self.config.max_window_splits
            or (end - lower).total_seconds() < self.config.min_window_seconds
        ):
            raise TransientError(
                f"{self.config.name} still times out (504) reading {resource} changed between "
                f"{lower.isoformat()} and {end.isoformat()}: ask for fewer fields or a smaller page size.",
                status=504,
            )
        middle = parse_stamp(
            render_stamp(
                lower + (end - lower) / 2, self.config.literal_format(resource), self.config.zone(resource)
            ),
            self.config.zone(resource),
        )
        first = _Window(window.lower, middle, window.after_key)
        yield from self._read_window(resource, first, depth + 1, extra, fields_, expand)
        yield from self._read_window(
            resource, _Window(middle, window.upper), depth + 1, extra, fields_, expand
        )

    # -- writing (§6, §7) ---------------------------------------------------------------
    def create_item(self, resource, payload, *, upsert=None, what=None):
        """POST one item; ``Upsert-Mode`` per ``upsert`` (default: the configuration's)."""
        upsert = self.config.upsert_on_post if upsert is None else upsert
        return self.json(self.send("POST", resource, payload=payload, upsert=upsert, what=what))

    def update_item(self, target, payload, *, upsert=False, what=None):
        """PATCH an item: ``target`` is an item (its self link) or a link/path of this pod."""
        return self.json(self.send("PATCH", target, payload=payload, upsert=upsert, what=what))

    def update_collection(self, resource, payload, *, upsert=None, what=None):
        """PATCH the collection with ``Upsert-Mode`` (e.g. ``PATCH /invoices`` by InvoiceId, §6.1)."""
        upsert = self.config.upsert_on_patch if upsert is None else upsert
        return self.json(self.send("PATCH", resource, payload=payload, upsert=upsert, what=what))

    def action(self, target, name, payload=None, what=None):
        """POST a custom action of a collection (``invoices``) or an item (its self link)."""
        base = self.url(target).rstrip("/")
        body = self.send(
            "POST",
            f"{base}/action/{name}",
            payload=payload or {},
            content_type=ACTION_TYPE,
            what=what or f"the action {name}",
        )
        return self.json(body)

    def batch(self, parts):
        """ADF batch requests, at most 500 parts a call (§6.4); returns every part's answer.

        ``parts``: ``{"path": "/suppliers", "operation": "create", "payload": {...}}`` (``id``
        added when missing). A refused part rolls its whole call back on the pod.
        """
        results = []
        for start in range(0, len(parts), MAX_PAGE_SIZE):
            chunk = [
                {"id": f"part{start + i}", **part}
                for i, part in enumerate(parts[start : start + MAX_PAGE_SIZE])
            ]
            response = self.send(
                "POST",
                self.config.root + "/",
                payload={"parts": chunk},
                content_type=BATCH_TYPE,
                what=f"the batch of {len(chunk)} part(s)",
            )
            results.extend(self.json(response).get("parts") or [])
        return results

    # -- q helpers ----------------------------------------------------------------------
    def where(self, **conditions):
        """Equality ``q`` in the configured grammar: expressions from framework 2, else QBE."""
        conditions = {k: v for k, v in conditions.items() if v not in (None, "")}
        if int(self.config.framework_version) >= 2:
            return " and ".join(f"{name}={quote(value)}" for name, value in conditions.items())
        for value in conditions.values():
            if ";" in str(value) or "'" in str(value):
                raise ConfigurationError(
                    f"{value!r} cannot be searched with framework version 1: set version 2 or later."
                )
        return ";".join(f"{name}={value}" for name, value in conditions.items())

    # -- invoices (§6.1, §7) ----------------------------------------------------------------
    def find_invoice(self, invoice_number, *, supplier_number=None, supplier=None, business_unit=None):
        """The invoice with this number for this supplier (number or name) and business unit,
        or None: Payables keeps invoice numbers unique per supplier and BU (§7)."""
        q = self.where(
            InvoiceNumber=invoice_number,
            SupplierNumber=supplier_number,
            Supplier=None if supplier_number else supplier,
            BusinessUnit=business_unit,
        )
        found = next(self.pages("invoices", q=q, limit=2)).items
        if len(found) > 1:
            raise PermanentError(
                f"{len(found)} invoices {invoice_number} match in {self.config.name}: say which BU."
            )
        return found[0] if found else None

    def invoice_defaults(self, payload, on=None):
        """``payload`` with the configured business unit, invoice group and source where unset."""
        result = dict(payload)
        if self.config.business_units:
            result.setdefault("BusinessUnit", self.config.business_units[0])
        if self.config.invoice_group_pattern:
            result.setdefault("InvoiceGroup", self.config.invoice_group(on or date.today()))
        if self.config.invoice_source:
            result.setdefault("InvoiceSource", self.config.invoice_source)
        return result

    def create_invoice(self, payload, *, validate=None):
        """``(invoice, created)``: looked up first (supplier + number + BU), created otherwise,
        looked up again after an unclear answer or a duplicate refusal; validated on create
        when ``validate`` (default: the configuration's)."""
        keys = {
            "supplier_number": payload.get("SupplierNumber"),
            "supplier": payload.get("Supplier"),
            "business_unit": payload.get("BusinessUnit"),
        }
        existing = self.find_invoice(payload.get("InvoiceNumber"), **keys)
        if existing:
            return existing, False
        try:
            invoice = self.create_item(
                "invoices", payload, what=f"the invoice {payload.get('InvoiceNumber')}"
            )
        except (OutcomeUnknownError, RemoteBusinessError) as exc:
            existing = self.find_invoice(payload.get("InvoiceNumber"), **keys)
            if existing:
                return existing, False
            raise exc from None
        if self.config.validate_invoices if validate is None else validate:
            invoice["ValidationStatus"] = self.validate_invoice(invoice)
        return invoice, True

    def validate_invoice(self, invoice):
        """``action/validateInvoice``; returns the pod's result (e.g. ``Validated``)."""
        result = self.action(
            "invoices",
            "validateInvoice",
            {"InvoiceId": invoice["InvoiceId"]},
            what=f"the validation of invoice {invoice.get('InvoiceNumber')}",
        )
        return result.get("result")

    # -- acknowledgments (§6.3) ---------------------------------------------------------------
    def acknowledge(self, purchase_order, response, note=None, *, supplier_order=None):
        """Accept or reject a PO pending acknowledgment, the configured way.

        ``purchase_order``: a PO item (with links) or its POHeaderId. ``response``: ACCEPT or
        REJECT (a note is required to reject).
        """
        body = {
            "AcknowledgmentResponse": response.upper(),
            "AcknowledgmentNote": note,
            "SupplierOrderNumber": supplier_order,
        }
        body = {k: v for k, v in body.items() if v not in (None, "")}
        header_id = purchase_order.get("POHeaderId") if isinstance(purchase_order, dict) else purchase_order
        what = f"the acknowledgment of purchase order {header_id}"
        if self.config.acknowledgment_mode == "acknowledgments":
            # §6.3 [C]: this resource's path takes the POHeaderId
            return self.update_item(
                f"/{self.config.resource('acknowledgments')}/{header_id}", body, what=what
            )
        item = purchase_order if isinstance(purchase_order, dict) and purchase_order.get("links") else None
        item = item or self.find_by_key("purchase_orders", header_id)
        if item is None:
            raise PermanentError(f"{self.config.name}: purchase order {header_id} not found.")
        return self.action(item, "acknowledge", body, what=what)

    # -- receipts (§6.2) ----------------------------------------------------------------------
    def submit_receipt(self, payload):
        """POST a receipt request (processed later by the pod), with the configured receiving
        organization and employee where unset. Never upserted: look it up before resending."""
        payload = dict(payload)
        if self.config.receiving_organization:
            payload.setdefault("OrganizationCode", self.config.receiving_organization)
        if self.config.receiving_employee_id:
            payload.setdefault("EmployeeId", self.config.receiving_employee_id)
        return self.create_item("receipt_requests", payload, upsert=False, what="the receipt request")

    def receipt_status(self, request):
        """``(ProcessingStatusCode, processing errors)`` of a receipt request (item or id)."""
        if not isinstance(request, dict) or not request.get("links"):
            header_id = request.get("HeaderInterfaceId") if isinstance(request, dict) else request
            request = self.get(f"/{self.config.resource('receipt_requests')}/{header_id}")
        else:
            request = self.follow(request)
        return request.get("ProcessingStatusCode"), self.children(request, "processingErrors")

    def find_receipt_requests(self, shipment_number):
        return list(self.items("receipt_requests", q=self.where(ShipmentNumber=shipment_number), fields=""))

    # -- suppliers (§6.4) ---------------------------------------------------------------------
    def find_supplier(self, *, taxpayer_id=None, duns=None, name=None, number=None):
        """Suppliers matching the first given key, in the order number, taxpayer id, DUNS, name."""
        for attribute, value in (
            ("SupplierNumber", number),
            ("TaxpayerId", taxpayer_id),
            ("DUNSNumber", duns),
            ("Supplier", name),
        ):
            if value not in (None, ""):
                return list(self.items("suppliers", q=self.where(**{attribute: value})))
        return []

    def add_child(self, parent, name, payload, what=None):
        """POST a row into a child collection of ``parent`` (e.g. a supplier's ``sites``)."""
        return self.json(self.send("POST", self.link(parent, "child", name), payload=payload, what=what))

    # -- chart of accounts (§5.4) -------------------------------------------------------------
    def account_combinations(self, **kw):
        """Enabled combinations of the configured chart of accounts."""
        q = self.where(ChartOfAccountsId=self.config.chart_of_accounts_id, EnabledFlag="Y")
        return self.items("account_combinations", q=q or None, **kw)

    def cost_center_values(self, **kw):
        """Values of the configured cost-centre value set, read through the set's child link."""
        code = self.config.cost_center_value_set
        if not code:
            raise ConfigurationError("Set the cost-centre value set code of the connection first.")
        return self.value_set_values(code, **kw)

    def value_set_values(self, code, **kw):
        """Values of value set ``code``, read through the set's child link."""
        found = next(self.pages("value_sets", q=self.where(ValueSetCode=code), fields="", limit=1)).items
        if not found:
            raise ConfigurationError(f"{self.config.name} has no value set {code!r}.")
        return self.children(found[0], "values", **kw)

    def combination(
        self, *, account=None, cost_centre=None, concatenated=None, combination_id=None, enabled_only=True
    ):
        """The account combination of the configured chart with these segment values (or this
        concatenation, or this id), enabled unless ``enabled_only`` is off (an id is taken as it
        is); None when there is none, PermanentError when several match."""
        conditions = {"ChartOfAccountsId": self.config.chart_of_accounts_id}
        if combination_id is not None:
            conditions["CodeCombinationId"] = combination_id
        elif concatenated is not None:
            conditions["ConcatenatedSegments"] = concatenated
        else:
            if account is not None:
                if not self.config.account_segment:
                    conditions["ConcatenatedSegments"] = account
                else:
                    conditions[f"Segment{int(self.config.account_segment)}"] = account
            if cost_centre is not None and self.config.cost_center_segment:
                conditions[f"Segment{int(self.config.cost_center_segment)}"] = cost_centre
        if combination_id is None and enabled_only:
            conditions["EnabledFlag"] = "Y"
        found = next(self.pages("account_combinations", q=self.where(**conditions), fields="", limit=2)).items
        if len(found) > 1:
            described = ", ".join(f"{k}={v}" for k, v in conditions.items() if v not in (None, ""))
            raise PermanentError(f"Several account combinations of {self.config.name} have {described}.")
        return found[0] if found else None


def _origin(url):
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def _aware(moment):
    if isinstance(moment, str):
        moment = parse_stamp(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _delta(value):
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _json_value(value):
    """Decimals go out as strings (§10: requests may send "130.80"), dates as ISO."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
