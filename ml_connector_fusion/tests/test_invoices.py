import json

from odoo.tests import tagged

from .common import FusionJaggaerCase

INVOICES_PATH = "/fscmRestApi/resources/11.13.18.05/invoices"
OCR_PATH = "/j1p/api/public/ji/v1/invoices/ocr"


@tagged("post_install", "-at_install")
class TestInvoicesIntoFusion(FusionJaggaerCase):
    """JAGGAER's payable invoices as Fusion payables invoices, never twice."""

    def setUp(self):
        super().setUp()
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out", "invoice_in")

    def test_lines_matched_to_the_order_or_distributed(self):
        self.cycle()
        (invoice,) = self.fusion_invoices("LS-88121")
        self.assertEqual(
            (invoice["Supplier"], invoice["SupplierSite"], invoice["BusinessUnit"], invoice["InvoiceAmount"]),
            ("Lab Supply Inc", "RALEIGH", "Vision Operations", 705),
        )
        self.assertTrue(invoice["InvoiceGroup"].startswith("JAGGAER-"))
        self.assertEqual(invoice["ValidationStatus"], "Validated")
        rotor, freight = invoice["invoiceLines"]
        self.assertEqual(
            (
                rotor["PurchaseOrderNumber"],
                rotor["PurchaseOrderLineNumber"],
                rotor["PurchaseOrderScheduleLineNumber"],
            ),
            ("1004124", 1, 1),
        )
        self.assertEqual((rotor["Quantity"], rotor["UnitPrice"], rotor["LineAmount"]), (2, 310, 620))
        self.assertEqual(freight["PurchaseOrderLineNumber"], 2)
        (helix,) = self.fusion_invoices("HX-1001")
        (line,) = helix["invoiceLines"]
        self.assertFalse(line.get("PurchaseOrderNumber"))
        (distribution,) = line["invoiceDistributions"]
        self.assertEqual(
            (distribution["DistributionCombination"], distribution["DistributionAmount"]),
            ("01-200-6100-0000-000", 240),
        )
        audit = self.line_of("invoice_in", "HX-1001")
        self.assertIn("Created in Fusion", audit.error_message)
        self.assertEqual(json.loads(audit.sent_payload)["InvoiceAmount"], "240.00")
        self.assertTrue(json.loads(audit.request_payload)["lineList"], "the detail read is kept")

    def test_an_invoice_already_in_fusion_is_linked_not_duplicated(self):
        self.sim.add_invoice(
            {"InvoiceNumber": "LS-88121", "Supplier": "Lab Supply Inc", "SupplierSite": "RALEIGH",
             "InvoiceAmount": "705.00", "InvoiceCurrency": "USD", "BusinessUnit": "Vision Operations",
             "invoiceLines": [{"LineNumber": 1, "LineAmount": "705.00",
                               "DistributionCombination": "01-100-6000-0000-000"}]}
        )  # fmt: skip
        self.cycle()
        self.assertEqual(len(self.fusion_invoices("LS-88121")), 1)
        line = self.line_of("invoice_in", "LS-88121")
        self.assertEqual(line.state, "done")
        self.assertIn("Found in Fusion by supplier and number, not created twice", line.error_message)
        posted = [r for r in self.sim.requests_to(INVOICES_PATH, "POST") if "action" not in r["path"]]
        self.assertEqual(len(posted), 1, "HX-1001 only")

    def test_a_lost_answer_after_the_create_is_found_not_duplicated(self):
        self.sim.inject("lost", path=INVOICES_PATH, method="POST", count=1)
        self.cycle()
        self.assertEqual(len(self.sim.faults.fired), 1)
        lost = self.line_of("invoice_in", "LS-88121")
        self.assertEqual(lost.state, "done", lost.error_message)
        self.assertIn("not created twice", lost.error_message)
        self.assertEqual(len(self.fusion_invoices("LS-88121")), 1)
        self.assertEqual(len(self.fusion_invoices("HX-1001")), 1)

    def test_a_supplier_fusion_does_not_have_yet_makes_the_invoice_wait(self):
        self.only_flows("gl", "supplier_out", "po_out", "invoice_in")
        self.cycle()
        line = self.line_of("invoice_in", "HX-1001")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("not linked to a Fusion supplier yet", line.error_message)
        self.flows["supplier_in"].active = True
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.fusion_invoices("HX-1001")), 1)

    def test_an_unmapped_value_makes_the_invoice_wait(self):
        self.cycle()
        self.jaggaer_sim.seed(
            {"gl_values": [{"internalName": "CostCenter", "value": "CC-400", "description": "Warehouse"}]}
        )
        self.sim.add_account_combination(
            ChartOfAccountsId=101,
            Segment1="01",
            Segment2="400",
            Segment3="6100",
            Segment4="0000",
            Segment5="000",
        )
        for number, account, centre in (("HX-1002", "610000", "CC-400"), ("HX-1003", "769900", "CC-200")):
            self.jaggaer_sim.add_invoice(
                supplier_number="HLX-01",
                supplier_invoice_number=number,
                lines=[{"description": "Storage", "quantity": 1, "unit_price": 90.0, "account": account,
                        "cost_center": centre}],
            )  # fmt: skip
        self.cycle()
        waiting = self.line_of("invoice_in", "HX-1002")
        self.assertEqual(waiting.state, "needs_review")
        self.assertIn(
            "CostCenter 'CC-400' of JAGGAER for Fusion has no counterpart in Fusion test",
            waiting.error_message,
        )
        mapping = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", self.jaggaer.id), ("external_value", "=", "CC-400")]
        )
        mapping.other_value = "400"
        self.cycle()
        waiting.invalidate_recordset()
        self.assertEqual(waiting.state, "done", waiting.error_message)
        (invoice,) = self.fusion_invoices("HX-1002")
        distribution = invoice["invoiceLines"][0]["invoiceDistributions"][0]
        self.assertEqual(distribution["DistributionCombination"], "01-400-6100-0000-000")
        # 7699 has one combination, disabled: refused with the reason
        refused = self.line_of("invoice_in", "HX-1003")
        self.assertEqual(refused.state, "failed")
        self.assertIn(
            "no enabled account combination with account 7699 and cost centre 200", refused.error_message
        )
        self.assertFalse(self.fusion_invoices("HX-1003"))


