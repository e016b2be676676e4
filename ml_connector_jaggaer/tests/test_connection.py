from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestConnection(JaggaerCase):
    def check_connection(self, expect="success"):
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], expect, result["params"]["message"])
        return result["params"]["message"]

    def test_token_and_one_cheap_list_call(self):
        self.seed_supplier(**LAB_SUPPLY)
        message = self.check_connection()
        self.assertIn("1 supplier(s) visible", message)
        token_calls = self.sim.requests_to(self.sim.paths["token"], "POST")
        self.assertEqual(len(token_calls), 1, "default token URL: base URL + the J1P realm path")
        listed = self.sim.requests_to(self.sim.paths["suppliers"], "GET")
        self.assertEqual(len(listed), 1)
        self.assertIn("start=1", listed[0]["query"])
        self.assertIn("flt=type%3D%3DSELLER", listed[0]["query"])
        self.assertNotIn("demo-secret", str(self.backend.message_ids.mapped("body")))

    def test_legacy_token_answer(self):
        self.sim.configure(legacy_token_mode=True)
        self.check_connection(expect="danger")  # {"token", "expire_in"} is not an OAuth2 answer
        self.backend.jaggaer_token_style = "legacy_ms"
        self.check_connection()

    def test_secret_in_http_basic(self):
        self.backend.jaggaer_secret_in = "basic"
        self.check_connection(expect="danger")  # this tenant reads the secret from the body only
        self.sim.configure(basic_auth_allowed=True)
        self.check_connection()

    def test_business_error_names_jaggaer_message(self):
        self.backend.jaggaer_supplier_filter = "colour==red"
        message = self.check_connection(expect="danger")
        self.assertIn("Unknown filter field 'colour'", message)

    def test_settings_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "must include 0"):
            self.backend.jaggaer_success_codes = "1"
        with self.assertRaisesRegex(ValidationError, "must use https"):
            self.backend.test_mode = False
        self.assertEqual(
            self.backend._jaggaer_token_url(),
            f"{self.sim_url}/auth/realms/J1p-integrations/protocol/openid-connect/token",
        )

    def test_default_flows_master_data_first(self):
        flows = self.backend.flow_ids.sorted(lambda f: (not f.master_data, f.sequence))
        self.assertEqual(
            flows.mapped("code"),
            [
                "gl_value:jaggaer>odoo",
                "supplier:jaggaer>odoo",
                "supplier:odoo>jaggaer",
                "purchase_order:odoo>jaggaer",
                "purchase_order:jaggaer>odoo",
                "purchase_order_status:jaggaer>odoo",
                "invoice:jaggaer>odoo",
                "invoice_payment:odoo>jaggaer",
            ],
        )
        self.assertEqual(flows.mapped("master_data"), [True, True, True, False, False, False, False, False])
