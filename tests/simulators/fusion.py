"""Oracle Fusion Cloud ERP pod and its OCI IAM identity domain, simulated.

Spec: ``fusion-api.md``; §11 lists what this simulator does, section numbers in comments refer
to that document. One instance is one pod (``/fscmRestApi/resources/<version>/...``) plus the
identity domain's token endpoint (``/oauth2/v1/token``); start two servers on the same app to
give them different hosts.

* Tokens: form body only, HTTP Basic client auth (and the body credentials when
  ``client_auth_methods`` lists ``body``), ``grant_type=client_credentials``, the scope checked
  against ``accepted_scopes`` (``{pod}`` stands for the pod's own origin), JWT-like values that
  expire on the simulated clock.
* Each client id is a Fusion user with roles; a role lacking the privilege of a resource or
  method gives 403.
* Collections follow the ADF REST framework: ``items``/``count``/``hasMore``/``limit``/
  ``offset``/``links``, ``q`` by ``REST-Framework-Version`` (:mod:`.fusion_query`), ``fields``,
  ``expand``, ``orderBy``, ``onlyData``, ``finder=PrimaryKey``, ``totalResults``. Item paths use
  opaque ``UniqID`` hashes taken from the links, except where Fusion documents numeric ids.
* Every open choice of the reference is a switch (:data:`DEFAULT_OPTIONS`), so tests cover
  each variant: timestamp rendering, error body per framework version, amounts as numbers or
  strings, client authentication, the older acknowledge action, receipt processing delay...

Names of privileges and roles are the simulator's own, shaped like Oracle's; the attribute
names marked [I] in the reference are used as written there.
"""

import base64
import copy
import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from .base import CONTROL_PREFIX, IssuedToken, SimulatorApp, TokenIssuer, json_response
from .fusion_query import QueryError, coerce, compile_query

API_VERSION = "11.13.18.05"
TOKEN_PATH = "/oauth2/v1/token"
TRUST_SCOPE = "urn:opc:resource:consumer::all"
ITEM_TYPES = ("application/json", "application/vnd.oracle.adf.resourceitem+json")
ACTION_TYPES = ("application/json", "application/vnd.oracle.adf.action+json")
BATCH_TYPE = "application/vnd.oracle.adf.batch+json"
FIRST_ID = 300100200000000  # §10: ids are 15-digit integers

DEFAULT_CLIENT = {"client_id": "MLC_INTEGRATION", "client_secret": "fusion-secret"}

DEFAULT_OPTIONS = {
    "token_lifetime": 3600,  # §3.3, seconds on the simulated clock
    "client_auth_methods": ["basic"],  # §3.2: "basic" and/or "body" (client_id/secret in the form)
    "accepted_scopes": [TRUST_SCOPE, "{pod}" + TRUST_SCOPE],  # §3.2; {pod} = scheme://host:port
    "basic_user_auth": False,  # §3.4: HTTP Basic with a seeded user on resource calls
    "default_framework_version": 1,  # §2: without the header
    "allowed_framework_versions": [1, 2, 3, 4, 5, 6, 7, 8, 9],
    "error_format": "by_version",  # §8: "by_version" (text below json_errors_from), "text", "json"
    "json_errors_from": 4,
    "timestamp_suffix": "offset",  # §10: "offset" (+00:00) or "Z" for UTC
    "timestamp_fraction_digits": 3,  # 0, 3 or 6
    "render_time_zone": "UTC",  # zone timestamps are written in (their offset says which)
    "user_time_zone": "UTC",  # zone of q timestamp literals written without an offset
    "amounts_as_numbers": True,  # §10: amounts and quantities as JSON numbers, else strings
    "default_limit": 25,  # §4.3
    "max_limit": 500,  # §9
    "nested_limit": 25,  # framework 3+: rows of an expanded child collection
    "shuffle_ties": True,  # rows equal on every orderBy key come in any order, as from a database
    "child_changes_touch_parent": True,  # a line/schedule change moves the header's LastUpdateDate
    "ack_action_enabled": False,  # §6.3: purchaseOrders/{id}/action/acknowledge
    "receipt_processing_delay": None,  # §6.2: seconds (simulated) before a request is processed
    "receipt_over_tolerance_pct": 0,  # over-receipt tolerance when a schedule sets none
    "validation_rules": {"price_tolerance_pct": 0, "require_receipt": False, "max_amount": None},
    "query_cost_per_row": 0.0,  # simulated seconds per row a collection query matches
    "query_cost_per_day": 0.0,  # simulated seconds per day of LastUpdateDate window
    "query_timeout": 300,  # §9: over this many simulated seconds the gateway answers 504
    "supplier_numbering": "automatic",  # "manual": SupplierNumber is required on create
    "batch_limit": 500,  # §9: parts of one batch request
    "request_rate_limit": 0,  # requests per minute per user; 0 = unlimited (§9: none published)
}

# -- privileges and roles (§3.1, §11.3) ----------------------------------------------------

VIEW_PO = "View Purchase Order"
ACKNOWLEDGE_PO = "Acknowledge Purchase Order"
VIEW_INVOICE = "View Payables Invoice"
MANAGE_INVOICE = "Manage Payables Invoice"
VIEW_SUPPLIER = "View Supplier"
MAINTAIN_SUPPLIER = "Maintain Supplier"
VIEW_RECEIPT = "View Receipt Request"
CREATE_RECEIPT = "Create Receipt Request"
VIEW_ACCOUNTS = "View Account Combination"
VIEW_VALUE_SETS = "View Value Set"
MANAGE_VALUE_SETS = "Manage Value Set"

# resource -> (privilege to read, privilege to write); actions named apart
RESOURCE_PRIVILEGES = {
    "purchaseOrders": (VIEW_PO, VIEW_PO),
    "purchaseOrderAcknowledgments": (ACKNOWLEDGE_PO, ACKNOWLEDGE_PO),
    "invoices": (VIEW_INVOICE, MANAGE_INVOICE),
    "suppliers": (VIEW_SUPPLIER, MAINTAIN_SUPPLIER),
    "receivingReceiptRequests": (VIEW_RECEIPT, CREATE_RECEIPT),
    "accountCombinationsLOV": (VIEW_ACCOUNTS, VIEW_ACCOUNTS),
    "valueSets": (VIEW_VALUE_SETS, MANAGE_VALUE_SETS),
}
ACTION_PRIVILEGES = {"acknowledge": ACKNOWLEDGE_PO, "validateInvoice": MANAGE_INVOICE}
ROLES = {
    "Buyer": {VIEW_PO, ACKNOWLEDGE_PO, VIEW_SUPPLIER},
    "Accounts Payable Specialist": {VIEW_INVOICE, MANAGE_INVOICE, VIEW_SUPPLIER, VIEW_PO},
    "Supplier Administrator": {VIEW_SUPPLIER, MAINTAIN_SUPPLIER},
    "Receiving Agent": {VIEW_RECEIPT, CREATE_RECEIPT, VIEW_PO},
    "General Accountant": {VIEW_ACCOUNTS, VIEW_VALUE_SETS, MANAGE_VALUE_SETS},
}
ALL_ROLES = sorted(ROLES)


# -- resource shapes (§5, §6) ----------------------------------------------------------------

STAMPS = {"CreationDate": "ts", "LastUpdateDate": "ts"}


@dataclass
class Level:
    """One resource or child collection: its key, attributes (name -> kind) and children.

    ``path_key``: ``uniq`` = items are addressed by an opaque hash from the links; ``id`` =
    by the numeric key, as Fusion documents for e.g. ``suppliers/{SupplierId}``. A ``uniq``
    level with ``numeric_ok`` also takes the numeric key (``purchaseOrders``, §11.14).
    Kinds: ``int``, ``str``, ``date``, ``ts``, ``amount`` and ``qty`` (decimal numbers).
    """

    name: str
    key: str
    attributes: dict
    children: tuple = ()
    path_key: str = "uniq"
    numeric_ok: bool = False
    writable: frozenset = frozenset()

    def child(self, name):
        return next((c for c in self.children if c.name == name), None)

    def query_kinds(self) -> dict:
        return {a: ("num" if k in ("amount", "qty") else k) for a, k in self.attributes.items()}


def attrs(spec: str, **kinds) -> dict:
    """``attrs("A B", B="int")``: every name is ``str`` unless given a kind."""
    return {name: kinds.get(name, "str") for name in spec.split()}


PO_DISTRIBUTIONS = Level(
    "distributions",
    "PODistributionId",
    {
        **attrs(
            "PODistributionId DistributionNumber Quantity POChargeAccount CodeCombinationId",
            PODistributionId="int",
            DistributionNumber="int",
            Quantity="qty",
            CodeCombinationId="int",
        ),
        **STAMPS,
    },
)
PO_SCHEDULES = Level(
    "schedules",
    "LineLocationId",
    {
        **attrs(
            "LineLocationId ScheduleNumber Quantity QuantityReceived QuantityBilled ShipToOrganizationCode "
            "ShipToLocationCode RequestedDeliveryDate OverReceiptTolerancePercent",
            LineLocationId="int",
            ScheduleNumber="int",
            Quantity="qty",
            QuantityReceived="qty",
            QuantityBilled="qty",
            RequestedDeliveryDate="date",
            OverReceiptTolerancePercent="qty",
        ),
        **STAMPS,
    },
    children=(PO_DISTRIBUTIONS,),
)
PO_LINES = Level(
    "lines",
    "POLineId",
    {
        **attrs(
            "POLineId LineNumber LineType Item Description Category Quantity UOM Price Amount",
            POLineId="int",
            LineNumber="int",
            Quantity="qty",
            Price="amount",
            Amount="amount",
        ),
        **STAMPS,
    },
    children=(PO_SCHEDULES,),
    path_key="id",
)
PURCHASE_ORDERS = Level(
    "purchaseOrders",
    "POHeaderId",
    {
        **attrs(
            "POHeaderId OrderNumber ProcurementBU Supplier SupplierId SupplierSite SupplierSiteId Buyer "
            "CurrencyCode Total DocumentStatus DocumentStatusCode Description PaymentTerms "
            "AcknowledgmentDueDate",
            POHeaderId="int",
            SupplierId="int",
            SupplierSiteId="int",
            Total="amount",
            AcknowledgmentDueDate="date",
        ),
        **STAMPS,
    },
    children=(PO_LINES,),
    numeric_ok=True,
)

INVOICE_DISTRIBUTIONS = Level(
    "invoiceDistributions",
    "InvoiceDistributionId",
    {
        **attrs(
            "InvoiceDistributionId DistributionLineNumber DistributionLineType DistributionAmount "
            "DistributionCombination AccountingDate",
            InvoiceDistributionId="int",
            DistributionLineNumber="int",
            DistributionAmount="amount",
            AccountingDate="date",
        ),
        **STAMPS,
    },
)
INVOICE_LINES = Level(
    "invoiceLines",
    "LineNumber",
    {
        **attrs(
            "LineNumber LineType LineAmount Quantity UnitPrice Description PurchaseOrderNumber "
            "PurchaseOrderLineNumber PurchaseOrderScheduleLineNumber DistributionCombination AccountingDate",
            LineNumber="int",
            LineAmount="amount",
            Quantity="qty",
            UnitPrice="amount",
            PurchaseOrderLineNumber="int",
            PurchaseOrderScheduleLineNumber="int",
            AccountingDate="date",
        ),
        **STAMPS,
    },
    children=(INVOICE_DISTRIBUTIONS,),
)
INVOICES = Level(
    "invoices",
    "InvoiceId",
    {
        **attrs(
            "InvoiceId InvoiceNumber InvoiceCurrency PaymentCurrency InvoiceAmount InvoiceDate BusinessUnit "
            "Supplier SupplierNumber SupplierSite ProcurementBU InvoiceGroup InvoiceSource InvoiceType "
            "Description AccountingDate PaymentTerms ValidationStatus ApprovalStatus PaidStatus AmountPaid",
            InvoiceId="int",
            InvoiceAmount="amount",
            InvoiceDate="date",
            AccountingDate="date",
            AmountPaid="amount",
        ),
        **STAMPS,
    },
    children=(INVOICE_LINES,),
    writable=frozenset(
        "InvoiceAmount InvoiceDate AccountingDate InvoiceGroup InvoiceSource Description PaymentTerms "
        "PaymentCurrency InvoiceCurrency".split()
    ),
)

SUPPLIER_SITES = Level(
    "sites",
    "SupplierSiteId",
    {
        **attrs(
            "SupplierSiteId SupplierSite ProcurementBU SupplierAddressId AddressName Status",
            SupplierSiteId="int",
            SupplierAddressId="int",
        ),
        **STAMPS,
    },
    path_key="id",
    writable=frozenset({"SupplierSite", "Status"}),
)
SUPPLIER_ADDRESSES = Level(
    "addresses",
    "SupplierAddressId",
    {
        **attrs(
            "SupplierAddressId AddressName AddressLine1 AddressLine2 City State PostalCode Country",
            SupplierAddressId="int",
        ),
        **STAMPS,
    },
    path_key="id",
    writable=frozenset("AddressLine1 AddressLine2 City State PostalCode Country".split()),
)
SUPPLIERS = Level(
    "suppliers",
    "SupplierId",
    {
        **attrs(
            "SupplierId SupplierNumber Supplier SupplierPartyId AlternateName TaxOrganizationType "
            "SupplierType Status BusinessRelationship TaxpayerId TaxpayerCountry DUNSNumber",
            SupplierId="int",
            SupplierPartyId="int",
        ),
        **STAMPS,
    },
    children=(SUPPLIER_SITES, SUPPLIER_ADDRESSES),
    path_key="id",
    writable=frozenset(
        "Supplier AlternateName TaxOrganizationType SupplierType Status BusinessRelationship TaxpayerId "
        "TaxpayerCountry DUNSNumber".split()
    ),
)

