import time
from datetime import timedelta
from urllib.parse import parse_qs

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.ml_connector_jaggaer.tools.client import iso_ms, parse_stamp

from .common import LAB_SUPPLY, JaggaerCase

# how Odoo's cron runner marks a job as running (ir.cron._acquire_one_job)
RUNNER_LOCK = "SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED"


@tagged("post_install", "-at_install")
class TestResilience(JaggaerCase):
    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.invoice_path = self.sim.paths["invoices"]

    def add_invoices(self, count, po_number="PO-DEMO-0001", last_update=None):
        return [
            self.sim.add_invoice(
                "006105", f"LS-R{i}", [self.sim_line(po_number, "1", 1, 12.5)], last_update=last_update
            )["header"]["invoiceId"]
            for i in range(count)
        ]

    def bills(self):
        return self.env["account.move"].search([("move_type", "=", "in_invoice")])

    def test_token_expiring_mid_run_is_renewed_once(self):
        self.demo_po_1()
        self.cycle()
        self.add_invoices(5)
        self.sim.configure(page_size=2)
        issued = self.sim.state()["tokens_issued"]

        def expire_after_first_page(resource, start, returned):
            if resource == "invoices" and start == 1:
                self.sim.expire_tokens()

        self.sim.between_pages = expire_after_first_page
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.sim.state()["tokens_issued"], issued + 1, "one renewal")
        self.assertEqual(len(self.bills()), 5)
        self.assertEqual(self.backend.state, "active")

    def test_429_burst_is_waited_out_without_a_new_token(self):
        self.only_flows("supplier_in")
        self.sim.inject(
            "status", status=429, retry_after="1", count=2, path=self.sim.paths["suppliers"], method="GET"
        )
        started = time.monotonic()
        run = self.cycle()
        self.assertGreaterEqual(time.monotonic() - started, 2.0, "Retry-After honoured twice")
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.sim.state()["tokens_issued"], 1, "a 429 is not a token problem")
        self.assertEqual(len(self.sim.faults.fired), 2)
        self.assertEqual(self.lines("supplier_in").state, "done")

    def test_server_error_on_a_list_keeps_the_mark_and_the_next_run_recovers(self):
        self.demo_po_1()
        self.cycle()
        mark = self.flows["invoice_in"].cursor
        self.add_invoices(2)
        self.sim.inject("status", status=500, count=10, path=self.invoice_path, method="GET")
        run = self.cycle()
        self.assertEqual(run.state, "partial")
        self.assertIn("Invoices: JAGGAER → Odoo vendor bills", run.error_message)
        self.assertIn("500", run.error_message)
        self.assertEqual(self.flows["invoice_in"].cursor, mark, "high-water mark unchanged")
        self.assertTrue(self.flows["invoice_in"].last_error)
        self.assertFalse(self.bills())
        self.sim.faults.reset()
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(len(self.bills()), 2)
        self.assertTrue(self.flows["invoice_in"].cursor)
        self.assertFalse(self.flows["invoice_in"].last_error)

    def test_a_listing_that_changes_while_paging_keeps_the_mark(self):
        self.demo_po_1()
        self.cycle()
        # changed long ago: far behind any overlap window, so one that slips past is lost
        # for good unless the mark stays
        ids = self.add_invoices(5, last_update="2024-05-01T08:00:00.000Z")
        self.sim.configure(page_size=2)
        mark = self.flows["invoice_in"].cursor

        def touch_first(resource, start, returned):
            if resource == "invoices" and start == 1:
                self.sim.clock.advance(1)
                self.sim.set_invoice_status(ids[1], paymentStatus="Paid")  # jumps to the end of the order

        self.sim.between_pages = touch_first
        run = self.cycle()
        self.assertIn("the high-water mark stays", run.log)
        self.assertEqual(self.flows["invoice_in"].cursor, mark)
        self.sim.between_pages = None
        self.cycle()
        self.assertEqual(len(self.bills()), 5, "the one that slipped past is read next run")
        self.assertNotEqual(self.flows["invoice_in"].cursor, mark)

    def test_an_idle_poll_reads_from_the_mark_once_the_overlap_window_passed(self):
        self.demo_po_1()
        self.cycle()
        self.add_invoices(2)
        self.cycle()
        self.assertEqual(len(self.bills()), 2)
        flow = self.flows["invoice_in"]
        mark = flow.cursor["since"]
        self.assertFalse(flow.cursor.get("settled"), "JAGGAER's clock is not past the window yet")

        def invoice_filters():
            return [
                parse_qs(entry["query"])["flt"][0]
                for entry in self.sim.requests_to(self.invoice_path, "GET")
                if entry["path"] == self.invoice_path
            ]

        mark_text = iso_ms(parse_stamp(mark))

        # within the window: read again from the mark minus the overlap
        self.sim.request_log.clear()
        self.cycle()
        (flt,) = invoice_filters()
        self.assertIn(iso_ms(parse_stamp(mark) - timedelta(seconds=flow.overlap_seconds)), flt)
        # JAGGAER's clock (its Date header) passes the window: one more read of it settles the mark
        self.sim.clock.advance(flow.overlap_seconds + 1)
        self.cycle()
        self.assertTrue(flow.cursor.get("settled"))
        self.assertEqual(flow.cursor["since"], mark)
        # from then on a poll with nothing new reads from the mark itself: one request
        self.sim.request_log.clear()
        self.cycle()
        (flt,) = invoice_filters()
        self.assertIn(mark_text, flt)
        # what changes later is read as usual, and the window below the new mark settles again
        self.sim.clock.advance(1)
        self.sim.add_invoice("006105", "LS-LATER", [self.sim_line("PO-DEMO-0001", "1", 1, 12.5)])
        self.cycle()
        self.assertEqual(len(self.bills()), 3)
        self.assertGreater(flow.cursor["since"], mark)
        self.assertFalse(flow.cursor.get("settled"))

    def test_business_error_on_a_list_is_reported_with_jaggaer_message(self):
        self.only_flows("invoice_in")
        self.backend.jaggaer_filter_invoices = "colour>={since}"
        self.flows["invoice_in"].cursor = {"since": "2024-01-01 00:00:00"}
        run = self.cycle()
        self.assertIn("refused the invoice list", run.error_message)
        self.assertIn("Unknown filter field 'colour'", run.error_message)
        self.assertIn("returnCode -100", run.error_message)

    def test_refused_credentials_pause_the_connection(self):
        self.sim.clients["demo-client"] = "rotated"
        run = self.cycle()
        self.assertEqual(run.state, "failed")
        self.assertEqual(self.backend.state, "paused")
        self.assertIn("invalid_client", self.backend.paused_reason)
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")

    def test_flows_and_odoo_procurement_scheduler_never_run_together(self):
        scheduler = self.env.ref("stock.ir_cron_scheduler_action")
        po = self.demo_po_1()
        # Odoo's cron runner marks the scheduler as running: a lock on its row, from its own connection
        runner = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            runner.execute(RUNNER_LOCK, [scheduler.id])
            self.assertTrue(runner.fetchall())
            run = self.cycle()
            self.assertFalse(po.jaggaer_po_id, "nothing written while the scheduler runs")
            self.assertIn("Odoo's Procurement: run scheduler is running on the same records", run.log)
        finally:
            runner.close()
        self.cycle()
        self.assertTrue(po.jaggaer_po_id, "sent once the scheduler is done")
        # while flows run, the runner skips the scheduler (flows of two connections together)
        Backend = self.env["ml.connector.backend"]
        held = Backend._hold_odoo_crons() + Backend._hold_odoo_crons()
        runner = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            self.assertEqual(len(held), 2)
            runner.execute(RUNNER_LOCK, [scheduler.id])
            self.assertFalse(runner.fetchall(), "the runner skips the scheduler for now")
        finally:
            for cursor in held:
                cursor.close()
            runner.close()
