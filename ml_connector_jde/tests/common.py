"""A JD Edwards connection to the AIS simulator on loopback, with the demo manufacturer seeded."""

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.jaggaer import JDE_DEMO_CLIENT, JaggaerSimulator, jde_demo_seed
from tests.simulators.jde import DEFAULT_USERS, JdeSimulator, demo_seed
from tests.simulators.server import SimulatorServer

AIS_USER = "JAGINT"
AIS_PASSWORD = DEFAULT_USERS[AIS_USER]["password"]


@tagged("post_install", "-at_install")
class JdeCase(SimulatorCase):
    simulator_class = JdeSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.make_backend()

    @classmethod
    def make_backend(cls, name="JD Edwards test", **vals):
        backend = cls.env["ml.connector.backend"].create(
            {
                "name": name,
                "system_type": "jde",
                "test_mode": True,
                "base_url": f"{cls.sim_url}/jderest",
                "client_id": AIS_USER,
                "client_secret": AIS_PASSWORD,
                "jde_environment": "JDV920",
                "request_max_attempts": 2,
                **vals,
            }
        )
        backend.action_activate()
        return backend

    def setUp(self):
        super().setUp()
        demo_seed(self.sim)
        self.backend._forget_http_clients()

    def check_connection(self, expect="success", backend=None):
        result = (backend or self.backend).action_test_connection()
        self.assertEqual(result["params"]["type"], expect, result["params"]["message"])
        return result["params"]["message"]

    def client(self, backend=None):
        backend = backend or self.backend
        return backend._system()._client(backend)

    def logins(self):
        return self.sim.state()["logins"]


FLOWS = {
    "gl": "gl_value:jde>jaggaer",
    "gl_back": "gl_value:jaggaer>jde",
    "supplier": "supplier:jde>jaggaer",
    "po": "purchase_order:jde>jaggaer",
    "status": "purchase_order_status:jaggaer>jde",
    "invoice": "invoice:jaggaer>jde",
}
# JAGGAER cost centres and the JD Edwards business units (plants) they are
PLANTS = {"CC-DET": "M10", "CC-TOL": "M20", "CC-CLE": "M30"}


@tagged("post_install", "-at_install")
class JdeJaggaerCase(JdeCase):
    """The JD Edwards demo manufacturer and its JAGGAER tenant, each simulator on its own port,
    joined by the flows a JD Edwards connection proposes with a JAGGAER connection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jaggaer_sim = JaggaerSimulator()
        server = SimulatorServer(cls.jaggaer_sim).start()
        cls.addClassCleanup(server.stop)
        client_id, secret = JDE_DEMO_CLIENT
        cls.jaggaer = cls.env["ml.connector.backend"].create(
            {
                "name": "JAGGAER (plants)",
                "system_type": "jaggaer",
                "test_mode": True,
                "base_url": server.url,
                "client_id": client_id,
                "client_secret": secret,
            }
        )
        cls.jaggaer.flow_ids.unlink()  # this tenant is not Odoo's
        cls.jaggaer.action_activate()
        cls.backend.write(
            {
                "jde_jaggaer_backend_id": cls.jaggaer.id,
                "jde_voucher_company": "00200",
                "jde_charge_account": "M20.6310",
            }
        )

    def setUp(self):
        super().setUp()
        self.jaggaer_sim.reset()
        jde_demo_seed(self.jaggaer_sim)
        self.jaggaer._forget_http_clients()

    def flow(self, key):
        return self.backend.with_context(active_test=False).flow_ids.filtered(
            lambda flow: flow.code == FLOWS[key]
        )

    def lines(self, key, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", self.flow(key).id), *[(k, "=", v) for k, v in domain.items()]]
        )

    def map_value(self, segment, jaggaer_value, jde_value):
        """A remote-to-remote mapping: JAGGAER ``segment`` value = JD Edwards value."""
        return self.env["ml.connector.mapping"].create(
            {
                "backend_id": self.jaggaer.id,
                "mapping_type": segment,
                "external_value": jaggaer_value,
                "other_backend_id": self.backend.id,
                "other_value": jde_value,
            }
        )

    def map_plants(self):
        for cost_centre, business_unit in PLANTS.items():
            self.map_value("CostCenter", cost_centre, business_unit)

    def run_jde(self):
        run = self.run_backend(self.backend)
        self.jaggaer.invalidate_recordset()
        return run

    def due_now(self, lines):
        """Let lines waiting for a later attempt (a batch not posted yet) go at the next run."""
        lines.sudo().write({"next_attempt_at": False})

    def jaggaer_po(self, number):
        return self.jaggaer_sim.get_po(number)
