from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import EngineCase


@tagged("post_install", "-at_install")
class TestAccessRights(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connector_user = new_test_user(cls.env, "mlc_user", groups="ml_connector.group_ml_connector_user")
        cls.connector_manager = new_test_user(
            cls.env, "mlc_manager", groups="ml_connector.group_ml_connector_manager"
        )
        cls.employee = new_test_user(cls.env, "mlc_employee", groups="base.group_user")

    def setUp(self):
        super().setUp()
        partners = self.make_partners(2)
        partners[0].comment = "BROKEN"
        self.run_backend(self.backend)
        self.failed_line = self.lines(self.flow_out, state="failed")
        partners[0].comment = False

    def test_connector_user_reads_and_replays_but_configures_nothing(self):
        backend = self.backend.with_user(self.connector_user)
        self.assertEqual(backend.name, "Engine test")
        line = self.failed_line.with_user(self.connector_user)
        self.assertIn("marked broken", line.error_message)
        line.action_replay()
        self.assertEqual(self.failed_line.state, "done")
        with self.assertRaises(AccessError):
            backend.write({"base_url": "https://evil.example.com"})
        with self.assertRaises(AccessError):
            self.flow_out.with_user(self.connector_user).write({"active": False})
        with self.assertRaises(AccessError):
            line.write({"state": "done"})
        with self.assertRaises(AccessError):
            self.env["ml.connector.mapping"].with_user(self.connector_user).create(
                {"backend_id": self.backend.id, "mapping_type": "Account", "external_value": "1"}
            )
        with self.assertRaises(UserError):
            backend.action_test_connection()
        with self.assertRaises(AccessError):
            backend.read(["client_secret"])
        with self.assertRaises(AccessError):
            self.env["ml.connector.secret"].with_user(self.connector_user).search([])

    def test_connector_manager_configures_but_never_sees_secrets(self):
        backend = self.backend.with_user(self.connector_manager)
        backend.write({"interval_number": 30})
        self.assertEqual(self.backend.cron_id.interval_number, 30)
        self.assertTrue(backend.client_secret_set)
        with self.assertRaises(AccessError):
            backend.read(["client_secret"])
        with self.assertRaises(AccessError):
            self.env["ml.connector.secret"].with_user(self.connector_manager).search([])
        self.assertEqual(backend.action_test_connection()["params"]["type"], "success")
        backend.action_pause()
        self.assertEqual(self.backend.state, "paused")

    def test_other_employees_see_nothing(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.employee).read(["name"])
        with self.assertRaises(AccessError):
            self.failed_line.with_user(self.employee).read(["request_payload"])
        with self.assertRaises(AccessError):
            self.failed_line.with_user(self.employee).action_replay()


@tagged("post_install", "-at_install")
class TestMultiCompany(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Connector Company B"})
        cls.backend_b = cls.make_backend(company=cls.company_b, name="Engine test B")
        cls.user_a = new_test_user(
            cls.env,
            "mlc_user_a",
            groups="ml_connector.group_ml_connector_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )

    def test_records_of_another_company_are_invisible(self):
        self.sim.add_item("B-1", "Only for B")
        self.run_backend(self.backend_b)
        line_b = self.env["ml.connector.audit.line"].search([("backend_id", "=", self.backend_b.id)])
        self.assertTrue(line_b)
        partner_b = self.env["res.partner"].browse(line_b.res_id)
        self.assertEqual(partner_b.company_id, self.company_b, "records land in the connection's company")
        as_a = self.env(user=self.user_a)
        self.assertEqual(as_a["ml.connector.backend"].search([]), self.backend)
        self.assertFalse(as_a["ml.connector.audit.line"].search([("backend_id", "=", self.backend_b.id)]))
        self.assertFalse(as_a["ml.connector.run"].search([("backend_id", "=", self.backend_b.id)]))
        self.assertFalse(as_a["ml.connector.binding"].search([("backend_id", "=", self.backend_b.id)]))
        with self.assertRaises(AccessError):
            line_b.with_user(self.user_a).read(["request_payload"])

    def test_review_items_and_mappings_stay_in_their_company(self):
        Review = self.env["ml.connector.review"]
        review_b = Review.create(
            {
                "name": "Vendor X for B",
                "backend_id": self.backend_b.id,
                "binding_type": "test_vendor",
                "external_id": "X-1",
                "res_model": "res.partner",
            }
        )
        mapping_b = self.env["ml.connector.mapping"].create(
            {"backend_id": self.backend_b.id, "mapping_type": "Account", "external_value": "600000"}
        )
        as_a = self.env(user=self.user_a)
        self.assertFalse(as_a["ml.connector.review"].search([("id", "=", review_b.id)]))
        self.assertFalse(as_a["ml.connector.mapping"].search([("id", "=", mapping_b.id)]))
        with self.assertRaises(AccessError):
            review_b.with_user(self.user_a).action_reject()
        with self.assertRaises(AccessError):
            mapping_b.with_user(self.user_a).write({"external_label": "changed from A"})

    def test_each_connection_reads_only_its_company_records(self):
        self.make_partners(1, prefix="MLCT-A-")
        self.env["res.partner"].create({"name": "B only", "ref": "MLCT-B-1", "company_id": self.company_b.id})
        self.run_backend(self.backend)
        sent = {line.document_key for line in self.lines(self.flow_out)}
        self.assertIn("Partner MLCT-A-000", sent)
        self.assertNotIn("B only", sent)