@tagged("post_install", "-at_install")
class TestInvoiceHeadersIntoJaggaer(FusionJaggaerCase):
    """Fusion's invoices imported into JAGGAER (OCR import), and no loop between the two flows."""

    def setUp(self):
        super().setUp()
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out", "invoice_in", "invoice_out")

    def jaggaer_invoices(self, number):
        return [
            i for i in self.jaggaer_sim.invoices.values() if i["header"]["supplierInvoiceNumber"] == number
        ]

    def test_imported_once_with_lines_and_coding(self):
        self.cycle()
        (ls,) = self.jaggaer_invoices("LS-88120")
        self.assertEqual(ls["header"]["supplier"]["supplierNumber"], "1252")
        self.assertEqual(ls["header"]["total"]["value"], 305)
        self.assertEqual([line["poNumber"] for line in ls["lineList"]["invoiceLine"]], ["1004123", "1004123"])
        (unmatched,) = self.jaggaer_invoices("AND_Unmatched_Invoice")
        self.assertIn("600000", json.dumps(unmatched["lineList"]))
        self.assertIn("CC-100", json.dumps(unmatched["lineList"]))
        (freight,) = self.jaggaer_invoices("PF-2024-0091")
        self.assertEqual(freight["header"]["total"]["value"], 85)
        # the invoices that came from JAGGAER are not sent back, and nothing goes twice
        self.assertEqual(len(self.jaggaer_invoices("LS-88121")), 1)
        self.assertEqual(len(self.jaggaer_invoices("HX-1001")), 1)
        count = len(self.jaggaer_sim.requests_to(OCR_PATH, "POST"))
        self.assertEqual(count, 3)
        ls_id = ls["header"]["invoiceId"]
        self.jaggaer_sim.set_invoice_status(ls_id, workflowStatus="Completed", matchStatus="Matched")
        self.jaggaer_sim.set_invoice_status(ls_id, paymentStatus="Payable")
        self.cycle()
        back = self.lines("invoice_in").filtered(lambda line: line.source_key == str(ls_id)).sorted("id")[-1]
        self.assertEqual(back.state, "skipped")
        self.assertIn("Came from Fusion", back.error_message)
        self.assertEqual(len(self.fusion_invoices("LS-88120")), 1)
        self.assertEqual(len(self.jaggaer_sim.requests_to(OCR_PATH, "POST")), count)

    def test_a_lost_import_answer_is_found_not_imported_twice(self):
        self.jaggaer_sim.inject("lost", path=OCR_PATH, method="POST", count=1)
        self.cycle()
        line = self.lines("invoice_out").filtered("outcome_unknown")
        self.assertEqual(line.state, "pending", line.error_message)
        self.force_due()
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("Found in JAGGAER after an unanswered import", line.error_message)
        for number in ("LS-88120", "AND_Unmatched_Invoice", "PF-2024-0091"):
            self.assertEqual(len(self.jaggaer_invoices(number)), 1, number)
