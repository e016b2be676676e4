"""The hostile-input corpus through both connections, in Odoo with PostgreSQL and real HTTP.

Every hostile document must end failed or waiting for review (or, for legitimate odd text, done
with the text kept verbatim) with a clear message on its own audit line; the good neighbours in
the same batches must go through; nothing may be half-written, lost or recorded twice. With
``ML_PROOF_REPORT=<path>`` the figures and every document's outcome are written there as JSON.
"""

import json
import os
import time

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.proof import hostile
from tests.simulators.jaggaer import JaggaerSimulator
from tests.simulators.server import SimulatorServer
from tests.simulators.sps import SpsSimulator


@tagged("post_install", "-at_install")
class TestHostileInputs(SimulatorCase):
    simulator_class = JaggaerSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sps_sim = SpsSimulator()
        sps_server = SimulatorServer(cls.sps_sim).start()
        cls.addClassCleanup(sps_server.stop)
        cls.world = hostile.setup_world(cls.env, cls.sim_url, sps_server.url)
        cls.documents = hostile.corpus()

    def test_hostile_corpus(self):
        started = time.monotonic()
        self.sps_sim.reset()
        hostile.deliver(self.documents, self.sim, self.sps_sim)
        jaggaer, sps = self.world.backends(self.env)
        runs = hostile.run_connections(self.env, self.world, self.run_backend)

        # the transport faults fired: the second cycle had something to catch up on
        self.assertIn("Expected JSON", runs[jaggaer][0].error_message or "")
        self.assertIn("HOSTILE-sps-850-good-late.json", runs[sps][0].log or "")
        self.assertFalse(self.sim.faults.pending(), "every JAGGAER fault of the corpus was used")
        self.assertFalse(self.sps_sim.faults.pending(), "every SPS fault of the corpus was used")
        self.assertFalse(self.sps_sim.files(hostile.SPS_ACCOUNT), "every file, bad or good, is taken off SPS")

        report = hostile.judge(self.env, self.world, self.documents)
        path = os.environ.get("ML_PROOF_REPORT")
        if path:
            summary = {**report.summary(), "seconds": round(time.monotonic() - started, 1)}
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(summary, handle, indent=1, ensure_ascii=False)

        self.assertGreaterEqual(report.tried, 50)
        self.assertEqual(report.failures(), [], "\n".join(report.failures()))
        self.assertEqual(report.handled, report.tried)
        self.assertEqual(report.good_done, len(report.good))
        self.assertEqual(report.half_written, 0)
        self.assertFalse(report.lost)
