from odoo.tests import HttpCase, tagged

from .common import EngineCase


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
