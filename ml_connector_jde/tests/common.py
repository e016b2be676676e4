"""A JD Edwards connection to the AIS simulator on loopback, with the demo manufacturer seeded."""

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.jde import DEFAULT_USERS, JdeSimulator, demo_seed

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
