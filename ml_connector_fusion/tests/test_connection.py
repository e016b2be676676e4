from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.ml_connector.tools.errors import AuthError, ConfigurationError
from odoo.addons.ml_connector_fusion.tools.fusion import TRUST_SCOPE, FusionClient

from tests.simulators.fusion import TOKEN_PATH

from .common import FusionCase


@tagged("post_install", "-at_install")
class TestConnection(FusionCase):
    def test_token_versions_and_one_row(self):
        message = self.check_connection()
        self.assertIn("1, 2, 3, 4, 5, 6, 7, 8, 9 (default 1)", message)
        self.assertIn("5 purchase order(s) visible", message)
        (token_call,) = self.sim.requests_to(TOKEN_PATH, "POST")
        self.assertTrue(token_call["headers"]["Authorization"].startswith("Basic "), "HTTP Basic by default")
        listed = self.sim.requests_to(self.sim.prefix + "/purchaseOrders", "GET")
        self.assertEqual(len(listed), 1)
        self.assertIn("limit=1", listed[0]["query"])
        self.assertIn("totalResults=true", listed[0]["query"])
        self.assertEqual(listed[0]["headers"]["REST-Framework-Version"], "4")
        self.assertEqual(self.backend._fusion_scope(), f"{self.sim_url}{TRUST_SCOPE}")
        self.assertFalse(self.backend.flow_ids, "no flows yet")

    def test_bad_secret(self):
        self.backend.client_secret = "not-the-secret"
        message = self.check_connection(expect="danger")
        self.assertIn("invalid_client", message)
        self.assertIn("HTTP Basic", message)
        self.assertFalse(self.resource_calls(), "nothing asked of the pod without a token")

    def test_bad_scope(self):
        self.backend.fusion_scope = "https://elsewhere.example.com:443" + TRUST_SCOPE
        message = self.check_connection(expect="danger")
        self.assertIn("invalid_scope", message)
        self.assertIn(TRUST_SCOPE, message)
        self.backend.fusion_scope = TRUST_SCOPE
        self.check_connection()

    def test_missing_role(self):
        self.sim.set_client("GL_ONLY", "gl-secret", roles=["General Accountant"])
        backend = self.make_backend("Fusion GL only", client_id="GL_ONLY", client_secret="gl-secret")
        message = self.check_connection(expect="danger", backend=backend)
        self.assertIn("403", message)
        self.assertIn("View Purchase Order", message)
        self.assertIn("'GL_ONLY'", message)
        self.assertIn("credentials are valid", message)
        with self.assertRaises(ConfigurationError) as caught:
            self.env["ml.connector.system.fusion"]._test_connection(backend)
        self.assertNotIsInstance(caught.exception, AuthError, "a missing role is not refused credentials")
        self.assertEqual(caught.exception.kind, "config")

    def test_client_secret_in_the_form_body(self):
        self.backend.fusion_client_auth = "body"
        self.assertIn("form body", self.check_connection(expect="danger"))
        self.sim.configure(client_auth_methods=["body"])
        self.check_connection()

    def test_framework_version_the_pod_does_not_allow(self):
        self.sim.configure(allowed_framework_versions=[1, 2, 3])
        message = self.check_connection(expect="danger")
        self.assertIn("accepts REST framework versions 1, 2, 3, not 4", message)
        self.backend.fusion_framework_version = 3
        self.check_connection()

    def test_token_url_is_required(self):
        self.backend.token_url = False
        self.assertIn("token URL of the pod's identity domain", self.check_connection(expect="danger"))

    def test_basic_user_for_development_pods(self):
        self.sim.set_client("DEV_USER", "unused", roles=["Buyer"], password="Welcome1")
        self.sim.configure(basic_user_auth=True)
        backend = self.make_backend(
            "Fusion dev", client_id="DEV_USER", client_secret="Welcome1", fusion_auth_mode="basic_user"
        )
        self.check_connection(backend=backend)
        self.assertFalse(self.sim.requests_to(TOKEN_PATH), "no token for HTTP Basic")

    def test_token_reused_within_a_run(self):
        self.check_connection()
        client = self.env["ml.connector.system.fusion"]._client(self.backend)
        self.assertIsInstance(client, FusionClient)
        self.assertEqual(len(list(client.items("invoices"))), 3)
        self.assertEqual(len(list(client.items("suppliers"))), 6)
        self.check_connection()
        self.assertEqual(self.sim.tokens.issued_count, 1)
        fingerprints = {r["headers"]["Authorization"] for r in self.resource_calls()}
        self.assertEqual(len(fingerprints), 1, "every call carried the same token")
        self.sim.clock.advance(3601)  # the pod's clock ran past the token's hour
        self.assertEqual(len(list(client.items("invoices"))), 3)
        self.assertEqual(self.sim.tokens.issued_count, 2, "renewed once on the 401, then replayed")
        self.assertEqual([r["status"] for r in self.resource_calls()[-2:]], [401, 200])

    def test_settings_reach_the_client(self):
        self.backend.write(
            {
                "fusion_api_version": "11.13.18.06",
                "fusion_page_size": 500,
                "fusion_business_units": "Vision Operations, Vision Services",
                "fusion_receiving_org": "M1",
                "fusion_receiving_employee_id": "100010026863783",
                "fusion_chart_of_accounts_id": "101",
                "fusion_cost_center_segment": 2,
                "fusion_cost_center_value_set": "VISION_COST_CENTER",
                "fusion_ack_mode": "action",
                "fusion_path_invoices": "payablesInvoices",
                "fusion_stamp_format_invoices": "iso_z_ms",
                "fusion_time_zone": "America/Los_Angeles",
                "fusion_fields_suppliers": "",
            }
        )
        config = self.backend._fusion_config()
        self.assertEqual(
            config.collection_path("invoices"), "/fscmRestApi/resources/11.13.18.06/payablesInvoices"
        )
        self.assertEqual(config.page_size, 500)
        self.assertEqual(config.business_units, ("Vision Operations", "Vision Services"))
        self.assertEqual(config.receiving_employee_id, 100010026863783)
        self.assertEqual(config.chart_of_accounts_id, 101)
        self.assertEqual(config.cost_center_of({"Segment2": "200"}), "200")
        self.assertEqual(config.acknowledgment_mode, "action")
        self.assertEqual(config.literal_format("invoices"), "iso_z_ms")
        self.assertEqual(str(config.zone("purchase_orders")), "America/Los_Angeles")
        self.assertEqual(config.fields["suppliers"], "")
        self.assertEqual(config.expand["purchase_orders"], "lines")
        self.assertEqual(config.client_id, "MLC_INTEGRATION")

    def test_settings_are_checked(self):
        for vals in (
            {"fusion_page_size": 501},
            {"fusion_page_size": 0},
            {"fusion_framework_version": 0},
            {"fusion_time_zone": "Mars/Olympus"},
            {"fusion_receiving_employee_id": "E-100"},
            {"fusion_token_margin": -1},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.backend.write(vals)
