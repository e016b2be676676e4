import copy

from odoo.tests import tagged

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestInvoices(JaggaerCase):
    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.po1, self.po2 = self.demo_po_1(), self.demo_po_2()
        self.cycle()  # supplier linked, GL values mapped, POs in JAGGAER
        self.assertEqual(self.po1.jaggaer_status, "Approved")

    def add_invoice(self, number, lines, **kw):
        return self.sim.add_invoice("006105", number, lines, **kw)["header"]["invoiceId"]

    def bills(self, number=None):
        domain = [("move_type", "in", ("in_invoice", "in_refund")), ("partner_id", "=", self.lab_supply.id)]
        if number:
            domain.append(("ref", "=", number))
        return self.env["account.move"].search(domain)

    def line_of(self, invoice_id):
        return self.lines("invoice_in", source_key=str(invoice_id))

    def seed_copy(self, invoice_id, new_id, **header):
        invoice = copy.deepcopy(self.sim.get_invoice(invoice_id))
        invoice["header"].update(invoiceId=new_id, invoiceNumber=f"I{new_id}", **header)
        invoice["header"].pop("lastUpdate")
        self.sim.seed({"invoices": [invoice]})
        return invoice

    def test_payable_invoices_become_draft_bills_linked_to_po_lines(self):
        first = self.add_invoice(
            "LS-88120",
            [
                {**self.sim_line("PO-DEMO-0001", "1", 10, 12.5), "taxable": True},
                self.sim_line("PO-DEMO-0001", "2", 4, 45.0),
            ],
            tax=12.5,  # 10% of the gloves, the supplier's own figure
        )
        second = self.add_invoice(
            "LS-88121",
            [
                self.sim_line("PO-DEMO-0002", "1", 2, 310.0, account="600000", cost_center="CC-100"),
                self.sim_line("PO-DEMO-0002", "2", 1, 85.0, account="620000", cost_center="CC-100"),
            ],
        )
        pending = self.add_invoice(
            "LS-88122",
            [self.sim_line("PO-DEMO-0001", "1", 5, 12.5)],
            workflow_status="Pending",
            match_status="Unmatched",
            payment_status="InProcess",
        )
        self.cycle()
        bill = self.bills("LS-88120")
        self.assertEqual(len(bill), 1)
        self.assertEqual((bill.move_type, bill.state, bill.currency_id), ("in_invoice", "draft", self.usd))
        self.assertEqual(bill.jaggaer_invoice_id, str(first))
        self.assertEqual(bill.jaggaer_invoice_number, self.sim.get_invoice(first)["header"]["invoiceNumber"])
        gloves_line, tips_line = bill.invoice_line_ids.sorted("id")
        self.assertEqual(gloves_line.purchase_line_id, self.po1.order_line[0])
        self.assertEqual(tips_line.purchase_line_id, self.po1.order_line[1])
        self.assertEqual((gloves_line.quantity, gloves_line.price_unit), (10, 12.5))
        self.assertEqual(gloves_line.account_id, self.acc_lab)
        self.assertEqual(gloves_line.analytic_distribution, {str(self.cc_lab.id): 100.0})
        self.assertEqual(gloves_line.tax_ids, self.tax, "the PO line's taxes")
        self.assertEqual((bill.amount_untaxed, bill.amount_tax, bill.amount_total), (305.0, 12.5, 317.5))
        self.assertEqual(self.po1.order_line[0].qty_invoiced, 10)
        self.assertIn(bill, self.po1.invoice_ids, "three-way matching sees the bill")
        self.assertEqual(bill.invoice_origin, "PO-DEMO-0001")
        created_from = bill.message_ids.filtered(lambda m: "created from" in str(m.body))
        self.assertEqual(len(created_from), 1, "the purchase module's note, logged with the batch")
        self.assertIn("PO-DEMO-0001", str(created_from.body))
        self.assertEqual(created_from.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(created_from.author_id, self.backend.user_id.partner_id)
        due = self.sim.get_invoice(first)["header"]["dueDate"][:10]
        self.assertEqual(str(bill.invoice_date_due), due, "JAGGAER's due date (its Net 30 is not mapped)")
        freight_line = self.bills("LS-88121").invoice_line_ids.filtered(lambda line: line.price_unit == 85.0)
        self.assertEqual(freight_line.account_id, self.acc_freight, "JAGGAER 620000 through the mapping")
        self.assertEqual(freight_line.purchase_line_id, self.po2.order_line[1])
        audit = self.line_of(first)
        self.assertEqual(audit.res_id, bill.id)
        self.assertIn('"lineList"', audit.request_payload, "the detail read is kept on the line")
        self.assertEqual(self.line_of(second).state, "done")

        waiting = self.line_of(pending)
        self.assertEqual(waiting.state, "skipped")
        self.assertIn(
            "Not imported yet: workflowStatus Pending, paymentStatus InProcess", waiting.error_message
        )
        self.assertFalse(self.bills("LS-88122"))
        self.sim.clock.advance(1)
        self.sim.set_invoice_status(pending, workflowStatus="Completed", matchStatus="Matched")
        self.sim.set_invoice_status(pending, paymentStatus="Payable")
        self.cycle()
        self.assertEqual(len(self.bills("LS-88122")), 1)
        self.assertEqual(self.po1.order_line[0].qty_invoiced, 15)

        # nothing new: nothing more, and a replay never duplicates
        count = len(self.bills())
        self.cycle()
        audit.action_replay()
        self.assertEqual(audit.state, "done")
        self.assertEqual(len(self.bills()), count)

    def test_odoo_owns_the_payment_terms_of_its_bills(self):
        immediate = self.env.ref("account.account_payment_term_immediate")
        self.lab_supply.with_company(self.company).property_supplier_payment_term_id = immediate
        invoice_id = self.add_invoice(
            "LS-TERMS", [self.sim_line("PO-DEMO-0001", "1", 2, 12.5)], terms_days=45
        )
        self.cycle()
        line = self.line_of(invoice_id)
        bill = self.bills("LS-TERMS")
        self.assertEqual(bill.invoice_payment_term_id, immediate, "the vendor's terms, kept by Odoo")
        self.assertIn(
            "Payment terms: Odoo keeps the vendor's (Immediate Payment); the invoice says Net 45",
            line.error_message,
        )
        conflict = self.env["ml.connector.conflict"].search([("document", "=", "LS-TERMS")])
        self.assertEqual(
            (conflict.field_name, conflict.kept_by, conflict.other_value), ("payment_terms", "Odoo", "Net 45")
        )
        # handed to JAGGAER: the invoice's terms apply again (its due date, no term mapped)
        flow = self.flows["invoice_in"]
        flow.ownership_ids.filtered(lambda o: o.field_group == "payment_terms").winner = "source"
        bill.unlink()
        line.action_replay()
        self.assertFalse(self.bills("LS-TERMS").invoice_payment_term_id)

    def test_same_supplier_invoice_number_never_gives_a_second_bill(self):
        original = self.add_invoice("LS-90001", [self.sim_line("PO-DEMO-0001", "1", 3, 12.5)])
        self.cycle()
        self.seed_copy(original, 5300001)  # the same invoice keyed twice in JAGGAER
        self.cycle()
        self.assertEqual(len(self.bills("LS-90001")), 1)
        duplicate = self.line_of(5300001)
        self.assertEqual(duplicate.state, "skipped")
        self.assertIn("already has supplier invoice number LS-90001", duplicate.error_message)
        duplicate.action_replay()
        self.assertEqual(len(self.bills("LS-90001")), 1)
        self.assertEqual(self.po1.order_line[0].qty_invoiced, 3)

    def test_a_deleted_draft_bill_comes_back_on_replay(self):
        invoice_id = self.add_invoice("LS-DEL", [self.sim_line("PO-DEMO-0001", "1", 15, 12.5)])
        self.cycle()
        self.bills("LS-DEL").unlink()  # AP deleted the draft by mistake
        line = self.line_of(invoice_id)
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.bills("LS-DEL").invoice_line_ids.quantity, 15)

    def test_unknown_supplier_waits_for_a_decision(self):
        self.flows["supplier_in"].active = False  # the supplier flow would create the vendor
        self.sim.seed({"suppliers": [{"bravoId": 3999, "companyName": "Orbital Optics", "extCode": "777"}]})
        orbital = self.env["res.partner"].create({"name": "Orbital Optical Instruments", "supplier_rank": 1})
        invoice_id = self.sim.add_invoice(
            "777", "OO-1", [{"quantity": 2, "unit_price": 40.0, "account": "600000", "description": "Lens"}]
        )["header"]["invoiceId"]
        self.cycle()
        line = self.line_of(invoice_id)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("Orbital Optics", line.error_message)
        self.assertIn("no Odoo vendor is linked to it or matches it", line.error_message)
        review = self.env["ml.connector.review"].search([("external_id", "=", "3999")])
        review.chosen_ref = f"res.partner,{orbital.id}"
        result = review.action_approve()
        self.assertEqual(line.state, "done", "the decision processes the waiting document at once")
        self.assertIn("Done: ", result["params"]["message"])
        self.assertEqual(line.attempt_ids[:1].trigger, "review")
        bill = self.env["account.move"].browse(line.res_id)
        self.assertEqual((bill.partner_id, bill.ref, bill.amount_untaxed), (orbital, "OO-1", 80.0))
        self.assertFalse(bill.invoice_line_ids.purchase_line_id, "a non-PO invoice")
        self.assertEqual(bill.invoice_line_ids.account_id, self.acc_expenses)

    def test_malformed_invoices_fail_clearly_and_the_rest_goes_on(self):
        good = self.add_invoice("LS-GOOD", [self.sim_line("PO-DEMO-0001", "1", 1, 12.5)])
        no_lines = self.seed_copy(good, 5300010, supplierInvoiceNumber="LS-NOLINES")
        no_lines["lineList"] = {"invoiceLine": []}
        self.sim.invoices[5300010]["lineList"] = {"invoiceLine": []}
        self.seed_copy(good, 5300011, supplierInvoiceNumber="LS-TEN")
        self.sim.invoices[5300011]["lineList"]["invoiceLine"][0]["quantity"] = "ten"
        self.seed_copy(good, 5300012, supplierInvoiceNumber="LS-GARBLED")
        self.sim.inject("invalid", path=f"{self.sim.paths['invoices']}/5300012", method="GET")
        run = self.cycle()
        self.assertEqual(self.line_of(good).state, "done")
        self.assertEqual(len(self.bills("LS-GOOD")), 1)
        expectations = {
            5300010: "has no lines (lineList.invoiceLine is missing or empty)",
            5300011: "quantity is not a number: 'ten'",
            5300012: "detail of invoice 5300012 is unreadable",
        }
        for invoice_id, message in expectations.items():
            line = self.line_of(invoice_id)
            self.assertEqual((line.state, line.error_kind), ("failed", "permanent"), line.error_message)
            self.assertIn(message, line.error_message)
        self.assertIn('"invoiceLine": []', self.line_of(5300010).request_payload, "what was read is kept")
        self.assertEqual(run.failed_count, 3)
        self.assertFalse(self.bills("LS-NOLINES") | self.bills("LS-TEN") | self.bills("LS-GARBLED"))
        # the unreadable answer was a glitch: a replay reads it again
        garbled = self.line_of(5300012)
        garbled.action_replay()
        self.assertEqual(garbled.state, "done", garbled.error_message)
        self.assertEqual(len(self.bills("LS-GARBLED")), 1)

    def test_quantity_or_price_above_the_po_is_refused_until_fixed(self):
        too_many = self.add_invoice("LS-MANY", [self.sim_line("PO-DEMO-0001", "1", 16, 12.5)])
        too_dear = self.add_invoice("LS-DEAR", [self.sim_line("PO-DEMO-0001", "2", 4, 49.5)])
        unknown_po = self.add_invoice("LS-NOPO", [self.sim_line("PO-ELSEWHERE-9", "1", 1, 12.5)])
        self.cycle()
        many = self.line_of(too_many)
        self.assertEqual(many.state, "failed")
        self.assertIn("Quantity above the purchase order", many.error_message)
        self.assertIn("15 ordered, 0 already billed", many.error_message)
        dear = self.line_of(too_dear)
        self.assertIn("Amount above the purchase order", dear.error_message)
        self.assertIn("charges $\xa049.50 per unit", dear.error_message)
        self.assertIn(
            "refers to purchase order PO-ELSEWHERE-9, which", self.line_of(unknown_po).error_message
        )
        self.assertFalse(self.bills())
        # the buyer raises the order and accepts 10% on price: replays go through
        self.po1.order_line[0].product_qty = 16
        self.backend.price_tolerance = 10
        (many | dear).action_replay()
        self.cycle()
        self.assertEqual((many.state, dear.state), ("done", "done"))
        self.assertEqual(len(self.bills()), 2)

    def test_replay_after_fixing_a_gl_mapping(self):
        self.sim.seed_gl_value("Account", "699999", "Miscellaneous")
        invoice_id = self.add_invoice(
            "LS-MISC", [self.sim_line("PO-DEMO-0002", "1", 1, 310.0, account="699999", cost_center="CC-100")]
        )
        self.cycle()
        line = self.line_of(invoice_id)
        self.assertEqual(line.state, "needs_review")
        self.assertEqual(line.blocking_key, "mapping:Account:699999")
        self.assertIn("No Odoo record is mapped to Account '699999'", line.error_message)
        self.assertIn('"lineList"', line.request_payload)
        mapping = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", self.backend.id), ("external_value", "=", "699999")]
        )
        self.assertFalse(mapping.record_ref, "listed for the admin")
        mapping.record_ref = f"account.account,{self.acc_expenses.id}"
        self.assertEqual(line.state, "pending", "released by the mapping")
        requests = len(self.sim.requests_to(f"{self.sim.paths['invoices']}/{invoice_id}"))
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        bill = self.bills("LS-MISC")
        self.assertEqual(bill.invoice_line_ids.account_id, self.acc_expenses)
        self.assertEqual(
            len(self.sim.requests_to(f"{self.sim.paths['invoices']}/{invoice_id}")),
            requests,
            "the stored detail is reused, not read again",
        )

    def test_credit_memo_becomes_a_refund_on_the_po_line(self):
        self.add_invoice("LS-INV", [self.sim_line("PO-DEMO-0001", "1", 10, 12.5)])
        self.cycle()
        self.add_invoice("LS-CRED", [self.sim_line("PO-DEMO-0001", "1", 2, 12.5)], invoice_type="Credit memo")
        self.add_invoice(
            "LS-CRED2", [self.sim_line("PO-DEMO-0001", "2", 1, 45.0)], invoice_type="Credit memo"
        )
        self.cycle()
        refund = self.bills("LS-CRED")
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.invoice_line_ids.purchase_line_id, self.po1.order_line[0])
        self.assertEqual(self.po1.order_line[0].qty_invoiced, 8)
        line = self.lines("invoice_in", document_key="LS-CRED2")
        # nothing billed on line 2: it waits for an invoice that may come later, a bounded time
        self.assertEqual((line.state, line.error_kind), ("pending", "transient"))
        self.assertIn("it waits for the invoice it credits", line.error_message)
        for _attempt in range(self.backend.record_max_attempts - 1):
            line.next_attempt_at = False
            self.cycle()
        self.assertEqual(line.state, "failed")
        self.assertIn("more than the 0 billed", line.error_message)
        self.assertFalse(self.bills("LS-CRED2"))

    def test_a_credit_note_listed_before_its_invoice_waits_for_it(self):
        # another faithful server lists newest first: the credit note comes before its invoice
        self.sim.configure(list_order="newest_first")
        self.add_invoice("LS-FIRST", [self.sim_line("PO-DEMO-0001", "1", 10, 12.5)])
        self.sim.clock.advance(1)
        self.add_invoice(
            "LS-CRED-EARLY", [self.sim_line("PO-DEMO-0001", "1", 4, 12.5)], invoice_type="Credit memo"
        )
        run = self.cycle()
        credit = self.lines("invoice_in", document_key="LS-CRED-EARLY")
        invoice = self.lines("invoice_in", document_key="LS-FIRST")
        self.assertLess(credit.id, invoice.id, "collected first")
        self.assertEqual((invoice.state, credit.state), ("done", "done"), credit.error_message)
        self.assertEqual((credit.attempts, run.failed_count), (1, 0))
        self.assertEqual(self.bills("LS-CRED-EARLY").move_type, "in_refund")
        self.assertEqual(self.po1.order_line[0].qty_invoiced, 6)

    def test_payment_terms_come_through_a_mapping_or_the_due_date(self):
        net45 = self.env["account.payment.term"].create(
            {
                "name": "45 days",
                "line_ids": [(0, 0, {"value": "percent", "value_amount": 100, "nb_days": 45})],
            }
        )
        self.map_value("PaymentTerms", "Net 45", net45)
        self.add_invoice("LS-T45", [self.sim_line("PO-DEMO-0001", "1", 1, 12.5)], terms_days=45)
        header = self.sim.get_invoice(
            self.add_invoice("LS-T30", [self.sim_line("PO-DEMO-0001", "1", 1, 12.5)], terms_days=30)
        )["header"]
        self.cycle()
        self.assertEqual(self.bills("LS-T45").invoice_payment_term_id, net45)
        bill = self.bills("LS-T30")
        self.assertFalse(bill.invoice_payment_term_id)
        self.assertEqual(str(bill.invoice_date_due), header["dueDate"][:10])
