import socket

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AIS_USER, JdeCase


@tagged("post_install", "-at_install")
class TestConnection(JdeCase):
    def test_login_and_one_cheap_read(self):
        message = self.check_connection()
        self.assertIn("as JAGINT (environment JDV920)", message)
        self.assertIn("address book (F0101): 6 record(s)", message)
        self.assertEqual(self.logins(), 1)
        (read,) = self.sim.requests_to("/jderest/v2/dataservice", "POST")
        device = f"ml-connector-{self.backend.id}"
        self.assertEqual(read["headers"]["jde-AIS-Auth-Device"], device)
        (session,) = self.sim.sessions.values()
        self.assertEqual((session.device, session.environment), (device, "JDV920"))
        self.assertEqual(read["headers"]["jde-AIS-Auth"], session.token)

    def test_device_name_defaults_to_the_connection(self):
        self.assertEqual(self.backend.jde_device_name, f"ml-connector-{self.backend.id}")
        other = self.env["ml.connector.backend"].create({"name": "Was generic", "system_type": "generic"})
        self.assertFalse(other.jde_device_name)
        other.system_type = "jde"
        self.assertEqual(other.jde_device_name, f"ml-connector-{other.id}")
        named = self.make_backend("Named device", jde_device_name="ais-prod-1")
        self.assertEqual(named._jde_config().device_name, "ais-prod-1")

    def test_wrong_password(self):
        self.backend.sudo().client_secret = "Wrong-Pass-Value-9"
        message = self.check_connection(expect="danger")
        self.assertIn("refused the login of JAGINT (HTTP 403)", message)
        self.assertIn("Check the user name, password, environment and role", message)
        self.assertNotIn("Wrong-Pass-Value-9", message + (self.backend.last_error or ""))
        self.assertEqual(self.logins(), 0)

    def test_missing_password(self):
        backend = self.env["ml.connector.backend"].create(
            {"name": "No password", "system_type": "jde", "test_mode": True, "base_url": self.sim_url}
        )
        self.assertIn("Enter the AIS user name and password", self.check_connection("danger", backend))

    def test_unreachable_server(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.backend.base_url = f"http://127.0.0.1:{port}/jderest"
        self.assertIn("Cannot connect", self.check_connection(expect="danger"))

    def test_unknown_table(self):
        self.backend.jde_tables = "address_book=F55ABOOK"
        message = self.check_connection(expect="danger")
        self.assertIn("Logged in, but JD Edwards cannot read table F55ABOOK", message)
        self.sim.configure(unknown_target_status=400)
        self.assertIn("cannot read table F55ABOOK", self.check_connection(expect="danger"))

    def test_data_service_refused_to_the_user(self):
        self.sim.fail_next(403, path="/jderest/v2/dataservice", message="F0101 is not allowed for JAGINT")
        message = self.check_connection(expect="danger")
        self.assertIn("does not let this user reach the count of F0101 (HTTP 403)", message)
        self.assertIn("F0101 is not allowed for JAGINT", message)

    def test_token_refused_twice(self):
        self.sim.lose_stickiness(count=2)
        message = self.check_connection(expect="danger")
        self.assertIn("rejected the session token again right after a new login (HTTP 444)", message)
        self.assertEqual(self.logins(), 2)

    def test_v3_login_and_stateless_calls(self):
        self.backend.jde_api_version = "v3"
        self.check_connection()
        self.assertEqual(len(self.sim.requests_to("/jderest/v3/orchestrator/jde-login", "GET")), 1)
        self.backend.write({"jde_api_version": "v2", "jde_auth_mode": "basic_per_request"})
        self.check_connection()
        self.assertEqual(self.logins(), 1)
        read = self.sim.requests_to("/jderest/v2/dataservice", "POST")[-1]
        self.assertEqual(read["headers"]["Authorization"], "basic")

    def test_settings_are_checked_and_mapped(self):
        for vals, refusal in (
            ({"jde_token_max_age": 30}, "at least 60 s"),
            ({"jde_page_size": 0}, "at least one row"),
            ({"jde_amount_decimals": 7}, "from 0 to 6"),
            ({"jde_time_columns": "F4301"}, "not a KEY=VALUE pair"),
            ({"jde_orchestration_inputs": "{voucher"}, "not JSON"),
            ({"jde_orchestration_inputs": '{"voucher": "x"}'}, "object of objects"),
        ):
            with self.assertRaisesRegex(ValidationError, refusal), self.env.cr.savepoint():
                self.backend.write(vals)
        self.backend.write(
            {
                "jde_time_columns": "f4301=tday, F55PO=UPDT",
                "jde_tables": "supplier=F55SUP",
                "jde_orchestration_voucher": "ACME_Voucher",
                "jde_orchestration_inputs": '{"voucher": {"transaction_number": "SourceDoc"}}',
                "jde_server_tz": "America/Chicago",
                "jde_amount_scaling": "raw_implied",
                "jde_amount_decimals": 3,
                "jde_paging_mode": "keyset",
            }
        )
        config = self.backend._jde_config()
        self.assertEqual(config.time_column("F4301"), "TDAY")
        self.assertEqual(config.time_column("F55PO"), "UPDT")
        self.assertEqual(config.time_column("F0101"), "UPMT")
        self.assertEqual((config.table("supplier"), config.table("po_header")), ("F55SUP", "F4301"))
        self.assertEqual(config.orchestration_name("voucher"), "ACME_Voucher")
        self.assertEqual(config.orchestration_name("supplier_add"), "JAG_AddSupplier")
        self.assertEqual(config.input_names("voucher")["transaction_number"], "SourceDoc")
        self.assertEqual(config.input_names("voucher")["gross_amount"], "GrossAmount")
        self.assertEqual(str(config.zone()), "America/Chicago")
        self.assertEqual((config.amount_scaling, config.amount_decimals), ("raw_implied", 3))
        self.assertEqual(
            (config.paging_mode, config.voucher_edi_user, config.r04110z_version),
            ("keyset", AIS_USER, "ZJDE0001"),
        )

    def test_flows_come_with_a_jaggaer_connection(self):
        self.assertFalse(self.backend.flow_ids, "no flow with Odoo itself")
        self.assertEqual(self.env["ml.connector.system.jde"]._default_flows(), [])
        jaggaer = self.env["ml.connector.backend"].create(
            {"name": "JAGGAER tenant", "system_type": "jaggaer"}
        )
        self.backend.jde_jaggaer_backend_id = jaggaer
        flows = self.backend.with_context(active_test=False).flow_ids
        self.assertEqual(
            sorted(flows.mapped("code")),
            [
                "gl_value:jaggaer>jde",
                "gl_value:jde>jaggaer",
                "invoice:jaggaer>jde",
                "purchase_order:jde>jaggaer",
                "purchase_order_status:jaggaer>jde",
                "supplier:jde>jaggaer",
            ],
        )
        self.assertEqual(flows.filtered(lambda f: not f.active).code, "gl_value:jaggaer>jde")
        self.assertTrue(all(flow.backend_id == self.backend for flow in flows), "they run with JD Edwards")
        self.assertEqual(
            flows.sorted(lambda f: (not f.master_data, f.sequence)).mapped("document_type")[:3],
            ["gl_value", "gl_value", "supplier"],
            "master data first",
        )
        self.assertEqual(
            flows.filtered(lambda f: f.code == "invoice:jaggaer>jde").writer_model,
            "ml.connector.writer.jde.invoice",
        )
        self.assertEqual(
            flows.filtered(lambda f: f.code == "invoice:jaggaer>jde").reader_model,
            "ml.connector.reader.jaggaer.invoice",
        )

        flows.filtered(lambda f: f.document_type == "invoice").unlink()
        result = self.backend.action_jde_create_flows()
        self.assertIn("1 flow(s) created", result["params"]["message"])
        self.assertIn("exists already", self.backend.action_jde_create_flows()["params"]["message"])
        self.assertEqual(len(self.backend.with_context(active_test=False).flow_ids), 6, "never twice")

        other = self.env["ml.connector.backend"].create({"name": "Generic", "system_type": "generic"})
        with self.assertRaises(ValidationError):
            self.backend.jde_jaggaer_backend_id = other

    def test_form_shows_the_jd_edwards_page(self):
        arch = self.env["ml.connector.backend"].get_views([(False, "form")])["views"]["form"]["arch"]
        for needle in ('name="jde"', 'string="AIS user"', 'string="AIS password"', 'name="jde_device_name"'):
            self.assertIn(needle, arch)
