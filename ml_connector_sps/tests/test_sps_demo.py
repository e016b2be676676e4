"""The demo data (installed by ``./mlc demo``) does what the demo promises, against the simulator
seeded exactly as ``./mlc demo`` seeds it. The test database has no demo data: the demo file is
loaded into the test transaction here."""

from odoo.tests import tagged
from odoo.tools.convert import convert_file

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators import rsx as sim_rsx
from tests.simulators.sps import SpsSimulator, demo_seed

from .common import FLOWS


@tagged("post_install", "-at_install")
class TestDemo(SimulatorCase):
    simulator_class = SpsSimulator

    def setUp(self):
        super().setUp()
        convert_file(
            self.env, "ml_connector_sps", "demo/ml_connector_sps_demo.xml", {}, mode="init", kind="demo"
        )
        self.backend = self.env.ref("ml_connector_sps.backend_sps_demo")
        # the demo points at 127.0.0.1:8072 (./mlc demo); this test's simulator listens elsewhere
        self.backend.write({"token_url": f"{self.sim_url}/oauth/token", "base_url": self.sim_url})
        demo_seed(self.sim)

    def ref(self, name):
        return self.env.ref(f"ml_connector_sps.{name}")

    def lines(self, flow):
        return self.env["ml.connector.audit.line"].search(
            [("backend_id", "=", self.backend.id), ("flow_id.code", "=", FLOWS[flow])], order="id"
        )

    def test_first_run_moves_every_demo_document(self):
        self.assertEqual(self.backend.state, "active", "the demo connection is active at once")
        self.assertTrue(self.backend.client_secret_set)
        run = self.run_backend(self.backend)
        self.assertEqual(run.state, "done", run.error_message)

        # our purchase orders went out as valid 850s, accepted by SPS
        po3, po4 = self.ref("po_demo_0003"), self.ref("po_demo_0004")
        sent = self.lines("order_out")
        self.assertEqual(sent.mapped("state"), ["done", "done"], sent.mapped("error_message"))
        self.assertEqual(
            set(sent.mapped("target_key")), {"in/POPO-DEMO-0003-1.json", "in/POPO-DEMO-0004-1.json"}
        )
        for line in sent:
            self.assertEqual(sim_rsx.validate(sim_rsx.parse(line.sent_payload)), [])
        documents = {(d["doc_type"], d["identifier"]): d for d in self.sim.documents(account="demo")}
        self.assertEqual(documents[("850", "PO-DEMO-0003")]["status"], "Accepted")
        self.assertEqual(documents[("850", "PO-DEMO-0004")]["status"], "Accepted")
        doc = sim_rsx.parse(sent.filtered(lambda line: "0003" in line.target_key).sent_payload)
        self.assertEqual(
            [(i["OrderLine"]["VendorPartNumber"], i["OrderLine"]["OrderQty"], i["OrderLine"]["OrderQtyUOM"])
             for i in doc["LineItem"]],
            [("WID-100-BLU", 24, "EA"), ("WID-200-RED", 5, "CA")],
        )  # fmt: skip
        self.assertEqual(doc["Summary"]["TotalAmount"], 384)

        # and our invoice to Northwind as an 810
        invoice = self.ref("invoice_northwind")
        self.assertEqual(self.lines("invoice_out").state, "done")
        self.assertEqual(documents[("810", invoice.name)]["status"], "Accepted")

        # Northwind's orders: one draft purchase order, one waiting for the unknown item NW-999999
        orders_in = self.lines("order_in")
        self.assertEqual(
            orders_in.mapped("state"), ["done", "needs_review"], orders_in.mapped("error_message")
        )
        draft = self.env["purchase.order"].browse(orders_in[0].res_id)
        self.assertEqual((draft.partner_ref, draft.state), ("NW-4500012345", "draft"))
        self.assertEqual(draft.partner_id, self.ref("partner_northwind"))
        self.assertEqual(
            draft.order_line.mapped("product_uom_id"),
            self.env.ref("uom.product_uom_unit") | self.ref("uom_case_12"),
        )
        self.assertEqual(draft.amount_untaxed, 384)
        self.assertIn("NW-999999", orders_in[1].error_message)
        self.assertTrue(self.env["ml.connector.review"].search([("external_key", "=", "NW-999999")]))

        # Acme's acknowledgements: PO-DEMO-0003 with changes and a backorder, PO-DEMO-0004 accepted
        self.assertEqual(po3.sps_ack_status, "backordered")
        self.assertEqual(po4.sps_ack_status, "accepted")

        # PO-DEMO-0003: ship notice then warehouse receipt (a damaged case); the rest in a backorder
        receipt = po3.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(
            (receipt.sps_asn_ref, receipt.sps_receipt_ref), ("ASN-ACME-0003-1", "RCV-DEMO-0003-1")
        )
        self.assertEqual(po3.order_line.mapped("qty_received"), [24, 3])
        self.assertEqual(len(po3.picking_ids), 2, "one receipt done, one backorder")
        # PO-DEMO-0004: shipped in full by the simulated vendor, waiting at the dock
        self.assertEqual(po4.picking_ids.state, "assigned")
        self.assertEqual(po4.picking_ids.move_ids.quantity, 48)
        self.assertTrue(po4.picking_ids.sps_asn_ref)

        # a second run (or the scheduler again) creates nothing twice
        counts = self.env["ml.connector.audit.line"].search_count([("backend_id", "=", self.backend.id)])
        self.run_backend(self.backend)
        self.assertEqual(
            self.env["ml.connector.audit.line"].search_count([("backend_id", "=", self.backend.id)]), counts
        )
        self.assertEqual(len(self.sim.documents(account="demo")), 3)

    def test_first_run_records_the_vendor_inventory_advice(self):
        self.run_backend(self.backend)
        [line] = self.lines("inventory_in")
        self.assertEqual(line.state, "done", line.error_message)
        blue = self.env["product.product"].search([("default_code", "=", "WID-100-BLU")])
        stock = self.env["ml.connector.sps.stock"].search(
            [("product_id", "=", blue.id)], order="kind, location"
        )
        self.assertEqual(
            [(row.kind, row.location, row.quantity) for row in stock],
            [("available", "AKR-1", 1180), ("on_hand", "AKR-1", 1000), ("on_hand", "CLE-2", 300)],
        )
        self.assertEqual(blue.product_tmpl_id.sps_stock_count, 3)
