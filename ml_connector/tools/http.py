"""The one HTTP helper every connector request goes through.

* always a timeout;
* bounded retries with exponential backoff and full jitter on 429/502/503/504 and on
  connection errors, honouring ``Retry-After`` up to a ceiling;
* a request that may have reached the remote (read timeout, dropped connection, 502/504
  on a POST) is never blindly resent: it raises :class:`OutcomeUnknownError` so the caller
  can look the document up remotely first;
* one token refresh and one replay on an authentication failure (401, or what the auth
  class says, e.g. 444 for JD Edwards);
* typed errors (:mod:`.errors`);
* one log line per attempt with method, URL, status and elapsed time, never headers or
  bodies.
"""

import email.utils
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import NewConnectionError

from .errors import (
    AuthError,
    ConnectorError,
    OutcomeUnknownError,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from .redact import redact_text

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30  # seconds, per socket operation (connect, then each read)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# 429 and 503 mean "not processed, come back later": safe to resend even a POST.
REFUSED_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass
class RetryPolicy:
    """How often and how long one call may be tried again."""

    max_attempts: int = 5  # tries in all, the first included
    backoff_base: float = 0.5  # seconds; full jitter in [0, min(cap, base * 2**n)]
    backoff_cap: float = 30.0
    max_retry_after: float = 60.0  # a longer Retry-After ends the call: the run reschedules
    max_total_wait: float = 120.0  # all waits of one call together

    def backoff(self, attempt, rng=random.random):
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        return min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1))) * rng()

    def allows(self, attempt, waited, wait):
        """Whether attempt ``attempt + 1`` may follow, after ``waited`` seconds and ``wait`` more."""
        return attempt < self.max_attempts and waited + wait <= self.max_total_wait


@dataclass
class Call:
    """One call as the client tries it, attempt after attempt."""

    method: str
    url: str
    idempotent: bool
    auth: object
    expect: tuple | None
    options: dict
    attempt: int = 0
    waited: float = 0.0
    auth_replayed: bool = False


class Retry(Exception):
    """Status classification: try the call again after ``wait`` seconds (if the policy allows)."""

    def __init__(self, wait, error):
        super().__init__(str(error))
        self.wait, self.error = wait, error


@dataclass
class HttpStats:
    """Counters for one client: what the benchmark and the run log report."""

    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    by_status: Counter = field(default_factory=Counter)
    auth_refreshes: int = 0

    def as_dict(self):
        return {
            "requests": self.requests,
            "retries": self.retries,
            "waited": round(self.waited, 3),
            "auth_refreshes": self.auth_refreshes,
            "by_status": dict(self.by_status),
        }


