from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, ACME, SpsCase


@tagged("post_install", "-at_install")
class TestOrderOut(SpsCase):
    def test_confirmed_order_is_sent_right_away_as_a_valid_850(self):
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.backend.cron_id.id)])
        order = self.acme_order()
        new_triggers = (
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.backend.cron_id.id)]) - triggers
        )
        self.assertTrue(new_triggers, "confirming asks the connection's scheduled action to run at once")

        self.sim.configure(process_uploads_immediately=False)
        self.run_sps()
        line = self.lines("order_out")
        self.assertEqual(line.state, "done", line.error_message)
        path = f"in/PO{order.name}-1.json"
        self.assertEqual(line.target_key, path)
        files = self.files("in/")
        self.assertEqual(list(files), [path])
        self.assertEqual(
            files[path].decode(), line.sent_payload, "the audit line holds exactly what was sent"
        )
        doc = sim_rsx.parse(files[path])
        self.assertEqual(sim_rsx.validate(doc), [])
        head = doc["Header"]["OrderHeader"]
        self.assertEqual(
            (
                head["TradingPartnerId"],
                head["PurchaseOrderNumber"],
                head["TsetPurposeCode"],
                head["DocumentRevision"],
            ),
            (ACME, order.name, "00", "1"),
        )
        keys = ("LineSequenceNumber", "VendorPartNumber", "OrderQty", "OrderQtyUOM", "PurchasePrice")
        self.assertEqual(
            [tuple(item["OrderLine"][key] for key in keys) for item in doc["LineItem"]],
            [("1", "WID-100-BLU", 24, "EA", 4.75), ("2", "WID-200-RED", 5, "CA", 54)],
        )
        self.assertEqual(doc["LineItem"][1]["PhysicalDetails"][0]["PackValue"], 12)
        self.assertEqual(doc["Summary"], {"TotalAmount": 384, "TotalLineItemNumber": 2})
        self.assertEqual([a["AddressTypeCode"] for a in doc["Header"]["Address"]], ["ST", "BT"])

        [processed] = self.sim.process_inbound(ACCOUNT)
        self.assertEqual((processed["status"], processed["reasons"]), ("Accepted", []))
        self.assertEqual(order.sps_order_file, path)
        self.assertEqual(order.sps_ack_status, "awaiting")
        self.assertEqual(order.order_line.mapped("sps_line_number"), ["1", "2"])

        # nothing changed: nothing is sent again, by the schedule or by a replay
        self.run_sps()
        line.action_replay()
        self.assertEqual(line.state, "done")
        self.assertIn("Already sent", line.error_message or "")
        self.assertEqual(len(self.uploads()), 1)
        self.assertEqual(len(self.lines("order_out")), 1)

    def test_change_sends_a_replacement_and_cancel_a_cancellation(self):
        order = self.acme_order()
        self.run_sps()
        order.order_line.filtered(lambda line: line.product_id == self.blue).product_qty = 30
        self.run_sps()
        order.button_cancel()
        self.run_sps()
        lines = self.lines("order_out")
        self.assertEqual(lines.mapped("state"), ["done"] * 3, lines.mapped("error_message"))
        self.assertEqual(
            lines.mapped("target_key"),
            [f"in/PO{order.name}-1.json", f"in/PO{order.name}-2.json", f"in/PO{order.name}-3.json"],
        )
        purposes = [self.payload(line)["Header"]["OrderHeader"]["TsetPurposeCode"] for line in lines]
        self.assertEqual(purposes, ["00", "05", "01"])
        self.assertEqual([d["status"] for d in self.documents(doc_type="850")], ["Accepted"] * 3)
        [known] = [o for o in self.sim.state()["accounts"][ACCOUNT]["orders"] if o["po_number"] == order.name]
        self.assertEqual(known["status"], "cancelled")
        self.assertEqual(known["lines"][0]["qty"], 30, "the replacement reached the partner")

    def test_order_cancelled_before_sending_sends_nothing(self):
        order = self.acme_order()
        order.button_cancel()
        self.run_sps()
        self.assertEqual(self.uploads(), [])
        self.assertEqual(self.lines("order_out").state, "skipped")

    def test_lost_answer_to_an_upload_is_looked_up_not_resent(self):
        order = self.acme_order()
        self.sim.inject("lost", path="/transactions/v5/data/in/", method="POST")
        self.run_sps()
        line = self.lines("order_out")
        self.assertEqual((line.state, line.outcome_unknown), ("pending", True))
        self.assertEqual(len(self.documents(doc_type="850")), 1, "SPS got it although we could not know")
        line.next_attempt_at = False
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.uploads()), 1, "found in SPS's history, not uploaded again")
        self.assertEqual(self.sim.requests_to("/transactions/v5/history", "GET")[0]["fault"], None)
        self.assertEqual(order.sps_order_file, f"in/PO{order.name}-1.json")

    def test_lost_answer_then_a_change_sps_does_not_see_is_looked_up_not_resent(self):
        order = self.acme_order()
        self.sim.inject("lost", path="/transactions/v5/data/in/", method="POST")
        self.run_sps()
        self.assertTrue(self.lines("order_out").outcome_unknown)
        order.partner_ref = "ACME-CONFIRMATION-7"  # kept in Odoo, not in the 850
        self.run_sps()
        first, second = self.lines("order_out")
        self.assertEqual(first.state, "skipped", "superseded by the newer version of the order")
        self.assertEqual(second.state, "done", second.error_message)
        self.assertEqual(len(self.uploads()), 1, "found in SPS's history, not uploaded again")
        self.assertIn("earlier unanswered upload", second.response_payload)
        self.assertEqual(order.sps_order_file, f"in/PO{order.name}-1.json")

    def test_lost_answer_found_waiting_in_the_outbound_folder(self):
        self.sim.configure(process_uploads_immediately=False)
        self.acme_order()
        self.sim.inject("lost", path="/transactions/v5/data/in/", method="POST")
        self.run_sps()
        line = self.lines("order_out")
        line.next_attempt_at = False
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.uploads()), 1)
        self.assertEqual(len(self.files("in/")), 1)

    def test_lost_answer_not_in_history_waits_for_the_lag_then_resends_under_the_same_name(self):
        order = self.acme_order()
        # the upload never reaches SPS and its connection drops: the outcome is unknown to us
        self.sim.inject("reset", path="/transactions/v5/data/in/", method="POST")
        self.run_sps()
        line = self.lines("order_out")
        self.assertTrue(line.outcome_unknown)
        line.next_attempt_at = False
        self.run_sps()
        self.assertEqual(line.state, "pending", "the history may still be catching up: no second copy yet")
        self.assertIn("Cannot tell yet", line.error_message)
        self.backend.sps_history_lag = 0
        line.next_attempt_at = False
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        paths = {r["path"] for r in self.uploads()}
        self.assertEqual(paths, {f"/transactions/v5/data/in/PO{order.name}-1.json"}, "one file name only")
        self.assertEqual(len(self.documents(doc_type="850")), 1)

    def test_worker_stopped_between_upload_and_commit_does_not_send_twice(self):
        order = self.acme_order()
        self.run_sps()
        line = self.lines("order_out")
        self.assertEqual(len(self.uploads()), 1)
        # the database as it is when the worker died after the upload, before its commit: the
        # line in flight after one attempt, no outcome, no binding, nothing noted on the order
        self.env["ml.connector.binding"]._find(self.backend, "sps_order_out", record=order).unlink()
        order.write({"sps_order_file": False, "sps_ack_status": False})
        line.write(
            {"state": "pending", "in_flight": True, "attempts": 1, "target_key": False, "date_done": False}
        )
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.uploads()), 1, "found in SPS's history: not uploaded a second time")
        self.assertIn("interrupted", line.response_payload)
        self.assertEqual(order.sps_order_file, f"in/PO{order.name}-1.json")

    def test_order_that_cannot_be_built_fails_with_the_reason_and_sends_nothing(self):
        self.tp_acme.item_identifier = "upc"  # Acme wants UPCs; the red widget has none
        self.acme_order()
        self.run_sps()
        line = self.lines("order_out")
        self.assertEqual(line.state, "failed")
        self.assertIn("no upc (barcode)", line.error_message)
        self.assertIn("Widget 200, red", line.error_message)
        self.assertEqual(self.uploads(), [])

    def test_invalid_rsx_is_never_uploaded(self):
        self.case.sps_code = "CS2"  # a typo in the unit's SPS code: not an RSX 7.7 unit
        self.acme_order()
        self.run_sps()
        line = self.lines("order_out")
        self.assertEqual(line.state, "failed")
        self.assertIn("not valid RSX 7.7", line.error_message)
        self.assertIn("$.LineItem[1].OrderLine.OrderQtyUOM: 'CS2' is not an RSX 7.7 code", line.error_message)
        self.assertIn('"OrderQtyUOM": "CS2"', line.sent_payload, "the refused document stays on its line")
        self.assertEqual(self.uploads(), [])
        self.case.sps_code = "CA"
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.uploads()), 1)

    def test_orders_to_partners_without_sps_are_not_sent(self):
        other = self.env["res.partner"].create({"name": "Local Supplier", "is_company": True})
        self.make_po([(self.blue, 1, self.unit, 5.0)], partner=other)
        self.run_sps()
        self.assertFalse(self.lines("order_out"))
        self.assertEqual(self.uploads(), [])

    def test_test_folders(self):
        self.backend.sps_test_folders = True
        order = self.acme_order()
        self.run_sps()
        self.assertEqual(self.lines("order_out").target_key, f"testin/PO{order.name}-1.json")
        self.assertEqual(
            [d["path"] for d in self.documents(doc_type="850")], [f"testin/PO{order.name}-1.json"]
        )
