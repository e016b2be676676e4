import time

from odoo.tests import tagged

from .common import ACCOUNT, NW_BLUE, SpsCase


@tagged("post_install", "-at_install")
class TestConnection(SpsCase):
    def test_test_connection_checks_token_auth_check_and_folders(self):
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertIn("every folder exists", result["params"]["message"])
        self.assertEqual(len(self.sim.requests_to("/auth-check", "GET")), 1)

    def test_not_provisioned_account_is_said_plainly(self):
        self.sim.seed(
            {
                "accounts": [
                    {
                        "id": "fresh",
                        "provisioned": False,
                        "clients": [{"client_id": "new", "client_secret": "s"}],
                    }
                ]
            }
        )
        fresh = self.backend.copy({"client_id": "new", "client_secret": "s"})
        result = fresh.action_test_connection()
        message = result["params"]["message"]
        self.assertEqual(result["params"]["type"], "success", message)
        self.assertIn("do not exist on SPS yet", message)
        self.assertIn("not set up Transaction API routing", message)
        fresh.action_activate()
        run = self.run_backend(fresh)
        self.assertIn("not provisioned", run.error_message)
        self.assertEqual(fresh.state, "active", "an empty account is not a credentials problem")

    def test_one_token_for_a_whole_run_and_the_next(self):
        for i in range(5):
            self.drop_order(f"NW-{i}", [dict(NW_BLUE, qty=1)])
        self.acme_order()
        self.run_sps()
        self.run_sps()
        self.assertEqual(len(self.lines("order_in", state="done")), 5)
        self.assertGreaterEqual(len(self.sim.request_log), 20)
        self.assertEqual(self.sim.tokens.issued_count, 1, "token issuance is rate-limited: reuse it")

    def test_token_expired_on_the_server_mid_pagination_is_renewed_once(self):
        self.backend.sps_page_size = 2
        for i in range(5):
            self.drop_order(f"NW-{i}", [dict(NW_BLUE, qty=1)])
        # after the first page, SPS revokes the token: the next call gets 401
        self.sim.after_list = [self.sim.expire_tokens]
        self.run_sps()
        self.assertEqual(len(self.lines("order_in", state="done")), 5)
        self.assertEqual(self.sim.tokens.issued_count, 2)
        self.assertEqual(len([r for r in self.sim.request_log if r["status"] == 401]), 1)
        self.assertEqual(self.backend.state, "active")

    def test_token_lifetime_over_between_runs(self):
        self.run_sps()
        # an hour and more later on SPS's clock: our cache still holds the old token
        self.sim.clock.advance(3700)
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.run_sps()
        self.assertEqual(self.lines("order_in").state, "done")
        self.assertEqual(self.sim.tokens.issued_count, 2)

    def test_token_endpoint_429_with_retry_after_is_honoured(self):
        self.sim.inject("status", status=429, path="/oauth/token", retry_after="1")
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        started = time.monotonic()
        self.run_sps()
        self.assertGreaterEqual(time.monotonic() - started, 1.0, "waited as SPS asked")
        self.assertEqual(self.lines("order_in").state, "done")
        self.assertEqual(len(self.sim.requests_to("/oauth/token")), 2)

    def test_token_endpoint_429_without_retry_after_backs_off_a_bounded_number_of_times(self):
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.sim.inject("status", status=429, path="/oauth/token", count=100)
        run = self.run_sps()
        # request_max_attempts = 3 on the test connection: three tries, then the run asks no more
        # (the other flows of the run do not start over against the refusing endpoint)
        self.assertEqual(len(self.sim.requests_to("/oauth/token")), 3)
        self.assertIn("429", run.error_message)
        self.assertEqual(self.backend.state, "active", "a rate limit is not refused credentials")
        self.assertFalse(self.lines("order_in"))
        self.assertIn("out/PO/PONW-1-1-v7.7.json", self.files("out/PO/"), "nothing taken, nothing lost")
        self.sim.faults.reset()
        self.run_sps()
        self.assertEqual(self.lines("order_in").state, "done")

    def test_refused_credentials_pause_the_connection(self):
        self.sim.clients["odoo-m2m"].secret = "rotated"
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.run_sps()
        self.assertEqual(self.backend.state, "paused")
        self.assertIn("refused the credentials", self.backend.paused_reason)
        before = len(self.sim.request_log)
        self.run_sps()
        self.assertEqual(len(self.sim.request_log), before)

    def test_web_service_app_is_refused_with_its_reason(self):
        self.sim.clients["odoo-m2m"].app_type = "web"
        self.run_sps()
        self.assertEqual(self.backend.state, "paused")
        self.assertIn("unauthorized_client", self.backend.paused_reason)

    def test_form_encoded_token_request(self):
        self.backend.sps_token_body = "form"
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.run_sps()
        self.assertEqual(self.lines("order_in").state, "done")

    def test_secret_is_never_stored_on_lines_or_logs(self):
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.acme_order()
        run = self.run_sps()
        texts = [run.log or "", run.error_message or ""]
        for line in self.env["ml.connector.audit.line"].search([("backend_id", "=", self.backend.id)]):
            texts += [line.request_payload or "", line.response_payload or "", line.error_message or ""]
        self.assertFalse([text for text in texts if "odoo-m2m-secret" in text])
        secret = self.env["ml.connector.secret"].sudo().search([("backend_id", "=", self.backend.id)])
        self.assertTrue(secret)
        self.assertFalse([s for s in secret if "odoo-m2m-secret" in s.ciphertext])

    def test_folders_follow_the_settings(self):
        self.backend.write(
            {"sps_out_folder": "/edi/out", "sps_folder_850": "orders", "sps_in_folder": "edi/in"}
        )
        self.assertEqual(self.backend._sps_folder("850"), "edi/out/orders/")
        self.assertEqual(self.backend._sps_folder(), "edi/in/")
        self.backend.sps_test_folders = True
        self.assertEqual(self.backend._sps_folder("850"), "edi/testout/orders/")
        self.assertEqual(self.backend._sps_folder(), "edi/testin/")
        self.sim.drop_raw("edi/testout/orders/PO1.json", b"{}", account=ACCOUNT)
        self.sim.seed({"accounts": [{"id": ACCOUNT, "folders": ["edi/testin/"]}]})
        run = self.run_sps()
        self.assertEqual(self.lines("order_in").external_id, "edi/testout/orders/PO1.json")
        self.assertIn("no folder", run.error_message, "the other folders do not exist: said per flow")
