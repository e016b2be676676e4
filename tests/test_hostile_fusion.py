"""Hostile answers of an Oracle Fusion pod through the Fusion connection's flows to JAGGAER, in
Odoo with PostgreSQL and real HTTP (the Fusion part of the proof's hostile corpus).

Every hostile row must end failed or waiting with a clear message on its own audit line (or done
with odd but legitimate text kept verbatim); the good neighbours read in the same pages must go
through; nothing may reach JAGGAER half-written. With ``ML_PROOF_FUSION_REPORT=<path>`` the figures
are written there as JSON.
"""

import json
import os

from odoo.tests import tagged

from odoo.addons.ml_connector_fusion.tests.common import FusionJaggaerCase

from tests.proof import hostile_fusion


@tagged("post_install", "-at_install")
class TestHostileFusionAnswers(FusionJaggaerCase):
    def test_hostile_fusion_answers(self):
        self.only_flows("gl", "supplier_out", "po_out", "invoice_out")
        cases = hostile_fusion.deliver(self.sim)
        self.cycle()
        self.force_due()
        self.cycle()
        report = hostile_fusion.judge(self.env, self.backend, self.jaggaer_sim, cases)
        summary = report.summary()
        path = os.environ.get("ML_PROOF_FUSION_REPORT")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(summary, handle, indent=1, ensure_ascii=False)
        self.assertGreaterEqual(summary["tried"], 15)
        self.assertEqual(summary["failures"], [], "\n".join(summary["failures"]))
        self.assertEqual(summary["handled"], summary["tried"])
        self.assertEqual(summary["good_done"], summary["good"])
        self.assertEqual((summary["half_written"], summary["lost"]), (0, 0))