ACCOUNT_COMBINATIONS = Level(
    "accountCombinationsLOV",
    "CodeCombinationId",
    {
        **attrs(
            "CodeCombinationId ChartOfAccountsId Segment1 Segment2 Segment3 Segment4 Segment5 "
            "ConcatenatedSegments EnabledFlag AccountType StartDateActive EndDateActive DetailPostingAllowed",
            CodeCombinationId="int",
            ChartOfAccountsId="int",
            StartDateActive="date",
            EndDateActive="date",
        ),
        "LastUpdateDate": "ts",
    },
    path_key="id",
)
VALUE_SET_VALUES = Level(
    "values",
    "ValueId",
    {
        **attrs(
            "ValueId Value Description EnabledFlag StartDateActive EndDateActive SummaryFlag",
            ValueId="int",
            StartDateActive="date",
            EndDateActive="date",
        ),
        **STAMPS,
    },
    writable=frozenset("Description EnabledFlag StartDateActive EndDateActive SummaryFlag".split()),
)
VALUE_SETS = Level(
    "valueSets",
    "ValueSetId",
    {
        **attrs(
            "ValueSetId ValueSetCode Description ValidationType ValueDataType MaximumLength",
            ValueSetId="int",
            MaximumLength="int",
        ),
        **STAMPS,
    },
    children=(VALUE_SET_VALUES,),
)

ACK_SCHEDULES = Level(
    "schedules",
    "LineLocationId",
    {
        **attrs(
            "LineLocationId POLineId LineNumber ScheduleNumber Quantity Response RejectionReason "
            "SupplierOrderLine",
            LineLocationId="int",
            POLineId="int",
            LineNumber="int",
            ScheduleNumber="int",
            Quantity="qty",
        ),
        "LastUpdateDate": "ts",
    },
    path_key="id",
)
ACKNOWLEDGMENTS = Level(
    "purchaseOrderAcknowledgments",
    "POHeaderId",
    {
        **attrs(
            "POHeaderId OrderNumber Supplier SupplierId SupplierSite ProcurementBU Buyer "
            "AcknowledgmentDueDate AcknowledgmentResponse AcknowledgmentNote SupplierOrderNumber",
            POHeaderId="int",
            SupplierId="int",
            AcknowledgmentDueDate="date",
        ),
        "LastUpdateDate": "ts",
    },
    children=(ACK_SCHEDULES,),
    path_key="id",
)

RECEIPT_ERRORS = Level(
    "processingErrors",
    "ErrorId",
    {
        **attrs(
            "ErrorId InterfaceTransactionId ColumnName ErrorMessageName ErrorMessage",
            ErrorId="int",
            InterfaceTransactionId="int",
        ),
        "CreationDate": "ts",
    },
    path_key="id",
)
RECEIPT_LINES = Level(
    "lines",
    "InterfaceTransactionId",
    {
        **attrs(
            "InterfaceTransactionId ReceiptSourceCode SourceDocumentCode TransactionType AutoTransactCode "
            "OrganizationCode DocumentNumber DocumentLineNumber DocumentScheduleNumber Quantity "
            "UnitOfMeasure Amount ProcessingStatusCode",
            InterfaceTransactionId="int",
            DocumentLineNumber="int",
            DocumentScheduleNumber="int",
            Quantity="qty",
            Amount="amount",
        ),
        **STAMPS,
    },
    path_key="id",
)
RECEIPT_REQUESTS = Level(
    "receivingReceiptRequests",
    "HeaderInterfaceId",
    {
        **attrs(
            "HeaderInterfaceId ReceiptSourceCode OrganizationCode VendorName VendorNumber BusinessUnit "
            "EmployeeId ShipmentNumber ReceiptNumber ProcessingStatusCode Comments",
            HeaderInterfaceId="int",
            EmployeeId="int",
        ),
        **STAMPS,
    },
    children=(RECEIPT_LINES, RECEIPT_ERRORS),
    path_key="id",
)

RESOURCES = {
    level.name: level
    for level in (
        PURCHASE_ORDERS,
        INVOICES,
        SUPPLIERS,
        ACCOUNT_COMBINATIONS,
        VALUE_SETS,
        ACKNOWLEDGMENTS,
        RECEIPT_REQUESTS,
    )
}
STORED = (
    "purchaseOrders",
    "invoices",
    "suppliers",
    "accountCombinationsLOV",
    "valueSets",
    "receivingReceiptRequests",
)

PO_STATUSES = {
    "OPEN": "Open",
    "PENDING ACKNOWLEDGMENT": "Pending supplier acknowledgment",
    "REJECTED": "Rejected",
    "CLOSED FOR RECEIVING": "Closed for receiving",
    "CLOSED": "Closed",
    "CANCELED": "Canceled",
}
HTTP_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
}


