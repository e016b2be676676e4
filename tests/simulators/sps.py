"""SPS Commerce simulator: token host, Transaction API v5, and the SPS / trading-partner side.

Follows ``/work/shared/reference/sps-api.md``: §2 (auth), §3 (Transaction API v5), §4 (RSX 7.7
JSON), §5 (TPIDs), §6 (pitfalls) and §7 (what a faithful simulator must do). Behaviour the
reference leaves open is marked SIM CHOICE; readings of it are marked INFERRED.

One WSGI app serves both hosts (the connector has separate auth and API base URLs; both may
point here):

auth host (stands in for ``https://auth.spscommerce.com``)
    ``POST /oauth/token``                 client credentials, JSON or form body (§2.1)
API host (stands in for ``https://api.spscommerce.com``)
    ``GET /auth-check``                   204 with a valid token (§2.2)
    ``GET /transactions/v5/data/{dir}/``  list a folder, cursor paging (§3.5)
    ``GET /transactions/v5/data/{file}``  download the raw bytes (§3.6)
    ``POST /transactions/v5/data/{file}`` upload, ``application/octet-stream``, 201 (§3.3)
    ``DELETE /transactions/v5/data/{file}`` 204 (§3.6)
    ``GET /transactions/v5/history``      file events, offset paging (§3.7)
control (not SPS: tests, the demo and crash tests drive these)
    the base routes ``/_sim/reset|seed|faults|clock|tokens/expire|config|requests|state`` and
    ``POST /_sim/sps/<action>`` with the keyword arguments of the Python method of the same name
    as JSON body: ``drop_order``, ``drop_batch``, ``drop_document``, ``drop_raw`` (``data`` as text
    or ``base64``), ``acknowledge``, ``ship``, ``receipt``, ``process_inbound``,
    ``set_document_status``, ``demo_seed``; ``GET /_sim/sps/documents?account=&tpid=&doc_type=
    &status=`` (business statuses) and ``GET /_sim/sps/files?account=`` (stored files).

Mailboxes: each account (one per SPS organisation; clients belong to an account) has its own
case-sensitive folder tree: ``in/`` (we upload, SPS consumes) and ``out/`` with ``out/PO/`` (850),
``out/PR/`` (855), ``out/SH/`` (856) and ``out/RC/`` (944; the 944 prefix is unknown, §8 q15:
SIM CHOICE), optionally ``testin/``/``testout/`` with the same subfolders (§3.4).

What SPS does with our uploads to ``in/`` (§6.7, §7): parse, ``rsx.validate``, check the
``TradingPartnerId`` and per-TPID rules, delete the file (history ``uploaded`` -> ``deleted`` with
a neutral message) and keep a business status per document: In Transit -> Accepted, Error
(SPS-side, with reasons) or Not Accepted (partner-side). Statuses are visible through
``documents()`` and ``/_sim/sps/documents`` only, never through the Transaction API.

Seed format (``seed(data)`` or ``POST /_sim/seed``; adds to what is there)::

    {"options": {...configure() options...},
     "accounts": [{"id": "acme", "routing": true, "provisioned": true, "test_folders": false,
                   "folders": ["out/IN/"], "foreign_folders": ["shared/"],
                   "clients": [{"client_id": "...", "client_secret": "...", "app_type": "m2m"|"web"}],
                   "trading_partners": [{"tpid": "...", "name": "...", "documents": ["855", "856"],
                                         "acceptance": "accept"|"hold"|"reject", "reject_reason": "...",
                                         "ship_to": {RSX Address}}],
                   "orders": [{"tpid", "po_number", "lines": [builder lines], "po_date", "source"}],
                   "files": {"out/PO/x.json": <document, batch or text>}}]}
"""

import base64
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from . import rsx
from .base import IssuedToken, SimulatorApp, TokenBucket, TokenIssuer, iso_ms, json_response

AUDIENCE = "https://spscommerce.com"
LEGACY_AUDIENCE = "api://api.spscommerce.com/"
DATA_PREFIX = "/transactions/v5/data/"
OUT_SUBFOLDERS = {"850": "PO/", "860": "PO/", "855": "PR/", "856": "SH/", "944": "RC/", "846": "IB/"}
# What a new account has (SPS sets up the folders of the types an account exchanges: add "out/IB/"
# to an account's "folders" for inventory advice)
DEFAULT_OUT_SUBFOLDERS = ("PO/", "PR/", "SH/", "RC/")
# SIM CHOICE: 860s come in the orders' folder under the prefix PC; the 944 prefix is unknown (§8 q15)
FILE_PREFIXES = {"850": "PO", "860": "PC", "855": "PR", "856": "SH", "810": "IN", "846": "IB", "944": "RC"}
# The order a folder listing gives its files in (the reference leaves it open): by name, by name
# backwards, as they arrived, newest first.
LIST_ORDERS = ("name", "name_desc", "arrival", "newest_first")
INBOUND_ROOTS = ("in/", "testin/")
PROCESSED_MESSAGE = "File processed by SPS"  # SIM CHOICE: neutral, business outcome stays hidden
ERROR, ACCEPTED, IN_TRANSIT, NOT_ACCEPTED = "Error", "Accepted", "In Transit", "Not Accepted"
DEMO_CLIENT_ID, DEMO_CLIENT_SECRET = "demo-sps-client", "demo-sps-secret"


@dataclass
class Client:
    client_id: str
    secret: str
    account: str
    app_type: str = "m2m"  # "web": a Web Service app, refused for client_credentials (§2.1)


@dataclass
class TradingPartner:
    tpid: str
    name: str = ""
    documents: frozenset | None = None  # document types accepted from us; None = all
    acceptance: str = "accept"  # partner reaction to valid documents: accept | hold | reject
    reject_reason: str = "Rejected by the trading partner"
    ship_to: dict | None = None  # default RSX ST address on the partner's 850s


@dataclass
class OrderRecord:
    """A PO known to SPS and the partner: received from the partner or sent by us."""

    tpid: str
    po_number: str
    lines: list[dict]  # rsx builder lines: seq, buyer_part, vendor_part, upc, qty, uom, price
    po_date: str | None = None
    source: str = "partner"  # partner (their 850 to us) | connector (our 850 to them) | seed
    status: str = "open"  # open | replaced | cancelled
    shipped: dict = field(default_factory=dict)  # seq -> quantity shipped so far
    acknowledged: bool = False

    def summary(self) -> dict:
        return {
            "tpid": self.tpid,
            "po_number": self.po_number,
            "source": self.source,
            "status": self.status,
            "lines": [dict(line) for line in self.lines],
            "shipped": dict(self.shipped),
            "acknowledged": self.acknowledged,
        }


@dataclass
class HistoryRecord:
    id: str
    path: str
    direction: str  # "in": uploaded by the client, "out": dropped by SPS for the client
    events: list[dict] = field(default_factory=list)  # {status, at, message}


@dataclass
class StoredFile:
    path: str
    data: bytes
    stored_at: datetime
    record: HistoryRecord
    meta: dict = field(default_factory=dict)
    sequence: int = 0  # arrival order (the simulated clock may not move between two files)


@dataclass
class BusinessDocument:
    id: str
    path: str
    index: int  # position in a batch file
    doc_type: str | None
    tpid: str | None
    identifier: str | None
    purpose: str | None
    status: str
    reasons: list[str]
    received_at: datetime
    document: object = None
    log: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "id": self.id,
            "path": self.path,
            "index": self.index,
            "doc_type": self.doc_type,
            "tpid": self.tpid,
            "identifier": self.identifier,
            "purpose": self.purpose,
            "status": self.status,
            "reasons": list(self.reasons),
            "received_at": iso_ms(self.received_at),
            "log": [dict(entry) for entry in self.log],
        }


@dataclass
class Account:
    id: str
    routing: bool = True  # False: every Transaction API call answers 403
    provisioned: bool = True  # False: root lists nothing, folders are 404 (§6.2)
    folders: set = field(default_factory=set)
    foreign_folders: set = field(default_factory=set)  # listed, but owned by another account: 403
    files: dict = field(default_factory=dict)  # path -> StoredFile
    history: list = field(default_factory=list)
    partners: dict = field(default_factory=dict)  # tpid -> TradingPartner
    orders: dict = field(default_factory=dict)  # (tpid, po_number) -> OrderRecord
    documents: list = field(default_factory=list)  # BusinessDocument, in arrival order
    shipments: dict = field(default_factory=dict)  # partner ASNs by ShipmentIdentification
    drop_names: dict = field(default_factory=dict)  # (prefix, identifier) -> files dropped so far
    deleted_by_client: list = field(default_factory=list)
    processed: list = field(default_factory=list)  # inbound paths consumed by SPS
    counts: dict = field(
        default_factory=lambda: dict.fromkeys(("uploads", "downloads", "deletes", "lists"), 0)
    )
    sscc_serial: int = 0


