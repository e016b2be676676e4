"""Tokens from SPS's Auth0 tenant (reference §2)."""

import threading
import time

from odoo.addons.ml_connector.tools.auth import OAuth2ClientCredentials
from odoo.addons.ml_connector.tools.errors import RateLimitedError

RUN_MEMORY_SECONDS = 3600  # how long a run's "token endpoint said 429" is remembered, at most


class SpsClientCredentials(OAuth2ClientCredentials):
    """Client credentials that stop asking once SPS's token endpoint keeps saying 429.

    Token issuance is rate-limited (§2.2, §3.9). The core client already waits (Retry-After,
    else bounded backoff) and retries a few times; when that is not enough, every later flow of
    the same run would start over against an endpoint that just refused. Within one run
    (``run_key``) the refusal is remembered and no further token is requested: the run ends
    its flows quickly and the next scheduled run tries again.
    """

    _refused: dict = {}
    _refused_lock = threading.Lock()

    def __init__(self, *args, run_key=None, **kw):
        super().__init__(*args, **kw)
        self.run_key = run_key

    def fetch_token(self):
        if self.run_key is not None:
            with self._refused_lock:
                refused = self._refused.get(self.run_key)
            if refused:
                raise RateLimitedError(
                    f"SPS's token endpoint refused a token earlier in this run ({refused[1]}); no new token "
                    "is requested before the next run",
                    status=429,
                )
        try:
            return super().fetch_token()
        except RateLimitedError as exc:
            if self.run_key is not None:
                now = time.monotonic()
                with self._refused_lock:
                    for key in [k for k, (at, _m) in self._refused.items() if now - at > RUN_MEMORY_SECONDS]:
                        del self._refused[key]
                    self._refused[self.run_key] = (now, exc.message)
            raise