class RateLimiter:
    """Client-side token bucket: at most ``per_minute`` requests per minute per remote.

    SPS and JAGGAER publish no limits, so the admin sets one per connection; the limiter
    is shared by every client of that connection in this process.
    """

    _instances: dict = {}
    _instances_lock = threading.Lock()

    def __init__(self, per_minute: float):
        self.per_minute = per_minute
        self.capacity = max(per_minute / 6.0, 1.0)  # allow ten-second bursts
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    @classmethod
    def shared(cls, key, per_minute):
        if not per_minute:
            return None
        with cls._instances_lock:
            limiter = cls._instances.get(key)
            if limiter is None or limiter.per_minute != per_minute:
                limiter = cls._instances[key] = cls(per_minute)
            return limiter

    def acquire(self, sleep=time.sleep) -> float:
        """Take one token, sleeping if needed; return the seconds slept."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_minute / 60.0)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            wait = (1 - self.tokens) * 60.0 / self.per_minute
            self.tokens -= 1
        sleep(wait)
        return wait


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max((when - now).total_seconds(), 0.0)


def safe_url(url):
    """URL for logs: no query string values (they may carry filters with personal data)."""
    parts = urlsplit(url)
    query = "&".join(p.split("=", 1)[0] + "=…" for p in parts.query.split("&") if p) if parts.query else ""
    return redact_text(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))


def _connection_never_established(exc):
    """True when a ConnectionError happened before the request left this machine."""
    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", None)
    return isinstance(reason, NewConnectionError) or isinstance(inner, NewConnectionError)


class HttpClient:
    """Requests to one remote base URL, with an optional auth object.

    ``auth`` must offer ``apply(headers)``, ``is_auth_failure(response)`` and
    ``invalidate()`` (see :mod:`.auth`).
    """

    def __init__(
        self,
        base_url,
        *,
        auth=None,
        timeout=DEFAULT_TIMEOUT,
        retry=None,
        rate_limiter=None,
        name="remote",
        session=None,
        sleep=time.sleep,
        rng=random.random,
        default_headers=None,
        stats=None,
        owner=None,
    ):
        self.base_url = (base_url or "").rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.name = name
        self.session = session or requests.Session()
        self.sleep = sleep
        self.rng = rng
        self.default_headers = default_headers or {"Accept": "application/json"}
        self.stats = stats or HttpStats()
        self.owner = owner  # the connection whose errors these are (id)

    def detached(self, *, auth, session, sleep):
        """A copy of this client for a worker thread: same remote, timeouts, retries and rate
        limit; its own ``session`` (not shared across threads), ``auth`` and ``sleep``."""
        return HttpClient(
            self.base_url,
            auth=auth,
            timeout=self.timeout,
            retry=self.retry,
            rate_limiter=self.rate_limiter,
            name=self.name,
            session=session,
            sleep=sleep,
            rng=self.rng,
            default_headers=self.default_headers,
            owner=self.owner,
        )

    def url(self, path):
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def backoff(self, attempt):
        return self.retry.backoff(attempt, self.rng)

    def request(
        self,
        method,
        path,
        *,
        params=None,
        json=None,
        data=None,
        headers=None,
        expect=None,
        idempotent=None,
        timeout=None,
        use_auth=True,
    ):
        """Send a request and return the ``requests.Response`` if its status is expected.

        ``expect``: accepted status codes (default: any 2xx). ``idempotent``: whether the
        request may be resent after an unclear failure (default: by method). A connector error
        names the connection it came from (``owner``).
        """
        method = method.upper()
        call = Call(
            method=method,
            url=self.url(path),
            idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            auth=self.auth if use_auth else None,
            expect=expect,
            options={
                "params": params,
                "json": json,
                "data": data,
                "headers": headers,
                "timeout": timeout or self.timeout,
            },
        )
        try:
            return self._run(call)
        except ConnectorError as exc:
            if getattr(exc, "owner", None) is None:
                exc.owner = self.owner
            raise

    def _run(self, call):
        """Try ``call`` until it succeeds, fails for good, or the retry policy says stop."""
        while True:
            call.attempt += 1
            if self.rate_limiter:
                call.waited += self.rate_limiter.acquire(self.sleep)
            response, error, retry_safe = self._send(call)
            if error is not None:
                wait = self.backoff(call.attempt)
                if retry_safe and self.retry.allows(call.attempt, call.waited, wait):
                    call.waited += self._wait(wait)
                    continue
                raise error
            if call.auth and call.auth.is_auth_failure(response) and not call.auth_replayed:
                # The token expired or was revoked early: renew once and replay once.
                call.auth.invalidate()
                call.auth_replayed = True
                self.stats.auth_refreshes += 1
                call.attempt -= 1
                continue
            try:
                return self._classify(call, response)
            except Retry as retry:
                if not self.retry.allows(call.attempt, call.waited, retry.wait):
                    raise retry.error from None
                call.waited += self._wait(retry.wait)

    # -- transport ---------------------------------------------------------------------
    def _send(self, call):
        """One attempt on the wire: ``(response, None, _)`` or ``(None, error, retry_safe)``."""
        headers = dict(self.default_headers)
        headers.update(call.options["headers"] or {})
        if call.auth:
            call.auth.apply(headers)
        started = time.monotonic()
        error, retry_safe, response = None, False, None
        try:
            response = self.session.request(
                call.method,
                call.url,
                params=call.options["params"],
                json=call.options["json"],
                data=call.options["data"],
                headers=headers,
                timeout=call.options["timeout"],
                allow_redirects=False,
            )
            # urllib3 1.26 does not enforce Content-Length: a cut body must not pass for
            # a complete document.
            declared = response.headers.get("Content-Length")
            if (
                declared
                and not response.headers.get("Content-Encoding")
                and call.method != "HEAD"
                and int(declared) != len(response.content)
            ):
                raise requests.exceptions.ChunkedEncodingError(
                    f"body cut at {len(response.content)} of {declared} bytes"
                )
        except requests.exceptions.ConnectTimeout as exc:
            error, retry_safe = TransientError(f"Connection timed out: {exc}", url=call.url), True
        except requests.exceptions.ReadTimeout as exc:
            error, retry_safe = self._unclear(call, f"No answer in time: {exc}")
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            error, retry_safe = self._unclear(call, f"Incomplete answer: {exc}")
        except requests.exceptions.ConnectionError as exc:
            if _connection_never_established(exc):
                error, retry_safe = TransientError(f"Cannot connect: {exc}", url=call.url), True
            else:
                error, retry_safe = self._unclear(call, f"Connection dropped: {exc}")
        except requests.exceptions.RequestException as exc:
            error, retry_safe = TransientError(f"Request failed: {exc}", url=call.url), False
        status = response.status_code if response is not None and error is None else None
        self.stats.requests += 1
        self.stats.by_status[status or "error"] += 1
        _logger.info(
            "%s %s %s -> %s in %.0f ms (attempt %d)",
            self.name,
            call.method,
            safe_url(call.url),
            status or type(error).__name__,
            (time.monotonic() - started) * 1000,
            call.attempt,
        )
        return (None, error, retry_safe) if error is not None else (response, None, False)

    def _unclear(self, call, message):
        if call.idempotent:
            return TransientError(message, url=call.url), True
        return OutcomeUnknownError(message + " (the request may have been processed)", url=call.url), False

    # -- status classification -----------------------------------------------------------
    def _classify(self, call, response):
        """The response if its status is expected; else the typed error it means, or
        :class:`Retry` for a status worth another attempt."""
        status = response.status_code
        if (call.expect is None and 200 <= status < 300) or (
            call.expect is not None and status in call.expect
        ):
            return response
        body = _excerpt(response)
        details = {"status": status, "body": body, "url": call.url}
        if status in RETRY_STATUSES:
            raise self._retryable(call, response, details)
        if (call.auth and call.auth.is_auth_failure(response)) or status in (401, 403):
            raise AuthError(f"{self.name} refused the credentials ({status}): {body}", **details)
        if status >= 500:
            if call.idempotent:
                raise TransientError(f"{self.name} server error: {body}", **details)
            raise OutcomeUnknownError(f"{self.name} server error on {call.method}: {body}", **details)
        raise PermanentError(f"{self.name} rejected the request: {body}", **details)

    def _retryable(self, call, response, details):
        """What a 429/502/503/504 means: a Retry, or the error that ends the call."""
        status = details["status"]
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if not (call.idempotent or status in REFUSED_STATUSES):
            return OutcomeUnknownError(
                f"{self.name} answered {status} to {call.method}: the document may or may not have been "
                "accepted",
                **details,
            )
        if retry_after is not None and retry_after > self.retry.max_retry_after:
            return RateLimitedError(
                f"{self.name} asks to wait {retry_after:.0f} s (Retry-After), more than the "
                f"{self.retry.max_retry_after:.0f} s a run waits",
                retry_after=retry_after,
                **details,
            )
        cls = RateLimitedError if status == 429 else TransientError
        error = cls(
            f"{self.name} still answers {status} after {call.attempt} attempts",
            retry_after=retry_after,
            **details,
        )
        return Retry(max(self.backoff(call.attempt), retry_after or 0.0), error)

    def _wait(self, seconds):
        self.stats.retries += 1
        self.stats.waited += seconds
        if seconds > 0:
            self.sleep(seconds)
        return seconds

    # convenience -------------------------------------------------------------------
    def get_json(self, path, **kw):
        return parse_json(self.request("GET", path, **kw))

    def post_json(self, path, payload, **kw):
        return parse_json(self.request("POST", path, json=payload, **kw))


def _excerpt(response, limit=500):
    try:
        text = response.text
    except Exception:
        return ""
    return redact_text(text.strip()[:limit])


def parse_json(response):
    """JSON body of a response, or a clear error naming what came back instead."""
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        snippet = _excerpt(response, 200)
        message = f"Expected JSON from {safe_url(response.url or '')} but got: {snippet!r}"
        if isinstance(exc, RecursionError):
            message = f"The answer of {safe_url(response.url or '')} is JSON nested too deeply to be read"
        method = response.request.method if response.request is not None else "GET"
        # An unreadable answer to a POST leaves us not knowing whether it was accepted.
        cls = TransientError if method in IDEMPOTENT_METHODS else OutcomeUnknownError
        raise cls(message, status=response.status_code, url=response.url) from exc
