from odoo import Command
from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, NORTHWIND, NW_BLUE, NW_RED, SpsCase


@tagged("post_install", "-at_install")
class TestInvoiceOut(SpsCase):
    def invoice(self, move_type="out_invoice", ref="NW-4500012345", taxes=None, post=True, lines=None):
        lines = lines or [(self.blue, 24, self.unit, 4.75), (self.red, 4, self.case, 54.0)]
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": self.northwind.id,
                "ref": ref,
                "invoice_date": "2025-03-11",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": qty,
                            "product_uom_id": uom.id,
                            "price_unit": price,
                            "tax_ids": [Command.set((taxes or self.env["account.tax"]).ids)],
                        }
                    )
                    for product, qty, uom, price in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def test_posted_invoice_is_sent_as_a_valid_810_and_accepted(self):
        # Northwind ordered NW-4500012345 through SPS: SPS checks invoices refer to its orders
        self.drop_order("NW-4500012345", [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)])
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.backend.cron_id.id)])
        invoice = self.invoice()
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.backend.cron_id.id)]),
            triggers,
            "posting asks for a run at once",
        )
        self.run_sps()
        line = self.lines("invoice_out")
        self.assertEqual(line.state, "done", line.error_message)
        safe_name = invoice.name.replace("/", "_")
        self.assertEqual(line.target_key, f"in/IN{safe_name}-1.json")
        doc = self.payload(line)
        self.assertEqual(sim_rsx.validate(doc), [])
        head = doc["Header"]["InvoiceHeader"]
        self.assertEqual(
            (
                head["TradingPartnerId"],
                head["InvoiceNumber"],
                head["PurchaseOrderNumber"],
                head["InvoiceTypeCode"],
            ),
            (NORTHWIND, invoice.name, "NW-4500012345", "DR"),
        )
        self.assertEqual(head["Vendor"], "100482")
        self.assertEqual(doc["Summary"]["TotalAmount"], 330)
        self.assertEqual([i["InvoiceLine"]["InvoiceQtyUOM"] for i in doc["LineItem"]], ["EA", "CA"])
        [document] = self.documents(doc_type="810")
        self.assertEqual((document["status"], document["reasons"]), ("Accepted", []))

        self.run_sps()
        self.assertEqual(len(self.lines("invoice_out")), 1)
        self.assertEqual(len(self.documents(doc_type="810")), 1, "never sent twice")

    def test_taxes_and_credit_notes(self):
        tax = self.env["account.tax"].create(
            {
                "name": "Sales tax 7.25%",
                "amount": 7.25,
                "type_tax_use": "sale",
                "company_id": self.env.company.id,
            }
        )
        invoice = self.invoice(taxes=tax)
        refund = self.invoice(move_type="out_refund", lines=[(self.blue, 2, self.unit, 4.75)], taxes=tax)
        self.run_sps()
        lines = self.lines("invoice_out")
        self.assertEqual(lines.mapped("state"), ["done", "done"], lines.mapped("error_message"))
        by_number = {
            self.payload(line)["Header"]["InvoiceHeader"]["InvoiceNumber"]: self.payload(line)
            for line in lines
        }
        doc = by_number[invoice.name]
        self.assertEqual(doc["Header"]["Taxes"], [{"TaxTypeCode": "TX", "TaxAmount": 23.93}])
        self.assertEqual(doc["Summary"]["TotalAmount"], invoice.amount_total)
        self.assertEqual(by_number[refund.name]["Header"]["InvoiceHeader"]["InvoiceTypeCode"], "CR")
        self.assertEqual([d["status"] for d in self.documents(doc_type="810")], ["Accepted", "Accepted"])
        for document in (doc, by_number[refund.name]):
            self.assertEqual(sim_rsx.validate(document), [])
            self.assertIsNone(sim_rsx.total_mismatch(document))

    def test_invoice_without_the_partner_po_number_fails_and_sends_nothing(self):
        self.invoice(ref=False)
        self.run_sps()
        line = self.lines("invoice_out")
        self.assertEqual(line.state, "failed")
        self.assertIn("no purchase order number of Northwind Stores", line.error_message)
        self.assertEqual(self.uploads(), [])

    def test_rejected_by_sps_is_invisible_to_the_api_but_the_document_is_on_its_line(self):
        # SPS knows NW-1 only; an invoice for NW-2 is an "Error" inside SPS (§6.7), not an HTTP error
        self.drop_order("NW-1", [dict(NW_BLUE, qty=1)])
        self.invoice(ref="NW-2")
        self.run_sps()
        line = self.lines("invoice_out")
        self.assertEqual(line.state, "done")
        [document] = self.documents(doc_type="810")
        self.assertEqual(document["status"], "Error")
        self.assertIn("NW-2", document["reasons"][0])
        self.assertEqual(self.sim.state()["accounts"][ACCOUNT]["processed"], [line.target_key])
