from odoo.tests import tagged

from .common import FLOWS, FusionJaggaerCase


@tagged("post_install", "-at_install")
class TestFirstCycle(FusionJaggaerCase):
    """Both demo worlds, one cycle of the Fusion connection: everything moves, with audit lines."""

    def test_the_jaggaer_connection_creates_the_flows(self):
        self.assertEqual(set(self.backend.flow_ids.mapped("code")), set(FLOWS.values()))
        self.assertTrue(all(flow.backend_id == self.backend for flow in self.backend.flow_ids))
        self.assertFalse(self.jaggaer.flow_ids, "the JAGGAER connection runs none of them")
        other = self.env["ml.connector.backend"].create(
            {"name": "Other JAGGAER", "system_type": "jaggaer", "test_mode": True, "base_url": self.sim_url}
        )
        self.backend.fusion_jaggaer_id = other
        Flow = self.env["ml.connector.flow"].with_context(active_test=False)
        flows = Flow.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(flows), 2 * len(FLOWS))
        active = flows.filtered("active")
        self.assertEqual((active.source_backend_id | active.target_backend_id) - self.backend, other)
        self.backend.fusion_jaggaer_id = self.jaggaer
        self.assertEqual(
            len(Flow.search([("backend_id", "=", self.backend.id)])), 2 * len(FLOWS), "none twice"
        )
        flows = self.backend.flow_ids
        self.assertEqual((flows.source_backend_id | flows.target_backend_id) - self.backend, self.jaggaer)

    def test_first_cycle_moves_everything(self):
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        Line = self.env["ml.connector.audit.line"]
        open_lines = Line.search(
            [
                ("flow_id", "in", self.backend.flow_ids.ids),
                ("state", "in", ("pending", "failed", "needs_review")),
            ]
        )
        self.assertFalse(open_lines, [(line.name, line.error_message) for line in open_lines])
        for flow in self.backend.flow_ids:
            self.assertTrue(flow.line_ids, f"{flow.name} moved nothing")

        # GL values mapped to Fusion's by description
        Mapping = self.env["ml.connector.mapping"]
        mapped = {
            (m.mapping_type, m.external_value): m.other_value
            for m in Mapping.search(
                [("backend_id", "=", self.jaggaer.id), ("other_backend_id", "=", self.backend.id)]
            )
        }
        self.assertEqual(mapped[("Account", "610000")], "6100")
        self.assertEqual(mapped[("CostCenter", "CC-200")], "200")

        # suppliers: linked, created in Fusion, pushed to JAGGAER
        helix = self.fusion_supplier("Helix Reagents Ltd")
        self.assertEqual([s["SupplierSite"] for s in helix["sites"]], ["CAMBRIDGE"])
        self.assertEqual(helix["addresses"][0]["Country"], "GB")
        pushed = self.jaggaer_supplier("Advanced Network Devices")
        self.assertEqual(pushed["extCode"], "1013")
        self.assertEqual(
            self.binding("supplier", external_id="4103").local_ref,
            str(self.fusion_supplier("ACME Lab Equipment Inc")["SupplierId"]),
        )
        self.assertEqual(len(self.sim.data["suppliers"]), 7, "one created, none twice")

        # purchase orders with their GL coding
        po = self.jaggaer_sim.get_po("1004124")
        coding = po["lineList"]["poLine"][0]["splittableFieldSetGroupList"]
        self.assertIn("600000", str(coding))
        self.assertIn("CC-100", str(coding))
        # acknowledged in JAGGAER, accepted in Fusion
        self.assertEqual(self.sim.find_po("1004125")["DocumentStatusCode"], "OPEN")
        self.assertEqual(self.sim.find_po("1004126")["DocumentStatusCode"], "OPEN")
        # receipt: 10 gloves received in JAGGAER, received in Fusion
        schedule = self.sim.find_po("1004123")["lines"][0]["schedules"][0]
        self.assertEqual(schedule["QuantityReceived"], 10)
        receipt = self.line_of("receipt", "1004123")
        self.assertEqual(receipt.state, "done")
        self.assertIn("receipt", receipt.error_message)
        # invoices from JAGGAER: PO-matched and non-PO with a distribution
        (ls88121,) = self.fusion_invoices("LS-88121")
        self.assertEqual(ls88121["InvoiceAmount"], 705)
        self.assertEqual(ls88121["invoiceLines"][0]["PurchaseOrderNumber"], "1004124")
        (hx,) = self.fusion_invoices("HX-1001")
        self.assertEqual(
            hx["invoiceLines"][0]["invoiceDistributions"][0]["DistributionCombination"],
            "01-200-6100-0000-000",
        )
        self.assertEqual(self.line_of("invoice_in", "LS-88122").state, "skipped", "not payable yet")
        # invoice headers from Fusion imported into JAGGAER
        imported = {i["header"]["supplierInvoiceNumber"] for i in self.jaggaer_sim.invoices.values()}
        self.assertTrue({"LS-88120", "AND_Unmatched_Invoice", "PF-2024-0091"} <= imported)

    def test_second_cycle_moves_nothing_new(self):
        self.cycle()
        before = {flow.code: len(flow.line_ids) for flow in self.backend.flow_ids}
        imports = dict(self.jaggaer_sim.import_counts)
        self.cycle()
        self.cycle()
        after = {flow.code: len(flow.line_ids) for flow in self.backend.flow_ids}
        grown = {code: after[code] - before[code] for code in after if after[code] != before[code]}
        # the orders Fusion accepted changed there: sent once more, unchanged in JAGGAER
        self.assertLessEqual(
            set(grown), {FLOWS["po_out"], FLOWS["supplier_out"], FLOWS["ack"], FLOWS["invoice_in"]}, grown
        )
        for number in imports:
            self.assertEqual(
                self.jaggaer_sim.get_po(number)["revisionNumber"], 0 if number != "1004123" else 1
            )
        self.assertEqual(len(self.sim.data["suppliers"]), 7)
        self.assertEqual(len(self.fusion_invoices("LS-88121")), 1)
