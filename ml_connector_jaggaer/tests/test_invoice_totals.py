"""A bill ends with the untaxed amount, taxes and total the JAGGAER invoice states: header charges as
their own lines, the document's tax code mapped, else the products' taxes through the fiscal position;
a bill whose taxes still differ waits in review with both figures."""

from odoo.tests import tagged

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestInvoiceTotals(JaggaerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.acc_handling = Account.create({"name": "Handling", "code": "620200", "account_type": "expense"})
        cls.acc_discounts = Account.create(
            {"name": "Discounts received", "code": "620300", "account_type": "expense"}
        )
        cls.acc_fees = Account.create({"name": "Supplier fees", "code": "620400", "account_type": "expense"})
        Tax = cls.env["account.tax"]
        cls.tax_16 = Tax.create({"name": "Purchase 16%", "amount": 16, "type_tax_use": "purchase"})
        cls.tax_zero = Tax.create({"name": "Purchase exempt", "amount": 0, "type_tax_use": "purchase"})

    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.po1, self.po2 = self.demo_po_1(), self.demo_po_2()
        self.cycle()

    def add_invoice(self, number, lines, **kw):
        return self.sim.add_invoice("006105", number, lines, **kw)

    def gloves_line(self, quantity=10, **kw):
        return {**self.sim_line("PO-DEMO-0001", "1", quantity, 12.5), "taxable": True, **kw}

    def bill(self, number):
        return self.env["account.move"].search([("ref", "=", number), ("move_type", "=", "in_invoice")])

    def line_of(self, invoice):
        return self.lines("invoice_in", source_key=str(invoice["header"]["invoiceId"]))

    def assert_totals_of(self, bill, invoice):
        header = invoice["header"]
        taxes = header["taxCharge1"] + header["taxCharge2"]
        self.assertAlmostEqual(bill.amount_tax, taxes, places=2)
        self.assertAlmostEqual(bill.amount_total, header["total"]["value"], places=2)
        self.assertAlmostEqual(bill.amount_untaxed, header["total"]["value"] - taxes, places=2)

    def test_header_charges_become_lines_on_their_mapped_accounts(self):
        invoice = self.add_invoice(
            "LS-CHG-1",
            [self.gloves_line(4), self.sim_line("PO-DEMO-0001", "2", 2, 45.0)],
            tax=5.0,
            shipping=20.0,
            handling=7.5,
            discount=10.0,
            misc_fees=[{"name": "Fuel surcharge", "fee": 3.25}],
        )
        self.cycle()
        line = self.line_of(invoice)
        self.assertEqual(line.state, "needs_review", "the charges' accounts are not mapped yet")
        self.assertIn("Charge 'shippingCharge'", line.error_message)
        # the admin maps every charge code listed for them; the invoice then goes by itself
        mappings = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", self.backend.id), ("mapping_type", "=", "Charge")]
        )
        self.assertEqual([m.external_value for m in mappings], ["shippingCharge"], "listed as it is met")
        accounts = {
            "shippingCharge": self.acc_freight,
            "handlingCharge": self.acc_handling,
            "discountAmount": self.acc_discounts,
            "Fuel surcharge": self.acc_fees,
        }
        for code, account in accounts.items():
            self.map_value("Charge", code, account)
        self.assertEqual(line.state, "pending", "released by the mapping it waited for")
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        bill = self.bill("LS-CHG-1")
        self.assert_totals_of(bill, invoice)
        charges = bill.invoice_line_ids.filtered(lambda bill_line: not bill_line.purchase_line_id)
        self.assertEqual(
            {(c.account_id, c.price_unit, c.name) for c in charges},
            {
                (self.acc_freight, 20.0, "Shipping"),
                (self.acc_handling, 7.5, "Handling"),
                (self.acc_discounts, -10.0, "Discount"),
                (self.acc_fees, 3.25, "Fuel surcharge"),
            },
        )
        self.assertFalse(charges.tax_ids, "charges bear no tax the invoice does not state")
        self.assertEqual((bill.amount_untaxed, bill.amount_tax, bill.amount_total), (160.75, 5.0, 165.75))

    def test_the_document_tax_code_is_mapped(self):
        self.map_value("Tax", "VAT16", self.tax_16)
        invoice = self.add_invoice("LS-TAX-16", [self.gloves_line(10)], tax=20.0, tax_code="VAT16")
        unmapped = self.add_invoice(
            "LS-TAX-XX", [self.gloves_line(2, tax_code="EXOTIC")], tax=4.0, tax_code="VAT16"
        )
        self.cycle()
        self.assertEqual(self.line_of(invoice).state, "done", self.line_of(invoice).error_message)
        bill = self.bill("LS-TAX-16")
        self.assertEqual(bill.invoice_line_ids.tax_ids, self.tax_16, "not the product's 10%")
        self.assert_totals_of(bill, invoice)
        waiting = self.line_of(unmapped)
        self.assertEqual(waiting.state, "needs_review")
        self.assertEqual(waiting.blocking_key, "mapping:Tax:EXOTIC", "the line's own code wins")
        self.map_value("Tax", "EXOTIC", self.tax_16)
        waiting.next_attempt_at = False
        self.cycle()
        self.assertEqual(waiting.state, "done", waiting.error_message)
        self.assertEqual(self.bill("LS-TAX-XX").amount_tax, 4.0)

    def test_without_a_code_the_products_taxes_through_the_fiscal_position(self):
        invoice = self.add_invoice("LS-TAX-10", [self.gloves_line(10)], tax=12.5)
        self.cycle()
        bill = self.bill("LS-TAX-10")
        self.assertEqual(bill.invoice_line_ids.tax_ids, self.tax)
        self.assert_totals_of(bill, invoice)
        # a vendor abroad: its fiscal position exempts it, and its invoices state no tax
        self.tax_zero.original_tax_ids = self.tax
        position = self.env["account.fiscal.position"].create(
            {"name": "Abroad", "tax_ids": [(6, 0, self.tax_zero.ids)]}
        )
        self.lab_supply.property_account_position_id = position
        exempt = self.add_invoice("LS-TAX-0", [self.gloves_line(2)], tax=0.0)
        self.cycle()
        self.assertEqual(self.line_of(exempt).state, "done", self.line_of(exempt).error_message)
        self.assertEqual(self.bill("LS-TAX-0").invoice_line_ids.tax_ids, self.tax_zero)
        self.assert_totals_of(self.bill("LS-TAX-0"), exempt)

    def test_taxes_that_differ_wait_in_review_with_both_figures(self):
        invoice = self.add_invoice("LS-TAX-DIFF", [self.gloves_line(10)], tax=20.0)
        self.cycle()
        line = self.line_of(invoice)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("states taxes of 20.0 USD; its lines give 12.5 in Odoo", line.error_message)
        self.assertFalse(self.bill("LS-TAX-DIFF"), "no bill with a total the supplier did not invoice")
        review = self.env["ml.connector.review"].search(
            [("backend_id", "=", self.backend.id), ("kind", "=", "tax")]
        )
        self.assertEqual(review.external_id, str(invoice["header"]["invoiceId"]))
        self.assertEqual(review.candidate_ids.record_ref, self.tax_16, "16% of 125 is the stated 20")
        review.candidate_ids.action_choose()
        # the decision processes the document it releases at once
        self.assertEqual(line.state, "done", line.error_message)
        bill = self.bill("LS-TAX-DIFF")
        self.assertEqual(bill.invoice_line_ids.tax_ids, self.tax_16)
        self.assert_totals_of(bill, invoice)
