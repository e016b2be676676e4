from odoo.tests import tagged
from odoo.tools.convert import convert_file

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.fusion import FusionSimulator, demo_seed, jaggaer_demo_seed
from tests.simulators.jaggaer import JaggaerSimulator
from tests.simulators.server import SimulatorServer


@tagged("post_install", "-at_install")
class TestDemoData(SimulatorCase):
    """The Fusion demo connections, loaded as a demo database loads them, against demo-seeded
    simulators: the first run of the Fusion connection moves every kind of document."""

    simulator_class = FusionSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jaggaer_sim = JaggaerSimulator()
        server = SimulatorServer(cls.jaggaer_sim).start()
        cls.addClassCleanup(server.stop)
        cls.jaggaer_url = server.url
        convert_file(cls.env, "ml_connector_fusion", "demo/fusion_demo.xml", {}, mode="init")
        cls.fusion = cls.env.ref("ml_connector_fusion.demo_backend_fusion")
        cls.jaggaer = cls.env.ref("ml_connector_fusion.demo_backend_jaggaer_fusion")

    def test_first_cron_run_moves_the_demo(self):
        self.assertEqual((self.fusion.state, self.jaggaer.state), ("active", "active"))
        self.assertEqual(self.fusion.base_url, "http://127.0.0.1:8075")
        self.assertEqual(self.jaggaer.base_url, "http://127.0.0.1:8076")
        self.assertFalse(self.jaggaer.flow_ids, "the Fusion demo's JAGGAER has no flows with Odoo")
        self.assertEqual(len(self.fusion.flow_ids), 8)
        # the simulators of this test, on free ports
        self.fusion.write({"base_url": self.sim_url, "token_url": f"{self.sim_url}/oauth2/v1/token"})
        self.jaggaer.base_url = self.jaggaer_url
        demo_seed(self.sim)
        self.sim.configure(receipt_processing_delay=0)
        jaggaer_demo_seed(self.jaggaer_sim)

        run = self.run_backend(self.fusion)
        self.assertEqual(run.state, "done", run.error_message)
        Line = self.env["ml.connector.audit.line"]
        for flow in self.fusion.flow_ids:
            self.assertTrue(flow.line_ids.filtered(lambda line: line.state == "done"), flow.name)
        left = Line.search(
            [("backend_id", "=", self.fusion.id), ("state", "in", ("failed", "pending", "needs_review"))]
        )
        self.assertFalse(left, [(line.name, line.error_message) for line in left])
        self.assertEqual(self.sim.find_po("1004125")["DocumentStatusCode"], "OPEN", "acknowledged")
        self.assertEqual(self.sim.find_po("1004123")["lines"][0]["schedules"][0]["QuantityReceived"], 10)
        numbers = {invoice["InvoiceNumber"] for invoice in self.sim.data["invoices"].values()}
        self.assertTrue({"LS-88121", "HX-1001"} <= numbers)
        self.assertIsNotNone(self.jaggaer_sim.get_po("1004127"))
