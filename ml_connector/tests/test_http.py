import time

from odoo.tests import tagged

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    OutcomeUnknownError,
    RateLimitedError,
    TransientError,
)
from odoo.addons.ml_connector.tools.http import HttpClient, RetryPolicy, parse_retry_after

from .common import EngineCase


class RecordingSleep:
    """Really sleeps, and remembers how long: the waits asserted are waits that happened."""

    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)
        time.sleep(seconds)


@tagged("post_install", "-at_install")
class TestTokens(EngineCase):
    def token_requests(self):
        return self.sim.requests_to("/oauth/token", "POST")

    def test_token_is_cached_across_requests_and_clients(self):
        for _i in range(3):
            self.backend._http().get_json("/api/ping")
        self.assertEqual(len(self.token_requests()), 1)
        # a new client (another run, another process after a restart) reuses the stored token
        self.env.registry.clear_cache()
        self.backend._http().get_json("/api/ping")
        self.assertEqual(len(self.token_requests()), 1)
        self.env.cr.execute(
            "SELECT ciphertext FROM ml_connector_secret WHERE backend_id = %s AND name LIKE 'token:%%'",
            (self.backend.id,),
        )
        rows = self.env.cr.fetchall()
        self.assertEqual(len(rows), 1, "the token is stored once, encrypted")
        issued = next(iter(self.sim.tokens.tokens))
        self.assertNotIn(issued, rows[0][0])

    def test_token_refreshed_before_expiry(self):
        # The server keeps tokens 31 s, the client renews 30 s early: after one second the
        # cached token is due and a new one is fetched although the old one still works.
        self.sim.configure(token_lifetime=31)
        http = self.backend._http()
        http.get_json("/api/ping")
        time.sleep(1.2)
        http.get_json("/api/ping")
        self.assertEqual(len(self.token_requests()), 2)
        self.assertEqual(http.stats.by_status.get(401, 0), 0, "refreshed proactively, not after a 401")

    def test_revoked_token_renewed_once_on_401(self):
        http = self.backend._http()
        http.get_json("/api/ping")
        self.sim.expire_tokens()
        self.assertTrue(http.get_json("/api/ping")["ok"])
        self.assertEqual(len(self.token_requests()), 2)
        self.assertEqual(http.stats.by_status[401], 1)
        self.assertEqual(http.stats.auth_refreshes, 1)

    def test_second_401_is_an_auth_error_not_a_loop(self):
        self.sim.inject("status", status=401, path="/api/ping", count=5)
        with self.assertRaises(AuthError):
            self.backend._http().get_json("/api/ping")
        self.assertEqual(len(self.sim.requests_to("/api/ping")), 2)

    def test_wrong_secret_is_an_auth_error(self):
        self.backend.sudo().client_secret = "wrong"
        with self.assertRaises(AuthError) as caught:
            self.backend._http().get_json("/api/ping")
        self.assertIn("invalid_client", str(caught.exception))
        self.assertNotIn("wrong", str(caught.exception).replace("wrong", "", 0))

    def test_token_endpoint_rate_limit_is_honoured(self):
        self.sim.inject("status", status=429, retry_after="1", path="/oauth/token", count=1)
        started = time.monotonic()
        self.assertTrue(self.backend._http().get_json("/api/ping")["ok"])
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(len(self.token_requests()), 2)

    def test_test_connection_button(self):
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.backend.sudo().client_secret = "bad"
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("invalid_client", result["params"]["message"])
        self.assertNotIn("bad", result["params"]["message"].split("invalid_client")[0])


@tagged("post_install", "-at_install")
class TestRetries(EngineCase):
    def client(self, **policy):
        sleep = RecordingSleep()
        retry = RetryPolicy(**{"max_attempts": 4, "backoff_base": 0.05, "backoff_cap": 0.2, **policy})
        http = HttpClient(
            self.sim_url, auth=self.backend._system()._auth(self.backend), retry=retry, sleep=sleep
        )
        return http, sleep

    def test_retry_after_is_honoured(self):
        http, sleep = self.client()
        self.sim.inject("status", status=429, retry_after="1", path="/api/ping", count=1)
        started = time.monotonic()
        self.assertTrue(http.get_json("/api/ping")["ok"])
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(sleep.calls, [1.0])
        self.assertEqual(http.stats.retries, 1)

    def test_retries_are_bounded(self):
        http, sleep = self.client()
        self.sim.inject("status", status=503, path="/api/ping", count=100)
        with self.assertRaises(TransientError):
            http.get_json("/api/ping")
        self.assertEqual(len(self.sim.requests_to("/api/ping")), 4)
        self.assertEqual(len(sleep.calls), 3)
        self.assertTrue(all(0 <= s <= 0.2 for s in sleep.calls), "full jitter within the cap")

    def test_long_retry_after_ends_the_call_without_waiting(self):
        http, sleep = self.client(max_retry_after=30)
        self.sim.inject("status", status=429, retry_after="3600", path="/api/ping", count=1)
        with self.assertRaises(RateLimitedError) as caught:
            http.get_json("/api/ping")
        self.assertEqual(caught.exception.retry_after, 3600)
        self.assertEqual(sleep.calls, [])

    def test_total_wait_is_bounded(self):
        http, sleep = self.client(max_total_wait=1.5, max_attempts=10)
        self.sim.inject("status", status=429, retry_after="1", path="/api/ping", count=10)
        with self.assertRaises(RateLimitedError):
            http.get_json("/api/ping")
        self.assertLessEqual(sum(sleep.calls), 1.5)

    def test_lost_response_to_post_is_not_resent(self):
        http, _sleep = self.client()
        self.sim.inject("lost", path="/api/contacts", method="POST")
        with self.assertRaises(OutcomeUnknownError):
            http.post_json("/api/contacts", {"key": "K1", "name": "one"})
        self.assertEqual(len(self.sim.requests_to("/api/contacts", "POST")), 1)
        self.assertIn("K1", self.sim.contacts, "the remote did process it: hence no blind resend")

    def test_connection_reset_on_get_is_retried(self):
        http, _sleep = self.client()
        self.sim.inject("reset", path="/api/ping")
        self.assertTrue(http.get_json("/api/ping")["ok"])
        self.assertEqual(len(self.sim.requests_to("/api/ping")), 2)

    def test_truncated_body_is_detected(self):
        http, _sleep = self.client(max_attempts=1)
        self.sim.inject("truncate", path="/api/ping")
        with self.assertRaises(TransientError) as caught:
            http.get_json("/api/ping")
        self.assertIn("Incomplete", str(caught.exception))

    def test_parse_retry_after_http_date(self):
        self.assertEqual(parse_retry_after("120"), 120.0)
        self.assertIsNone(parse_retry_after("soon"))
        self.assertGreater(parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT"), 1000)
