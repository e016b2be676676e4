"""An Oracle Fusion connection to the Fusion simulator on loopback."""

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.fusion import DEFAULT_CLIENT, TOKEN_PATH, FusionSimulator, demo_seed, jaggaer_demo_seed
from tests.simulators.jaggaer import JaggaerSimulator
from tests.simulators.server import SimulatorServer


@tagged("post_install", "-at_install")
class FusionCase(SimulatorCase):
    simulator_class = FusionSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.make_backend()

    @classmethod
    def make_backend(cls, name="Fusion test", **vals):
        return cls.env["ml.connector.backend"].create(
            {
                "name": name,
                "system_type": "fusion",
                "test_mode": True,
                "base_url": cls.sim_url,
                "token_url": cls.sim_url + TOKEN_PATH,
                "client_id": DEFAULT_CLIENT["client_id"],
                "client_secret": DEFAULT_CLIENT["client_secret"],
                **vals,
            }
        )

    def setUp(self):
        super().setUp()
        demo_seed(self.sim)

    def check_connection(self, expect="success", backend=None):
        result = (backend or self.backend).action_test_connection()
        self.assertEqual(result["params"]["type"], expect, result["params"]["message"])
        return result["params"]["message"]

    def resource_calls(self):
        return [r for r in self.sim.request_log if r["path"].startswith(self.sim.prefix)]


FLOWS = {
    "gl": "gl_value:jaggaer>fusion",
    "supplier_in": "supplier:jaggaer>fusion",
    "supplier_out": "supplier:fusion>jaggaer",
    "po_out": "purchase_order:fusion>jaggaer",
    "ack": "purchase_order_status:jaggaer>fusion",
    "receipt": "receipt:jaggaer>fusion",
    "invoice_in": "invoice:jaggaer>fusion",
    "invoice_out": "invoice:fusion>jaggaer",
}
FUSION_SETTINGS = {
    "fusion_business_units": "Vision Operations",
    "fusion_procurement_bu": "Vision Operations",
    "fusion_receiving_org": "M1",
    "fusion_chart_of_accounts_id": "101",
    "fusion_account_segment": 3,
    "fusion_account_value_set": "VISION_ACCOUNT",
    "fusion_cost_center_segment": 2,
    "fusion_cost_center_value_set": "VISION_COST_CENTER",
}


@tagged("post_install", "-at_install")
class FusionJaggaerCase(FusionCase):
    """A Fusion connection and a JAGGAER connection (each on its simulator), joined by the flows
    the Fusion connection creates once its JAGGAER connection is set; both demo worlds seeded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jaggaer_sim = JaggaerSimulator()
        server = SimulatorServer(cls.jaggaer_sim).start()
        cls.addClassCleanup(server.stop)
        Backend = cls.env["ml.connector.backend"]
        cls.jaggaer = Backend.create(
            {
                "name": "JAGGAER for Fusion",
                "system_type": "jaggaer",
                "test_mode": True,
                "base_url": server.url,
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            }
        )
        cls.jaggaer.flow_ids.unlink()  # the Odoo flows: not this tenant's business here
        cls.backend.write({**FUSION_SETTINGS, "fusion_jaggaer_id": cls.jaggaer.id})
        (cls.backend | cls.jaggaer).action_activate()
        cls.flows = {
            key: cls.backend.flow_ids.filtered(lambda f, c=code: f.code == c) for key, code in FLOWS.items()
        }

    def setUp(self):
        super().setUp()
        self.jaggaer_sim.reset()
        jaggaer_demo_seed(self.jaggaer_sim)
        self.sim.configure(receipt_processing_delay=0)

    # -- helpers -------------------------------------------------------------------------
    def only_flows(self, *keys):
        for key, flow in self.flows.items():
            flow.active = key in keys

    def cycle(self):
        run = self.run_backend(self.backend)
        self.assertIn(run.state, ("done", "partial"), run.error_message)
        return run

    def lines(self, key, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", self.flows[key].id), *[(k, "=", v) for k, v in domain.items()]]
        )

    def line_of(self, key, document_key):
        lines = self.lines(key, document_key=document_key)
        self.assertTrue(lines, f"no audit line for {document_key} in {key}")
        return lines[0]

    def line_by_key(self, key, source_key):
        lines = self.lines(key).filtered(lambda line: line.source_key == str(source_key))
        self.assertTrue(lines, f"no audit line for {source_key} in {key}")
        return lines[0]

    def binding(self, kind, **kw):
        return self.env["ml.connector.binding"]._find(
            self.jaggaer, self.jaggaer._binding_type(kind), local_backend=self.backend, **kw
        )

    def fusion_supplier(self, name):
        return next(s for s in self.sim.data["suppliers"].values() if s["Supplier"] == name)

    def jaggaer_supplier(self, name):
        return next(s for s in self.jaggaer_sim.suppliers.values() if s["companyName"] == name)

    def fusion_invoices(self, number):
        return [i for i in self.sim.data["invoices"].values() if i["InvoiceNumber"] == number]

    def force_due(self):
        self.env["ml.connector.audit.line"].search([("state", "=", "pending")]).write(
            {"next_attempt_at": False}
        )