class SpsTokenIssuer(TokenIssuer):
    """Tokens that look like the Auth0 JWTs SPS issues (three base64url parts); opaque to us."""

    def issue(
        self, client_id: str, prefix: str = "", audience: str = AUDIENCE, issuer: str = ""
    ) -> IssuedToken:
        now = self.clock.now()

        def part(data) -> str:
            raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        claims = {
            "iss": issuer or "https://auth.spscommerce.com/",
            "sub": f"{client_id}@clients",
            "aud": audience,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + int(self.lifetime),
            "azp": client_id,
            "gty": "client-credentials",
            "jti": uuid.uuid4().hex,
        }
        value = ".".join(
            (
                part({"alg": "RS256", "typ": "JWT", "kid": "sps-sim"}),
                part(claims),
                part(secrets.token_bytes(64)),
            )
        )
        with self._lock:
            token = IssuedToken(value, client_id, now + timedelta(seconds=self.lifetime))
            self.tokens[value] = token
            self.issued_count += 1
            return token


class SimError(ValueError):
    """A control call that cannot be done (unknown account, PO…): 400 over HTTP."""


class SpsSimulator(SimulatorApp):
    """See the module docstring. Options (``configure()`` / ``POST /_sim/config``) are in OPTIONS."""

    name = "sps"
    OPTIONS = {
        "token_lifetime": 3600,  # expires_in, seconds of simulated time (§2.2)
        "token_rate_limit": 10,  # token requests per minute per client id; 0 = unlimited (§2.2)
        "token_rate_limit_retry_after": True,  # SIM CHOICE: SPS documents no Retry-After (§3.9)
        "allow_legacy_audience": False,  # accept api://api.spscommerce.com/ (§2.1)
        "history_lag_seconds": 0,  # the real history lags ~300 s (§3.7)
        "process_uploads_immediately": True,  # False: uploads wait in in/ for process_inbound()
        "auto_partner_responses": False,  # partner answers our accepted 850 with an 855…
        "auto_partner_ships": False,  # …and an 856 shipping everything
        "require_octet_stream": True,  # 415 for other upload content types (SIM CHOICE, §3.3)
        "request_rate_limit": 0,  # API requests per minute per token; 0 = unlimited
        "rate_limit_retry_after": True,
        "public_url": "",  # base of the `url` fields; default: the request's host URL
        # Free choices the reference leaves open, each switchable so that tests run every variant:
        "list_order": "name",  # see LIST_ORDERS
        "out_layout": "typed",  # partner documents in out/PO/, out/SH/… ("typed"), all in out/ ("flat"),
        # or {"850": "Orders/", …} (sub-folders of out/ per type)
        "rsx_format": "json",  # partner documents as RSX JSON or RSX XML ("xml")
        "file_names": "sps",  # PONW-1-1-v7.7.json ("sps") or 850_<tpid>_<id>_1.json ("edi")
        "paging_next": "object",  # paging.next as {cursor, url} ("object"), as the URL alone ("url"), or
        # as {cursor} without a URL ("cursor")
        "history_timestamps": "ms_z",  # 2025-03-10T12:00:00.000Z ("ms_z") or 2025-03-10T12:00:00+00:00
        "document_times": "plain",  # times in partner documents as 14:22:14 ("plain") or with an offset
    }
    CONTROL_ACTIONS = (
        "drop_order",
        "drop_batch",
        "drop_document",
        "drop_raw",
        "acknowledge",
        "ship",
        "receipt",
        "process_inbound",
        "set_document_status",
        "demo_seed",
    )

    def __init__(self):
        super().__init__()
        for option, default in self.OPTIONS.items():
            setattr(self, option, default)
        self.tokens = SpsTokenIssuer(self.clock, self.token_lifetime)
        self.token_limiter = TokenBucket(self.clock, self.token_rate_limit, per=60.0)
        self.accounts: dict[str, Account] = {}
        self.clients: dict[str, Client] = {}
        # cursor -> (account, folder, last entry name) in name order, else the names still to list
        self.cursors: dict[str, tuple] = {}
        self.store_sequence = 0
        self.token_requests = 0

    def rules(self) -> list[Rule]:
        return [
            Rule("/oauth/token", endpoint="token_endpoint", methods=["POST"]),
            Rule("/auth-check", endpoint="auth_check", methods=["GET"]),
            Rule(DATA_PREFIX, endpoint="data_endpoint", methods=["GET", "POST", "DELETE"]),
            Rule(DATA_PREFIX + "<path:subpath>", endpoint="data_endpoint", methods=["GET", "POST", "DELETE"]),
            Rule("/transactions/v5/history", endpoint="history_endpoint", methods=["GET"]),
            Rule("/_sim/sps/documents", endpoint="_control_documents", methods=["GET"]),
            Rule("/_sim/sps/files", endpoint="_control_files", methods=["GET"]),
            Rule("/_sim/sps/<action>", endpoint="_control_sps", methods=["POST"]),
        ]

    # -- control: options, seed, reset, state --------------------------------------------------
    def configure(self, **options) -> dict:
        result = super().configure(**options)
        self.token_limiter.rate = self.token_rate_limit
        return result

    def reset(self):
        super().reset()
        with self.lock:
            for option, default in self.OPTIONS.items():
                setattr(self, option, default)
            self.rate_limiter.rate = self.request_rate_limit
            self.token_limiter.rate = self.token_rate_limit
            self.token_limiter.reset()
            self.tokens.reset()
            self.accounts.clear()
            self.clients.clear()
            self.cursors.clear()
            self.token_requests = 0

    def token_issuers(self) -> list[TokenIssuer]:
        return [self.tokens]

    def seed(self, data: dict) -> dict:
        with self.lock:
            if data.get("options"):
                self.configure(**data["options"])
            for spec in data.get("accounts", []):
                self._seed_account(spec)
            return {"accounts": list(self.accounts), "clients": list(self.clients)}

    def _seed_account(self, spec: dict):
        account = self.accounts.get(spec["id"])
        if account is None:
            account = self.accounts[spec["id"]] = Account(spec["id"])
            account.folders.update(("in/", "out/"), ("out/" + sub for sub in DEFAULT_OUT_SUBFOLDERS))
        account.routing = spec.get("routing", account.routing)
        account.provisioned = spec.get("provisioned", account.provisioned)
        if spec.get("test_folders"):
            account.folders.update(
                ("testin/", "testout/"), ("testout/" + sub for sub in DEFAULT_OUT_SUBFOLDERS)
            )
        for folder in spec.get("folders", []):
            self._add_folder(account, folder)
        account.foreign_folders.update(_as_folder(folder) for folder in spec.get("foreign_folders", []))
        for client in spec.get("clients", []):
            self.clients[client["client_id"]] = Client(
                client["client_id"], client["client_secret"], account.id, client.get("app_type", "m2m")
            )
        for partner in spec.get("trading_partners", []):
            documents = partner.get("documents")
            account.partners[partner["tpid"]] = TradingPartner(
                partner["tpid"],
                partner.get("name", ""),
                frozenset(documents) if documents else None,
                partner.get("acceptance", "accept"),
                partner.get("reject_reason", TradingPartner.reject_reason),
                partner.get("ship_to"),
            )
        for order in spec.get("orders", []):
            lines = [dict(line, seq=str(line.get("seq") or i + 1)) for i, line in enumerate(order["lines"])]
            account.orders[(order["tpid"], order["po_number"])] = OrderRecord(
                order["tpid"], order["po_number"], lines, order.get("po_date"), order.get("source", "seed")
            )
        for path, content in spec.get("files", {}).items():
            data = content.encode() if isinstance(content, str) else rsx.dumps(content)
            self.drop_raw(path, data, account=account.id)

    def state(self) -> dict:
        with self.lock:
            accounts = {}
            for account in self.accounts.values():
                files = {folder: [] for folder in sorted(account.folders)}
                for path in sorted(account.files):
                    folder, _, name = path.rpartition("/")
                    files.setdefault(folder + "/", []).append(name)
                accounts[account.id] = {
                    "files": files,
                    "documents": [document.summary() for document in account.documents],
                    "deleted_by_client": list(account.deleted_by_client),
                    "processed": list(account.processed),
                    "counts": dict(account.counts),
                    "orders": [order.summary() for order in account.orders.values()],
                }
            return {
                "accounts": accounts,
                "tokens_issued": self.tokens.issued_count,
                "token_requests": self.token_requests,
            }

    def documents(self, account=None, tpid=None, doc_type=None, status=None, identifier=None) -> list[dict]:
        """Business statuses of the documents we uploaded (never visible through the API)."""
        with self.lock:
            return [
                document.summary()
                for document in self._account(account).documents
                if (tpid is None or document.tpid == tpid)
                and (doc_type is None or document.doc_type == str(doc_type))
                and (status is None or document.status == status)
                and (identifier is None or document.identifier == identifier)
            ]

    def files(self, account=None) -> dict[str, bytes]:
        with self.lock:
            return {path: stored.data for path, stored in sorted(self._account(account).files.items())}

    def set_document_status(
        self, document_id: str, status: str, reason: str | None = None, account=None
    ) -> dict:
        """The partner's late verdict on a document (e.g. In Transit -> Not Accepted)."""
        with self.lock:
            for document in self._account(account).documents:
                if document.id == document_id:
                    self._set_status(document, status, [reason] if reason else [])
                    return document.summary()
        raise SimError(f"unknown document {document_id}")

    # -- HTTP helpers ------------------------------------------------------------------------------
    def _base_url(self, request: Request) -> str:
        return (self.public_url or request.host_url).rstrip("/")

    @staticmethod
    def _problem(
        request: Request, status: int, title: str, detail: str, context=None, headers=None
    ) -> Response:
        """RFC 7807 body as the SPS API standards mandate (§3.8); the real Transaction API body is
        UNVERIFIED, so the connector must branch on the status only."""
        body = {
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.path,
            "requestId": request.headers.get("X-Request-ID") or str(uuid.uuid4()),
        }
        if context:
            body["context"] = context
        return json_response(body, status=status, headers=headers, content_type="application/problem+json")

    def not_found(self, request: Request) -> Response:
        return self._problem(request, 404, "Not Found", f"No route for {request.path}")

    def rate_limit_key(self, request: Request) -> str:
        """Per client, not per token: a fresh token does not reset the limit."""
        token = self.tokens.check(request.headers.get("Authorization"))
        return f"client:{token.client_id}" if token else request.remote_addr or "anonymous"

    def check_rate_limit(self, request: Request) -> Response | None:
        if request.path == "/oauth/token":  # the token endpoint has its own per-client limit
            return None
        wait = self.rate_limiter.hit(self.rate_limit_key(request))
        if not wait:
            return None
        headers = {"Retry-After": str(max(int(wait + 0.999), 1))} if self.rate_limit_retry_after else {}
        return self._problem(request, 429, "Too Many Requests", "Rate limit exceeded.", headers=headers)

    def _authenticate(self, request: Request) -> tuple[Account | None, Response | None]:
        authorization = request.headers.get("Authorization")
        if not authorization:
            detail = "Access token was not provided in an Authorization header."
            return None, self._problem(
                request, 401, "Invalid Request", detail, headers={"WWW-Authenticate": "Bearer"}
            )
        token = self.tokens.check(authorization)
        client = self.clients.get(token.client_id) if token else None
        if client is None:
            detail = "The access token provided is invalid or expired."
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return None, self._problem(request, 401, "Invalid Token", detail, headers=headers)
        account = self.accounts.get(client.account)
        if account is None:
            return None, self._problem(request, 403, "Forbidden", "The client has no SPS account.")
        return account, None

    def _api_account(self, request: Request) -> tuple[Account | None, Response | None]:
        """The token's account, or the 401/403 answer."""
        account, failure = self._authenticate(request)
        if account and not account.routing:
            detail = "Transaction API routing is not set up for this account."
            return None, self._problem(request, 403, "Forbidden", detail)
        return account, failure

    @staticmethod
    def _input_problem(name: str, raw: str, code: str, message: str, source: str = "query") -> dict:
        """One ``context`` item of a 400 problem (SPS API standards, §3.8)."""
        return {"code": code, "message": message, "field": name, "source": source, "value": raw}

    def _query_int(self, request, name, default, minimum, maximum=None) -> tuple[int | None, dict | None]:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default, None
        if not re.fullmatch(r"-?\d+", raw):
            return None, self._input_problem(name, raw, "INPUT_INVALID", f"{name} must be an integer")
        value = int(raw)
        if value < minimum:
            return None, self._input_problem(
                name, raw, "INPUT_MIN_VALUE", f"{name} must be at least {minimum}"
            )
        if maximum is not None and value > maximum:
            return None, self._input_problem(
                name, raw, "INPUT_MAX_VALUE", f"{name} must be at most {maximum}"
            )
        return value, None

    def _bad_input(self, request, context: dict) -> Response:
        return self._problem(request, 400, "Bad Request", context["message"], context=[context])

    # -- auth host ---------------------------------------------------------------------------------
    def token_endpoint(self, request: Request) -> Response:
        """Auth0 client-credentials grant (§2.1-§2.3). Error bodies use the OAuth shape (exact Auth0
        texts UNVERIFIED). Every request counts toward the per-client limit, before the credentials
        are checked (SIM CHOICE)."""

        def oauth_error(status, error, description, headers=None):
            return json_response(
                {"error": error, "error_description": description}, status=status, headers=headers
            )

        if request.mimetype == "application/json":
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                return oauth_error(400, "invalid_request", "The request body is not valid JSON.")
            if not isinstance(body, dict):
                return oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        else:
            body = request.form.to_dict()
        client_id = str(body.get("client_id") or "")
        with self.lock:
            self.token_requests += 1
            wait = self.token_limiter.hit(client_id or request.remote_addr or "anonymous")
            if wait:
                headers = (
                    {"Retry-After": str(max(int(wait + 0.999), 1))}
                    if self.token_rate_limit_retry_after
                    else {}
                )
                return oauth_error(429, "too_many_requests", "Global limit has been reached", headers)
            grant_type = body.get("grant_type")
            if grant_type != "client_credentials":
                return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
            client = self.clients.get(client_id)
            if client is None or not secrets.compare_digest(
                str(body.get("client_secret") or ""), client.secret
            ):
                return oauth_error(401, "access_denied", "Unauthorized")
            if client.app_type != "m2m":
                return oauth_error(
                    403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client."
                )
            audience = body.get("audience")
            allowed = {AUDIENCE} | ({LEGACY_AUDIENCE} if self.allow_legacy_audience else set())
            if audience not in allowed:
                detail = (
                    f"Service not found: {audience}" if audience else "No audience parameter was provided."
                )
                return oauth_error(403, "access_denied", detail)
            self.tokens.lifetime = int(self.token_lifetime)
            token = self.tokens.issue(
                client.client_id, audience=audience, issuer=self._base_url(request) + "/"
            )
            body = {
                "access_token": token.value,
                "token_type": "Bearer",
                "expires_in": int(self.token_lifetime),
            }
            return json_response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    # -- API host ----------------------------------------------------------------------------------
    def auth_check(self, request: Request) -> Response:
        with self.lock:
            _account, failure = self._authenticate(request)
        return failure or Response(status=204)

    def data_endpoint(self, request: Request, subpath: str = "") -> Response:
        path = subpath.lstrip("/")  # a leading "/" is tolerated (§3.2); a trailing one means a folder
        with self.lock:
            account, failure = self._api_account(request)
            if failure:
                return failure
            if any(path.startswith(folder) for folder in account.foreign_folders):
                return self._problem(request, 403, "Forbidden", "This folder belongs to another account.")
            is_directory = path == "" or path.endswith("/")
            # werkzeug routes HEAD to GET rules: a HEAD reads like a GET and never deletes
            reading = request.method in ("GET", "HEAD")
            if reading and is_directory:
                return self._list(request, account, path)
            if is_directory:
                return self._problem(request, 400, "Bad Request", "A file path must not end with '/'.")
            if request.method == "POST":
                return self._upload(request, account, path)
            if path not in account.files or not account.provisioned:
                return self._problem(request, 404, "Not Found", "File not found")
            if reading:
                return self._download(account, path)
            return self._delete(account, path)

    def _folder_exists(self, account: Account, folder: str) -> bool:
        return account.provisioned and (
            folder == "" or folder in account.folders or folder in account.foreign_folders
        )

    def _list(self, request: Request, account: Account, folder: str) -> Response:
        limit, problem = self._query_int(request, "limit", 1000, 1, 1000)
        if problem:
            return self._bad_input(request, problem)
        if not self._folder_exists(account, folder):
            if folder == "":  # a fresh production app: empty root (§6.2)
                return json_response({"results": [], "paging": {"limit": limit, "next": None}})
            return self._problem(request, 404, "Not Found", "Directory not found")
        prefix = request.args.get("entryNamePrefix", "")
        entries = [entry for entry in self._entries(account, folder) if entry[0].startswith(prefix)]
        cursor = request.args.get("cursor")
        if cursor:
            position = self.cursors.get(cursor)
            if position is None or position[:2] != (account.id, folder):
                message = "cursor is not valid for this directory"
                return self._bad_input(
                    request, self._input_problem("cursor", cursor, "INPUT_INVALID", message)
                )
            if isinstance(position[2], list):
                # Other orders resume with the files still to list when the listing began (files added
                # meanwhile show in the next listing). SIM CHOICE.
                present = dict(entries)
                entries = [(name, present[name]) for name in position[2] if name in present]
            else:
                # Resume after the last name returned: files added or deleted meanwhile never make a
                # file that stayed be skipped or repeated (entries are in name order). SIM CHOICE.
                entries = [entry for entry in entries if entry[0] > position[2]]
        page = entries[:limit]
        base = self._base_url(request)
        results = [
            {"path": "/" + folder + name, "type": kind, "url": base + DATA_PREFIX + quote(folder + name)}
            for name, kind in page
        ]
        paging = {"limit": limit, "next": None}
        if len(entries) > limit:
            token = secrets.token_urlsafe(14)  # opaque; never an offset a client could compute
            rest = page[-1][0] if self.list_order == "name" else [name for name, _kind in entries[limit:]]
            self.cursors[token] = (account.id, folder, rest)
            query = {"limit": limit, "cursor": token} | ({"entryNamePrefix": prefix} if prefix else {})
            url = f"{base}{DATA_PREFIX}{quote(folder)}?{urlencode(query)}"
            paging["next"] = {
                "url": url,
                "cursor": {"cursor": token},
                "object": {"cursor": token, "url": url},
            }[self.paging_next]
        elif self.paging_next == "url":
            del paging["next"]  # a server that leaves the link out on the last page
        account.counts["lists"] += 1
        return json_response({"results": results, "paging": paging})

    def _entries(self, account: Account, folder: str) -> list[tuple[str, str]]:
        """The folder's entries in the listing order (``list_order``); sub-folders first."""
        folders, files = {}, {}
        for sub in account.folders | account.foreign_folders:
            rest = sub[len(folder) :]
            if sub.startswith(folder) and rest and rest.count("/") == 1 and rest.endswith("/"):
                folders[rest] = "directory"
        for path, stored in account.files.items():
            rest = path[len(folder) :]
            if path.startswith(folder) and "/" not in rest:
                files[rest] = stored.sequence
        if self.list_order in ("arrival", "newest_first"):
            names = sorted(
                files, key=lambda name: (files[name], name), reverse=self.list_order == "newest_first"
            )
        else:
            names = sorted(files, reverse=self.list_order == "name_desc")
        return sorted(folders.items()) + [(name, "file") for name in names]

    def _upload(self, request: Request, account: Account, path: str) -> Response:
        if self.require_octet_stream and request.mimetype != "application/octet-stream":
            message = "Content-Type must be application/octet-stream"
            context = self._input_problem(
                "Content-Type", request.mimetype, "INPUT_INVALID", message, "header"
            )
            return self._problem(request, 415, "Unsupported Media Type", message, context=[context])
        folder = path.rpartition("/")[0] + "/" if "/" in path else ""
        if not folder or not self._folder_exists(account, folder):
            return self._problem(request, 404, "Not Found", "Directory not found")
        # WSGI folds "_" into "-" in header names: sps-meta-order_id is kept as "order-id".
        meta = {
            key.lower()[len("sps-meta-") :]: value
            for key, value in request.headers.items()
            if key.lower().startswith("sps-meta-")
        }
        self._store(account, path, request.get_data(), "in", meta)
        account.counts["uploads"] += 1
        if self.process_uploads_immediately and path.startswith(INBOUND_ROOTS):
            self._process_file(account, path)
        url = self._base_url(request) + DATA_PREFIX + quote(path)
        return json_response({"path": "/" + path, "url": url}, status=201)

    def _download(self, account: Account, path: str) -> Response:
        stored = account.files[path]
        self._event(stored.record, "downloaded")
        account.counts["downloads"] += 1
        headers = {f"sps-meta-{key}": value for key, value in stored.meta.items()}  # SIM CHOICE: echoed
        return Response(stored.data, status=200, headers=headers, content_type="application/octet-stream")

    def _delete(self, account: Account, path: str) -> Response:
        stored = account.files.pop(path)
        self._event(stored.record, "deleted")
        account.counts["deletes"] += 1
        account.deleted_by_client.append(path)
        return Response(status=204)

    def history_endpoint(self, request: Request) -> Response:
        """File events (§3.7), oldest transfer first, offset paging, hidden for the configured lag."""
        with self.lock:
            account, failure = self._api_account(request)
            if failure:
                return failure
            limit, limit_problem = self._query_int(request, "limit", 100, 1, 1000)
            offset, offset_problem = self._query_int(request, "offset", 0, 0)
            if limit_problem or offset_problem:
                return self._bad_input(request, limit_problem or offset_problem)
            window = {}
            for name in ("after", "until"):
                if request.args.get(name):
                    try:
                        window[name] = _parse_timestamp(request.args[name])
                    except ValueError:
                        message = f"{name} must look like YYYY-MM-DDTHH:mm:ss"
                        problem = self._input_problem(name, request.args[name], "INPUT_INVALID", message)
                        return self._bad_input(request, problem)
            matching = self._history(account, window.get("after"), window.get("until"))
            results = [
                {
                    "id": record.id,
                    "path": "/" + record.path,
                    "direction": record.direction,
                    "status_log": [
                        {"status": e["status"], "timestamp": self._timestamp(e["at"])}
                        | ({"message": e["message"]} if e["message"] else {})
                        for e in events
                    ],
                }
                for record, events in matching[offset : offset + limit]
            ]
            base = self._base_url(request) + "/transactions/v5/history"
            extra = {name: request.args[name] for name in window}

            def link(at_offset):
                return {"url": base + "?" + urlencode({"limit": limit, "offset": at_offset} | extra)}

            paging = {
                "offset": offset,
                "limit": limit,
                "total_count": len(matching),
                "next": link(offset + limit) if offset + limit < len(matching) else None,
                "previous": link(max(offset - limit, 0)) if offset > 0 else None,
            }
            return json_response({"results": results, "paging": paging})

    def _timestamp(self, value: datetime) -> str:
        if self.history_timestamps == "ms_z":
            return iso_ms(value)
        return value.astimezone(UTC).replace(microsecond=0).isoformat()

    def _history(self, account: Account, after, until) -> list[tuple[HistoryRecord, list[dict]]]:
        """Records with their visible events; a record matches when one of its events falls in
        ``(after, until]`` (SIM CHOICE: the reference does not say which timestamp is filtered)."""
        horizon = self.clock.now() - timedelta(seconds=self.history_lag_seconds)
        matching = []
        for record in account.history:
            events = [event for event in record.events if event["at"] <= horizon]
            if any(
                (after is None or e["at"] > after) and (until is None or e["at"] <= until) for e in events
            ):
                matching.append((record, events))
        return matching

    # -- storage -----------------------------------------------------------------------------------
    def _store(self, account: Account, path: str, data: bytes, direction: str, meta=None) -> StoredFile:
        """Store (or overwrite, §3.3) a file; every store is a new history record (SIM CHOICE)."""
        record = HistoryRecord(str(uuid.uuid4()), path, direction)
        account.history.append(record)
        self._event(record, "uploaded")
        self.store_sequence += 1
        stored = StoredFile(
            path, bytes(data), self.clock.now(), record, dict(meta or {}), self.store_sequence
        )
        account.files[path] = stored
        return stored

    def _event(self, record: HistoryRecord, status: str, message: str | None = None):
        record.events.append({"status": status, "at": self.clock.now(), "message": message})

    @staticmethod
    def _add_folder(account: Account, folder: str):
        folder = _as_folder(folder)
        parts = folder.strip("/").split("/")
        account.folders.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))

    def _account(self, account_id=None) -> Account:
        if account_id is None:
            if not self.accounts:
                raise SimError("no account seeded")
            return next(iter(self.accounts.values()))
        if account_id not in self.accounts:
            raise SimError(f"unknown account {account_id}")
        return self.accounts[account_id]

    # -- SPS side: inbound processing --------------------------------------------------------------
    def process_inbound(self, account=None) -> list[dict]:
        """Consume every file waiting in ``in/`` (and ``testin/``), oldest first; return the documents."""
        with self.lock:
            accounts = [self._account(account)] if account else list(self.accounts.values())
            processed = []
            for acc in accounts:
                waiting = sorted(
                    (stored for path, stored in acc.files.items() if path.startswith(INBOUND_ROOTS)),
                    key=lambda stored: stored.stored_at,
                )
                for stored in waiting:
                    processed.extend(self._process_file(acc, stored.path))
            return processed

    def _process_file(self, account: Account, path: str) -> list[dict]:
        stored = account.files.pop(path)
        test = path.startswith("testin/")
        try:
            parsed = rsx.parse(stored.data)
        except ValueError as exc:
            documents = [self._new_document(account, path, 0, None, [f"not valid JSON: {exc}"])]
        else:
            items = parsed if isinstance(parsed, list) and parsed else [parsed]
            # SIM CHOICE: each document of a batch file is judged on its own.
            documents = [self._judge(account, path, index, item, test) for index, item in enumerate(items)]
        self._event(stored.record, "deleted", PROCESSED_MESSAGE)
        account.processed.append(path)
        return [document.summary() for document in documents]

    def _new_document(self, account, path, index, doc, errors) -> BusinessDocument:
        doc_type, tpid, identifier = rsx.identifiers(doc) if isinstance(doc, dict) else (None, None, None)
        purpose = rsx.header_object(doc).get("TsetPurposeCode") if isinstance(doc, dict) else None
        document = BusinessDocument(
            id=str(uuid.uuid4()),
            path=path,
            index=index,
            doc_type=doc_type,
            tpid=tpid,
            identifier=identifier,
            purpose=purpose,
            status=IN_TRANSIT,
            reasons=[],
            received_at=self.clock.now(),
            document=doc,
        )
        document.log.append({"status": IN_TRANSIT, "at": iso_ms(self.clock.now())})
        account.documents.append(document)
        if errors:
            self._set_status(document, ERROR, errors)
        return document

    def _set_status(self, document: BusinessDocument, status: str, reasons: list[str]):
        document.status = status
        document.reasons = list(reasons)
        document.log.append(
            {"status": status, "at": iso_ms(self.clock.now())} | ({"reasons": reasons} if reasons else {})
        )

    def _judge(self, account: Account, path: str, index: int, doc, test: bool) -> BusinessDocument:
        document = self._new_document(account, path, index, doc, rsx.validate(doc))
        if document.status == ERROR:
            return document
        partner = account.partners.get(document.tpid)
        if partner is None:
            # SC-TPID wording (§5).
            reasons = [f"Document Processing Error: Unknown Trading Partner ID {document.tpid}"]
        elif partner.documents is not None and document.doc_type not in partner.documents:
            reasons = [f"Document type {document.doc_type} is not set up for trading partner {partner.tpid}"]
        else:
            reasons = self._rule_errors(account, document, doc)
        if reasons:
            self._set_status(document, ERROR, reasons)
            return document
        self._apply(account, document, doc)
        if partner.acceptance == "reject":
            self._set_status(document, NOT_ACCEPTED, [partner.reject_reason])
        elif partner.acceptance == "accept":
            self._set_status(document, ACCEPTED, [])
            if (
                document.doc_type == "850"
                and document.purpose in ("00", None)
                and self.auto_partner_responses
            ):
                self._auto_respond(account, document, test)
        return document

    def _partner_knows_pos(self, account: Account, tpid: str) -> bool:
        return any(key[0] == tpid for key in account.orders)

    def _rule_errors(self, account: Account, document: BusinessDocument, doc: dict) -> list[str]:
        """Per-TPID rules SPS applies before the partner sees the document (§7 "errors to inject")."""
        errors, header, tpid = [], rsx.header_object(doc), document.tpid
        doc_type, purpose = document.doc_type, document.purpose or "00"
        if doc_type == "850" and purpose in ("01", "05"):
            original = account.orders.get((tpid, document.identifier))
            if original is None or original.source == "partner":
                kind = "Cancellation" if purpose == "01" else "Replacement"
                errors.append(f"{kind} of unknown PO {document.identifier}")
        if doc_type in ("855", "856", "810") and self._partner_knows_pos(account, tpid):
            if doc_type == "856":
                po_numbers = {po for po, _line in rsx.shipment_lines(doc)}
                po_numbers |= {
                    (level.get("OrderHeader") or {}).get("PurchaseOrderNumber")
                    for level in doc.get("OrderLevel") or []
                }
            else:
                po_numbers = {header.get("PurchaseOrderNumber")}
            for po_number in sorted(po for po in po_numbers if po):
                if (tpid, po_number) not in account.orders:
                    errors.append(f"PurchaseOrderNumber {po_number} is unknown to trading partner {tpid}")
        if doc_type in ("856", "810") and purpose != "05":
            key_name = rsx.HEADER_KEYS[doc_type][1]
            for earlier in account.documents:
                if (
                    earlier is not document
                    and earlier.status in (ACCEPTED, IN_TRANSIT)
                    and (earlier.doc_type, earlier.tpid, earlier.identifier)
                    == (doc_type, tpid, document.identifier)
                ):
                    errors.append(f"Duplicate {key_name} {document.identifier} for trading partner {tpid}")
                    break
        if doc_type in ("850", "810"):
            mismatch = rsx.total_mismatch(doc)
            if mismatch:
                errors.append(mismatch)
        if doc_type == "856":
            errors.extend(self._over_shipped(account, tpid, doc))
        return errors

    def _over_shipped(self, account: Account, tpid: str, doc: dict) -> list[str]:
        """ASN quantity above what remains to ship on a known PO line (same UOM only)."""
        totals: dict[tuple, float] = {}
        for po_number, line in rsx.shipment_lines(doc):
            key = (po_number, line.get("LineSequenceNumber"), line.get("ShipQtyUOM"))
            totals[key] = totals.get(key, 0) + (line.get("ShipQty") or 0)
        errors = []
        for (po_number, seq, uom), qty in totals.items():
            order = account.orders.get((tpid, po_number))
            line = next((ln for ln in order.lines if ln["seq"] == seq), None) if order else None
            if line is None or (uom and uom != line.get("uom", "EA")):
                continue
            remaining = line["qty"] - order.shipped.get(seq, 0)
            if qty > remaining + 1e-9:
                errors.append(
                    f"ShipQty {qty:g} for PO {po_number} line {seq} exceeds the quantity left ({remaining:g})"
                )
        return errors

    def _apply(self, account: Account, document: BusinessDocument, doc: dict):
        """Effects of a valid document on what SPS and the partner know."""
        tpid, purpose = document.tpid, document.purpose or "00"
        if document.doc_type == "850":
            key = (tpid, document.identifier)
            if purpose == "01":
                account.orders[key].status = "cancelled"
            elif purpose == "05" or key not in account.orders or account.orders[key].source == "seed":
                previous = account.orders.get(key)
                record = OrderRecord(
                    tpid,
                    document.identifier,
                    _lines_of(doc),
                    rsx.header_object(doc).get("PurchaseOrderDate"),
                    "connector",
                )
                if previous:
                    record.shipped, record.acknowledged = previous.shipped, previous.acknowledged
                account.orders[key] = record
        elif document.doc_type == "856":
            for po_number, line in rsx.shipment_lines(doc):
                order = account.orders.get((tpid, po_number))
                seq = line.get("LineSequenceNumber")
                if order and seq:
                    order.shipped[seq] = order.shipped.get(seq, 0) + (line.get("ShipQty") or 0)

    def _auto_respond(self, account: Account, document: BusinessDocument, test: bool):
        order = account.orders[(document.tpid, document.identifier)]
        if order.acknowledged:  # the partner has answered this PO already (e.g. the demo's seeded 855)
            return
        test = test and "testout/PR/" in account.folders
        self.acknowledge(order.po_number, tpid=order.tpid, account=account.id, test=test)
        if self.auto_partner_ships:
            self.ship(order.po_number, tpid=order.tpid, account=account.id, test=test)

    # -- partner side: documents dropped into out/ -------------------------------------------------
    def _today(self) -> str:
        return self.clock.now().date().isoformat()

    def drop_raw(self, path: str, data: bytes | str, *, account=None, base64_data: str | None = None) -> str:
        """Put any bytes at ``path`` (malformed documents, odd names); creates missing folders."""
        with self.lock:
            acc = self._account(account)
            path = path.lstrip("/")
            if base64_data is not None:
                data = base64.b64decode(base64_data)
            if "/" in path:
                self._add_folder(acc, path.rpartition("/")[0])
            self._store(acc, path, data.encode() if isinstance(data, str) else data, "out")
            return path

    def drop_document(self, doc, *, account=None, bom=False, filename=None, test=False) -> str:
        """Drop a document (or batch) in the partner documents' folder of its type under a unique
        name, as RSX JSON or XML (``rsx_format``); returns the path."""
        with self.lock:
            acc = self._account(account)
            doc_type, tpid, identifier = rsx.identifiers(doc[0] if isinstance(doc, list) else doc)
            folder = self.out_folder(doc_type, test)
            if folder not in acc.folders and isinstance(self.out_layout, dict):
                self._add_folder(acc, folder)
            if folder not in acc.folders:
                raise SimError(f"account {acc.id} has no folder {folder}")
            if filename is None:
                filename = self._file_name(acc, doc_type, tpid, identifier, isinstance(doc, list))
            for item in doc if isinstance(doc, list) else [doc]:
                if rsx.detect_type(item) == "850":
                    self._remember_partner_order(acc, item)
            if self.document_times != "plain":
                doc = _with_time_offsets(doc, self.document_times)
            data = rsx.to_xml(doc, bom=bom) if self.rsx_format == "xml" else rsx.dumps(doc, bom=bom)
            self._store(acc, folder + filename, data, "out")
            return folder + filename

    def out_folder(self, doc_type: str | None, test: bool = False) -> str:
        """Where partner documents of ``doc_type`` are dropped (``out_layout``)."""
        root = "testout/" if test else "out/"
        if self.out_layout == "flat":
            return root
        layout = self.out_layout if isinstance(self.out_layout, dict) else OUT_SUBFOLDERS
        return root + layout.get(doc_type, "")

    def _file_name(self, acc: Account, doc_type, tpid, identifier, batch: bool) -> str:
        prefix = FILE_PREFIXES.get(doc_type, "XX")
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(identifier or "document"))
        count = acc.drop_names.get((prefix, safe), 0) + 1
        acc.drop_names[(prefix, safe)] = count
        extension = "xml" if self.rsx_format == "xml" else "json"
        if self.file_names == "edi":
            return f"{doc_type}_{tpid}_{safe}_{count}{'_batch' if batch else ''}.{extension}"
        return f"{prefix}{safe}-{count}-v7.7{'-Batch' if batch else ''}.{extension}"

    def drop_batch(self, documents: list, *, account=None, bom=False, filename=None, test=False) -> str:
        """One file whose root is an array of documents (§4.1)."""
        return self.drop_document(list(documents), account=account, bom=bom, filename=filename, test=test)

    @staticmethod
    def _remember_partner_order(account: Account, doc: dict):
        _type, tpid, po_number = rsx.identifiers(doc)
        purpose = rsx.header_object(doc).get("TsetPurposeCode", "00")
        existing = account.orders.get((tpid, po_number))
        if purpose == "01":
            if existing:
                existing.status = "cancelled"
            return
        if existing and purpose == "07":  # a duplicate changes nothing
            return
        record = OrderRecord(
            tpid, po_number, _lines_of(doc), rsx.header_object(doc).get("PurchaseOrderDate"), "partner"
        )
        if existing:
            record.shipped, record.acknowledged = existing.shipped, existing.acknowledged
            existing.status = "replaced"
        account.orders[(tpid, po_number)] = record

    def drop_order(self, tpid: str, po_number: str, lines: list | None = None, *, account=None, purpose="00",
                   po_type=None, drop_ship_to=None, bom=False, filename=None, test=False,
                   **order_fields) -> str:  # fmt: skip
        """The partner sends us an 850 (``out/PO/``).

        ``purpose``: ``00`` original, ``05`` replace, ``01`` cancel, ``07`` duplicate; without
        ``lines`` the known lines of the PO are repeated. Lines with ``locations`` give a
        multi-store order; ``drop_ship_to`` (an RSX ``ST`` address or ``rsx.address`` arguments)
        makes a drop-ship order (``DS``, consumer ship-to), ``ship_to`` replaces the partner's usual
        ship-to. Other keyword arguments go to
        ``rsx.order`` (``department``, ``vendor``, ``ship_date``, ``customer_order``, ``total``…).
        """
        with self.lock:
            acc = self._account(account)
            known = acc.orders.get((tpid, po_number))
            if lines is None:
                if known is None:
                    raise SimError(f"no lines given and PO {po_number} is unknown")
                lines = known.lines
            ship_to = (
                drop_ship_to
                or order_fields.pop("ship_to", None)
                or (acc.partners[tpid].ship_to if tpid in acc.partners else None)
            )
            if ship_to and "AddressTypeCode" not in ship_to:
                ship_to = rsx.address("ST", **ship_to)
            order_fields.setdefault("po_date", known.po_date if known and known.po_date else self._today())
            po_type = po_type or ("DS" if drop_ship_to else "SA")
            doc = rsx.order(
                tpid, po_number, lines, purpose=purpose, po_type=po_type, ship_to=ship_to, **order_fields
            )
            return self.drop_document(doc, account=acc.id, bom=bom, filename=filename, test=test)

    def _find_order(self, account: Account, po_number: str, tpid: str | None) -> OrderRecord:
        matches = [
            o for (t, po), o in account.orders.items() if po == po_number and (tpid is None or t == tpid)
        ]
        if len(matches) != 1:
            raise SimError(f"PO {po_number} is {'ambiguous' if matches else 'unknown'}; seed it or pass tpid")
        return matches[0]

    def acknowledge(self, po_number: str, lines: dict | None = None, *, tpid=None, account=None,
                    ack_type=None, ack_number=None, ack_date=None, bom=False, test=False) -> str:  # fmt: skip
        """The partner (our vendor) acknowledges a PO with an 855 in ``out/PR/``.

        ``lines``: ``{seq: status}`` or ``{seq: [(ItemStatusCode, qty, date?)…]}`` for the lines that
        are not plainly accepted, e.g. ``{"2": [("IQ", 4), ("IB", 1, "2025-03-21")]}``; other lines
        get ``IA`` for the ordered quantity.
        """
        with self.lock:
            acc = self._account(account)
            order = self._find_order(acc, po_number, tpid)
            changes = {str(seq): spec for seq, spec in (lines or {}).items()}
            ack_lines = []
            for line in order.lines:
                spec = changes.get(line["seq"])
                if isinstance(spec, str):
                    spec = [(spec, line["qty"])]
                ack_lines.append(dict(line, acks=spec) if spec else line)
            doc = rsx.order_ack(
                order.tpid, po_number, ack_lines, ack_type=ack_type, ack_number=ack_number,
                ack_date=ack_date or self._today(), po_date=order.po_date or self._today(),
            )  # fmt: skip
            order.acknowledged = True
            return self.drop_document(doc, account=acc.id, bom=bom, test=test)

    def _next_sscc(self, account: Account) -> str:
        account.sscc_serial += 1
        return rsx.sscc(account.sscc_serial)

    def ship(self, po_number: str, lines: dict | None = None, packs=None, *, tpid=None, account=None,
             shipment_id=None, ship_date=None, lots=None, bol=None, bom=False, pallet=False,
             test=False) -> str:  # fmt: skip
        """The partner (our vendor) ships against a PO: an 856 in ``out/SH/``.

        ``lines``: ``{seq: qty}`` (default: everything still open). ``packs``: None (one carton per
        line), a number of cartons (lines dealt round-robin), or an explicit list of cartons
        ``[{seq: qty}, …]`` (a line may span cartons; overrides ``lines``). ``lots``: ``{seq: lot}``
        (``References`` ``LT``). ``pallet``: the cartons travel on one pallet (a tare level above
        them). Lines shipping less than what is open get ``ItemStatusCode`` ``IB``, as in §4.5.
        Over-shipping is allowed: the partner may err.
        """
        with self.lock:
            acc = self._account(account)
            order = self._find_order(acc, po_number, tpid)
            by_seq = {line["seq"]: line for line in order.lines}
            remaining = {seq: line["qty"] - order.shipped.get(seq, 0) for seq, line in by_seq.items()}
            if isinstance(packs, list):
                cartons = [{str(seq): qty for seq, qty in carton.items()} for carton in packs]
            else:
                wanted = (
                    {str(s): q for s, q in lines.items()}
                    if lines
                    else {s: q for s, q in remaining.items() if q > 0}
                )
                count = max(int(packs or len(wanted)), 1)
                cartons = [{} for _ in range(count)]
                for i, (seq, qty) in enumerate(wanted.items()):
                    cartons[i % count][seq] = qty
                cartons = [carton for carton in cartons if carton]
            shipping: dict[str, float] = {}
            for carton in cartons:
                for seq, qty in carton.items():
                    if seq not in by_seq:
                        raise SimError(f"PO {po_number} has no line {seq}")
                    shipping[seq] = shipping.get(seq, 0) + qty
            if not shipping:
                raise SimError(f"nothing left to ship on PO {po_number}")
            lots = {str(seq): lot for seq, lot in (lots or {}).items()}
            packs_spec, tare = [], self._next_sscc(acc) if pallet else None
            for carton in cartons:
                items = []
                for seq, qty in carton.items():
                    line = by_seq[seq]
                    status = "IA" if shipping[seq] >= remaining[seq] else "IB"
                    items.append(dict(line, ordered=line["qty"], qty=qty, status=status, lot=lots.get(seq)))
                packs_spec.append({"sscc": self._next_sscc(acc), "items": items, "tare": tare})
            earlier = [s for s in acc.shipments.values() if s["po_number"] == po_number]
            shipment_id = shipment_id or f"ASN-{po_number}-{len(earlier) + 1}"
            ship_date = ship_date or self._today()
            orders = [{"po_number": po_number, "po_date": order.po_date, "packs": packs_spec}]
            doc = rsx.shipment(order.tpid, shipment_id, orders, ship_date=ship_date, bol=bol)
            for seq, qty in shipping.items():
                order.shipped[seq] = order.shipped.get(seq, 0) + qty
            acc.shipments[shipment_id] = {
                "tpid": order.tpid,
                "po_number": po_number,
                "ship_date": ship_date,
                "lines": [dict(by_seq[seq], qty=qty, lot=lots.get(seq)) for seq, qty in shipping.items()],
            }
            return self.drop_document(doc, account=acc.id, bom=bom, test=test)

    def receipt(self, shipment_id: str | None = None, *, po_number=None, account=None, received=None,
                damaged=None, receipt_id=None, received_date=None, bom=False, test=False) -> str:  # fmt: skip
        """A 944 in ``out/RC/`` confirming receipt of a shipment made with ``ship()`` (or the
        latest shipment of ``po_number``). ``damaged``: ``{seq: qty}`` reported with condition
        ``01`` and reason ``CC``; ``received``: ``{seq: good qty}`` (default: shipped - damaged);
        a shortfall is reported with condition ``02``."""
        with self.lock:
            acc = self._account(account)
            if shipment_id is None:
                candidates = [sid for sid, s in acc.shipments.items() if s["po_number"] == po_number]
                if not candidates:
                    raise SimError(f"no shipment known for PO {po_number}")
                shipment_id = candidates[-1]
            if shipment_id not in acc.shipments:
                raise SimError(f"unknown shipment {shipment_id}")
            shipped = acc.shipments[shipment_id]
            damaged = {str(seq): qty for seq, qty in (damaged or {}).items()}
            received = {str(seq): qty for seq, qty in (received or {}).items()}
            lines = []
            for line in shipped["lines"]:
                seq, qty = line["seq"], line["qty"]
                bad = damaged.get(seq, 0)
                good = received.get(seq, qty - bad)
                entries = [(good, "07")] + ([(bad, "01", "CC")] if bad else [])
                if qty - bad - good > 0:
                    entries.append((qty - bad - good, "02"))
                lines.append(dict(line, ship_qty=qty, received=entries))
            count = len([k for k in acc.drop_names if k[0] == "RC"]) + 1
            doc = rsx.warehouse_receipt(
                shipped["tpid"], receipt_id or f"RCV-{shipped['po_number']}-{count}", lines,
                shipment_id=shipment_id, depositor_order=shipped["po_number"],
                shipment_date=shipped["ship_date"], received_date=received_date or self._today(),
            )  # fmt: skip
            return self.drop_document(doc, account=acc.id, bom=bom, test=test)

    # -- control routes ----------------------------------------------------------------------------
    def _control_sps(self, request: Request, action: str) -> Response:
        if action not in self.CONTROL_ACTIONS:
            return json_response({"error": f"unknown action {action}"}, status=404)
        kwargs = self._json(request)
        if action == "drop_raw" and "base64" in kwargs:
            kwargs["base64_data"] = kwargs.pop("base64")
            kwargs.setdefault("data", b"")
        try:
            result = demo_seed(self) if action == "demo_seed" else getattr(self, action)(**kwargs)
        except (ValueError, KeyError, TypeError) as exc:  # SimError, bad arguments, bad base64
            return json_response({"error": str(exc)}, status=400)
        return json_response(result if isinstance(result, dict | list) else {"path": result})

    def _control_documents(self, request: Request) -> Response:
        try:
            return json_response(self.documents(**request.args.to_dict()))
        except (SimError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)

    def _control_files(self, request: Request) -> Response:
        try:
            files = self.files(request.args.get("account"))
        except SimError as exc:
            return json_response({"error": str(exc)}, status=400)
        return json_response({path: data.decode("utf-8", "replace") for path, data in files.items()})


