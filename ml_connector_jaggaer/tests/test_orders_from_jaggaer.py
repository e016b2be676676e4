"""Purchase orders JAGGAER's buyers create become draft purchase orders in Odoo; what happens to them
in Odoo goes back as their status. An admin chooses which vendors' orders go to JAGGAER, and a paid
bill tells JAGGAER its invoice is paid."""

from odoo.tests import tagged

from tests.simulators.jaggaer import splittable

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestOrdersFromJaggaer(JaggaerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the supplier's own part number for the tips, in the vendor's price list
        cls.env["product.supplierinfo"].create(
            {"partner_id": cls.lab_supply.id, "product_id": cls.tips.id, "product_code": "LS-TIPS-96"}
        )

    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.map_value("CostCenter", "CC-200", self.cc_lab)

    def jaggaer_po(self, number, lines, status="Approved", **extra):
        """An order a buyer keyed in JAGGAER: ``lines`` = [(catalogNumber, description, qty, price)]."""
        po = {
            "poNumber": number,
            "status": status,
            "supplier": {"supplierNumber": "006105"},
            "requestor": {"username": "jdoe"},
            "total": {"currency": "USD", "value": sum(q * p for _c, _d, q, p in lines)},
            "lineList": {
                "poLine": [
                    {
                        "lineNumber": str(index),
                        "item": {"catalogNumber": code, "description": description, "unitOfMeasure": "EA"},
                        "quantity": quantity,
                        "unitPrice": {"currency": "USD", "value": price},
                        "splittableFieldSetGroupList": splittable(
                            {"Account": "610000", "CostCenter": "CC-200"}
                        ),
                    }
                    for index, (code, description, quantity, price) in enumerate(lines, start=1)
                ]
            },
            **extra,
        }
        self.sim.seed({"purchase_orders": [po]})
        return self.sim.get_po(number)

    def odoo_po(self, number):
        return self.env["purchase.order"].search([("name", "=", number)])

    def line_of(self, remote):
        return self.lines("po_in", source_key=str(remote["poId"]))

    def test_an_order_created_in_jaggaer_becomes_a_draft_once(self):
        remote = self.jaggaer_po(
            "P0009001",
            [("LAB-GLV-100", "Nitrile gloves", 20, 12.5), ("LS-TIPS-96", "Pipette tips", 3, 44.0)],
        )
        self.cycle()
        line = self.line_of(remote)
        self.assertEqual(line.state, "done", line.error_message)
        po = self.odoo_po("P0009001")
        self.assertEqual(
            (po.state, po.partner_id, po.ml_origin_backend_id), ("draft", self.lab_supply, self.backend)
        )
        self.assertEqual(po.origin, "JAGGAER P0009001")
        gloves, tips = po.order_line.sorted("id")
        self.assertEqual((gloves.product_id, gloves.product_qty, gloves.price_unit), (self.gloves, 20, 12.5))
        self.assertEqual((tips.product_id, tips.product_qty, tips.price_unit), (self.tips, 3, 44.0))
        self.assertEqual(gloves.analytic_distribution, {str(self.cc_lab.id): 100.0})
        self.assertEqual((po.jaggaer_status, po.jaggaer_po_id), ("Approved", str(remote["poId"])))
        # a replay, a new run, the order read again: never a second order, nothing sent to JAGGAER
        line.action_replay()
        self.flows["po_in"].action_reset_cursor()
        self.cycle()
        self.assertEqual(len(self.odoo_po("P0009001")), 1)
        self.assertFalse(self.sim.import_counts, "a JAGGAER order is never imported back into JAGGAER")

    def test_an_item_nobody_knows_waits_for_a_product_never_created(self):
        remote = self.jaggaer_po(
            "P0009002", [("LAB-GLV-100", "Nitrile gloves", 5, 12.5), ("XYZ-77", "Mystery reagent", 1, 99.0)]
        )
        products = self.env["product.product"].search_count([])
        self.cycle()
        line = self.line_of(remote)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("waits for 1 item(s)", line.error_message)
        self.assertIn("XYZ-77", line.error_message)
        self.assertFalse(self.odoo_po("P0009002"))
        self.assertEqual(self.env["product.product"].search_count([]), products, "no product created")
        review = self.env["ml.connector.review"].search(
            [("kind", "=", "product"), ("external_key", "=", "XYZ-77")]
        )
        review.chosen_ref = f"product.product,{self.rotor.id}"
        review.action_approve()
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.odoo_po("P0009002").order_line.product_id, self.gloves | self.rotor)

    def test_changes_and_cancellation_in_jaggaer_follow_to_odoo(self):
        remote = self.jaggaer_po(
            "P0009003", [("LAB-GLV-100", "Nitrile gloves", 5, 12.5)], status="Pending Approval"
        )
        self.cycle()
        waiting = self.line_of(remote)
        self.assertEqual(waiting.state, "skipped")
        self.assertIn("Not imported yet: P0009003 is Pending Approval", waiting.error_message)
        self.sim.clock.advance(1)
        self.sim.set_po_status("P0009003", "Approved")
        self.cycle()
        po = self.odoo_po("P0009003")
        self.assertEqual(po.order_line.product_qty, 5)
        self.sim.clock.advance(1)
        self.sim.edit_po("P0009003", {"1": 8})
        self.cycle()
        self.assertEqual(
            (po.order_line.product_qty, po.state), (8, "draft"), "a draft takes the new revision"
        )
        # confirmed in Odoo, changed again in JAGGAER: a person applies it
        po.button_confirm()
        self.sim.clock.advance(1)
        self.sim.edit_po("P0009003", {"1": 9})
        self.cycle()
        changed = self.line_of(remote)[0]
        self.assertEqual(changed.state, "failed")
        self.assertIn("already confirmed in Odoo: apply the change by hand", changed.error_message)
        self.assertEqual(po.order_line.product_qty, 8)
        # a status that moves on is no change of the order
        self.sim.clock.advance(1)
        self.sim.set_po_status("P0009003", "Distributed")
        self.cycle()
        self.assertEqual(self.line_of(remote)[0].state, "failed", "still the unapplied revision 2")
        self.assertEqual(po.jaggaer_status, "Distributed")
        self.sim.clock.advance(1)
        self.sim.set_po_status("P0009003", "Canceled")
        self.cycle()
        self.assertEqual(po.state, "cancel")
        self.assertEqual(self.line_of(remote)[0].state, "done")

    def test_what_happens_in_odoo_goes_back_as_a_status(self):
        remote = self.jaggaer_po("P0009004", [("LAB-GLV-100", "Nitrile gloves", 5, 12.5)])
        self.jaggaer_po("P0009005", [("LAB-GLV-100", "Nitrile gloves", 2, 12.5)])
        self.cycle()
        received, cancelled = self.odoo_po("P0009004"), self.odoo_po("P0009005")
        (received | cancelled).button_confirm()
        self.cycle()
        self.assertFalse(self.sim.import_counts, "confirming sends nothing: JAGGAER's order is JAGGAER's")
        self.sim.set_po_status("P0009004", "Distributed")
        received.picking_ids.move_ids.quantity = 5
        received.picking_ids.button_validate()
        cancelled.button_cancel()
        self.cycle()
        self.assertEqual(self.sim.get_po("P0009004")["status"], "Received")
        self.assertEqual(self.sim.get_po("P0009005")["status"], "Canceled")
        self.assertEqual((received.jaggaer_status, cancelled.jaggaer_status), ("Received", "Canceled"))
        status_posts = self.sim.requests_to(f"{self.sim.paths['purchase_orders']}/{remote['poId']}/status")
        self.assertEqual(len(status_posts), 1)
        self.cycle()
        self.assertEqual(
            len(self.sim.requests_to(f"{self.sim.paths['purchase_orders']}/{remote['poId']}/status")),
            1,
            "sent once",
        )
        self.assertFalse(self.sim.import_counts)

    def test_our_own_orders_are_never_taken_back(self):
        po = self.demo_po_1()
        self.cycle()
        self.assertEqual(po.jaggaer_status, "Approved")
        self.assertFalse(self.lines("po_in"))
        # even with its link lost (an answer lost before it was recorded), its number says it is ours
        self.env["ml.connector.binding"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", po.id)]
        ).unlink()
        self.flows["po_in"].action_reset_cursor()
        self.cycle()
        self.assertFalse(self.lines("po_in"))
        self.assertEqual(len(self.odoo_po("PO-DEMO-0001")), 1)

    def test_an_admin_chooses_which_vendors_orders_go_to_jaggaer(self):
        other_vendor = self.env["res.partner"].create(
            {"name": "Orbital Optics", "is_company": True, "supplier_rank": 1, "ref": "ORB-1"}
        )
        self.backend.write(
            {"jaggaer_po_vendor_scope": "selected", "jaggaer_po_vendor_ids": [(6, 0, self.lab_supply.ids)]}
        )
        chosen = self.demo_po_1()
        not_chosen = self.make_po("PO-ORBITAL-1", other_vendor, [(self.rotor, 1, 10.0, None)])
        self.cycle()
        self.assertTrue(self.sim.get_po(chosen.name))
        self.assertFalse(self.sim.get_po(not_chosen.name))
        self.assertFalse(self.lines("po_out", res_id=not_chosen.id))
        self.assertTrue(
            next(s for s in self.sim.suppliers.values() if s["extCode"] == "ORB-1"),
            "the vendor itself still goes: only its orders stay in Odoo",
        )

    def test_a_paid_bill_tells_jaggaer_its_invoice_is_paid(self):
        self.demo_po_1()
        self.cycle()
        invoice = self.sim.add_invoice("006105", "LS-PAY-1", [self.sim_line("PO-DEMO-0001", "1", 4, 12.5)])
        invoice_id = invoice["header"]["invoiceId"]
        self.cycle()
        bill = self.env["account.move"].search([("ref", "=", "LS-PAY-1")])
        bill.invoice_date = bill.invoice_date or bill.date
        bill.action_post()
        self.cycle()
        self.assertEqual(
            self.sim.get_invoice(invoice_id)["header"]["paymentStatus"], "Payable", "not paid yet"
        )
        self.assertFalse(self.lines("payment_out"))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=bill.ids
        ).create({}).action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        self.cycle()
        line = self.lines("payment_out")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.sim.get_invoice(invoice_id)["header"]["paymentStatus"], "Paid")
        self.assertIn('"paymentStatus": "Paid"', line.sent_payload)
        status_path = f"{self.sim.paths['invoices']}/{invoice_id}/status"
        self.cycle()
        self.assertEqual(len(self.sim.requests_to(status_path)), 1, "said once")
