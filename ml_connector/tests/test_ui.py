from odoo.tests import HttpCase, tagged

from .common import EngineCase, register_models
from .test_matching import VendorOrderTestWriter


@tagged("post_install", "-at_install")
class TestAdminTour(EngineCase, HttpCase):
    def test_admin_tour(self):
        partner = self.make_partners(1, prefix="MLCT-TOUR-")
        partner.comment = "BROKEN until fixed"
        self.backend.name = "Tour connection"
        self.backend.cron_id.method_direct_trigger()
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "failed")
        partner.comment = False
        self.start_tour(
            f"/odoo/action-ml_connector.action_ml_connector_backend/{self.backend.id}",
            "ml_connector_admin_tour",
            login="admin",
        )
        self.assertEqual(line.state, "done")
        self.assertIn(partner.ref, self.sim.contacts)

    def test_overview_failed_line_dry_run_replay_tour(self):
        partner = self.make_partners(1, prefix="MLCT-TOUR-")
        partner.comment = "BROKEN until fixed"
        self.backend.name = "Tour connection"
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "failed")
        partner.comment = False
        contacts = dict(self.sim.contacts)
        self.start_tour(
            "/odoo/action-ml_connector.action_ml_connector_overview",
            "ml_connector_failed_line_tour",
            login="admin",
        )
        self.assertEqual(line.state, "done")
        self.assertEqual(len(line.attempt_ids), 2)
        self.assertNotIn(partner.ref, contacts, "the dry run sent nothing")
        self.assertIn(partner.ref, self.sim.contacts)

    def test_settings_tour(self):
        self.start_tour(
            "/odoo/action-ml_connector.action_ml_connector_settings",
            "ml_connector_settings_tour",
            login="admin",
        )
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("ml_connector.retention_years"), "7")
        self.assertEqual(params.get_param("ml_connector.alert_mode"), "digest")


@tagged("post_install", "-at_install")
class TestReviewTour(EngineCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_models(cls, (VendorOrderTestWriter,))
        cls.flow_in.writer_model = VendorOrderTestWriter._name
        cls.northwind = cls.env["res.partner"].create(
            {"name": "Northwind Scientific", "is_company": True, "supplier_rank": 1}
        )

    def test_review_approve_document_done_tour(self):
        self.sim.add_item("ORD-1", "order 1", vendor_id="NW-1", vendor_name="Northwind Scientifics Ltd")
        self.run_backend(self.backend)
        line = self.lines(self.flow_in)
        self.assertEqual(line.state, "needs_review")
        self.start_tour(
            "/odoo/action-ml_connector.action_ml_connector_review", "ml_connector_review_tour", login="admin"
        )
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(
            self.env["purchase.order"].search([("partner_ref", "=", "ORD-1")]).partner_id, self.northwind
        )
