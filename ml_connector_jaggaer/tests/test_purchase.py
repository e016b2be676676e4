from unittest.mock import patch

from odoo.tests import tagged

from tests.simulators.jaggaer import splittable_entries

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestPurchaseOrders(JaggaerCase):
    def setUp(self):
        super().setUp()
        self.seed_supplier(**LAB_SUPPLY)
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out", "po_status")
        self.import_path = self.sim.paths["purchase_orders"]

    def remote(self, name):
        return self.sim.get_po(name)

    def coding(self, remote_line):
        entries = splittable_entries(remote_line["splittableFieldSetGroupList"])
        return {entry["internalName"]: entry["value"] for entry in entries}

    def imports(self):
        return len(self.sim.requests_to(self.import_path, "POST"))

    def test_confirmed_po_goes_with_lines_and_gl_coding_and_statuses_come_back(self):
        po = self.demo_po_1()
        rfq = self.make_po("RFQ-NOT-CONFIRMED", self.lab_supply, [(self.rotor, 1, 10.0, None)], confirm=False)
        self.cycle()
        remote = self.remote("PO-DEMO-0001")
        self.assertTrue(remote)
        self.assertFalse(self.remote("RFQ-NOT-CONFIRMED"), "only confirmed orders go")
        self.assertEqual(remote["supplier"]["supplierNumber"], "006105")
        self.assertEqual(remote["total"], {"currency": "USD", "value": 367.5})
        lines = remote["lineList"]["poLine"]
        self.assertEqual([line["lineNumber"] for line in lines], ["1", "2"])
        self.assertEqual((lines[0]["quantity"], lines[0]["unitPrice"]["value"]), (15, 12.5))
        self.assertEqual(lines[0]["item"]["catalogNumber"], "LAB-GLV-100")
        self.assertEqual(self.coding(lines[0]), {"Account": "610000", "CostCenter": "CC-200"})
        self.assertEqual((remote["status"], remote["revisionNumber"]), ("Approved", 0))
        self.assertEqual(po.jaggaer_po_id, str(remote["poId"]))
        self.assertEqual(po.jaggaer_status, "Approved")
        self.assertTrue(po.jaggaer_last_sync)
        self.assertFalse(rfq.jaggaer_po_id)
        binding = self.env["ml.connector.binding"]._find(
            self.backend, "jaggaer_po_line", external_id="PO-DEMO-0001/2"
        )
        self.assertEqual(binding._record(), po.order_line[1], "line numbers remembered for invoices")

        # JAGGAER moves the order on; Odoo shows it
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.sim.set_po_status("PO-DEMO-0001", "Acknowledged")
        imports = self.imports()
        self.cycle()
        self.assertEqual(po.jaggaer_status, "Acknowledged")
        self.assertIn("Approved → Acknowledged", po.message_ids[0].body)
        self.assertEqual(self.imports(), imports, "writing the status back sends nothing")
        self.sim.receive("PO-DEMO-0001", {"1": 5})
        self.cycle()
        self.assertEqual(po.jaggaer_status, "Partially Received")
        self.assertIn(po, self.env["purchase.order"].search([("jaggaer_status", "=", "Partially Received")]))
        # the order leads to its JAGGAER documents: the order sent and the statuses read back
        lines = self.env["ml.connector.audit.line"].search(po.action_open_ml_connector_lines()["domain"])
        self.assertEqual(po.ml_connector_line_count, len(lines))
        self.assertEqual(
            set(lines.flow_id.mapped("code")),
            {"purchase_order:odoo>jaggaer", "purchase_order_status:jaggaer>odoo"},
        )
        self.assertNotIn(rfq.id, lines.mapped("res_id"))

    def test_what_jaggaer_says_of_an_order_leaves_its_write_date(self):
        po = self.demo_po_1()
        # last changed by an earlier transaction: the readers of orders follow that date
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE purchase_order SET write_date = write_date - interval '1 hour' WHERE id = %s", (po.id,)
        )
        po.invalidate_recordset(["write_date"])
        written = po.write_date
        self.cycle()
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.cycle()
        po.invalidate_recordset()
        self.assertEqual((po.jaggaer_status, po.jaggaer_revision), ("Distributed", 0))
        self.assertTrue(po.jaggaer_po_id)
        self.assertIn("Approved → Distributed", po.message_ids[0].body)
        self.assertEqual(po.write_date, written, "no change of the order: nothing for its readers")

    def test_changes_are_resent_with_stable_line_numbers(self):
        po = self.demo_po_1()
        self.cycle()
        gloves, tips = po.order_line
        gloves.product_qty = 20
        po.order_line = [(0, 0, {"product_id": self.rotor.id, "product_qty": 1, "price_unit": 300.0})]
        self.cycle()
        remote = self.remote("PO-DEMO-0001")
        self.assertEqual(remote["revisionNumber"], 1)
        self.assertEqual(po.jaggaer_revision, 1)
        numbers = {line["lineNumber"]: line["quantity"] for line in remote["lineList"]["poLine"]}
        self.assertEqual(numbers, {"1": 20, "2": 4, "3": 1})
        # a line dropped to nothing leaves; its number is never given to another line
        tips.product_qty = 0
        po.order_line = [(0, 0, {"product_id": self.freight.id, "product_qty": 1, "price_unit": 20.0})]
        self.cycle()
        remote = self.remote("PO-DEMO-0001")
        numbers = {line["lineNumber"]: line["quantity"] for line in remote["lineList"]["poLine"]}
        self.assertEqual(numbers, {"1": 20, "3": 1, "4": 1})
        self.assertEqual(remote["revisionNumber"], 2)
        # nothing changed: nothing sent
        imports = self.imports()
        self.cycle()
        self.assertEqual(self.imports(), imports)

    def test_a_cancelled_po_is_cancelled_in_jaggaer(self):
        po = self.demo_po_2()
        self.cycle()
        po.button_cancel()
        self.cycle()
        self.assertEqual(self.remote("PO-DEMO-0002")["status"], "Canceled")
        self.assertEqual(po.jaggaer_status, "Canceled")
        never_sent = self.demo_po_1()
        never_sent.button_cancel()
        imports = self.imports()
        self.cycle()
        self.assertEqual(self.imports(), imports, "a PO JAGGAER never had is not sent to be cancelled")

    def test_refused_cancellation_is_a_clear_failure(self):
        po = self.demo_po_1()
        self.cycle()
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.sim.receive("PO-DEMO-0001", {"1": 15})
        po.button_cancel()
        self.cycle()
        line = self.lines("po_out", res_id=po.id, state="failed")
        self.assertEqual(line.error_kind, "permanent")
        self.assertIn("cannot become Canceled", line.error_message)
        self.assertIn("returnCode -409", line.error_message)

    def test_a_batch_records_each_order_sent_once_and_nothing_for_a_refused_one(self):
        refused = self.demo_po_1()
        self.cycle()
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.sim.receive("PO-DEMO-0001", {"1": 15})
        self.cycle()  # the statuses come back first
        refused.button_cancel()
        sent = self.demo_po_2()
        also_sent = self.make_po("PO-BATCH-0003", self.lab_supply, [(self.rotor, 1, 300.0, self.cc_ops)])
        notes_before = len(refused.message_ids)
        self.cycle()  # one batch: the cancellation JAGGAER refuses between two new orders
        self.assertEqual(self.lines("po_out", res_id=refused.id, state="failed").error_kind, "permanent")
        self.assertEqual(len(refused.message_ids), notes_before, "no note for the refused order")
        Binding = self.env["ml.connector.binding"]
        for po, number in ((sent, "PO-DEMO-0002"), (also_sent, "PO-BATCH-0003")):
            self.assertEqual(po.jaggaer_status, "Approved")
            notes = po.message_ids.filtered(lambda message: "JAGGAER status" in (message.body or ""))
            self.assertEqual(len(notes), 1, f"{number}: one status note, logged at the end of the batch")
            self.assertIn("not in JAGGAER → Approved", notes.body)
            bound = Binding.search([("backend_id", "=", self.backend.id), ("external_key", "=", number)])
            self.assertEqual(
                sorted(bound.filtered(lambda b: b.object_type == "jaggaer_po_line").mapped("res_id")),
                sorted(po.order_line.ids),
                f"{number}: every line bound",
            )
        self.assertNotEqual(refused.jaggaer_status, "Canceled")

    def test_lost_answer_is_looked_up_not_sent_twice(self):
        po = self.demo_po_1()
        self.sim.inject("lost", path=self.import_path, method="POST")
        self.cycle()
        line = self.lines("po_out", res_id=po.id)
        self.assertEqual(line.state, "pending")
        self.assertTrue(line.outcome_unknown)
        self.assertTrue(self.remote("PO-DEMO-0001"), "JAGGAER got it although we could not know")
        line.next_attempt_at = False
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("Found in JAGGAER", line.error_message)
        self.assertEqual(self.imports(), 1, "found by lookup, not sent again")
        self.assertEqual(self.remote("PO-DEMO-0001")["revisionNumber"], 0)
        self.assertEqual(po.jaggaer_po_id, str(self.remote("PO-DEMO-0001")["poId"]))

    def test_worker_stopped_between_import_and_commit_does_not_send_twice(self):
        po = self.demo_po_1()
        self.cycle()
        line = self.lines("po_out", res_id=po.id)
        self.assertEqual((line.state, self.imports()), ("done", 1))
        # the database as it is when the worker died after the import, before its commit: the
        # line in flight after one attempt, no outcome, no binding, nothing noted on the order
        bindings = self.env["ml.connector.binding"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", po.id)]
        ) | self.env["ml.connector.binding"].search(
            [("res_model", "=", "purchase.order.line"), ("res_id", "in", po.order_line.ids)]
        )
        self.assertTrue(bindings)
        bindings.unlink()
        po.jaggaer_po_id = False
        line.write({"state": "pending", "in_flight": True, "attempts": 1, "date_done": False})
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("Found in JAGGAER", line.error_message)
        self.assertEqual(self.imports(), 1, "looked up after the interruption, not imported again")
        self.assertEqual(po.jaggaer_po_id, str(self.remote("PO-DEMO-0001")["poId"]))

    def test_a_vendor_not_yet_in_jaggaer_makes_the_po_wait_then_go(self):
        vendor = self.env["res.partner"].create({"name": "Fresh Optics Co", "is_company": True})
        po = self.make_po("PO-FRESH-1", vendor, [(self.rotor, 2, 50.0, None)])
        self.cycle()
        line = self.lines("po_out", res_id=po.id)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("not linked to a JAGGAER supplier yet", line.error_message)
        self.assertEqual(vendor.supplier_rank, 1, "a vendor we order from is a supplier")
        self.cycle()
        # released when the vendor got its supplier; re-read in the same cycle, the PO went
        # through a fresh line that superseded the waiting one
        self.assertIn(line.state, ("done", "skipped"))
        latest = self.lines("po_out", res_id=po.id)[0]
        self.assertEqual(latest.state, "done", latest.error_message)
        self.assertEqual(self.imports(), 1)
        remote = self.remote("PO-FRESH-1")
        self.assertEqual(remote["supplier"]["supplierNumber"], f"ODOO-{vendor.id}")
        self.assertEqual(remote["supplier"]["name"], "Fresh Optics Co")

    def test_an_unmapped_account_makes_the_po_wait_until_it_is_mapped(self):
        special = self.env["account.account"].create(
            {"name": "Special tooling", "code": "655000", "account_type": "expense"}
        )
        product = self.env["product.product"].create(
            {"name": "Special jig", "property_account_expense_id": special.id}
        )
        self.sim.seed_gl_value("Account", "655000", "Tooling")
        self.flows["gl"].active = False  # nothing mapped automatically: the admin does it
        self.map_value("CostCenter", "CC-100", self.cc_ops)
        po = self.make_po("PO-SPECIAL-1", self.lab_supply, [(product, 1, 99.0, self.cc_ops)])
        self.cycle()
        line = self.lines("po_out", res_id=po.id)
        self.assertEqual(line.state, "needs_review")
        self.assertIn(
            "655000 Special tooling (line Special jig of PO-SPECIAL-1) has no Account value",
            line.error_message,
        )
        self.assertEqual(line.blocking_key, f"mapping:Account:account.account,{special.id}")
        # the admin maps it later, once the order is out of the re-read window: the waiting line
        # itself goes, with its document built now
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE purchase_order SET write_date = write_date - interval '1 hour' WHERE id = %s", (po.id,)
        )
        self.map_value("Account", "655000", special)
        self.assertEqual(line.state, "pending", "saving the mapping released it")
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        remote_line = self.remote("PO-SPECIAL-1")["lineList"]["poLine"][0]
        self.assertEqual(self.coding(remote_line), {"Account": "655000", "CostCenter": "CC-100"})
        self.assertIn('"poNumber": "PO-SPECIAL-1"', line.sent_payload, "the document sent is on the line")

    def test_every_import_answer_shape_binds_the_order(self):
        # the reference leaves the import's answer open: the poId in the list wrapper, at the top of
        # the envelope, alone, or not at all (then the order is looked up by its number)
        for index, shape in enumerate(("list", "top", "id_only", "none"), start=1):
            self.sim.configure(po_import_answer=shape)
            po = self.make_po(f"PO-SHAPE-{index}", self.lab_supply, [(self.rotor, index, 10.0, None)])
            self.cycle()
            line = self.lines("po_out", res_id=po.id)
            remote = self.remote(po.name)
            self.assertEqual(line.state, "done", f"{shape}: {line.error_message}")
            self.assertEqual(po.jaggaer_po_id, str(remote["poId"]), shape)
            self.assertEqual(po.jaggaer_status, "Approved", shape)
            self.assertEqual(self.sim.import_counts[po.name], 1, f"{shape}: sent once")
            binding = self.env["ml.connector.binding"]._find(self.backend, "jaggaer_po", record=po)
            self.assertEqual(binding.external_id, str(remote["poId"]), shape)

    def test_an_accepted_import_jaggaer_cannot_show_yet_is_looked_up_not_failed(self):
        self.sim.configure(po_import_answer="none")
        po = self.demo_po_1()
        lookups = {"count": 0}
        real_find = type(self.sim)._list

        def hide_the_order_once(sim, request, spec, records, render):
            if (
                spec.name == "purchase_orders"
                and "poNumber==" in request.args.get("flt", "")
                and not lookups["count"]
            ):
                lookups["count"] += 1
                return real_find(sim, request, spec, list, render)  # the list lags behind the import
            return real_find(sim, request, spec, records, render)

        with patch.object(type(self.sim), "_list", hide_the_order_once):
            self.cycle()
        line = self.lines("po_out", res_id=po.id)
        self.assertEqual((line.state, line.error_kind), ("pending", "unknown_outcome"))
        self.assertIn("neither its answer nor its list shows a poId yet", line.error_message)
        line.next_attempt_at = False
        self.cycle()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.sim.import_counts["PO-DEMO-0001"], 1, "found, not sent again")
        self.assertEqual(po.jaggaer_po_id, str(self.remote("PO-DEMO-0001")["poId"]))
