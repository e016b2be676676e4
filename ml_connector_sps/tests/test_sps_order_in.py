import json

from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, NORTHWIND, NW_BLUE, NW_RED, SpsCase

PO_FOLDER = "out/PO/"


@tagged("post_install", "-at_install")
class TestOrderIn(SpsCase):
    def imported(self, po_number):
        return self.env["purchase.order"].search([("partner_ref", "=", po_number)])

    def test_partner_order_becomes_a_draft_purchase_order(self):
        path = self.drop_order(
            "NW-4500012345",
            [dict(NW_BLUE, qty=24, description="Widget 100, blue"), dict(NW_RED, qty=5)],
            ship_date="2025-03-10",
            bom=True,
        )
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(line.external_id, path)
        self.assertIn('"PurchaseOrderNumber": "NW-4500012345"', line.request_payload)
        order = self.imported("NW-4500012345")
        self.assertEqual((line.res_model, line.res_id), ("purchase.order", order.id))
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.northwind)
        self.assertEqual(order.sps_partner_id, self.tp_northwind)
        self.assertEqual(
            [(ln.product_id, ln.product_qty, ln.product_uom_id, ln.price_unit) for ln in order.order_line],
            [(self.blue, 24, self.unit, 4.75), (self.red, 5, self.case, 54.0)],
        )
        self.assertEqual(order.amount_untaxed, 384.0)
        self.assertEqual(str(order.date_planned.date()), "2025-03-10")
        self.assertEqual(self.files(PO_FOLDER), {}, "deleted once the order was committed")
        self.assertEqual(self.sim.state()["accounts"][ACCOUNT]["deleted_by_client"], [path])

        # replayed, or the same document dropped again under another name: no second order
        line.action_replay()
        self.drop_order(
            "NW-4500012345", [dict(NW_BLUE, qty=24, description="Widget 100, blue"), dict(NW_RED, qty=5)]
        )
        self.run_sps()
        self.assertEqual(len(self.imported("NW-4500012345")), 1)

    def test_replacement_duplicate_and_cancellation(self):
        self.drop_order("NW-1", [dict(NW_BLUE, qty=24)])
        self.run_sps()
        order = self.imported("NW-1")
        self.drop_order("NW-1", purpose="07")
        self.drop_order("NW-1", [dict(NW_BLUE, qty=30), dict(NW_RED, qty=1)], purpose="05")
        self.run_sps()
        duplicate, replacement = self.lines("order_in")[1:]
        self.assertEqual(duplicate.state, "skipped")
        self.assertIn("duplicate", duplicate.error_message)
        self.assertEqual(replacement.state, "done", replacement.error_message)
        self.assertEqual(len(self.imported("NW-1")), 1)
        self.assertEqual(order.order_line.mapped("product_qty"), [30, 1])
        self.drop_order("NW-1", purpose="01")
        self.run_sps()
        self.assertEqual(self.lines("order_in")[-1].state, "done")
        self.assertEqual(order.state, "cancel")

    def test_replacement_of_a_confirmed_order_is_left_to_a_person(self):
        self.drop_order("NW-2", [dict(NW_BLUE, qty=24)])
        self.run_sps()
        order = self.imported("NW-2")
        order.button_confirm()
        self.drop_order("NW-2", [dict(NW_BLUE, qty=2)], purpose="05")
        self.run_sps()
        line = self.lines("order_in")[-1]
        self.assertEqual(line.state, "failed")
        self.assertIn("already confirmed", line.error_message)
        self.assertEqual(order.order_line.product_qty, 24)

    def test_unknown_item_waits_in_review_and_is_never_created(self):
        self.drop_order(
            "NW-3",
            [
                dict(NW_BLUE, qty=48),
                {"buyer_part": "NW-999999", "qty": 3, "price": 12.5, "description": "Gadget 999"},
                {"buyer_part": "NW-888888", "qty": 1, "price": 2.0, "description": "Doohickey"},
            ],
        )
        products = self.env["product.product"].search_count([])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("NW-999999", line.error_message)
        self.assertIn("NW-888888", line.error_message)
        self.assertFalse(self.imported("NW-3"))
        self.assertEqual(self.files(PO_FOLDER), {}, "safely on the audit line: taken off SPS")
        reviews = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(reviews.mapped("external_key")), ["NW-888888", "NW-999999"], "both asked at once"
        )
        gadget_review = reviews.filtered(lambda r: r.external_key == "NW-999999")
        self.assertEqual(gadget_review.line_ids, line)
        gadget = self.env["product.product"].create({"name": "Gadget 999", "default_code": "GAD-999"})
        doohickey = self.env["product.product"].create({"name": "Doohickey"})
        gadget_review.chosen_ref = f"product.product,{gadget.id}"
        gadget_review.action_approve()
        self.run_sps()
        self.assertEqual(line.state, "needs_review", "now waiting for the second item only")
        self.assertNotIn("NW-999999", line.error_message)
        (reviews - gadget_review).chosen_ref = f"product.product,{doohickey.id}"
        (reviews - gadget_review).action_approve()
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        order = self.imported("NW-3")
        self.assertEqual(order.order_line.product_id, self.blue | gadget | doohickey)
        self.assertEqual(
            self.env["product.product"].search_count([]), products + 2, "only the two made by hand"
        )

    def test_unknown_uom_waits_for_a_mapping(self):
        self.drop_order("NW-4", [dict(NW_BLUE, qty=2, uom="BX")])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        mapping = self.env["ml.connector.mapping"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual((mapping.mapping_type, mapping.external_value), ("UoM", "BX"))
        box = self.env["uom.uom"].create(
            {"name": "Box of 6", "relative_factor": 6, "relative_uom_id": self.unit.id}
        )
        mapping.record_ref = f"uom.uom,{box.id}"
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.imported("NW-4").order_line.product_uom_id, box)

    def test_malformed_files_fail_clearly_and_the_rest_goes_through(self):
        self.sim.drop_raw(PO_FOLDER + "PO-broken.json", b'{"Header": {"OrderHeader": ', account=ACCOUNT)
        colour = sim_rsx.order(NORTHWIND, "NW-10", [dict(NW_BLUE, qty=1)])
        colour["LineItem"][0]["OrderLine"]["Colour"] = "blue"
        self.sim.drop_raw(PO_FOLDER + "PO-colour.json", sim_rsx.dumps(colour), account=ACCOUNT)
        anonymous = sim_rsx.order(NORTHWIND, "NW-11", [dict(NW_BLUE, qty=1)])
        del anonymous["Header"]["OrderHeader"]["TradingPartnerId"]
        self.sim.drop_raw(PO_FOLDER + "PO-anonymous.json", sim_rsx.dumps(anonymous), account=ACCOUNT)
        self.sim.drop_raw(PO_FOLDER + "PO-binary.json", b"\xff\xfe\x00garbage", account=ACCOUNT)
        self.drop_order("NW-12", [dict(NW_BLUE, qty=1)])
        run = self.run_sps()
        lines = {line.external_id.rsplit("/", 1)[-1]: line for line in self.lines("order_in")}
        self.assertEqual(lines["PONW-12-1-v7.7.json"].state, "done")
        expected = {
            "PO-broken.json": "not valid JSON",
            "PO-colour.json": "$.LineItem[0].OrderLine.Colour: unknown key",
            "PO-anonymous.json": "$.Header.OrderHeader.TradingPartnerId: required",
            "PO-binary.json": "not UTF-8",
        }
        for name, message in expected.items():
            self.assertEqual(lines[name].state, "failed", name)
            self.assertIn(message, lines[name].error_message)
        self.assertIn(
            "Colour", lines["PO-colour.json"].request_payload, "the bad document is kept as received"
        )
        self.assertEqual(
            self.files(PO_FOLDER), {}, "bad files are off SPS too: they live on their audit lines"
        )
        self.assertEqual((run.done_count, run.failed_count), (1, 4))

    def test_unknown_trading_partner_waits_until_it_is_set_up(self):
        self.sim.seed(
            {"accounts": [{"id": ACCOUNT, "trading_partners": [{"tpid": "999ALLNEWSHOP", "name": "New"}]}]}
        )
        self.sim.drop_order("999ALLNEWSHOP", "NS-1", [dict(NW_BLUE, qty=5)], account=ACCOUNT)
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("Unknown trading partner ID 999ALLNEWSHOP", line.error_message)
        self.assertEqual(self.files(PO_FOLDER), {})
        shop = self.env["res.partner"].create({"name": "New Shop", "is_company": True})
        self.env["ml.connector.sps.partner"].create(
            {
                "backend_id": self.backend.id,
                "tpid": "999ALLNEWSHOP",
                "partner_id": shop.id,
                "role": "retailer",
            }
        )
        self.assertEqual(line.state, "pending", "setting up the TPID releases the document")
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.imported("NS-1").partner_id, shop)

    def test_batch_file_gives_one_line_per_document(self):
        self.sim.drop_batch(
            [
                sim_rsx.order(NORTHWIND, "NW-20", [dict(NW_BLUE, qty=1)]),
                sim_rsx.order(NORTHWIND, "NW-21", [dict(NW_RED, qty=2)]),
            ],
            account=ACCOUNT,
        )
        self.run_sps()
        lines = self.lines("order_in")
        self.assertEqual(lines.mapped("state"), ["done", "done"])
        self.assertEqual([line.external_id.rsplit("#", 1)[-1] for line in lines], ["1", "2"])
        self.assertTrue(self.imported("NW-20") and self.imported("NW-21"))
        self.assertEqual(
            json.loads(lines[1].request_payload)["Header"]["OrderHeader"]["PurchaseOrderNumber"], "NW-21"
        )

    def test_cursor_paging_over_several_pages_with_a_file_added_meanwhile(self):
        self.backend.sps_page_size = 10
        for i in range(25):
            self.drop_order(f"NW-5{i:02d}", [dict(NW_BLUE, qty=i + 1)])
        # after the first page is listed, the partner drops one more order (sorted last)
        self.sim.after_list = [lambda: self.drop_order("NW-599", [dict(NW_BLUE, qty=99)])]
        self.run_sps()
        lines = self.lines("order_in")
        self.assertEqual(len(lines), 26)
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(self.env["purchase.order"].search_count([("partner_ref", "=like", "NW-5%")]), 26)
        listings = [
            r for r in self.sim.requests_to("/transactions/v5/data/out/PO/", "GET") if "limit" in r["query"]
        ]
        self.assertEqual(len(listings), 3)
        self.assertTrue(all("cursor=" in r["query"] for r in listings[1:]), "pages follow SPS's cursor")
        self.assertEqual(self.files(PO_FOLDER), {})

    def test_same_document_downloaded_twice_when_the_delete_fails(self):
        path = self.drop_order("NW-30", [dict(NW_BLUE, qty=3)])
        self.sim.inject("status", status=500, path="/transactions/v5/data/out/PO/", method="DELETE", count=10)
        run = self.run_sps()
        self.assertEqual(self.lines("order_in").state, "done")
        self.assertIn(path, self.files(PO_FOLDER))
        self.assertIn("could not be deleted", run.error_message)
        self.sim.faults.reset()
        self.run_sps()
        self.assertEqual(len(self.lines("order_in")), 1, "read again, recognised, not recorded twice")
        self.assertEqual(len(self.imported("NW-30")), 1)
        self.assertEqual(self.files(PO_FOLDER), {}, "and finally deleted")

    def test_crash_between_commit_and_delete_creates_nothing_twice(self):
        path = self.drop_order("NW-31", [dict(NW_BLUE, qty=3)])
        # the connection drops on every DELETE: the documents are committed, the file stays on SPS
        self.sim.inject("reset", path="/transactions/v5/data/out/PO/", method="DELETE", count=20)
        self.run_sps()
        self.assertIn(path, self.files(PO_FOLDER))
        order = self.imported("NW-31")
        self.assertEqual(len(order), 1)
        self.sim.faults.reset()
        # the same file, plus a duplicate (07) the partner sent meanwhile
        self.drop_order("NW-31", purpose="07")
        self.run_sps()
        self.assertEqual(self.imported("NW-31"), order)
        self.assertEqual(self.files(PO_FOLDER), {})
        self.assertEqual(self.lines("order_in").mapped("state"), ["done", "skipped"])

    def test_documents_of_partners_not_enabled_wait(self):
        self.tp_northwind.receive_850 = False
        self.drop_order("NW-40", [dict(NW_BLUE, qty=1)])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("not set up to send us", line.error_message)
        self.tp_northwind.receive_850 = True
        self.run_sps()
        self.assertEqual(line.state, "done")
