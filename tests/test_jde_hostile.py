"""Hostile AIS answers and hostile JAGGAER invoices through the JD Edwards flows, in Odoo with
PostgreSQL and real HTTP (see tests/proof/jde_hostile.py). With ``ML_PROOF_REPORT=<path>`` the
figures and every document's outcome are written there as JSON."""

import json
import os
import time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ml_connector_jde.tests.common import JdeJaggaerCase

from tests.proof import jde_hostile


@tagged("post_install", "-at_install")
class TestJdeHostileInputs(JdeJaggaerCase):
    def setUp(self):
        super().setUp()
        self.map_plants()
        self.sim.configure(auto_run_r04110z=True)

    def test_hostile_corpus(self):
        started = time.monotonic()
        cases = jde_hostile.corpus()
        jde_hostile.deliver(cases, self.sim, self.jaggaer_sim)
        runs = []
        with mute_logger(
            "odoo.addons.ml_connector.tools.http", "odoo.addons.ml_connector.models.ml_connector_flow"
        ):
            for _run in range(jde_hostile.RUNS):
                runs.append(self.run_jde())
        # the two answers that were not data at all stopped a flow each, for the first run only
        self.assertIn("Expected JSON", runs[0].error_message or "")
        self.assertIn("without fs_DATABROWSE", runs[0].error_message or "")
        self.assertFalse(self.sim.faults.pending(), "every transport fault of the corpus was used")
        self.assertNotIn("Expected JSON", runs[-1].error_message or "")

        report = jde_hostile.judge(self.env, self.backend, cases, self.sim, self.jaggaer_sim)
        path = os.environ.get("ML_PROOF_REPORT")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(
                    {**report.summary(), "seconds": round(time.monotonic() - started, 1)}, handle, indent=1
                )
        self.assertGreaterEqual(report.tried, 25)
        self.assertEqual(report.failures(), [], "\n".join(report.failures()))
        self.assertEqual(report.handled, report.tried)
        self.assertEqual(report.good_done, len(report.good))
        self.assertEqual(report.half_written, 0)
        self.assertFalse(report.lost)

        # the demo world read in the same pages went through untouched
        self.assertEqual(
            {po["poNumber"] for po in self.jaggaer_sim.purchase_orders.values()}
            >= {f"{n}-OP" for n in range(10230, 10235)},
            True,
        )
        self.assertEqual(set(self.jaggaer_sim.import_counts.values()), {1}, "nothing sent twice")
        self.assertEqual(len(self.sim.rows("F0411Z1", EDTN="5200301")), 1)
