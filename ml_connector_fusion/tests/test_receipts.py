import json

from odoo.tests import tagged

from .common import FusionJaggaerCase

RECEIPTS_PATH = "/fscmRestApi/resources/11.13.18.05/receivingReceiptRequests"


@tagged("post_install", "-at_install")
class TestReceipts(FusionJaggaerCase):
    """JAGGAER's received quantities as Fusion receipt requests, processed later by Fusion."""

    def setUp(self):
        super().setUp()
        self.sim.configure(receipt_processing_delay=None)  # processed only when the test says so
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out", "receipt")

    def received(self, number, line=1):
        return sum(s["QuantityReceived"] for s in self.sim.find_po(number)["lines"][line - 1]["schedules"])

    def requests(self):
        return list(self.sim.data["receivingReceiptRequests"].values())

    def test_the_line_waits_for_fusion_and_shows_the_outcome(self):
        self.cycle()
        line = self.line_of("receipt", "1004123")
        self.assertEqual((line.state, line.attempts), ("pending", 0), "a wait is no attempt")
        self.assertIn("is PENDING in Fusion: waiting", line.error_message)
        self.assertTrue(line.next_attempt_at)
        sent = json.loads(line.sent_payload)
        self.assertEqual(sent["lines"][0]["Quantity"], "10")
        self.assertEqual(sent["lines"][0]["DocumentNumber"], "1004123")
        self.assertEqual(json.loads(line.response_payload)["ProcessingStatusCode"], "PENDING")
        self.force_due()
        self.cycle()
        self.assertEqual(line.state, "pending", "still waiting: Fusion has not processed it")
        self.assertEqual(len(self.requests()), 1, "looked up, not sent again")
        self.sim.process_receipts()
        self.force_due()
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("receipt 5001", line.error_message)
        self.assertEqual(self.received("1004123"), 10)

    def test_more_received_later_is_received_once(self):
        self.cycle()
        self.jaggaer_sim.receive("1004123", {"1": 3})  # 13 now, while 10 are still being processed
        self.cycle()
        lines = self.lines("receipt")
        self.assertEqual(len(lines), 2)
        newest = lines.sorted("id")[-1]
        self.assertIn("still processing receipt request", newest.error_message)
        self.sim.process_receipts()
        self.force_due()
        self.cycle()
        self.sim.process_receipts()
        self.force_due()
        self.cycle()
        newest.invalidate_recordset()
        self.assertEqual(newest.state, "done", newest.error_message)
        self.assertEqual(self.received("1004123"), 13, "10 then 3, never 23")
        self.assertEqual([r["lines"][0]["Quantity"] for r in self.requests()], [10, 3])

    def test_a_request_fusion_refuses_fails_with_its_errors(self):
        header_id = self.sim.find_po("1004123")["POHeaderId"]
        self.sim.touch("purchaseOrders", header_id, DocumentStatusCode="CLOSED FOR RECEIVING")
        self.cycle()
        self.sim.process_receipts()
        self.force_due()
        self.cycle()
        line = self.line_of("receipt", "1004123")
        self.assertEqual((line.state, line.error_kind), ("failed", "permanent"))
        self.assertIn("Fusion refused receipt request", line.error_message)
        self.assertIn("is not open for receiving", line.error_message)
        self.assertIn("processingErrors", line.response_payload)
        self.assertEqual(self.received("1004123"), 0)

    def test_an_unanswered_request_is_found_not_sent_twice(self):
        self.sim.configure(receipt_processing_delay=0)
        self.sim.inject("lost", path=RECEIPTS_PATH, method="POST", count=1)
        self.cycle()
        line = self.line_of("receipt", "1004123")
        self.assertEqual((line.state, line.outcome_unknown), ("pending", True))
        self.force_due()
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.requests()), 1)
        self.assertEqual(self.received("1004123"), 10)

    def test_replay_of_a_done_receipt_receives_nothing_more(self):
        self.sim.configure(receipt_processing_delay=0)
        self.cycle()
        line = self.line_of("receipt", "1004123")
        self.assertEqual(line.state, "done", line.error_message)
        line.action_replay()
        self.assertEqual(line.state, "skipped")
        self.assertIn("already received all of it", line.error_message)
        self.assertEqual(self.received("1004123"), 10)
        self.assertEqual(len(self.requests()), 1)

    def test_orders_that_did_not_come_from_fusion_are_skipped(self):
        self.jaggaer_sim.seed(
            {
                "purchase_orders": [
                    {"poNumber": "J-ONLY-1", "status": "Partially Received",
                     "supplier": {"supplierNumber": "1252"},
                     "lineList": {"poLine": [{"quantity": 3, "quantityReceived": 1,
                                              "unitPrice": {"value": 1}}]}}
                ]
            }
        )  # fmt: skip
        self.cycle()
        self.assertEqual(self.line_of("receipt", "J-ONLY-1").state, "skipped")
        self.assertIn("did not come from Fusion", self.line_of("receipt", "J-ONLY-1").error_message)