def _with_time_offsets(value, offset: str):
    """The document with an offset on every time (``"14:22:14"`` -> ``"14:22:14-06:00"``)."""
    if isinstance(value, list):
        return [_with_time_offsets(item, offset) for item in value]
    if isinstance(value, dict):
        return {
            key: (item + offset if key.endswith("Time") and isinstance(item, str) and len(item) == 8 else
                  _with_time_offsets(item, offset))
            for key, item in value.items()
        }  # fmt: skip
    return value


def _as_folder(folder: str) -> str:
    folder = folder.strip("/")
    return folder + "/" if folder else ""


def _parse_timestamp(value: str) -> datetime:
    """``YYYY-MM-DDTHH:mm:ss`` (no zone given by SPS: read as UTC), optional fraction or ``Z``."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _lines_of(doc: dict) -> list[dict]:
    """Builder-style lines of an 850 (what the partner remembers of a PO)."""
    lines = []
    for i, item in enumerate(doc.get("LineItem") or []):
        line = item.get("OrderLine") or {}
        lines.append(
            {
                key: value
                for key, value in {
                    "seq": str(line.get("LineSequenceNumber") or i + 1),
                    "buyer_part": line.get("BuyerPartNumber"),
                    "vendor_part": line.get("VendorPartNumber"),
                    "upc": line.get("ConsumerPackageCode"),
                    "qty": line.get("OrderQty") or 0,
                    "uom": line.get("OrderQtyUOM", "EA"),
                    "price": line.get("PurchasePrice"),
                }.items()
                if value is not None
            }
        )
    return lines


# -- demo ------------------------------------------------------------------------------------------
ACME_TPID, NORTHWIND_TPID = "7ZQALLACMEWIDGT", "NWDALLNORTHWND"
# Northwind's 850s carry its own item numbers next to ours; our POs to Acme carry Acme's.
NORTHWIND_BLUE = {
    "vendor_part": "WID-100-BLU",
    "buyer_part": "NW-778812",
    "upc": "012345678905",
    "price": 4.75,
}
NORTHWIND_RED = {
    "vendor_part": "WID-200-RED",
    "buyer_part": "NW-778813",
    "uom": "CA",
    "price": 54.00,
    "pack": 12,
}
ACME_BLUE = {"vendor_part": "WID-100-BLU", "uom": "EA", "price": 4.75}
ACME_RED = {"vendor_part": "WID-200-RED", "uom": "CA", "price": 54.00}


def demo_seed(sim: SpsSimulator) -> dict:
    """Seed the product demo (``./mlc demo``); returns ``{"account", "files"}``.

    Client ``demo-sps-client`` / ``demo-sps-secret`` (Machine-to-Machine, audience
    ``https://spscommerce.com``), account ``demo``, with options ``auto_partner_responses`` and
    ``auto_partner_ships`` on: a later 850 we send to Acme is answered by an 855 accepting every
    line and an 856 shipping everything. Trading partners:

    * ``7ZQALLACMEWIDGT`` Acme Widgets LLC, a vendor we buy from (we send it 850s). SPS knows our
      PO ``PO-DEMO-0003`` (PO date = seed day): line 1 VendorPartNumber ``WID-100-BLU`` 24 EA @ 4.75,
      line 2 ``WID-200-RED`` 5 CA @ 54.00 (Summary total 384.00). Acme's documents carry only
      VendorPartNumber (no BuyerPartNumber, no UPC).
    * ``NWDALLNORTHWND`` Northwind Stores, a retailer buying from us (sends 850s, gets our 855,
      856, 810, 846). Ship-to ``Northwind DC 815`` (``92``/``0815``), 1200 Commerce Pkwy, Columbus
      OH 43215 US.

    Files waiting in ``out/`` (all dates = the simulated clock's day at seeding):

    * ``out/PO/PONW-4500012345-1-v7.7.json``: 850 from ``NWDALLNORTHWND``, PO ``NW-4500012345``,
      ``SA``, Vendor ``100482``, Department ``0042``, requested ship (``010``) seed day + 7, ship-to
      as above: line 1 BuyerPartNumber ``NW-778812`` / VendorPartNumber ``WID-100-BLU`` / UPC
      ``012345678905`` 24 EA @ 4.75 "Widget 100, blue"; line 2 ``NW-778813`` / ``WID-200-RED`` 5 CA
      @ 54.00 "Widget 200, red, case of 12" (PhysicalDetails ``OU`` PackValue 12 EA). Total 384.00.
    * ``out/PO/PONW-4500012346-1-v7.7.json``: 850 from ``NWDALLNORTHWND``, PO ``NW-4500012346``:
      line 1 ``WID-100-BLU`` 48 EA @ 4.75; line 2 ``WID-200-RED`` 2 CA @ 54.00; line 3 an item we do
      not sell, BuyerPartNumber ``NW-999999`` only (no VendorPartNumber), 3 EA @ 12.50,
      "Gadget 999". Total 373.50.
    * ``out/PR/PRPO-DEMO-0003-1-v7.7.json``: 855 from Acme for ``PO-DEMO-0003``, ``AC``,
      AcknowledgementNumber ``ACK-PO-DEMO-0003``: line 1 ``IA`` 24 EA; line 2 ``IQ`` 4 CA (ship
      date = seed day) + ``IB`` 1 CA (seed day + 14).
    * ``out/SH/SHASN-ACME-0003-1-1-v7.7.json``: 856 from Acme, ShipmentIdentification
      ``ASN-ACME-0003-1``, BOL ``BOL-ACME-0003``: carton SSCC ``00001234560000000018`` line 1
      ``WID-100-BLU`` 24 EA (``IA``); carton ``00001234560000000025`` line 2 ``WID-200-RED`` 4 of 5 CA
      (``IB``).
    * ``out/RC/RCRCV-DEMO-0003-1-1-v7.7.json``: 944, WarehouseReceiptId ``RCV-DEMO-0003-1`` for
      ``ASN-ACME-0003-1`` (DepositorOrderNumber ``PO-DEMO-0003``): line 1 24 EA good (``07``);
      line 2 3 CA good + 1 CA damaged (``01``, ``CC``).
    * ``out/IB/IBIB-DEMO-0001-1-v7.7.json``: 846 from Acme, DocumentId ``IB-DEMO-0001`` as of the
      seed day 06:00, warehouse ``AKR-1``: ``WID-100-BLU`` 1180 EA available and 1300 on hand
      (1000 at ``AKR-1``, 300 at ``CLE-2``); ``WID-200-RED`` 0 CA available, 40 CA on order for
      seed day + 11.
    """
    today = sim.clock.now().date()
    northwind_dc = rsx.address(
        "ST", "Northwind DC 815", "1200 Commerce Pkwy", "Columbus", "OH", "43215", location="0815"
    )
    with sim.lock:
        sim.seed(
            {
                "options": {"auto_partner_responses": True, "auto_partner_ships": True},
                "accounts": [
                    {
                        "id": "demo",
                        "folders": ["out/IB/"],
                        "clients": [{"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}],
                        "trading_partners": [
                            {"tpid": ACME_TPID, "name": "Acme Widgets LLC", "documents": ["850"]},
                            {
                                "tpid": NORTHWIND_TPID,
                                "name": "Northwind Stores",
                                "documents": ["855", "856", "810", "846"],
                                "ship_to": northwind_dc,
                            },
                        ],
                        "orders": [
                            {
                                "tpid": ACME_TPID,
                                "po_number": "PO-DEMO-0003",
                                "po_date": today.isoformat(),
                                "lines": [dict(ACME_BLUE, qty=24), dict(ACME_RED, qty=5)],
                            },
                        ],
                    }
                ],
            }
        )
        common = {
            "account": "demo",
            "vendor": "100482",
            "department": "0042",
            "ship_date": (today + timedelta(days=7)).isoformat(),
        }
        files = [
            sim.drop_order(
                NORTHWIND_TPID,
                "NW-4500012345",
                [dict(NORTHWIND_BLUE, qty=24), dict(NORTHWIND_RED, qty=5)],
                **common,
            ),
            sim.drop_order(
                NORTHWIND_TPID,
                "NW-4500012346",
                [
                    dict(NORTHWIND_BLUE, qty=48),
                    dict(NORTHWIND_RED, qty=2),
                    {
                        "buyer_part": "NW-999999",
                        "qty": 3,
                        "uom": "EA",
                        "price": 12.50,
                        "description": "Gadget 999",
                    },
                ],
                **common,
            ),
            sim.acknowledge(
                "PO-DEMO-0003",
                {"2": [("IQ", 4, today.isoformat()), ("IB", 1, (today + timedelta(days=14)).isoformat())]},
                account="demo",
            ),
            sim.ship(
                "PO-DEMO-0003",
                {"1": 24, "2": 4},
                account="demo",
                shipment_id="ASN-ACME-0003-1",
                bol="BOL-ACME-0003",
            ),
            sim.receipt("ASN-ACME-0003-1", account="demo", damaged={"2": 1}, receipt_id="RCV-DEMO-0003-1"),
            sim.drop_document(
                rsx.inventory_advice(
                    ACME_TPID,
                    "IB-DEMO-0001",
                    [
                        {
                            "vendor_part": "WID-100-BLU",
                            "quantities": [
                                {"qty": 1180},
                                {"qualifier": "QOH", "qty": 1300, "locations": {"AKR-1": 1000, "CLE-2": 300}},
                            ],
                        },
                        {
                            "vendor_part": "WID-200-RED",
                            "quantities": [
                                {"qty": 0, "uom": "CA"},
                                {
                                    "qualifier": "OOR",
                                    "qty": 40,
                                    "uom": "CA",
                                    "date": (today + timedelta(days=11)).isoformat(),
                                },
                            ],
                        },
                    ],
                    inventory_date=today.isoformat(),
                    inventory_time="06:00:00",
                    warehouse=rsx.address("RL", "Acme Widgets Akron warehouse", location="AKR-1"),
                ),
                account="demo",
            ),
        ]
    return {"account": "demo", "files": files}
