from odoo.tests import tagged
from odoo.tools.convert import convert_file

from tests.simulators.jaggaer import jde_demo_seed

from .common import FLOWS, JdeJaggaerCase


@tagged("post_install", "-at_install")
class TestDemoData(JdeJaggaerCase):
    """The demo connections, loaded as a demo database loads them, against demo-seeded simulators:
    the first cron run of the JD Edwards connection moves suppliers, GL values, orders, statuses
    and invoices, each with its audit lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        convert_file(cls.env, "ml_connector_jde", "demo/jde_demo.xml", {}, mode="init")
        cls.demo_jde = cls.env.ref("ml_connector_jde.demo_backend_jde")
        cls.demo_jaggaer = cls.env.ref("ml_connector_jde.demo_backend_jaggaer_plants")

    def setUp(self):
        super().setUp()
        self.sim.configure(auto_run_r04110z=True)  # as ./mlc demo starts it

    def test_first_cron_run_moves_the_demo(self):
        jde, jaggaer = self.demo_jde, self.demo_jaggaer
        self.assertEqual(
            (jde.state, jaggaer.state), ("active", "active"), "loading the credentials activated them"
        )
        self.assertEqual(jde.base_url, "http://127.0.0.1:8073/jderest")
        self.assertEqual(jaggaer.base_url, "http://127.0.0.1:8074")
        self.assertFalse(jaggaer.flow_ids, "the JD Edwards plants' JAGGAER has no flow with Odoo")
        self.assertEqual(
            sorted(jde.flow_ids.mapped("code")),
            sorted(code for key, code in FLOWS.items() if key != "gl_back"),
        )
        # the simulators of this test, on free ports
        jde.base_url = f"{self.sim_url}/jderest"
        jaggaer.base_url = self.jaggaer.base_url
        jde_demo_seed(self.jaggaer_sim)
        partners, orders, bills = (
            self.env[model].search_count([]) for model in ("res.partner", "purchase.order", "account.move")
        )

        run = self.run_backend(jde)
        self.assertEqual(run.state, "done", run.error_message)
        Line = self.env["ml.connector.audit.line"]
        for flow in jde.flow_ids:
            self.assertTrue(flow.line_ids, flow.name)
        self.assertFalse(
            Line.search([("backend_id", "=", jde.id), ("state", "in", ("failed", "pending", "needs_review"))])
        )
        self.assertEqual(len(self.jaggaer_sim.suppliers), 7)
        self.assertEqual(
            sorted(po["poNumber"] for po in self.jaggaer_sim.purchase_orders.values()),
            [f"{n}-OP" for n in range(10230, 10235)],
        )
        self.assertEqual(
            sorted(row["VINV"] for row in self.sim.rows("F0411") if row["USER"] == "R04110Z"),
            ["GLF-10571", "LS-90117", "MSS-23001"],
        )
        mapped = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", jaggaer.id), ("other_backend_id", "=", jde.id)]
        )
        pairs = sorted(
            (m.external_value, m.other_value) for m in mapped if m.external_value and m.other_value
        )
        self.assertEqual(
            pairs,
            [
                ("6110", "6110"),
                ("6120", "6120"),
                ("6310", "6310"),
                ("CC-CLE", "M30"),
                ("CC-DET", "M10"),
                ("CC-TOL", "M20"),
            ],
        )
        skipped = Line.search([("backend_id", "=", jde.id), ("state", "=", "skipped")])
        self.assertEqual(skipped.mapped("document_key"), ["LS-90118"], "waits for approval in JAGGAER")
        self.assertEqual(
            (
                self.env["res.partner"].search_count([]),
                self.env["purchase.order"].search_count([]),
                self.env["account.move"].search_count([]),
            ),
            (partners, orders, bills),
            "Odoo is only the hub",
        )

        # JAGGAER moves on: the next cycle records the statuses, nothing else moves
        self.jaggaer_sim.set_po_status("10232-OP", "Distributed")
        imports = dict(self.jaggaer_sim.import_counts)
        self.run_backend(jde)
        binding = self.env["ml.connector.binding"]._find(
            jaggaer, "jaggaer_po", local_ref="00200-10232-OP-000", local_backend=jde
        )
        self.assertEqual(binding.data["status"], "Distributed")
        self.assertEqual(self.jaggaer_sim.import_counts, imports)