class FusionError(Exception):
    """An answer other than 2xx, rendered as text or JSON by framework version (§8)."""

    def __init__(self, status: int, detail: str, code: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code


class GatewayTimeout(FusionError):
    """§9: the gateway gives up on a request running longer than five minutes."""

    def __init__(self):
        super().__init__(504, "Gateway Time-out", "GATEWAY")


def bad(detail: str, code: str = "FND-REST-400") -> FusionError:
    return FusionError(400, detail, code)


def not_found(detail: str = "The requested resource was not found.") -> FusionError:
    return FusionError(404, detail, "FND-REST-404")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decimal(value, what: str) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise bad(f"The value of {what} must be a number.")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise bad(f"The value {value!r} of {what} is not a number.") from None


def typed(level: Level, data: dict, *, strict: bool = True) -> dict:
    """``data``'s attributes of ``level`` in stored form; unknown attributes -> 400 when strict."""
    row = {}
    for name, value in data.items():
        kind = level.attributes.get(name)
        if kind is None:
            if strict and not level.child(name):
                raise bad(f"The attribute {name} is not valid for the resource {level.name}.")
            continue
        row[name] = stored(kind, value, name)
    return row


def stored(kind: str, value, name: str):
    if value is None or (value == "" and kind != "str"):
        return None
    if kind in ("amount", "qty"):
        return decimal(value, name)
    try:
        if kind == "int":
            return int(value)
        if kind == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        if kind == "ts":
            return coerce(value, "ts") if not isinstance(value, datetime) else value.astimezone(UTC)
    except (TypeError, ValueError):
        raise bad(f"The value {value!r} is not valid for the attribute {name}.") from None
    return str(value)


class JwtTokenIssuer(TokenIssuer):
    """Bearer tokens shaped like the identity domain's JWTs (header.payload.signature)."""

    def issue(self, client_id: str, prefix: str = "", scope: str = "", audience: str = "") -> IssuedToken:
        with self._lock:
            now = self.clock.now()
            expires = now + timedelta(seconds=self.lifetime)
            header = {"alg": "RS256", "typ": "JWT", "kid": "SIGNING_KEY"}
            claims = {
                "sub": client_id,
                "client_id": client_id,
                "aud": [audience] if audience else [],
                "scope": scope,
                "iat": int(now.timestamp()),
                "exp": int(expires.timestamp()),
                "jti": secrets.token_hex(8),
                "iss": "https://identity.oraclecloud.com/",
            }
            parts = [json.dumps(header).encode(), json.dumps(claims).encode(), secrets.token_bytes(32)]
            value = ".".join(b64url(part) for part in parts)
            token = IssuedToken(value, client_id, expires)
            self.tokens[value] = token
            self.issued_count += 1
            return token


@dataclass
class Target:
    """What a resource path names: a collection or an item, with the rows above it."""

    level: Level
    chain: list  # [(Level, row)] from the top resource down to the item (if any)
    is_item: bool
    action: str | None = None
    path: list = field(default_factory=list)  # url segments from the resource name on

    @property
    def row(self):
        return self.chain[-1][1] if self.is_item else None

    @property
    def parent(self):
        if self.is_item:
            return self.chain[-2][1] if len(self.chain) > 1 else None
        return self.chain[-1][1] if self.chain else None

    @property
    def resource(self) -> str:
        return self.path[0]


@dataclass
class RenderOptions:
    version: int
    fields: dict  # relative child path ("" = this level) -> attribute names
    expand: set  # relative child paths to include
    only_data: bool
    base: str  # https://host/fscmRestApi/resources/<version>


class FusionSimulator(SimulatorApp):
    """In-memory Fusion pod and identity domain. See the module docstring."""

    name = "fusion"
    header_log_names = ("Authorization", "REST-Framework-Version", "Upsert-Mode", "Content-Type")

    def __init__(self, api_version: str = API_VERSION):
        self.api_version = api_version
        self.prefix = f"/fscmRestApi/resources/{api_version}"
        super().__init__()
        self.tokens = JwtTokenIssuer(self.clock, DEFAULT_OPTIONS["token_lifetime"])
        self.between_pages = None
        self._apply_defaults()
        self._clear_data()

    # ============================================================================
    # routing, options, state
    # ============================================================================
    def rules(self) -> list[Rule]:
        fusion = CONTROL_PREFIX + "fusion/"
        return [
            Rule(TOKEN_PATH, endpoint="api_token", methods=["POST"]),
            Rule(self.prefix + "/", endpoint="api_root", methods=["GET", "POST"]),
            Rule(
                self.prefix + "/<path:rest>",
                endpoint="api_resource",
                methods=["GET", "POST", "PATCH", "DELETE"],
            ),
            Rule(fusion + "receipts/process", endpoint="_control_process_receipts", methods=["POST"]),
            Rule(fusion + "users", endpoint="_control_user", methods=["POST"]),
            Rule(fusion + "touch", endpoint="_control_touch", methods=["POST"]),
            Rule(fusion + "demo-seed", endpoint="_control_demo_seed", methods=["POST"]),
        ]

    def _apply_defaults(self):
        for key, value in DEFAULT_OPTIONS.items():
            setattr(self, key, copy.deepcopy(value))
        self.rate_limiter.rate = self.request_rate_limit
        self.tokens.lifetime = self.token_lifetime

    def configure(self, **options) -> dict:
        result = super().configure(**options)
        if "token_lifetime" in options:
            self.tokens.lifetime = options["token_lifetime"]
        return result

    def _clear_data(self):
        with self.lock:
            self.clients = {DEFAULT_CLIENT["client_id"]: DEFAULT_CLIENT["client_secret"]}
            self.users = {DEFAULT_CLIENT["client_id"]: {"password": None, "roles": set(ALL_ROLES)}}
            self.business_units = {"Vision Operations": 300100000000204}
            self.organizations = {"M1": "Seattle Manufacturing"}
            self.data = {name: {} for name in STORED}
            self.invoice_holds: dict[int, list[str]] = {}
            self._seq = {"id": FIRST_ID, "supplier_number": 1200, "receipt_number": 5000}
            self._salt = secrets.token_hex(8)  # UniqIDs change with every reset, like any opaque key
            self._shuffle = random.Random(7)

    def reset(self):
        """Forget data, tokens, faults and the request log; restore the default options."""
        super().reset()
        self.tokens.reset()
        self.between_pages = None
        self._apply_defaults()
        self._clear_data()

    def token_issuers(self) -> list[TokenIssuer]:
        return [self.tokens]

    def state(self) -> dict:
        with self.lock:
            counts = {name: len(rows) for name, rows in self.data.items()}
            return {
                "counts": counts,
                "tokens_issued": self.tokens.issued_count,
                "pending_receipts": sum(
                    1
                    for r in self.data["receivingReceiptRequests"].values()
                    if r["ProcessingStatusCode"] == "PENDING"
                ),
                "invoice_holds": {str(k): v for k, v in self.invoice_holds.items()},
                "purchase_orders": [
                    {
                        "OrderNumber": po["OrderNumber"],
                        "DocumentStatusCode": po["DocumentStatusCode"],
                        "acknowledgment": (po.get("_ack") or {}).get("AcknowledgmentResponse"),
                        "received": [
                            float(sum((s.get("QuantityReceived") or 0) for s in line["schedules"]))
                            for line in po["lines"]
                        ],
                    }
                    for po in self.data["purchaseOrders"].values()
                ],
                "invoices": [
                    {
                        "InvoiceNumber": invoice["InvoiceNumber"],
                        "SupplierNumber": invoice["SupplierNumber"],
                        "InvoiceAmount": float(invoice["InvoiceAmount"]),
                    }
                    for invoice in self.data["invoices"].values()
                ],
                "receipt_requests": [
                    {
                        "ShipmentNumber": r.get("ShipmentNumber"),
                        "ProcessingStatusCode": r["ProcessingStatusCode"],
                    }
                    for r in self.data["receivingReceiptRequests"].values()
                ],
            }

    def _next(self, key: str = "id") -> int:
        self._seq[key] += 1
        return self._seq[key]

    def now(self) -> datetime:
        return self.clock.now()

    def _stamp(self, *rows):
        """Every create/update moves LastUpdateDate to the simulated now (§11.9)."""
        now = self.now()
        for row in rows:
            if row is None:
                continue
            row.setdefault("CreationDate", now)
            if row["CreationDate"] is None:
                row["CreationDate"] = now
            row["LastUpdateDate"] = now

    def _stamp_child(self, child, *ancestors):
        self._stamp(child)
        if self.child_changes_touch_parent:
            self._stamp(*ancestors)

    # ============================================================================
    # identity domain (§3, §11.1, §11.2)
    # ============================================================================
    def pod_origin(self, request: Request) -> str:
        host = (
            request.host
            if ":" in request.host
            else f"{request.host}:{443 if request.scheme == 'https' else 80}"
        )
        return f"{request.scheme}://{host}"

    def api_token(self, request: Request) -> Response:
        if request.mimetype != "application/x-www-form-urlencoded":
            return self._oauth_error(400, "invalid_request", "The request must be form-encoded.")
        client_id, client_secret = self._client_credentials(request)
        with self.lock:
            known = self.clients.get(client_id or "")
        if not client_id or known is None or known != client_secret:
            return self._oauth_error(401, "invalid_client", "Client authentication failed.")
        grant = request.form.get("grant_type")
        if not grant:
            return self._oauth_error(400, "invalid_request", "The grant_type parameter is missing.")
        if grant != "client_credentials":
            return self._oauth_error(
                400, "unsupported_grant_type", f"The grant type {grant} is not supported."
            )
        scope = (request.form.get("scope") or "").strip()
        accepted = [s.replace("{pod}", self.pod_origin(request)) for s in self.accepted_scopes]
        if scope not in accepted:
            return self._oauth_error(
                400, "invalid_scope", "The requested scope is invalid, unknown, or malformed."
            )
        audience = scope[: -len(TRUST_SCOPE)] if scope.endswith(TRUST_SCOPE) else ""
        token = self.tokens.issue(client_id, scope=scope, audience=audience)
        return json_response(
            {"access_token": token.value, "token_type": "Bearer", "expires_in": int(self.token_lifetime)}
        )

    def _client_credentials(self, request: Request) -> tuple:
        auth = request.authorization
        if auth and auth.type == "basic":
            if "basic" not in self.client_auth_methods:
                return None, None
            return auth.username, auth.password
        if "body" in self.client_auth_methods:
            return request.form.get("client_id"), request.form.get("client_secret")
        return None, None

    @staticmethod
    def _oauth_error(status, error, description) -> Response:
        return json_response({"error": error, "error_description": description}, status=status)

    def _authenticate(self, request: Request) -> str | None:
        """The Fusion user behind the request: the token's client id, or a Basic user."""
        header = request.headers.get("Authorization")
        token = self.tokens.check(header)
        if token is not None:
            return token.client_id
        auth = request.authorization
        if self.basic_user_auth and auth and auth.type == "basic":
            with self.lock:
                user = self.users.get(auth.username or "")
            if user and user.get("password") and user["password"] == auth.password:
                return auth.username
        return None

    def _privileges(self, user: str) -> set:
        with self.lock:
            roles = (self.users.get(user) or {}).get("roles") or set()
        return set().union(*(ROLES.get(role, set()) for role in roles)) if roles else set()

    def _authorize(self, user: str, target: Target, method: str):
        read, write = RESOURCE_PRIVILEGES[target.resource]
        needed = ACTION_PRIVILEGES.get(target.action) if target.action else None
        needed = needed or (read if method == "GET" else write)
        if needed not in self._privileges(user):
            raise FusionError(
                403, "You don't have the required privileges to perform this operation.", "FND-403"
            )

    def set_client(self, client_id: str, client_secret: str, roles=None, password: str | None = None):
        """A confidential application and the Fusion user of the same name (§3.1)."""
        unknown = set(roles or ()) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)}; known: {ALL_ROLES}")
        with self.lock:
            self.clients[client_id] = client_secret
            self.users[client_id] = {
                "password": password,
                "roles": set(ALL_ROLES if roles is None else roles),
            }

    def check_rate_limit(self, request: Request):
        if not request.path.startswith(self.prefix):
            return None
        return super().check_rate_limit(request)

    # ============================================================================
    # resources: dispatch (§11.3-§11.5)
    # ============================================================================
    def api_root(self, request: Request) -> Response:
        version = None
        try:
            version = self._framework_version(request)
            user = self._authenticate(request)
            if user is None:
                return self._unauthorized()
            if request.method == "POST":
                return self._batch(request, version)
            return self._catalog(request)
        except FusionError as exc:
            return self._error_response(exc, version)

    def api_resource(self, request: Request, rest: str) -> Response:
        version = None
        try:
            version = self._framework_version(request)
            user = self._authenticate(request)
            if user is None:
                return self._unauthorized()
            with self.lock:
                self._process_due_receipts()
                target = self._resolve(rest)
                self._authorize(user, target, request.method)
                return self._route(request, target, version)
        except FusionError as exc:
            return self._error_response(exc, version)
        except QueryError as exc:
            return self._error_response(bad(str(exc), "FND-REST-QUERY"), version)

    def _framework_version(self, request: Request) -> int:
        raw = request.headers.get("REST-Framework-Version")
        if raw is None:
            return int(self.default_framework_version)
        try:
            version = int(raw.strip())
        except ValueError:
            version = None
        if version not in [int(v) for v in self.allowed_framework_versions]:
            raise bad(f"The REST framework version {raw} is not supported.")
        return version

    def _unauthorized(self) -> Response:
        return Response(b"", status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def _json_errors(self, version) -> bool:
        if self.error_format == "json":
            return True
        if self.error_format == "text":
            return False
        return version is not None and version >= int(self.json_errors_from)

    def _error_response(self, exc: FusionError, version) -> Response:
        """§8: plain text below framework 4, JSON ``o:errorDetails`` from 4 (switchable)."""
        if isinstance(exc, GatewayTimeout):
            # the load balancer's page, not an ADF error body
            title = "504 Gateway Time-out"
            page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
            return Response(page, status=504, content_type="text/html")
        if self._json_errors(version):
            body = {
                "title": HTTP_TITLES.get(exc.status, "Error"),
                "status": str(exc.status),
                "o:errorDetails": [{"detail": exc.detail, "o:errorCode": exc.code or f"FND-{exc.status}"}],
            }
            return json_response(
                body, status=exc.status, content_type="application/vnd.oracle.adf.error+json"
            )
        return Response(exc.detail, status=exc.status, content_type="text/plain")

    def _resolve(self, rest: str) -> Target:
        parts = [p for p in rest.split("/") if p]
        if not parts or parts[0] not in RESOURCES:
            raise not_found()
        level = RESOURCES[parts[0]]
        target = Target(level, [], False, path=parts)
        rows = self._top_rows(level, lookup=True)
        index = 1
        while index < len(parts):
            segment = parts[index]
            if segment == "action":
                if index + 2 != len(parts):
                    raise not_found()
                target.action = parts[index + 1]
                return target
            if not target.is_item:
                row = self._find(level, rows, target.chain, segment)
                target.chain.append((level, row))
                target.is_item = True
                index += 1
                continue
            child = level.child(parts[index + 1]) if segment == "child" and index + 1 < len(parts) else None
            if child is None:
                raise not_found()
            level, rows = child, target.row.get(child.name) or []
            target.level, target.is_item = child, False
            index += 2
        return target

    def _top_rows(self, level: Level, lookup: bool = False) -> list:
        """Rows of a top resource. The acknowledgment collection lists POs pending acknowledgment;
        a path to another PO still resolves, so that acknowledging it can say why not (400)."""
        if level is ACKNOWLEDGMENTS:
            orders = self.data["purchaseOrders"].values()
            return [self._ack_view(po) for po in orders if lookup or self._pending_ack(po)]
        return list(self.data[level.name].values())

    def _find(self, level: Level, rows, chain, segment: str) -> dict:
        for row in rows:
            key = str(row.get(level.key))
            if level.path_key == "id" or level.numeric_ok:
                if key == segment:
                    return row
            if level.path_key == "uniq" and self.uniq_id(chain, level, row) == segment:
                return row
        raise not_found()

    def uniq_id(self, chain, level: Level, row) -> str:
        """Opaque item key (§11.14): a hash of the path of keys, meaningless to a client."""
        keys = [f"{lv.name}={r.get(lv.key)}" for lv, r in chain] + [f"{level.name}={row.get(level.key)}"]
        digest = hashlib.sha256(f"{self._salt}|{'/'.join(keys)}".encode()).hexdigest().upper()
        return "00020000000EACED0005" + digest[:44]

    def _segment(self, chain, level: Level, row) -> str:
        return str(row.get(level.key)) if level.path_key == "id" else self.uniq_id(chain, level, row)

    def item_href(self, base: str, chain) -> str:
        href = base
        for depth, (level, row) in enumerate(chain):
            href += (
                "/" if depth == 0 else "/child/"
            ) + f"{level.name}/{self._segment(chain[:depth], level, row)}"
        return href

    def collection_href(self, base: str, chain, level: Level) -> str:
        return (self.item_href(base, chain) + "/child/" + level.name) if chain else f"{base}/{level.name}"

    def _route(self, request: Request, target: Target, version: int) -> Response:
        method = request.method
        if method == "GET" and not target.action:
            if target.is_item:
                return self._get_item(request, target, version)
            return self._list(request, target, version)
        handler = self._write_handler(method, target)
        if handler is None:
            verb = {"POST": "create", "PATCH": "update", "DELETE": "delete"}.get(method, method.lower())
            if target.action:
                raise not_found(
                    f"The action {target.action} is not defined for the resource {target.level.name}."
                )
            raise FusionError(405, f"Invalid operation {verb} for the specified resource.", "FND-REST-405")
        self._check_media_type(request, ACTION_TYPES if target.action else ITEM_TYPES)
        return handler(request, target, version)

    def _write_handler(self, method, target: Target):
        key = (
            method,
            target.resource,
            target.level.name,
            "item" if target.is_item else "collection",
            target.action,
        )
        return {
            ("POST", "invoices", "invoices", "collection", None): self._post_invoice,
            ("PATCH", "invoices", "invoices", "collection", None): self._patch_invoices,
            ("PATCH", "invoices", "invoices", "item", None): self._patch_invoice,
            ("POST", "invoices", "invoices", "collection", "validateInvoice"): self._validate_invoice,
            ("POST", "suppliers", "suppliers", "collection", None): self._post_supplier,
            ("PATCH", "suppliers", "suppliers", "item", None): self._patch_supplier,
            ("POST", "suppliers", "sites", "collection", None): self._post_site,
            ("PATCH", "suppliers", "sites", "item", None): self._patch_child,
            ("POST", "suppliers", "addresses", "collection", None): self._post_address,
            ("PATCH", "suppliers", "addresses", "item", None): self._patch_child,
            ("POST", "valueSets", "values", "collection", None): self._post_value,
            ("PATCH", "valueSets", "values", "item", None): self._patch_child,
            (
                "POST",
                "receivingReceiptRequests",
                "receivingReceiptRequests",
                "collection",
                None,
            ): self._post_receipt,
            (
                "PATCH",
                "purchaseOrderAcknowledgments",
                "purchaseOrderAcknowledgments",
                "item",
                None,
            ): self._patch_ack,
            ("PATCH", "purchaseOrderAcknowledgments", "schedules", "item", None): self._patch_ack_schedule,
            ("POST", "purchaseOrders", "purchaseOrders", "item", "acknowledge"): self._action_acknowledge,
        }.get(key)

    @staticmethod
    def _check_media_type(request: Request, accepted):
        if request.mimetype not in accepted:
            raise FusionError(
                415, f"The media type {request.mimetype or '(none)'} is not supported.", "FND-415"
            )

    @staticmethod
    def _body(request: Request) -> dict:
        try:
            body = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
        except ValueError:
            raise bad("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise bad("The request body must be a JSON object.")
        return body

    @staticmethod
    def _upsert(request: Request) -> bool:
        return (request.headers.get("Upsert-Mode") or "").strip().lower() == "true"

    # ============================================================================
    # reading (§4, §11.5-§11.8, §11.15)
    # ============================================================================
    def _catalog(self, request: Request) -> Response:
        base = request.host_url.rstrip("/") + self.prefix
        items = [
            {
                "name": name,
                "links": [{"rel": "self", "href": f"{base}/{name}", "name": name, "kind": "collection"}],
            }
            for name in RESOURCES
        ]
        return json_response(
            {
                "items": items,
                "links": [{"rel": "self", "href": base + "/", "name": "resources", "kind": "collection"}],
                "adf:extension": {
                    "defaultFrameworkVersion": str(self.default_framework_version),
                    "allowedFrameworkVersions": [str(v) for v in self.allowed_framework_versions],
                },
            }
        )

    def _render_options(self, request: Request, level: Level, version: int) -> RenderOptions:
        fields = self._parse_fields(request.args.get("fields", ""), level)
        expand = self._parse_expand(request.args.get("expand", ""), level)
        expand |= {path for path in fields if path}
        only_data = (request.args.get("onlyData") or "").lower() == "true"
        base = request.host_url.rstrip("/") + self.prefix
        return RenderOptions(version, fields, expand, only_data, base)

    @staticmethod
    def _level_at(level: Level, path: str) -> Level:
        for name in [p for p in path.split(".") if p]:
            child = level.child(name)
            if child is None:
                raise bad(f"The child resource {path} is not valid for the resource {level.name}.")
            level = child
        return level

    def _parse_fields(self, text: str, level: Level) -> dict:
        """``A,B;lines:C,D;lines.schedules:E`` -> ``{"": [A, B], "lines": [C, D], ...}``."""
        result = {}
        for part in [p for p in text.split(";") if p.strip()]:
            path, sep, names = part.partition(":")
            if not sep:
                path, names = "", part
            sub = self._level_at(level, path.strip())
            wanted = [n.strip() for n in names.split(",") if n.strip()]
            for name in wanted:
                if name not in sub.attributes:
                    raise bad(f"The attribute {name} is not valid for the resource {sub.name}.")
            result[path.strip()] = wanted
        return result

    def _parse_expand(self, text: str, level: Level) -> set:
        paths = set()
        for path in [p.strip() for p in text.split(",") if p.strip()]:
            if path == "all":
                paths |= {child.name for child in level.children}
                continue
            self._level_at(level, path)
            pieces = path.split(".")
            paths |= {".".join(pieces[: i + 1]) for i in range(len(pieces))}
        return paths

    def _number(self, value):
        if value is None:
            return None
        if not self.amounts_as_numbers:
            return format(value, "f")
        return int(value) if value == value.to_integral_value() else float(value)

    def render_timestamp(self, moment: datetime | None):
        """§10: offset or Z, 0/3/6 fraction digits, in ``render_time_zone``."""
        if moment is None:
            return None
        local = moment.astimezone(ZoneInfo(self.render_time_zone))
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        digits = int(self.timestamp_fraction_digits)
        if digits:
            text += "." + f"{local.microsecond:06d}"[:digits]
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        if offset == "+00:00" and self.timestamp_suffix == "Z":
            return text + "Z"
        return text + offset

    def _value(self, kind: str, value):
        if kind in ("amount", "qty"):
            return self._number(value)
        if kind == "ts":
            return self.render_timestamp(value)
        if kind == "date":
            return value.isoformat() if value else None
        return value

    def render_item(self, level: Level, row: dict, chain: list, opts: RenderOptions, path: str = "") -> dict:
        """``chain`` ends with ``(level, row)``."""
        names = opts.fields.get(path) or list(level.attributes)
        item = {name: self._value(level.attributes[name], row.get(name)) for name in names}
        href = self.item_href(opts.base, chain)
        for child in level.children:
            child_path = f"{path}.{child.name}" if path else child.name
            if child_path in opts.expand:
                rows = row.get(child.name) or []
                item[child.name] = self._render_nested(child, rows, chain, opts, child_path)
        if not opts.only_data:
            item["links"] = self._item_links(level, row, chain, href)
        return item

    def _item_links(self, level: Level, row, chain, href) -> list:
        change = hashlib.sha256(str(row.get("LastUpdateDate")).encode()).hexdigest()[:16].upper()
        links = [
            {
                "rel": "self",
                "href": href,
                "name": level.name,
                "kind": "item",
                "properties": {"changeIndicator": change},
            },
            {"rel": "canonical", "href": href, "name": level.name, "kind": "item"},
        ]
        links += [
            {"rel": "child", "href": f"{href}/child/{c.name}", "name": c.name, "kind": "collection"}
            for c in level.children
        ]
        if level is PURCHASE_ORDERS and self.ack_action_enabled:
            links.append(
                {
                    "rel": "action",
                    "href": f"{href}/action/acknowledge",
                    "name": "acknowledge",
                    "kind": "other",
                }
            )
        return links

    def _render_nested(self, level: Level, rows, chain, opts: RenderOptions, path: str):
        """Framework 1-2: an array; 3+: a collection of at most ``nested_limit`` rows (§2)."""
        rows = sorted(rows, key=lambda r: r.get(level.key) or 0)
        if opts.version < 3:
            return [self.render_item(level, r, [*chain, (level, r)], opts, path) for r in rows]
        limit = int(self.nested_limit)
        page = rows[:limit]
        return {
            "items": [self.render_item(level, r, [*chain, (level, r)], opts, path) for r in page],
            "count": len(page),
            "hasMore": len(rows) > limit,
            "limit": limit,
            "offset": 0,
            "links": [
                {
                    "rel": "self",
                    "href": self.collection_href(opts.base, chain, level),
                    "name": level.name,
                    "kind": "collection",
                }
            ],
        }

    def _get_item(self, request: Request, target: Target, version: int) -> Response:
        if target.resource == ACKNOWLEDGMENTS.name and not self._pending_ack(target.chain[0][1]["_po"]):
            raise not_found("The purchase order is not pending acknowledgment.")
        opts = self._render_options(request, target.level, version)
        return json_response(self.render_item(target.level, target.row, target.chain, opts))

    def _paging(self, request: Request) -> tuple[int, int]:
        try:
            limit = int(request.args.get("limit", self.default_limit))
            offset = int(request.args.get("offset", 0))
        except ValueError:
            raise bad("The limit and offset parameters must be integers.") from None
        if limit < 1 or offset < 0:
            raise bad("The limit must be positive and the offset zero or more.")
        return min(limit, int(self.max_limit)), offset

    def _finder(self, text: str, level: Level):
        if not text:
            return lambda row: True
        name, _, variables = text.partition(";")
        if name != "PrimaryKey":
            raise bad(f"The finder {name} is not defined for the resource {level.name}.")
        wanted = {}
        for pair in [p for p in variables.split(",") if p]:
            attr, _, raw = pair.partition("=")
            if attr != level.key:
                raise bad(f"The finder PrimaryKey does not take the variable {attr}.")
            wanted[attr] = stored(level.attributes[attr], raw, attr)
        return lambda row: all(row.get(a) == v for a, v in wanted.items())

    def _order(self, request: Request, level: Level, rows: list) -> list:
        keys = []
        for part in [p.strip() for p in (request.args.get("orderBy") or "").split(",") if p.strip()]:
            attr, _, direction = part.partition(":")
            direction = (direction or "asc").lower()
            if attr not in level.attributes or direction not in ("asc", "desc"):
                raise bad(f"The orderBy value {part} is not valid for the resource {level.name}.")
            keys.append((attr, direction == "desc"))
        if not keys:
            return sorted(rows, key=lambda r: r.get(level.key) or 0)
        rows = list(rows)
        if self.shuffle_ties:
            self._shuffle.shuffle(rows)  # equal rows come in an order a client cannot rely on
        for attr, descending in reversed(keys):
            present = [r for r in rows if r.get(attr) is not None]
            missing = [r for r in rows if r.get(attr) is None]
            present.sort(key=lambda r, a=attr: r[a], reverse=descending)
            rows = present + missing  # nulls last
        return rows

    def _list(self, request: Request, target: Target, version: int) -> Response:
        level = target.level
        opts = self._render_options(request, level, version)
        limit, offset = self._paging(request)
        query = compile_query(request.args.get("q", ""), version, level.query_kinds(), self.user_time_zone)
        finder = self._finder(request.args.get("finder", ""), level)
        rows = self._top_rows(level) if not target.chain else (target.parent.get(level.name) or [])
        selected = self._order(request, level, [r for r in rows if query.matches(r) and finder(r)])
        if not target.chain:
            self._check_query_cost(level, query, selected, rows)
        page = selected[offset : offset + limit]
        items = [self.render_item(level, r, [*target.chain, (level, r)], opts) for r in page]
        body = {
            "items": items,
            "count": len(items),
            "hasMore": offset + len(items) < len(selected),
            "limit": limit,
            "offset": offset,
            "links": [
                {
                    "rel": "self",
                    "href": self.collection_href(opts.base, target.chain, level),
                    "name": level.name,
                    "kind": "collection",
                }
            ],
        }
        if (request.args.get("totalResults") or "").lower() == "true":
            body["totalResults"] = len(selected)
        response = json_response(body)
        if self.between_pages is not None:
            # Test hook (§11.9): change data after a page was built, before the next is asked for.
            self.between_pages(level.name, offset, len(items))
        return response

    def _check_query_cost(self, level: Level, query, selected, rows):
        """§11.15: a query costing more than ``query_timeout`` simulated seconds gets 504."""
        cost = len(selected) * float(self.query_cost_per_row)
        if self.query_cost_per_day and "LastUpdateDate" in level.attributes:
            lower, upper = query.bounds("LastUpdateDate")
            stamps = [r["LastUpdateDate"] for r in rows if r.get("LastUpdateDate")]
            lower = lower or (min(stamps) if stamps else self.now())
            upper = upper or self.now()
            cost += max((upper - lower).total_seconds(), 0) / 86400 * float(self.query_cost_per_day)
        if cost > float(self.query_timeout):
            raise GatewayTimeout()

    # ============================================================================
    # invoices (§6.1, §11.10)
    # ============================================================================
    def _supplier(self, number=None, name=None) -> dict:
        found = None
        for supplier in self.data["suppliers"].values():
            if number not in (None, "") and supplier.get("SupplierNumber") == str(number):
                found = supplier
                break
            if number in (None, "") and name and supplier.get("Supplier") == name:
                found = supplier
                break
        if found is None:
            raise bad(f"The supplier {number or name} does not exist.", "AP-SUPPLIER")
        if number not in (None, "") and name and found.get("Supplier") != name:
            raise bad(f"The supplier number {number} does not belong to the supplier {name}.", "AP-SUPPLIER")
        return found

    def _site(self, supplier: dict, site_name) -> dict:
        for site in supplier.get("sites") or []:
            if site.get("SupplierSite") == site_name:
                return site
        raise bad(
            f"The supplier site {site_name} does not exist for the supplier {supplier['Supplier']}.",
            "AP-SITE",
        )

    def _business_unit(self, name) -> str:
        if name not in self.business_units:
            raise bad(f"The business unit {name} does not exist.", "AP-BU")
        return name

    def _combination(self, text) -> dict:
        for combination in self.data["accountCombinationsLOV"].values():
            if combination.get("ConcatenatedSegments") == text:
                if combination.get("EnabledFlag") != "Y":
                    raise bad(f"The account combination {text} is disabled.", "GL-ACCOUNT")
                return combination
        raise bad(f"The account combination {text} is not valid.", "GL-ACCOUNT")

    def find_po(self, order_number) -> dict | None:
        for po in self.data["purchaseOrders"].values():
            if po.get("OrderNumber") == str(order_number):
                return po
        return None

    @staticmethod
    def _po_line(po: dict, number) -> dict | None:
        return next((ln for ln in po.get("lines") or [] if ln.get("LineNumber") == number), None)

    @staticmethod
    def _po_schedule(line: dict, number) -> dict | None:
        return next((s for s in line.get("schedules") or [] if s.get("ScheduleNumber") == number), None)

    def _duplicate_invoice(self, number, supplier_id, business_unit, exclude=None) -> dict | None:
        for invoice in self.data["invoices"].values():
            if invoice is exclude:
                continue
            if (invoice["InvoiceNumber"], invoice["_supplier_id"], invoice["BusinessUnit"]) == (
                number,
                supplier_id,
                business_unit,
            ):
                return invoice
        return None

    def _invoice_line(self, invoice: dict, data: dict, supplier: dict) -> dict:
        line = typed(INVOICE_LINES, data)
        line.setdefault("LineType", "Item")
        line.setdefault("AccountingDate", invoice.get("AccountingDate"))
        if line.get("LineAmount") is None:
            raise bad(f"Line {line.get('LineNumber')}: the line amount is required.", "AP-LINE")
        if line.get("PurchaseOrderNumber"):
            self._check_po_match(line, supplier)
        if line.get("DistributionCombination"):
            self._combination(line["DistributionCombination"])
        distributions = []
        for number, dist_data in enumerate(data.get("invoiceDistributions") or [], start=1):
            dist = typed(INVOICE_DISTRIBUTIONS, dist_data)
            dist.setdefault("DistributionLineNumber", number)
            dist.setdefault("DistributionLineType", line["LineType"])
            dist.setdefault("AccountingDate", line.get("AccountingDate"))
            self._combination(dist.get("DistributionCombination"))
            dist["InvoiceDistributionId"] = self._next()
            self._stamp(dist)
            distributions.append(dist)
        if (
            distributions
            and sum(d.get("DistributionAmount") or 0 for d in distributions) != line["LineAmount"]
        ):
            raise bad(
                f"Line {line.get('LineNumber')}: the distribution amounts do not add up to the line amount."
            )
        line["invoiceDistributions"] = distributions
        self._stamp(line)
        return line

    def _check_po_match(self, line: dict, supplier: dict):
        number = line["PurchaseOrderNumber"]
        po = self.find_po(number)
        if po is None or po.get("SupplierId") != supplier["SupplierId"]:
            raise bad(
                f"The purchase order {number} does not exist for the supplier {supplier['Supplier']}.",
                "AP-PO",
            )
        po_line = self._po_line(po, line.get("PurchaseOrderLineNumber") or 1)
        if po_line is None:
            raise bad(
                f"The purchase order {number} has no line {line.get('PurchaseOrderLineNumber')}.", "AP-PO"
            )
        if self._po_schedule(po_line, line.get("PurchaseOrderScheduleLineNumber") or 1) is None:
            raise bad(
                f"The purchase order line {number}-{po_line['LineNumber']} has no such schedule.", "AP-PO"
            )

    def _check_invoice_total(self, invoice: dict):
        total = sum((ln.get("LineAmount") or Decimal(0)) for ln in invoice["invoiceLines"])
        if total != invoice["InvoiceAmount"]:
            raise bad(
                f"The sum of the line amounts ({total}) does not equal the invoice amount "
                f"({invoice['InvoiceAmount']}).",
                "AP-AMOUNT",
            )

    def create_invoice(self, body: dict) -> dict:
        header = typed(INVOICES, body)
        for required in ("InvoiceNumber", "InvoiceAmount", "BusinessUnit", "SupplierSite", "InvoiceCurrency"):
            if header.get(required) in (None, ""):
                raise bad(f"The attribute {required} is required.", "AP-REQUIRED")
        supplier = self._supplier(header.get("SupplierNumber"), header.get("Supplier"))
        site = self._site(supplier, header["SupplierSite"])
        self._business_unit(header["BusinessUnit"])
        if self._duplicate_invoice(header["InvoiceNumber"], supplier["SupplierId"], header["BusinessUnit"]):
            raise bad(
                f"The invoice number {header['InvoiceNumber']} already exists for the supplier "
                f"{supplier['Supplier']} in the business unit {header['BusinessUnit']}. "
                "Enter a unique invoice number.",
                "AP-DUPLICATE-INVOICE",
            )
        invoice = {
            "InvoiceType": "Standard",
            "ValidationStatus": "Not validated",
            "ApprovalStatus": "Required",
            "PaidStatus": "Unpaid",
            "AmountPaid": Decimal(0),
            "InvoiceDate": self.now().date(),
            **header,
            "InvoiceId": self._next(),
            "Supplier": supplier["Supplier"],
            "SupplierNumber": supplier["SupplierNumber"],
            "ProcurementBU": site.get("ProcurementBU"),
            "_supplier_id": supplier["SupplierId"],
            "CreationDate": None,
        }
        invoice.setdefault("PaymentCurrency", invoice["InvoiceCurrency"])
        invoice.setdefault("AccountingDate", invoice["InvoiceDate"])
        invoice["invoiceLines"] = self._invoice_lines(invoice, body.get("invoiceLines") or [], supplier)
        self._check_invoice_total(invoice)
        self._stamp(invoice)
        self.data["invoices"][invoice["InvoiceId"]] = invoice
        return invoice

    def _invoice_lines(self, invoice, lines_data, supplier, existing=()) -> list:
        lines = list(existing)
        numbers = {ln["LineNumber"] for ln in lines}
        for data in lines_data:
            data = dict(data)
            data.setdefault("LineNumber", max(numbers or {0}) + 1)
            line = self._invoice_line(invoice, data, supplier)
            if line["LineNumber"] in numbers:
                raise bad(f"The invoice line number {line['LineNumber']} is used twice.")
            numbers.add(line["LineNumber"])
            lines.append(line)
        return lines

    def update_invoice(self, invoice: dict, body: dict) -> dict:
        """PATCH semantics: header attributes replaced, lines merged by LineNumber (§6.1)."""
        changes = typed(INVOICES, body)
        for name, value in changes.items():
            if name in INVOICES.writable or name == "InvoiceId":
                continue
            if value != invoice.get(name):
                raise bad(f"The attribute {name} can't be updated.", "AP-READONLY")
        supplier = self.data["suppliers"][invoice["_supplier_id"]]
        updated = copy.deepcopy(invoice)
        updated.update({k: v for k, v in changes.items() if k in INVOICES.writable})
        new_lines = []
        for data in body.get("invoiceLines") or []:
            current = next(
                (ln for ln in updated["invoiceLines"] if ln["LineNumber"] == data.get("LineNumber")), None
            )
            if current is None:
                new_lines.append(data)
                continue
            current.update(
                typed(INVOICE_LINES, {k: v for k, v in data.items() if k != "invoiceDistributions"})
            )
            if current.get("DistributionCombination"):
                self._combination(current["DistributionCombination"])
            self._stamp(current)
        updated["invoiceLines"] = self._invoice_lines(updated, new_lines, supplier, updated["invoiceLines"])
        self._check_invoice_total(updated)
        if updated["ValidationStatus"] == "Validated":
            updated["ValidationStatus"] = "Needs revalidation"
        self._stamp(updated)
        invoice.clear()
        invoice.update(updated)
        return invoice

    def _created(
        self, target_level: Level, chain: list, row: dict, request: Request, version: int, status=201
    ):
        opts = self._render_options(request, target_level, version)
        opts.expand |= {child.name for child in target_level.children if row.get(child.name)}
        for child in target_level.children:
            opts.expand |= {f"{child.name}.{g.name}" for g in child.children}
        item = self.render_item(target_level, row, [*chain, (target_level, row)], opts)
        href = self.item_href(opts.base, [*chain, (target_level, row)])
        return json_response(item, status=status, headers={"Location": href})

    def _post_invoice(self, request: Request, target: Target, version: int) -> Response:
        body = self._body(request)
        existing = self._invoice_for_upsert(body) if self._upsert(request) else None
        if existing is not None:
            return self._created(
                INVOICES, [], self.update_invoice(existing, body), request, version, status=200
            )
        return self._created(INVOICES, [], self.create_invoice(body), request, version)

    def _invoice_for_upsert(self, body: dict) -> dict | None:
        if body.get("InvoiceId") not in (None, ""):
            invoice = self.data["invoices"].get(int(body["InvoiceId"]))
            if invoice is None:
                raise not_found(f"The invoice {body['InvoiceId']} does not exist.")
            return invoice
        try:
            supplier = self._supplier(body.get("SupplierNumber"), body.get("Supplier"))
        except FusionError:
            return None
        return self._duplicate_invoice(
            body.get("InvoiceNumber"), supplier["SupplierId"], body.get("BusinessUnit")
        )

    def _patch_invoices(self, request: Request, target: Target, version: int) -> Response:
        """``PATCH /invoices`` with ``Upsert-Mode: true`` updates by InvoiceId (§6.1)."""
        if not self._upsert(request):
            raise FusionError(405, "Invalid operation update for the specified resource.", "FND-REST-405")
        return self._post_invoice(request, target, version)

    def _patch_invoice(self, request: Request, target: Target, version: int) -> Response:
        invoice = self.update_invoice(target.row, self._body(request))
        return self._created(INVOICES, [], invoice, request, version, status=200)

    def _validate_invoice(self, request: Request, target: Target, version: int) -> Response:
        body = self._body(request)
        invoice = self._invoice_for_action(body)
        holds = self._holds(invoice)
        self.invoice_holds[invoice["InvoiceId"]] = holds
        invoice["ValidationStatus"] = "Needs revalidation" if holds else "Validated"
        self._stamp(invoice)
        return self._action_result(invoice["ValidationStatus"])

    def _invoice_for_action(self, body: dict) -> dict:
        if body.get("InvoiceId") not in (None, ""):
            invoice = self.data["invoices"].get(int(body["InvoiceId"]))
            if invoice is None:
                raise bad(f"The invoice {body['InvoiceId']} does not exist.")
            return invoice
        matches = [
            inv
            for inv in self.data["invoices"].values()
            if inv["InvoiceNumber"] == body.get("InvoiceNumber")
            and (not body.get("BusinessUnit") or inv["BusinessUnit"] == body["BusinessUnit"])
            and (not body.get("Supplier") or inv["Supplier"] == body["Supplier"])
            and (not body.get("SupplierNumber") or inv["SupplierNumber"] == str(body["SupplierNumber"]))
        ]
        if len(matches) != 1:
            raise bad(f"{len(matches)} invoices match {body.get('InvoiceNumber')}: identify exactly one.")
        return matches[0]

    def _holds(self, invoice: dict) -> list[str]:
        """Holds placed by validation, by the configured rules (§11.10)."""
        rules = {**DEFAULT_OPTIONS["validation_rules"], **(self.validation_rules or {})}
        holds = []
        if rules.get("max_amount") is not None and invoice["InvoiceAmount"] > Decimal(
            str(rules["max_amount"])
        ):
            holds.append("Amount")
        tolerance = Decimal(str(rules.get("price_tolerance_pct") or 0))
        for line in invoice["invoiceLines"]:
            if not line.get("PurchaseOrderNumber"):
                continue
            po = self.find_po(line["PurchaseOrderNumber"])
            po_line = self._po_line(po, line.get("PurchaseOrderLineNumber") or 1)
            schedule = self._po_schedule(po_line, line.get("PurchaseOrderScheduleLineNumber") or 1)
            price = line.get("UnitPrice")
            if price is None and line.get("Quantity"):
                price = line["LineAmount"] / line["Quantity"]
            if price is not None and price > po_line["Price"] * (1 + tolerance / 100):
                holds.append(f"Price: line {line['LineNumber']}")
            quantity = line.get("Quantity") or Decimal(0)
            if rules.get("require_receipt") and quantity > (schedule.get("QuantityReceived") or 0):
                holds.append(f"Qty rec: line {line['LineNumber']}")
        return holds

    @staticmethod
    def _action_result(result) -> Response:
        return json_response({"result": result}, content_type="application/vnd.oracle.adf.actionresult+json")

    # ============================================================================
    # suppliers (§6.4, §11.13)
    # ============================================================================
    def _check_supplier_unique(self, row: dict, exclude=None):
        name = (row.get("Supplier") or "").strip().casefold()
        taxpayer = (row.get("TaxpayerId") or "").strip()
        for other in self.data["suppliers"].values():
            if other is exclude:
                continue
            if name and other["Supplier"].strip().casefold() == name:
                raise bad(f"A supplier with the name {row['Supplier']} already exists.", "POZ-DUPLICATE-NAME")
            if taxpayer and (other.get("TaxpayerId") or "").strip() == taxpayer:
                raise bad(
                    f"The taxpayer ID {taxpayer} is already used by the supplier {other['Supplier']}.",
                    "POZ-DUPLICATE-TAXPAYER",
                )
            if row.get("SupplierNumber") and other["SupplierNumber"] == row["SupplierNumber"]:
                raise bad(
                    f"The supplier number {row['SupplierNumber']} already exists.", "POZ-DUPLICATE-NUMBER"
                )

    def create_supplier(self, body: dict) -> dict:
        row = typed(SUPPLIERS, body)
        if not (row.get("Supplier") or "").strip():
            raise bad("The attribute Supplier is required.", "POZ-REQUIRED")
        if not row.get("TaxOrganizationType"):
            raise bad("The attribute TaxOrganizationType is required.", "POZ-REQUIRED")
        if self.supplier_numbering == "manual" and not row.get("SupplierNumber"):
            raise bad(
                "The attribute SupplierNumber is required: supplier numbering is manual.", "POZ-REQUIRED"
            )
        self._check_supplier_unique(row)
        supplier = {
            "SupplierType": "SUPPLIER",
            "Status": "ACTIVE",
            "BusinessRelationship": "SPEND_AUTHORIZED",
            **row,
            "SupplierId": self._next(),
            "SupplierPartyId": self._next(),
            "CreationDate": None,
        }
        if not supplier.get("SupplierNumber"):
            supplier["SupplierNumber"] = str(self._next("supplier_number"))
        supplier["sites"], supplier["addresses"] = [], []
        self._stamp(supplier)
        self.data["suppliers"][supplier["SupplierId"]] = supplier
        for address in body.get("addresses") or []:
            self.add_address(supplier, address)
        for site in body.get("sites") or []:
            self.add_site(supplier, site)
        return supplier

    def update_supplier(self, supplier: dict, body: dict) -> dict:
        changes = typed(SUPPLIERS, body)
        for name, value in changes.items():
            if name not in SUPPLIERS.writable and value != supplier.get(name):
                raise bad(f"The attribute {name} can't be updated.", "POZ-READONLY")
        self._check_supplier_unique({**supplier, **changes}, exclude=supplier)
        supplier.update({k: v for k, v in changes.items() if k in SUPPLIERS.writable})
        self._stamp(supplier)
        return supplier

    def _post_supplier(self, request: Request, target: Target, version: int) -> Response:
        body = self._body(request)
        existing = self._supplier_for_upsert(body) if self._upsert(request) else None
        if existing is not None:
            return self._created(
                SUPPLIERS, [], self.update_supplier(existing, body), request, version, status=200
            )
        return self._created(SUPPLIERS, [], self.create_supplier(body), request, version)

    def _supplier_for_upsert(self, body: dict) -> dict | None:
        for supplier in self.data["suppliers"].values():
            if body.get("SupplierId") and supplier["SupplierId"] == int(body["SupplierId"]):
                return supplier
            if body.get("SupplierNumber") and supplier["SupplierNumber"] == str(body["SupplierNumber"]):
                return supplier
            if not body.get("SupplierNumber") and supplier["Supplier"] == body.get("Supplier"):
                return supplier
        return None

    def _patch_supplier(self, request: Request, target: Target, version: int) -> Response:
        supplier = self.update_supplier(target.row, self._body(request))
        return self._created(SUPPLIERS, [], supplier, request, version, status=200)

    def add_address(self, supplier: dict, body: dict) -> dict:
        address = typed(SUPPLIER_ADDRESSES, body)
        if not address.get("AddressName") or not address.get("Country"):
            raise bad("The attributes AddressName and Country are required.", "POZ-REQUIRED")
        if any(a["AddressName"] == address["AddressName"] for a in supplier["addresses"]):
            raise bad(f"The address name {address['AddressName']} already exists for this supplier.")
        address.update(SupplierAddressId=self._next(), CreationDate=None)
        self._stamp_child(address, supplier)
        supplier["addresses"].append(address)
        return address

    def add_site(self, supplier: dict, body: dict) -> dict:
        site = typed(SUPPLIER_SITES, body)
        if not site.get("SupplierSite") or not site.get("ProcurementBU"):
            raise bad("The attributes SupplierSite and ProcurementBU are required.", "POZ-REQUIRED")
        self._business_unit(site["ProcurementBU"])
        address = next(
            (
                a
                for a in supplier["addresses"]
                if a["SupplierAddressId"] == site.get("SupplierAddressId")
                or (site.get("AddressName") and a["AddressName"] == site["AddressName"])
            ),
            None,
        )
        if address is None:
            raise bad(
                "A supplier site needs an existing address (SupplierAddressId or AddressName).", "POZ-ADDRESS"
            )
        if any(
            (s["SupplierSite"], s["ProcurementBU"]) == (site["SupplierSite"], site["ProcurementBU"])
            for s in supplier["sites"]
        ):
            raise bad(f"The site {site['SupplierSite']} already exists in {site['ProcurementBU']}.")
        site.update(
            SupplierSiteId=self._next(),
            SupplierAddressId=address["SupplierAddressId"],
            AddressName=address["AddressName"],
            CreationDate=None,
        )
        site.setdefault("Status", "ACTIVE")
        self._stamp_child(site, supplier)
        supplier["sites"].append(site)
        return site

    def _post_site(self, request: Request, target: Target, version: int) -> Response:
        supplier = target.parent
        site = self.add_site(supplier, self._body(request))
        return self._created(SUPPLIER_SITES, target.chain, site, request, version)

    def _post_address(self, request: Request, target: Target, version: int) -> Response:
        supplier = target.parent
        address = self.add_address(supplier, self._body(request))
        return self._created(SUPPLIER_ADDRESSES, target.chain, address, request, version)

    def _patch_child(self, request: Request, target: Target, version: int) -> Response:
        level, row = target.level, target.row
        changes = typed(level, self._body(request))
        for name, value in changes.items():
            if name not in level.writable and value != row.get(name):
                raise bad(f"The attribute {name} can't be updated.")
        row.update({k: v for k, v in changes.items() if k in level.writable})
        self._stamp_child(row, *[r for _, r in target.chain[:-1]])
        return self._created(level, target.chain[:-1], row, request, version, status=200)

    # ============================================================================
    # value sets (§5.4)
    # ============================================================================
    def _post_value(self, request: Request, target: Target, version: int) -> Response:
        value_set = target.parent
        row = typed(VALUE_SET_VALUES, self._body(request))
        if not row.get("Value"):
            raise bad("The attribute Value is required.")
        existing = next((v for v in value_set["values"] if v["Value"] == row["Value"]), None)
        if existing is not None:
            if not self._upsert(request):
                raise bad(
                    f"The value {row['Value']} already exists in the value set {value_set['ValueSetCode']}."
                )
            existing.update({k: v for k, v in row.items() if k in VALUE_SET_VALUES.writable})
            self._stamp_child(existing, value_set)
            return self._created(VALUE_SET_VALUES, target.chain, existing, request, version, status=200)
        row = {"EnabledFlag": "Y", "SummaryFlag": "N", **row, "ValueId": self._next(), "CreationDate": None}
        self._stamp_child(row, value_set)
        value_set["values"].append(row)
        return self._created(VALUE_SET_VALUES, target.chain, row, request, version)

    # ============================================================================
    # acknowledgments (§6.3, §11.12)
    # ============================================================================
    @staticmethod
    def _pending_ack(po: dict) -> bool:
        return po.get("DocumentStatusCode") == "PENDING ACKNOWLEDGMENT"

    def _ack_view(self, po: dict) -> dict:
        ack = po.get("_ack") or {}
        view = {name: po.get(name) for name in ACKNOWLEDGMENTS.attributes if name in po}
        view.update(
            {k: ack.get(k) for k in ("AcknowledgmentResponse", "AcknowledgmentNote", "SupplierOrderNumber")}
        )
        view["_po"] = po
        schedules = []
        for line in po.get("lines") or []:
            for schedule in line.get("schedules") or []:
                response = schedule.get("_ack") or {}
                schedules.append(
                    {
                        "LineLocationId": schedule["LineLocationId"],
                        "POLineId": line["POLineId"],
                        "LineNumber": line["LineNumber"],
                        "ScheduleNumber": schedule["ScheduleNumber"],
                        "Quantity": schedule["Quantity"],
                        "LastUpdateDate": schedule.get("LastUpdateDate"),
                        **response,
                        "_schedule": schedule,
                    }
                )
        view["schedules"] = schedules
        return view

    @staticmethod
    def _ack_response(value, note, field="AcknowledgmentResponse", note_field="AcknowledgmentNote") -> str:
        """§6.3: ``ACCEPT``/``REJECT`` (the one-letter ``A``/``R`` of the schema too)."""
        word = {"A": "ACCEPT", "R": "REJECT"}.get(
            str(value or "").strip().upper(), str(value or "").strip().upper()
        )
        if word not in ("ACCEPT", "REJECT"):
            raise bad(f"The value {value!r} of {field} is not valid: ACCEPT or REJECT.", "PO-ACK-RESPONSE")
        if note and len(note) > 4000:
            raise bad(f"The {note_field} must not exceed 4000 characters.", "PO-ACK-NOTE")
        if word == "REJECT" and not (note or "").strip():
            raise bad(f"Enter a {note_field} when you reject the purchase order.", "PO-ACK-NOTE")
        return word

    def acknowledge(self, po: dict, body: dict) -> dict:
        if not self._pending_ack(po):
            raise bad(
                f"The purchase order {po['OrderNumber']} isn't pending acknowledgment.", "PO-ACK-NOT-PENDING"
            )
        note = body.get("AcknowledgmentNote")
        word = self._ack_response(body.get("AcknowledgmentResponse"), note)
        po["_ack"] = {
            "AcknowledgmentResponse": word,
            "AcknowledgmentNote": note,
            "SupplierOrderNumber": body.get("SupplierOrderNumber"),
        }
        po["DocumentStatusCode"] = "OPEN" if word == "ACCEPT" else "REJECTED"
        po["DocumentStatus"] = PO_STATUSES[po["DocumentStatusCode"]]
        self._stamp(po)
        return po

    def _patch_ack(self, request: Request, target: Target, version: int) -> Response:
        view = target.row
        po = self.acknowledge(view["_po"], self._body(request))
        return self._created(ACKNOWLEDGMENTS, [], self._ack_view(po), request, version, status=200)

    def _patch_ack_schedule(self, request: Request, target: Target, version: int) -> Response:
        body = self._body(request)
        view, po = target.row, target.parent["_po"]
        word = self._ack_response(
            body.get("Response"), body.get("RejectionReason"), "Response", "RejectionReason"
        )
        schedule = view["_schedule"]
        schedule["_ack"] = {
            "Response": word,
            "RejectionReason": body.get("RejectionReason"),
            "SupplierOrderLine": body.get("SupplierOrderLine"),
        }
        self._stamp_child(schedule, po)
        fresh = self._ack_view(po)
        row = next(s for s in fresh["schedules"] if s["LineLocationId"] == schedule["LineLocationId"])
        return self._created(ACK_SCHEDULES, [(ACKNOWLEDGMENTS, fresh)], row, request, version, status=200)

    def _action_acknowledge(self, request: Request, target: Target, version: int) -> Response:
        if not self.ack_action_enabled:
            raise bad(
                "The acknowledge action is available only when the feature Allow Delivery on Purchase Orders "
                "That Are Pending Supplier Acknowledgment is enabled.",
                "PO-ACK-ACTION",
            )
        self.acknowledge(target.row, self._body(request))
        return self._action_result("SUCCESS")

    # ============================================================================
    # receipts (§6.2, §11.11)
    # ============================================================================
    def _post_receipt(self, request: Request, target: Target, version: int) -> Response:
        body = self._body(request)
        header = typed(RECEIPT_REQUESTS, body)
        for required in ("ReceiptSourceCode", "OrganizationCode"):
            if not header.get(required):
                raise bad(f"The attribute {required} is required.", "RCV-REQUIRED")
        if header["OrganizationCode"] not in self.organizations:
            raise bad(f"The organization {header['OrganizationCode']} does not exist.", "RCV-ORG")
        if header.get("BusinessUnit"):
            self._business_unit(header["BusinessUnit"])
        lines_data = body.get("lines") or []
        if not lines_data:
            raise bad("A receipt request needs at least one line.", "RCV-LINES")
        header.update(
            HeaderInterfaceId=self._next(),
            ProcessingStatusCode="PENDING",
            ReceiptNumber=None,
            CreationDate=None,
        )
        header["lines"] = [self._receipt_line(header, data) for data in lines_data]
        header["processingErrors"] = []
        self._stamp(header)
        self.data["receivingReceiptRequests"][header["HeaderInterfaceId"]] = header
        return self._created(RECEIPT_REQUESTS, [], header, request, version)

    def _receipt_line(self, header: dict, data: dict) -> dict:
        line = typed(RECEIPT_LINES, data)
        if line.get("Quantity") is None and line.get("Amount") is None:
            raise bad(
                "Each receipt line needs a Quantity (or an Amount for a fixed-price service).", "RCV-QTY"
            )
        if line.get("Quantity") is not None and line["Quantity"] <= 0:
            raise bad("The receipt quantity must be positive.", "RCV-QTY")
        if not line.get("DocumentNumber"):
            raise bad("Each receipt line needs the DocumentNumber of its purchase order.", "RCV-PO")
        line.setdefault("OrganizationCode", header["OrganizationCode"])
        line.update(InterfaceTransactionId=self._next(), ProcessingStatusCode="PENDING", CreationDate=None)
        self._stamp(line)
        return line

    def _process_due_receipts(self):
        if self.receipt_processing_delay is None:
            return
        due = self.now() - timedelta(seconds=float(self.receipt_processing_delay))
        for request in list(self.data["receivingReceiptRequests"].values()):
            if request["ProcessingStatusCode"] == "PENDING" and request["CreationDate"] <= due:
                self.process_receipt(request)

    def process_receipts(self, header_interface_id=None) -> list[dict]:
        """Control: process pending receipt requests (one, or all) now (§11.11)."""
        with self.lock:
            done = []
            for request in list(self.data["receivingReceiptRequests"].values()):
                if header_interface_id not in (None, request["HeaderInterfaceId"]):
                    continue
                if request["ProcessingStatusCode"] == "PENDING":
                    self.process_receipt(request)
                    done.append(
                        {
                            "HeaderInterfaceId": request["HeaderInterfaceId"],
                            "ProcessingStatusCode": request["ProcessingStatusCode"],
                        }
                    )
            return done

    def process_receipt(self, request: dict):
        """All lines or none: a request with one bad line ends in ERROR with its error rows."""
        errors, updates = [], []
        taken = {}  # schedule id -> quantity already received by earlier lines of this request
        for line in request["lines"]:
            problem, schedule = self._receipt_problem(line, taken)
            if problem:
                column, name, message = problem
                errors.append(
                    {
                        "ErrorId": self._next(),
                        "InterfaceTransactionId": line["InterfaceTransactionId"],
                        "ColumnName": column,
                        "ErrorMessageName": name,
                        "ErrorMessage": message,
                        "CreationDate": self.now(),
                    }
                )
            else:
                updates.append((line, schedule))
        status = "ERROR" if errors else "SUCCESS"
        if not errors:
            self._apply_receipt(updates)
            request["ReceiptNumber"] = str(self._next("receipt_number"))
        request["processingErrors"] = errors
        request["ProcessingStatusCode"] = status
        for line in request["lines"]:
            line["ProcessingStatusCode"] = status
            self._stamp(line)
        self._stamp(request)

    def _receipt_problem(self, line: dict, taken: dict):
        po = self.find_po(line["DocumentNumber"])
        if po is None:
            return (
                "DocumentNumber",
                "RCV_PO_UNKNOWN",
                f"The purchase order {line['DocumentNumber']} does not exist.",
            ), None
        if po.get("DocumentStatusCode") != "OPEN":
            return (
                "DocumentNumber",
                "RCV_PO_NOT_OPEN",
                f"The purchase order {po['OrderNumber']} is not open for receiving ({po['DocumentStatus']}).",
            ), None
        po_line = self._po_line(po, line.get("DocumentLineNumber") or 1)
        schedule = po_line and self._po_schedule(po_line, line.get("DocumentScheduleNumber") or 1)
        if not schedule:
            return (
                "DocumentScheduleNumber",
                "RCV_SCHEDULE_UNKNOWN",
                f"The purchase order {po['OrderNumber']} has no line {line.get('DocumentLineNumber')} "
                f"schedule {line.get('DocumentScheduleNumber') or 1}.",
            ), None
        quantity = line.get("Quantity") or Decimal(0)
        tolerance = schedule.get("OverReceiptTolerancePercent")
        tolerance = Decimal(str(self.receipt_over_tolerance_pct if tolerance is None else tolerance))
        allowed = schedule["Quantity"] * (1 + tolerance / 100)
        already = (schedule.get("QuantityReceived") or 0) + taken.get(schedule["LineLocationId"], 0)
        if already + quantity > allowed:
            return (
                "Quantity",
                "RCV_QTY_OVER_TOLERANCE",
                f"The quantity {quantity} exceeds the over-receipt tolerance: "
                f"{schedule['Quantity']} ordered, {already} already received.",
            ), None
        taken[schedule["LineLocationId"]] = taken.get(schedule["LineLocationId"], 0) + quantity
        return None, (po, po_line, schedule)

    def _apply_receipt(self, updates):
        for line, (po, po_line, schedule) in updates:
            schedule["QuantityReceived"] = (schedule.get("QuantityReceived") or Decimal(0)) + (
                line.get("Quantity") or Decimal(0)
            )
            self._stamp_child(schedule, po_line, po)

    # ============================================================================
    # batch (§6.4: at most 500 records per call)
    # ============================================================================
    def _batch(self, request: Request, version: int) -> Response:
        if request.mimetype != BATCH_TYPE:
            raise FusionError(405, "Invalid operation create for the specified resource.", "FND-REST-405")
        parts = self._body(request).get("parts")
        if not isinstance(parts, list) or not parts:
            raise bad("A batch request needs a non-empty parts list.")
        if len(parts) > int(self.batch_limit):
            raise bad(f"A batch request can have at most {self.batch_limit} parts, not {len(parts)}.")
        with self.lock:
            snapshot = copy.deepcopy((self.data, self._seq))
            results = []
            for part in parts:
                response = self._batch_part(request, part)
                payload = json.loads(response.get_data(as_text=True) or "null", parse_float=Decimal)
                if response.status_code >= 400 and not isinstance(payload, dict):
                    payload = {"detail": response.get_data(as_text=True)}
                results.append(
                    {
                        "id": part.get("id"),
                        "path": part.get("path"),
                        "operation": part.get("operation"),
                        "payload": payload,
                    }
                )
                if response.status_code >= 400:
                    self.data, self._seq = snapshot  # one transaction: nothing of the batch stays
                    results[-1]["payload"] = {**payload, "status": str(response.status_code)}
                    return json_response({"parts": results}, status=response.status_code)
        return json_response({"parts": results}, content_type=BATCH_TYPE)

    def _batch_part(self, outer: Request, part: dict) -> Response:
        methods = {"create": "POST", "update": "PATCH", "upsert": "POST", "get": "GET", "delete": "DELETE"}
        method = methods.get(str(part.get("operation") or ""))
        path = str(part.get("path") or "")
        if method is None or not path.startswith("/"):
            return Response(
                f"The batch part {part.get('id')} is not valid.", status=400, content_type="text/plain"
            )
        headers = {
            name: outer.headers[name]
            for name in ("Authorization", "REST-Framework-Version")
            if name in outer.headers
        }
        if part.get("operation") == "upsert":
            headers["Upsert-Mode"] = "true"
        builder = EnvironBuilder(
            path=self.prefix + path,
            method=method,
            headers=headers,
            base_url=outer.host_url,
            data=json.dumps(part.get("payload") or {}, default=str) if method != "GET" else None,
            content_type="application/json" if method != "GET" else None,
        )
        try:
            inner = Request(builder.get_environ())
        finally:
            builder.close()
        return self.api_resource(inner, path.lstrip("/"))

    # ============================================================================
    # seeding and control (§11.16)
    # ============================================================================
    def seed(self, data: dict) -> dict:
        """Add data in the wire shapes (children nested under their names). Keys, all optional:

        ``clients`` ``[{client_id, client_secret, roles?, password?}]``; ``business_units``
        ``{name: id}``; ``organizations`` ``{code: name}``; ``suppliers`` (with ``sites`` and
        ``addresses``); ``purchase_orders`` (with ``lines`` > ``schedules`` > ``distributions``);
        ``invoices`` (with ``invoiceLines`` > ``invoiceDistributions``); ``account_combinations``;
        ``value_sets`` (with ``values``). Ids and stamps are filled in when absent; a given
        ``LastUpdateDate`` is kept.
        """
        with self.lock:
            for client in data.get("clients") or []:
                self.set_client(
                    client["client_id"], client["client_secret"], client.get("roles"), client.get("password")
                )
            self.business_units.update(data.get("business_units") or {})
            self.organizations.update(data.get("organizations") or {})
            for row in data.get("account_combinations") or []:
                self.add_account_combination(**row)
            for row in data.get("value_sets") or []:
                self.add_value_set(row)
            for row in data.get("suppliers") or []:
                self.add_supplier(row)
            for row in data.get("purchase_orders") or []:
                self.add_purchase_order(row)
            for row in data.get("invoices") or []:
                self.add_invoice(row)
            return {"ok": True, "counts": self.state()["counts"]}

    def _seeded(self, level: Level, data: dict, key_value=None) -> dict:
        row = typed(level, data)
        row[level.key] = row.get(level.key) or key_value or self._next()
        now = self.now()
        row["CreationDate"] = row.get("CreationDate") or row.get("LastUpdateDate") or now
        if "LastUpdateDate" in level.attributes:
            row["LastUpdateDate"] = row.get("LastUpdateDate") or now
        return row

    def add_account_combination(self, **data) -> dict:
        with self.lock:
            row = self._seeded(ACCOUNT_COMBINATIONS, data)
            row.pop("CreationDate", None)
            segments = [row.get(f"Segment{i}") for i in range(1, 6)]
            row.setdefault("ConcatenatedSegments", "-".join(s for s in segments if s))
            row.setdefault("EnabledFlag", "Y")
            row.setdefault("DetailPostingAllowed", "Y")
            row.setdefault("AccountType", "E")
            self.data["accountCombinationsLOV"][row["CodeCombinationId"]] = row
            return row

    def add_value_set(self, data: dict) -> dict:
        with self.lock:
            row = self._seeded(VALUE_SETS, data)
            row.setdefault("ValidationType", "INDEPENDENT")
            row.setdefault("ValueDataType", "VARCHAR2")
            row["values"] = []
            for value in data.get("values") or []:
                entry = self._seeded(VALUE_SET_VALUES, value, key_value=None)
                entry.setdefault("EnabledFlag", "Y")
                entry.setdefault("SummaryFlag", "N")
                row["values"].append(entry)
            self.data["valueSets"][row["ValueSetId"]] = row
            return row

    def add_supplier(self, data: dict) -> dict:
        with self.lock:
            row = self._seeded(SUPPLIERS, data)
            row.setdefault("SupplierNumber", str(self._next("supplier_number")))
            row.setdefault("SupplierPartyId", self._next())
            row.setdefault("Status", "ACTIVE")
            row.setdefault("SupplierType", "SUPPLIER")
            row.setdefault("BusinessRelationship", "SPEND_AUTHORIZED")
            row.setdefault("TaxOrganizationType", "CORPORATION")
            row["addresses"] = [self._seeded(SUPPLIER_ADDRESSES, a) for a in data.get("addresses") or []]
            row["sites"] = []
            for site_data in data.get("sites") or []:
                site = self._seeded(SUPPLIER_SITES, site_data)
                address = next(
                    (a for a in row["addresses"] if a["AddressName"] == site.get("AddressName")), None
                )
                if address:
                    site["SupplierAddressId"] = address["SupplierAddressId"]
                site.setdefault("ProcurementBU", "Vision Operations")
                site.setdefault("Status", "ACTIVE")
                row["sites"].append(site)
            self.data["suppliers"][row["SupplierId"]] = row
            return row

    def add_purchase_order(self, data: dict) -> dict:
        """A PO with nested lines/schedules/distributions; supplier by ``Supplier`` name."""
        with self.lock:
            row = self._seeded(PURCHASE_ORDERS, data)
            supplier = self._supplier(
                row.get("SupplierNumber") if "SupplierNumber" in data else None, row.get("Supplier")
            )
            site = self._site(supplier, row.get("SupplierSite") or supplier["sites"][0]["SupplierSite"])
            row.update(
                Supplier=supplier["Supplier"],
                SupplierId=supplier["SupplierId"],
                SupplierSite=site["SupplierSite"],
                SupplierSiteId=site["SupplierSiteId"],
            )
            row.setdefault("ProcurementBU", site.get("ProcurementBU") or "Vision Operations")
            row.setdefault("CurrencyCode", "USD")
            row.setdefault("DocumentStatusCode", "OPEN")
            row["DocumentStatus"] = PO_STATUSES[row["DocumentStatusCode"]]
            stamp = {"LastUpdateDate": row["LastUpdateDate"], "CreationDate": row["CreationDate"]}
            row["lines"] = [
                self._seed_po_line(line, number, stamp)
                for number, line in enumerate(data.get("lines") or [], start=1)
            ]
            row.setdefault("Total", sum((ln["Amount"] for ln in row["lines"]), Decimal(0)))
            self.data["purchaseOrders"][row["POHeaderId"]] = row
            return row

    def _seed_po_line(self, data: dict, number: int, stamp: dict) -> dict:
        line = self._seeded(PO_LINES, {**stamp, "LineNumber": number, "LineType": "Goods", **data})
        line.setdefault("Amount", (line.get("Quantity") or 0) * (line.get("Price") or 0))
        schedules = data.get("schedules") or [{"Quantity": line.get("Quantity")}]
        line["schedules"] = []
        for s_number, s_data in enumerate(schedules, start=1):
            schedule = self._seeded(
                PO_SCHEDULES,
                {
                    **stamp,
                    "ScheduleNumber": s_number,
                    "QuantityReceived": 0,
                    "QuantityBilled": 0,
                    "ShipToOrganizationCode": "M1",
                    **s_data,
                },
            )
            schedule["distributions"] = [
                self._seeded(
                    PO_DISTRIBUTIONS,
                    {**stamp, "DistributionNumber": d_number, "Quantity": schedule["Quantity"], **d_data},
                )
                for d_number, d_data in enumerate(s_data.get("distributions") or [], start=1)
            ]
            for distribution in schedule["distributions"]:
                combination = self._combination(distribution["POChargeAccount"])
                distribution["CodeCombinationId"] = combination["CodeCombinationId"]
            line["schedules"].append(schedule)
        return line

    def add_invoice(self, data: dict) -> dict:
        """An invoice through the same checks as ``POST /invoices``; extra server fields kept."""
        with self.lock:
            server = {
                k: data[k]
                for k in (
                    "ValidationStatus",
                    "PaidStatus",
                    "ApprovalStatus",
                    "AmountPaid",
                    "LastUpdateDate",
                    "CreationDate",
                    "InvoiceId",
                )
                if k in data
            }
            body = {k: v for k, v in data.items() if k not in server}
            invoice = self.create_invoice(body)
            del self.data["invoices"][invoice["InvoiceId"]]
            invoice.update(typed(INVOICES, server))
            self.data["invoices"][invoice["InvoiceId"]] = invoice
            return invoice

    def touch(self, resource: str, key, **changes) -> dict:
        """Change a stored row (and stamp it), as another Fusion user would (§11.9)."""
        with self.lock:
            level = RESOURCES[resource]
            row = self.data[resource][int(key)]
            row.update(typed(level, changes))
            if level is PURCHASE_ORDERS and "DocumentStatusCode" in changes:
                row["DocumentStatus"] = PO_STATUSES.get(row["DocumentStatusCode"], row["DocumentStatusCode"])
            self._stamp(row)
            return row

    def change_po_line(self, order_number, line_number: int, **changes) -> dict:
        """Change a purchase order line as a buyer would (a new quantity also goes to its one
        schedule); the order's LastUpdateDate moves with it."""
        with self.lock:
            po = self.find_po(order_number)
            line = self._po_line(po, int(line_number)) if po else None
            if line is None:
                raise KeyError(f"no line {line_number} on purchase order {order_number}")
            line.update(typed(PO_LINES, changes))
            if "Quantity" in changes and len(line["schedules"]) == 1:
                line["schedules"][0]["Quantity"] = line["Quantity"]
            if "Quantity" in changes or "Price" in changes:
                line["Amount"] = (line.get("Quantity") or 0) * (line.get("Price") or 0)
                po["Total"] = sum((ln["Amount"] for ln in po["lines"]), Decimal(0))
            self._stamp(line, po)
            return po

    # -- HTTP control ------------------------------------------------------------------
    def _control_process_receipts(self, request):
        body = self._json(request)
        return json_response({"processed": self.process_receipts(body.get("HeaderInterfaceId"))})

    def _control_user(self, request):
        body = self._json(request)
        try:
            self.set_client(body["client_id"], body["client_secret"], body.get("roles"), body.get("password"))
        except (KeyError, ValueError) as exc:
            return json_response({"error": str(exc)}, status=400)
        return json_response({"ok": True})

    def _control_touch(self, request):
        body = self._json(request)
        try:
            row = self.touch(body["resource"], body["id"], **(body.get("changes") or {}))
        except (KeyError, ValueError, FusionError) as exc:
            return json_response({"error": str(exc)}, status=404)
        return json_response({"ok": True, "LastUpdateDate": self.render_timestamp(row["LastUpdateDate"])})

    def _control_demo_seed(self, request):
        return json_response(demo_seed(self))


# -- demo world -------------------------------------------------------------------------------

DEMO_SUPPLIER_ROWS = [
    # name, number, taxpayer id, DUNS, site, address line, city, state, postal code, country
    ("Lab Supply Inc", "1252", "56-1234567", "123456789", "RALEIGH", "1 Main St", "Raleigh", "NC", "27601",
     "US"),
    ("Northwind Lab Services GmbH", "1253", "DE811234567", "314159265", "HAMBURG", "Speicherstadt 12",
     "Hamburg", "", "20095", "DE"),
    ("ACME Lab Equipment Inc", "1254", "74-2345678", "", "AUSTIN", "500 Congress Ave", "Austin", "TX",
     "78701", "US"),
    ("Advanced Network Devices", "1013", "94-3456789", "987654321", "FRESNO", "2200 Tulare St", "Fresno",
     "CA", "93721", "US"),
    ("Pinnacle Freight LLC", "1255", "37-4567890", "", "CHICAGO", "120 S Riverside Plaza", "Chicago", "IL",
     "60606", "US"),
    ("Summit Office Supplies", "1256", "84-5678901", "", "DENVER", "1700 Lincoln St", "Denver", "CO", "80203",
     "US"),
]  # fmt: skip
DEMO_COST_CENTRES = [("000", "Default"), ("100", "Operations"), ("200", "Laboratory"), ("300", "Facilities")]
DEMO_ACCOUNTS = [
    ("6000", "Purchases"),
    ("6100", "Laboratory supplies"),
    ("6200", "Freight"),
    ("7699", "Miscellaneous expense"),
]
DEMO_COMBINATIONS = [
    ("100", "6000"),
    ("200", "6000"),
    ("200", "6100"),
    ("100", "6100"),
    ("100", "6200"),
    ("200", "6200"),
    ("300", "6000"),
    ("000", "7699"),
]
DEMO_CHART_OF_ACCOUNTS_ID = 101
DEMO_ORDERS = [  # number, supplier, status, days since the last change
    ("1004123", "Lab Supply Inc", "OPEN", 10),
    ("1004124", "Lab Supply Inc", "OPEN", 9),
    ("1004125", "Northwind Lab Services GmbH", "PENDING ACKNOWLEDGMENT", 2),
    ("1004126", "ACME Lab Equipment Inc", "PENDING ACKNOWLEDGMENT", 1),
    ("1004127", "Advanced Network Devices", "OPEN", 8),
]
DEMO_ORDER_LINES = [  # order, description, quantity, price, charge account, line type
    ("1004123", "Nitrile gloves, box of 100", 15, "12.50", "01-200-6100-0000-000", "Goods"),
    ("1004123", "Pipette tips 200 ul, rack of 96", 4, "45.00", "01-200-6100-0000-000", "Goods"),
    ("1004124", "Centrifuge rotor 24 x 2 ml", 2, "310.00", "01-100-6000-0000-000", "Goods"),
    ("1004124", "Freight", 1, "85.00", "01-100-6200-0000-000", "Services"),
    ("1004125", "Analytical services, May", 1, "1200.00", "01-200-6000-0000-000", "Services"),
    ("1004126", "Benchtop centrifuge", 1, "4800.00", "01-200-6000-0000-000", "Goods"),
    ("1004127", "Toner", 10, "125.00", "01-100-6000-0000-000", "Goods"),
]
DEMO_INVOICES = [  # number, supplier, site, amount, validation status (None: not validated), age
    ("LS-88120", "Lab Supply Inc", "RALEIGH", "305.00", "Validated", 5),
    ("AND_Unmatched_Invoice", "Advanced Network Devices", "FRESNO", "2212.75", None, 4),
    ("PF-2024-0091", "Pinnacle Freight LLC", "CHICAGO", "85.00", None, 3),
]
DEMO_INVOICE_LINES = [  # invoice, type, quantity, price, amount, description, PO, PO line, account
    ("LS-88120", "Item", 10, "12.50", "125.00", "Nitrile gloves, box of 100", "1004123", 1, None),
    ("LS-88120", "Item", 4, "45.00", "180.00", "Pipette tips 200 ul, rack of 96", "1004123", 2, None),
    ("AND_Unmatched_Invoice", "Item", None, None, "2212.75", "Network maintenance", None, None,
     "01-100-6000-0000-000"),
    ("PF-2024-0091", "Freight", None, None, "85.00", "Freight for PO 1004124", None, None,
     "01-100-6200-0000-000"),
]  # fmt: skip


def demo_seed(sim: FusionSimulator) -> dict:
    """Small coherent Fusion world beside the JAGGAER demo (``jaggaer.demo_seed``).

    Business unit Vision Operations, receiving organization M1. Chart of accounts 101 with
    segments Company-CostCentre-Account-SubAccount-Product (``01-200-6100-0000-000``); the
    cost centre is Segment2, value set ``VISION_COST_CENTER`` (000, 100 Operations, 200
    Laboratory, 300 Facilities); accounts ``VISION_ACCOUNT`` (6000 Purchases, 6100 Laboratory
    supplies, 6200 Freight, 7699 Miscellaneous expense, whose one combination is disabled).

    ===========================  ======  ===========  =========  =================================
    Supplier                     Number  Taxpayer id  DUNS       in the JAGGAER demo
    ===========================  ======  ===========  =========  =================================
    Lab Supply Inc               1252    56-1234567   123456789  LAB SUPPLY INC (same DUNS)
    Northwind Lab Services GmbH  1253    DE811234567  314159265  same name, same DUNS
    ACME Lab Equipment Inc       1254    74-2345678              Acme Lab Equipment, Inc. (name)
    Advanced Network Devices     1013    94-3456789   987654321  no
    Pinnacle Freight LLC         1255    37-4567890              no
    Summit Office Supplies       1256    84-5678901              no
    ===========================  ======  ===========  =========  =================================

    Purchase orders (procurement BU Vision Operations, USD): 1004123 Lab Supply (gloves 15 x
    12.50, pipette tips 4 x 45.00: the JAGGAER demo's PO-DEMO-0001), 1004124 Lab Supply (rotor
    2 x 310.00, freight 1 x 85.00), 1004127 Advanced Network Devices (toner 10 x 125.00), all
    open; 1004125 Northwind (analytical services 1 x 1200.00) and 1004126 ACME (benchtop
    centrifuge 1 x 4800.00) pending supplier acknowledgment.

    Invoices: LS-88120 Lab Supply 305.00 matched to 1004123 (validated), AND_Unmatched_Invoice
    Advanced Network Devices 2212.75 (not validated), PF-2024-0091 Pinnacle Freight 85.00.
    """
    with sim.lock:
        if not sim.find_po("1004123"):
            _demo_chart(sim)
            _demo_suppliers(sim)
            _demo_orders(sim)
            _demo_invoices(sim)
        return {"ok": True, "counts": sim.state()["counts"]}


def _days_ago(sim: FusionSimulator, days: int) -> datetime:
    return sim.now() - timedelta(days=days)


def _demo_chart(sim: FusionSimulator):
    stamp = _days_ago(sim, 30)
    for cost_centre, account in DEMO_COMBINATIONS:
        sim.add_account_combination(
            ChartOfAccountsId=DEMO_CHART_OF_ACCOUNTS_ID, Segment1="01", Segment2=cost_centre,
            Segment3=account, Segment4="0000", Segment5="000", LastUpdateDate=stamp,
            EnabledFlag="N" if account == "7699" else "Y",
        )  # fmt: skip
    for code, rows in (("VISION_COST_CENTER", DEMO_COST_CENTRES), ("VISION_ACCOUNT", DEMO_ACCOUNTS)):
        values = [{"Value": v, "Description": d, "LastUpdateDate": stamp} for v, d in rows]
        description = code.replace("_", " ").title()
        sim.add_value_set({"ValueSetCode": code, "Description": description, "LastUpdateDate": stamp,
                           "values": values})  # fmt: skip


def _demo_suppliers(sim: FusionSimulator):
    for index, row in enumerate(DEMO_SUPPLIER_ROWS):
        name, number, taxpayer, duns, site, line1, city, state, postal, country = row
        address = {"AddressName": site, "AddressLine1": line1, "City": city, "State": state or None,
                   "PostalCode": postal, "Country": country}  # fmt: skip
        sim.add_supplier(
            {"Supplier": name, "SupplierNumber": number, "TaxpayerId": taxpayer, "DUNSNumber": duns or None,
             "TaxpayerCountry": country, "LastUpdateDate": _days_ago(sim, 20 - index), "addresses": [address],
             "sites": [{"SupplierSite": site, "AddressName": site, "ProcurementBU": "Vision Operations"}]}
        )  # fmt: skip


def _demo_orders(sim: FusionSimulator):
    lines_by_order = {}
    for order, description, quantity, price, account, line_type in DEMO_ORDER_LINES:
        schedule = {"Quantity": quantity, "ShipToLocationCode": "Seattle",
                    "distributions": [{"POChargeAccount": account}]}  # fmt: skip
        lines_by_order.setdefault(order, []).append(
            {"Description": description, "Quantity": quantity, "Price": price, "UOM": "Each",
             "LineType": line_type, "schedules": [schedule]}
        )  # fmt: skip
    due = sim.now().date() + timedelta(days=3)
    for number, supplier, status, age in DEMO_ORDERS:
        lines = lines_by_order[number]
        sim.add_purchase_order(
            {"OrderNumber": number, "Supplier": supplier, "DocumentStatusCode": status,
             "Buyer": "Clare Jones", "Description": lines[0]["Description"], "PaymentTerms": "Net 30",
             "LastUpdateDate": _days_ago(sim, age), "lines": lines,
             "AcknowledgmentDueDate": None if status == "OPEN" else due}
        )  # fmt: skip


def _demo_invoices(sim: FusionSimulator):
    lines_by_invoice = {}
    for (
        invoice,
        line_type,
        quantity,
        price,
        amount,
        description,
        order,
        order_line,
        account,
    ) in DEMO_INVOICE_LINES:
        line = {"LineNumber": len(lines_by_invoice.get(invoice, [])) + 1, "LineType": line_type,
                "Quantity": quantity, "UnitPrice": price, "LineAmount": amount,
                "Description": description}  # fmt: skip
        if order:
            line.update(PurchaseOrderNumber=order, PurchaseOrderLineNumber=order_line,
                        PurchaseOrderScheduleLineNumber=1)  # fmt: skip
        else:
            line["DistributionCombination"] = account
        lines_by_invoice.setdefault(invoice, []).append({k: v for k, v in line.items() if v is not None})
    invoice_date = sim.now().date() - timedelta(days=6)
    for number, supplier, site, amount, status, age in DEMO_INVOICES:
        sim.add_invoice(
            {"InvoiceNumber": number, "Supplier": supplier, "SupplierSite": site, "InvoiceAmount": amount,
             "InvoiceCurrency": "USD", "BusinessUnit": "Vision Operations", "InvoiceGroup": "DEMO",
             "InvoiceDate": invoice_date, "LastUpdateDate": _days_ago(sim, age),
             "invoiceLines": lines_by_invoice[number], **({"ValidationStatus": status} if status else {})}
        )  # fmt: skip


# -- the JAGGAER tenant that meets the Fusion demo world ----------------------------------------

JAGGAER_DEMO_SUPPLIERS = [
    # bravoId, companyName, extCode, DUNS, country, city, zip, province, address, e-mail
    (4101, "LAB SUPPLY INC", "1252", "123456789", "US", "Raleigh", "27601", "NC", "1 Main St",
     "orders@labsupply.example"),
    (4102, "Northwind Lab Services GmbH", "", "314159265", "DE", "Hamburg", "20095", "", "Speicherstadt 12",
     "sales@northwind-lab.example"),
    (4103, "Acme Lab Equipment, Inc.", "", "", "US", "Austin", "78701", "TX", "500 Congress Ave",
     "info@acme-lab.example"),
    (4104, "Helix Reagents Ltd", "HLX-01", "", "GB", "Cambridge", "CB2 1TN", "", "7 Science Park",
     "orders@helix-reagents.example"),
]  # fmt: skip
JAGGAER_DEMO_GL_VALUES = [
    ("Account", "600000", "Purchases"),
    ("Account", "610000", "Laboratory supplies"),
    ("Account", "620000", "Freight"),
    ("Account", "769900", "Miscellaneous expense"),
    ("CostCenter", "CC-100", "Operations"),
    ("CostCenter", "CC-200", "Laboratory"),
    ("CostCenter", "CC-300", "Facilities"),
]


def jaggaer_demo_seed(sim) -> dict:
    """The JAGGAER tenant of the Fusion demo (a :class:`tests.simulators.jaggaer.JaggaerSimulator`
    of its own, beside :func:`demo_seed`). Idempotent.

    Suppliers: 4101 LAB SUPPLY INC (number 1252, as in Fusion), 4102 Northwind Lab Services GmbH
    (DUNS 314159265 only), 4103 Acme Lab Equipment, Inc. (the name only), 4104 Helix Reagents Ltd
    (HLX-01, in JAGGAER only: created in Fusion). Advanced Network Devices, Pinnacle Freight and
    Summit Office Supplies are in Fusion only (sent to JAGGAER).

    GL segments: Account 600000 Purchases, 610000 Laboratory supplies, 620000 Freight, 769900
    Miscellaneous expense; CostCenter CC-100 Operations, CC-200 Laboratory, CC-300 Facilities
    (each the description of a Fusion value, so they map by themselves).

    Purchase order 1004123 is in JAGGAER already (loaded earlier, as Fusion's), Partially Received:
    10 of the 15 boxes of gloves. Suppliers acknowledge what JAGGAER distributes at the next read
    (``auto_advance_po``).

    Invoices (Completed / Payable unless said): LS-88121 Lab Supply billing Fusion PO 1004124
    (rotor 2 x 310.00 on 600000/CC-100, freight 1 x 85.00 on 620000/CC-100: 705.00); HX-1001 Helix
    Reagents, no order (reagent kit 1 x 240.00 on 610000/CC-200); LS-88122 Lab Supply, 5 gloves of
    1004123, still Pending (not payable).
    """
    sim.configure(auto_advance_po=True)
    today = sim.clock.now().date()
    keys = ("bravoId", "companyName", "extCode", "extUniqueCode", "isoCountry", "city", "zip", "province",
            "address", "bizEmail")  # fmt: skip
    suppliers = [
        {**dict(zip(keys, row, strict=True)), "dAndBCode": row[3], "type": "SELLER"}
        for row in JAGGAER_DEMO_SUPPLIERS
        if row[0] not in sim.suppliers
    ]
    gl_values = [{"internalName": n, "value": v, "description": d} for n, v, d in JAGGAER_DEMO_GL_VALUES]
    orders = [] if sim.get_po("1004123") else [_jaggaer_demo_order()]
    sim.seed({"suppliers": suppliers, "gl_values": gl_values, "purchase_orders": orders})
    known = {invoice["header"]["supplierInvoiceNumber"] for invoice in sim.invoices.values()}
    for invoice in _jaggaer_demo_invoices(today):
        if invoice["supplier_invoice_number"] not in known:
            sim.add_invoice(**invoice)
    return {"ok": True, "counts": sim.state()["counts"]}


def _jaggaer_demo_order():
    def po_line(number, description, quantity, received, price):
        return {
            "lineNumber": number,
            "quantity": quantity,
            "quantityReceived": received,
            "unitPrice": {"currency": "USD", "value": price},
            "item": {"description": description, "unitOfMeasure": "Each"},
        }

    lines = [
        po_line("1", "Nitrile gloves, box of 100", 15, 10, 12.5),
        po_line("2", "Pipette tips 200 ul, rack of 96", 4, 0, 45.0),
    ]
    return {
        "poNumber": "1004123",
        "status": "Partially Received",
        "supplier": {"supplierNumber": "1252"},
        "total": {"currency": "USD", "value": 367.5},
        "lineList": {"poLine": lines},
    }


def _jaggaer_demo_invoices(today):
    def line(po_number, po_line, description, quantity, price, account, cost_center):
        return {
            "po_number": po_number,
            "po_line_number": po_line,
            "description": description,
            "quantity": quantity,
            "unit_price": price,
            "account": account,
            "cost_center": cost_center,
        }

    pending = {"workflow_status": "Pending", "match_status": "Unmatched", "payment_status": "InProcess"}
    return [
        {
            "supplier_number": "1252",
            "supplier_invoice_number": "LS-88121",
            "invoice_date": today - timedelta(days=2),
            "lines": [
                line("1004124", "1", "Centrifuge rotor 24 x 2 ml", 2, 310.0, "600000", "CC-100"),
                line("1004124", "2", "Freight", 1, 85.0, "620000", "CC-100"),
            ],
        },
        {
            "supplier_number": "HLX-01",
            "supplier_invoice_number": "HX-1001",
            "invoice_date": today - timedelta(days=1),
            "lines": [line(None, None, "Reagent kit", 1, 240.0, "610000", "CC-200")],
        },
        {
            "supplier_number": "1252",
            "supplier_invoice_number": "LS-88122",
            "invoice_date": today,
            "lines": [line("1004123", "1", "Nitrile gloves, box of 100", 5, 12.5, "610000", "CC-200")],
            **pending,
        },
    ]
