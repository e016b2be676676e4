"""An Oracle Fusion connection to the Fusion simulator on loopback."""

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.fusion import DEFAULT_CLIENT, TOKEN_PATH, FusionSimulator, demo_seed


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
