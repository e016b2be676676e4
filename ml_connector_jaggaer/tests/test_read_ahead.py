"""Invoice details read ahead: in parallel (bounded), each answer or error kept for its invoice."""

from odoo.tests import tagged

from odoo.addons.ml_connector.tools.ahead import READ_AHEAD_WORKERS

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestReadAhead(JaggaerCase):
    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.po = self.demo_po_1()
        self.cycle()  # supplier linked, GL values mapped, the PO in JAGGAER
        self.only_flows("invoice_in")

    def add_invoices(self, count):
        return [
            self.sim.add_invoice("006105", f"LS-RA{i}", [self.sim_line("PO-DEMO-0001", "1", 1, 12.5)])[
                "header"
            ]["invoiceId"]
            for i in range(count)
        ]

    def detail_requests(self):
        return self.sim.requests_to(self.sim.paths["invoices"] + "/", "GET")

    def bills(self):
        return self.env["account.move"].search([("move_type", "=", "in_invoice"), ("ref", "like", "LS-RA")])

    def test_details_are_read_in_parallel_a_few_at_a_time(self):
        invoice_ids = self.add_invoices(8)
        # a slow remote: answers that take a while overlap when read ahead
        self.sim.inject("delay", delay=0.3, path=self.sim.paths["invoices"] + "/", method="GET", count=8)
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        details = self.detail_requests()
        self.assertEqual(len(details), 8, "one detail request per invoice")
        most = max(request["concurrent"] for request in details)
        self.assertGreater(most, 1, "details are read while others are on their way")
        self.assertLessEqual(most, READ_AHEAD_WORKERS, "never more at once than the read-ahead's workers")
        self.assertEqual(len(self.bills()), 8)
        for invoice_id in invoice_ids:
            line = self.lines("invoice_in", source_key=str(invoice_id))
            self.assertEqual(line.state, "done", line.error_message)
            self.assertIn('"lineList"', line.request_payload, "the detail read ahead is kept on its line")
        self.assertEqual(self.po.order_line[0].qty_invoiced, 8)

    def test_a_token_revoked_while_reading_ahead_is_renewed_once(self):
        self.add_invoices(4)
        issued = self.sim.state()["tokens_issued"]

        def revoke_after_the_list(resource, start, returned):
            if resource == "invoices":
                self.sim.expire_tokens()

        self.sim.between_pages = revoke_after_the_list
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.sim.state()["tokens_issued"], issued + 1, "one renewal, by the run itself")
        refused = [request for request in self.detail_requests() if request["status"] == 401]
        self.assertTrue(refused, "the details read ahead met the revoked token")
        self.assertEqual(len(self.bills()), 4)
        self.assertEqual(self.backend.state, "active")
