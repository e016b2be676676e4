"""Shared machinery of the JAGGAER and SPS simulators.

A simulator is a WSGI application (werkzeug) with:

* an injectable clock (:class:`SimClock`) so tests can expire tokens or move time forward
  without sleeping;
* an OAuth2-style token issuer (:class:`TokenIssuer`) with expiry, revocation and its own
  rate limit, because real token endpoints rate-limit issuance;
* a per-client request rate limit answering 429 with ``Retry-After``;
* a fault plan (:class:`FaultPlan`): the next N matching requests get a status code,
  latency, a connection reset, a truncated or invalid body, or are executed and then lose
  their response (the "outcome unknown" case);
* a request log for assertions;
* a control interface under ``/_sim/`` (reset, seed, faults, clock, tokens, state) that is
  also available as plain Python methods when the simulator runs in the test process.

Nothing here is specific to one remote system: subclasses add their routes and data.
"""

import hashlib
import json
import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

_logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_sim/"


class SimClock:
    """Wall clock plus an offset that tests can advance."""

    def __init__(self):
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self):
        with self._lock:
            self._offset = timedelta()


class TokenBucket:
    """Allows ``rate`` calls per ``per`` seconds (simulated clock); reports the wait."""

    def __init__(self, clock: SimClock, rate: int, per: float = 60.0):
        self.clock = clock
        self.rate = rate
        self.per = per
        self._calls: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record a call; return 0 if allowed, else the seconds to wait."""
        if not self.rate:
            return 0.0
        now = self.clock.now()
        window_start = now - timedelta(seconds=self.per)
        with self._lock:
            calls = [t for t in self._calls.get(key, []) if t > window_start]
            if len(calls) >= self.rate:
                self._calls[key] = calls
                wait = (calls[0] - window_start).total_seconds()
                return max(wait, 0.001)
            calls.append(now)
            self._calls[key] = calls
            return 0.0

    def reset(self):
        with self._lock:
            self._calls.clear()


@dataclass
class IssuedToken:
    value: str
    client_id: str
    expires_at: datetime
    revoked: bool = False


class TokenIssuer:
    """Bearer tokens with an expiry on the simulated clock."""

    def __init__(self, clock: SimClock, lifetime: int = 300):
        self.clock = clock
        self.lifetime = lifetime
        self.tokens: dict[str, IssuedToken] = {}
        self.issued_count = 0
        self._lock = threading.Lock()

    def issue(self, client_id: str, prefix: str = "tok") -> IssuedToken:
        with self._lock:
            value = f"{prefix}.{uuid.uuid4().hex}{uuid.uuid4().hex}"
            token = IssuedToken(value, client_id, self.clock.now() + timedelta(seconds=self.lifetime))
            self.tokens[value] = token
            self.issued_count += 1
            return token

    def check(self, authorization: str | None) -> IssuedToken | None:
        """Return the token if ``authorization`` carries a valid, unexpired bearer token."""
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            return None
        token = self.tokens.get(value.strip())
        if not token or token.revoked or token.expires_at <= self.clock.now():
            return None
        return token

    def expire_all(self):
        with self._lock:
            for token in self.tokens.values():
                token.revoked = True

    def reset(self):
        with self._lock:
            self.tokens.clear()
            self.issued_count = 0


@dataclass
class Fault:
    """One planned misbehaviour, applied to the next ``count`` matching requests.

    kind:
      ``status``     answer ``status`` (with ``retry_after`` if set) without running the handler
      ``delay``      sleep ``delay`` seconds, then answer normally
      ``reset``      close the connection without any answer (handler not run)
      ``truncate``   run the handler, announce the full length, send half the body, close
      ``invalid``    run the handler, answer 200 with a body that is not valid JSON
      ``lost``       run the handler (state changes!), then close the connection: the client
                     cannot know whether its request succeeded
    """

    kind: str
    status: int = 500
    count: int = 1
    path: str = ""  # prefix of the request path; "" matches everything
    method: str = ""  # "" matches any method
    retry_after: str | None = None
    delay: float = 0.0
    body: str | None = None
    fired: int = 0

    def matches(self, request: Request) -> bool:
        if self.count <= 0:
            return False
        if self.method and request.method.upper() != self.method.upper():
            return False
        return request.path.startswith(self.path) if self.path else True


class FaultPlan:
    def __init__(self):
        self.faults: list[Fault] = []
        self.fired: list[dict] = []
        self._lock = threading.Lock()

    def add(self, **kw) -> Fault:
        fault = Fault(**kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def take(self, request: Request) -> Fault | None:
        if request.path.startswith(CONTROL_PREFIX):
            return None
        with self._lock:
            for fault in self.faults:
                if fault.matches(request):
                    fault.count -= 1
                    fault.fired += 1
                    self.fired.append({"kind": fault.kind, "status": fault.status, "path": request.path})
                    return fault
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(max(f.count, 0) for f in self.faults)

    def reset(self):
        with self._lock:
            self.faults.clear()
            self.fired.clear()


def json_response(data, status=200, headers=None, content_type="application/json") -> Response:
    return Response(json.dumps(data), status=status, headers=headers or {}, content_type=content_type)


def iso_ms(value: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as J1P writes ``lastUpdate``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    value = value.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class SimulatorApp:
    """Base WSGI application: routing, faults, request log, control interface.

    Subclasses define ``rules()`` returning werkzeug ``Rule`` objects whose endpoint is the
    name of a method ``(request, **values) -> Response``, and ``seed(data)`` / ``reset()``.
    """

    name = "simulator"
    request_rate_limit = 0  # requests per minute per client; 0 = unlimited
    header_log_names: tuple = ()  # request headers copied into the request log (credentials fingerprinted)

    def __init__(self):
        self.clock = SimClock()
        self.faults = FaultPlan()
        self.lock = threading.RLock()
        self.request_log: list[dict] = []
        self.in_progress = 0  # requests being answered now (the log notes it as "concurrent")
        self.rate_limiter = TokenBucket(self.clock, self.request_rate_limit)
        self.rate_limit_retry_after = True
        self.url_map = Map(
            [
                Rule(CONTROL_PREFIX + "reset", endpoint="_control_reset", methods=["POST"]),
                Rule(CONTROL_PREFIX + "seed", endpoint="_control_seed", methods=["POST"]),
                Rule(
                    CONTROL_PREFIX + "faults", endpoint="_control_faults", methods=["GET", "POST", "DELETE"]
                ),
                Rule(CONTROL_PREFIX + "clock", endpoint="_control_clock", methods=["POST"]),
                Rule(CONTROL_PREFIX + "tokens/expire", endpoint="_control_expire_tokens", methods=["POST"]),
                Rule(CONTROL_PREFIX + "config", endpoint="_control_config", methods=["POST"]),
                Rule(CONTROL_PREFIX + "requests", endpoint="_control_requests", methods=["GET", "DELETE"]),
                Rule(CONTROL_PREFIX + "state", endpoint="_control_state", methods=["GET"]),
                *self.rules(),
            ],
            strict_slashes=False,
        )

    # -- to override ---------------------------------------------------------------
    def rules(self) -> list[Rule]:
        return []

    def reset(self):
        """Forget all data, tokens, faults and the request log."""
        self.clock.reset()
        self.faults.reset()
        self.rate_limiter.reset()
        with self.lock:
            self.request_log.clear()

    def seed(self, data: dict) -> dict:
        raise NotImplementedError

    def state(self) -> dict:
        return {}

    def logged_headers(self, request: Request) -> dict:
        """Request headers kept in the request log, for assertions: those of ``header_log_names``."""
        return self._logged_headers(request) if self.header_log_names else {}

    def configure(self, **options) -> dict:
        """Change behaviour switches at run time (token lifetime, page size, strict mode…)."""
        for key, value in options.items():
            if not hasattr(self, key) or key.startswith("_"):
                raise ValueError(f"unknown option {key}")
            setattr(self, key, value)
        if "request_rate_limit" in options:
            self.rate_limiter.rate = options["request_rate_limit"]
        return {key: getattr(self, key) for key in options}

    # -- python control API (same as the HTTP one) ----------------------------------
    def inject(self, kind: str, **kw) -> Fault:
        return self.faults.add(kind=kind, **kw)

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[dict]:
        with self.lock:
            return [
                r
                for r in self.request_log
                if r["path"].startswith(path_prefix) and (not method or r["method"] == method)
            ]

    # -- WSGI ---------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.monotonic()
        fault = self.faults.take(request)
        with self.lock:
            self.in_progress += 1
            concurrent = self.in_progress
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "at": self.clock.now().isoformat(),
            "fault": fault.kind if fault else None,
            "concurrent": concurrent,  # with this one, requests being answered when it came in
        }
        try:
            return self._answer(environ, start_response, request, fault, entry, started)
        finally:
            with self.lock:
                self.in_progress -= 1

    def _answer(self, environ, start_response, request, fault, entry, started):
        headers = self.logged_headers(request)
        if headers:
            entry["headers"] = headers
        response = None
        try:
            if fault and fault.kind == "delay":
                time.sleep(fault.delay)
            if fault and fault.kind == "reset":
                entry["status"] = "reset"
                self._log(entry, started)
                return self._drop_connection(environ, start_response)
            if fault and fault.kind == "status":
                response = self._fault_response(fault)
            else:
                response = self.dispatch(request)
            if fault and fault.kind == "lost":
                entry["status"] = f"lost-{response.status_code}"
                self._log(entry, started)
                return self._drop_connection(environ, start_response)
            if fault and fault.kind == "truncate":
                entry["status"] = f"truncated-{response.status_code}"
                self._log(entry, started)
                return self._truncated(environ, start_response, response)
            if fault and fault.kind == "invalid":
                response = Response('{"result": [{"unterminated', status=200, content_type="application/json")
        except Exception:  # a simulator bug must show up as a 500, not kill the server
            _logger.exception("%s: unhandled error on %s %s", self.name, request.method, request.path)
            response = json_response({"error": "simulator internal error"}, status=500)
        entry["status"] = response.status_code
        self._log(entry, started)
        return response(environ, start_response)

    def _logged_headers(self, request: Request) -> dict:
        """The listed headers of ``request``; an Authorization value becomes its scheme plus a
        short fingerprint, so tests can tell tokens apart without the log holding one."""
        headers = {}
        for name in self.header_log_names:
            value = request.headers.get(name)
            if value is None:
                continue
            if name.lower() == "authorization":
                scheme, _, credential = value.partition(" ")
                value = f"{scheme} #{hashlib.sha256(credential.encode()).hexdigest()[:12]}"
            headers[name] = value
        return headers

    @staticmethod
    def _fault_response(fault: Fault) -> Response:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        body = fault.body if fault.body is not None else json.dumps({"error": f"injected {fault.status}"})
        return Response(body, status=fault.status, headers=headers, content_type="application/json")

    def _log(self, entry, started):
        entry["ms"] = round((time.monotonic() - started) * 1000, 1)
        with self.lock:
            self.request_log.append(entry)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            return self.not_found(request)
        except HTTPException as exc:
            return json_response({"error": exc.name}, status=exc.code)
        if not endpoint.startswith("_control"):
            limited = self.check_rate_limit(request)
            if limited is not None:
                return limited
        return getattr(self, endpoint)(request, **values)

    def not_found(self, request: Request) -> Response:
        return json_response({"error": "not found", "path": request.path}, status=404)

    def rate_limit_key(self, request: Request) -> str:
        return request.headers.get("Authorization", "") or request.remote_addr or "anonymous"

    def check_rate_limit(self, request: Request) -> Response | None:
        wait = self.rate_limiter.hit(self.rate_limit_key(request))
        if not wait:
            return None
        headers = {"Retry-After": str(max(int(wait + 0.999), 1))} if self.rate_limit_retry_after else {}
        return json_response({"error": "rate limit exceeded"}, status=429, headers=headers)

    @staticmethod
    def _drop_connection(environ, start_response):
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        # The socket is gone: whatever werkzeug writes next fails silently.
        start_response("500 Dropped", [("Content-Length", "0")])
        return [b""]

    @staticmethod
    def _truncated(environ, start_response, response):
        body = response.get_data()
        sock = environ.get("werkzeug.socket")
        head = (
            f"HTTP/1.1 {response.status}\r\nContent-Type: {response.content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        if sock is not None:
            try:
                sock.sendall(head + body[: max(len(body) // 2, 1)])
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        start_response("500 Dropped", [("Content-Length", "0")])
        return [b""]

    # -- control endpoints ----------------------------------------------------------
    @staticmethod
    def _json(request: Request) -> dict:
        if not request.data:
            return {}
        return json.loads(request.data)

    def _control_reset(self, request):
        self.reset()
        return json_response({"ok": True})

    def _control_seed(self, request):
        return json_response(self.seed(self._json(request)))

    def _control_faults(self, request):
        if request.method == "GET":
            return json_response({"pending": self.faults.pending(), "fired": list(self.faults.fired)})
        if request.method == "DELETE":
            self.faults.reset()
            return json_response({"ok": True})
        payload = self._json(request)
        items = payload if isinstance(payload, list) else [payload]
        for item in items:
            self.faults.add(**item)
        return json_response({"ok": True, "pending": self.faults.pending()})

    def _control_clock(self, request):
        now = self.clock.advance(float(self._json(request).get("advance", 0)))
        return json_response({"now": now.isoformat()})

    def _control_expire_tokens(self, request):
        self.expire_tokens()
        return json_response({"ok": True})

    def expire_tokens(self):
        for issuer in self.token_issuers():
            issuer.expire_all()

    def token_issuers(self) -> list[TokenIssuer]:
        return []

    def _control_config(self, request):
        try:
            return json_response(self.configure(**self._json(request)))
        except ValueError as exc:
            return json_response({"error": str(exc)}, status=400)

    def _control_requests(self, request):
        if request.method == "DELETE":
            with self.lock:
                self.request_log.clear()
            return json_response({"ok": True})
        with self.lock:
            return json_response(list(self.request_log))

    def _control_state(self, request):
        return json_response(self.state())
