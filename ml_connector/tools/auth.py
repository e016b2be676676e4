"""Token providers: how a request gets its credentials, and what an expired token looks like.

:class:`TokenAuth` is the extension point. A provider knows how to obtain a token
(``fetch_token``), which header carries it and which statuses mean "token no longer valid"
(401 for OAuth2 bearer tokens, 444 for JD Edwards AIS session tokens). Tokens are cached
in a :class:`TokenStore` until shortly before they expire (``skew``), so a run refreshes
them proactively and only falls back on the 401 path when the remote revoked one early.
"""

import threading
import time

from .errors import AuthError, ConnectorError, RateLimitedError, TransientError
from .http import HttpClient, RetryPolicy, parse_json


class TokenStore:
    """Where tokens are cached. This one lives in memory; the ORM one adds the database."""

    def __init__(self):
        self._tokens = {}

    def get(self, key):
        return self._tokens.get(key)

    def put(self, key, token, expires_at):
        self._tokens[key] = (token, expires_at)

    def clear(self, key):
        self._tokens.pop(key, None)


class TokenAuth:
    header_name = "Authorization"
    auth_failure_statuses = (401,)

    def __init__(self, *, store=None, key="token", skew=30.0, clock=time.time):
        self.store = store or TokenStore()
        self.key = key
        self.skew = skew
        self.clock = clock
        self.fetch_count = 0
        self._lock = threading.Lock()

    # -- what subclasses provide -----------------------------------------------------
    def fetch_token(self):
        """Return ``(token, lifetime_seconds)``; raise typed connector errors."""
        raise NotImplementedError

    def header_value(self, token):
        return f"Bearer {token}"

    # -- used by HttpClient -----------------------------------------------------------
    def apply(self, headers):
        headers[self.header_name] = self.header_value(self.get_token())

    def is_auth_failure(self, response):
        return response.status_code in self.auth_failure_statuses

    def invalidate(self):
        self.store.clear(self.key)

    def get_token(self):
        with self._lock:
            cached = self.store.get(self.key)
            if cached and cached[1] - self.skew > self.clock():
                return cached[0]
            token, lifetime = self.fetch_token()
            self.fetch_count += 1
            self.store.put(self.key, token, self.clock() + float(lifetime))
            return token

    def expires_at(self):
        cached = self.store.get(self.key)
        return cached[1] if cached else None


class OAuth2ClientCredentials(TokenAuth):
    """OAuth2 client credentials grant (JAGGAER's Keycloak realm, SPS's Auth0 tenant).

    ``body_format`` is ``form`` or ``json``; ``secret_in`` is ``body`` or ``basic``.
    ``legacy_ms`` reads the JAGGAER ONE sourcing answer ``{"token", "expire_in" (ms)}``.
    The token request goes through its own :class:`HttpClient` so that a 429 on the token
    endpoint is honoured with ``Retry-After`` and a bounded number of attempts.
    """

    def __init__(
        self,
        token_url,
        client_id,
        client_secret,
        *,
        body_format="form",
        secret_in="body",
        audience=None,
        scope=None,
        legacy_ms=False,
        default_lifetime=300,
        http=None,
        **kw,
    ):
        super().__init__(**kw)
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.body_format = body_format
        self.secret_in = secret_in
        self.audience = audience
        self.scope = scope
        self.legacy_ms = legacy_ms
        self.default_lifetime = default_lifetime
        self.http = http or HttpClient(token_url, name="token endpoint", retry=RetryPolicy(max_attempts=4))

    def fetch_token(self):
        if not self.client_id or not self.client_secret:
            raise AuthError("Client id and client secret are required to request a token.")
        fields = {"grant_type": "client_credentials"}
        if self.audience:
            fields["audience"] = self.audience
        if self.scope:
            fields["scope"] = self.scope
        auth = None
        if self.secret_in == "basic":
            auth = (self.client_id, self.client_secret)
        else:
            fields.update(client_id=self.client_id, client_secret=self.client_secret)
        kwargs = {"json": fields} if self.body_format == "json" else {"data": fields}
        self.http.session.auth = auth
        try:
            # Requesting a token twice is harmless: allow resending after unclear failures.
            response = self.http.request("POST", self.token_url, idempotent=True, use_auth=False, **kwargs)
        except RateLimitedError:
            raise
        except ConnectorError as exc:
            if exc.status in (400, 401, 403):
                raise AuthError(
                    f"The token endpoint refused the credentials: {exc.body or exc.message}",
                    status=exc.status,
                    body=exc.body,
                ) from exc
            raise
        data = parse_json(response)
        if self.legacy_ms:
            token, lifetime = data.get("token"), (data.get("expire_in") or 0) / 1000.0
        else:
            token, lifetime = data.get("access_token"), data.get("expires_in")
        if not token:
            raise TransientError("The token endpoint answered without a token.", status=response.status_code)
        return token, float(lifetime or self.default_lifetime)


class SessionTokenAuth(TokenAuth):
    """Login-based session tokens in a custom header.

    Subclasses implement ``fetch_token`` (e.g. POST username/password to a login URL) and
    set ``header_name`` and ``auth_failure_statuses``. JD Edwards AIS, for instance, sends
    the token as ``jde-AIS-Auth`` and answers 444 once it expired.
    """

    header_name = "X-Session-Token"
    auth_failure_statuses = (401,)

    def header_value(self, token):
        return token


class TokenToRenew(Exception):
    """A borrowed token expired or was refused: the request is made again by the provider's thread."""


class BorrowedToken:
    """The current token of ``provider``, for requests made in another thread.

    A provider's store may be the database, which a worker thread must not touch: the token is
    obtained here, in the provider's thread, and the worker never fetches nor stores one. Once it
    expires or the remote refuses it, requests raise :class:`TokenToRenew` and the caller does the
    work again the usual way (where the provider renews the token, once).
    """

    def __init__(self, provider):
        self.provider = provider
        self.token = provider.get_token()
        expires_at = provider.expires_at()
        self.valid_until = expires_at - provider.skew if expires_at is not None else float("inf")
        self.header_name = provider.header_name

    def apply(self, headers):
        if self.valid_until <= self.provider.clock():
            raise TokenToRenew("the token is to be renewed")
        headers[self.header_name] = self.provider.header_value(self.token)

    def is_auth_failure(self, response):
        return self.provider.is_auth_failure(response)

    def invalidate(self):
        self.valid_until = float("-inf")
