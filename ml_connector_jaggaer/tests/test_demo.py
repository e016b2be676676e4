from odoo.tests import tagged
from odoo.tools.convert import convert_file

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.jaggaer import JaggaerSimulator, demo_seed_full


@tagged("post_install", "-at_install")
class TestDemoData(SimulatorCase):
    """The demo connection, loaded as a demo database loads it, against a demo-seeded simulator."""

    simulator_class = JaggaerSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        convert_file(cls.env, "ml_connector_jaggaer", "demo/jaggaer_demo.xml", {}, mode="init")
        cls.backend = cls.env.ref("ml_connector_jaggaer.demo_backend_jaggaer")

    def ref(self, name):
        return self.env.ref(f"ml_connector_jaggaer.{name}")

    def bound(self, bravo_id):
        binding = self.env["ml.connector.binding"]._find(
            self.backend, "jaggaer_supplier", external_id=str(bravo_id)
        )
        return binding._record() if binding else None

    def test_first_cron_run_moves_the_demo(self):
        self.assertEqual(self.backend.state, "active", "loading the credentials activated it")
        self.assertTrue(self.backend.client_secret_set)
        self.assertEqual(self.backend.base_url, "http://127.0.0.1:8071")
        self.backend.base_url = self.sim_url  # the simulator of this test, on a free port
        demo_seed_full(self.sim)
        run = self.run_backend(self.backend)
        self.assertEqual(run.state, "done", run.error_message)
        Line = self.env["ml.connector.audit.line"]

        # suppliers both ways, one review item
        lab_supply = self.ref("demo_vendor_lab_supply")
        self.assertEqual(self.bound(3901), lab_supply)
        self.assertEqual(self.bound(3902), self.ref("demo_vendor_northwind"))
        self.assertEqual(self.bound(3903), self.ref("demo_vendor_acme"))
        self.assertEqual(self.bound(3904).name, "Helix Reagents Ltd")
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual((review.external_id, review.state), ("3905", "open"))
        self.assertEqual(review.candidate_ids.record_ref, lab_supply)
        pacific = self.ref("demo_vendor_pacific")
        pushed = next(s for s in self.sim.suppliers.values() if s["companyName"] == "Pacific Glassware Co")
        self.assertEqual(
            (pushed["extCode"], pushed["city"], pushed["province"]), (f"ODOO-{pacific.id}", "Oakland", "CA")
        )
        self.assertEqual(self.bound(pushed["bravoId"]), pacific)

        # POs sent, statuses back
        po1, po2 = self.ref("demo_po_1"), self.ref("demo_po_2")
        self.assertEqual(self.sim.get_po("PO-DEMO-0001")["total"]["value"], 367.5)
        self.assertEqual(self.sim.get_po("PO-DEMO-0002")["total"]["value"], 705)
        self.assertEqual((po1.jaggaer_status, po2.jaggaer_status), ("Approved", "Approved"))

        # draft vendor bills linked to the PO lines
        bill1, bill2 = po1.invoice_ids, po2.invoice_ids
        self.assertEqual((bill1.ref, bill1.state, bill1.amount_total), ("LS-88120", "draft", 305.0))
        self.assertEqual((bill2.ref, bill2.amount_total), ("LS-88121", 705.0))
        self.assertEqual(bill1.invoice_line_ids.purchase_line_id, po1.order_line)
        self.assertEqual(po1.order_line[0].qty_invoiced, 10)
        skipped = Line.search([("backend_id", "=", self.backend.id), ("document_key", "=", "LS-88122")])
        self.assertEqual(skipped.state, "skipped", "not payable yet")

        # the order a buyer created in JAGGAER is a draft here; the paid bill's invoice is Paid there
        created_there = self.env["purchase.order"].search([("name", "=", "P0007001")])
        self.assertEqual((created_there.state, created_there.partner_id), ("draft", lab_supply))
        self.assertEqual(created_there.ml_origin_backend_id, self.backend)
        self.assertEqual(created_there.order_line.product_id, self.ref("demo_product_gloves"))
        self.assertEqual(
            (created_there.order_line.product_qty, created_there.jaggaer_status), (20, "Approved")
        )
        self.assertIn(self.ref("demo_bill_paid").payment_state, ("paid", "in_payment"))
        self.assertEqual(self.sim.get_invoice(5100230)["header"]["paymentStatus"], "Paid")

        # an audit line for every document moved
        for flow in self.backend.flow_ids:
            self.assertTrue(flow.line_ids, flow.name)
        self.assertFalse(
            Line.search([("backend_id", "=", self.backend.id), ("state", "in", ("failed", "pending"))])
        )

        # JAGGAER moves on: the next cycle shows it, and nothing else moves
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.sim.set_po_status("PO-DEMO-0001", "Acknowledged")
        self.run_backend(self.backend)
        self.assertEqual(po1.jaggaer_status, "Acknowledged")
        self.assertEqual(len(po1.invoice_ids), 1)
