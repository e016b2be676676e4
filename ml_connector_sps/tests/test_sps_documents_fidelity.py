"""855, 856, 944 and 846 in, read in full and in any order: warnings instead of refusals for
fields not read, pallets and cartons, a warehouse receipt before its ship notice, inventory advice
in its own flow, and every document type in one shared folder."""

from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, ACME, NW_BLUE, SpsCase

WAREHOUSE = sim_rsx.address("RL", "Acme Widgets Akron warehouse", location="AKR-1")


@tagged("post_install", "-at_install")
class TestDocumentsFidelity(SpsCase):
    def sent_order(self):
        order = self.acme_order()
        self.run_sps()
        self.assertTrue(order.sps_order_file)
        return order

    def test_a_malformed_date_the_acknowledgement_does_not_use_is_a_warning(self):
        order = self.sent_order()
        doc = sim_rsx.order_ack(
            ACME,
            order.name,
            [{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 24}, {"seq": "2", "vendor_part": "WID-200-RED",
                                                                      "qty": 5, "uom": "CA"}],
            po_date="03/03/2025",  # not a date, and only an echo of our order
        )  # fmt: skip
        self.sim.drop_document(doc, account=ACCOUNT)
        self.run_sps()
        line = self.lines("ack_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(order.sps_ack_status, "accepted")
        self.assertIn("$.Header.OrderHeader.PurchaseOrderDate: expected a date", line.error_message)
        self.assertIn("Not applied (kept on this line)", line.error_message)
        self.assertIn(
            "LineItem[].OrderLine.OrderQty", line.error_message, "the echoed quantities are not applied"
        )

    def test_a_malformed_date_the_acknowledgement_uses_refuses_it(self):
        order = self.sent_order()
        doc = sim_rsx.order_ack(ACME, order.name, [{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 24}])
        doc["Header"]["OrderHeader"]["AcknowledgementDate"] = "tomorrow"
        self.sim.drop_document(doc, account=ACCOUNT)
        self.run_sps()
        line = self.lines("ack_in")
        self.assertEqual(line.state, "failed")
        self.assertIn("AcknowledgementDate", line.error_message)
        self.assertEqual(order.sps_ack_status, "awaiting")

    def test_pallets_and_cartons_of_a_ship_notice(self):
        order = self.sent_order()
        self.sim.ship(
            order.name, {"1": 24, "2": 5}, packs=3, pallet=True, account=ACCOUNT, shipment_id="ASN-T1"
        )
        self.run_sps()
        line = self.lines("shipment_in")
        self.assertEqual(line.state, "done", line.error_message)
        picking = order.picking_ids
        self.assertEqual(
            sorted((m.product_id.default_code, m.quantity) for m in picking.move_ids),
            [("WID-100-BLU", 24), ("WID-200-RED", 60)],
        )
        self.assertRegex(picking.sps_packs, r"^ASN-T1: pallet \d{20} \(cartons \d{20}, \d{20}\)$")

    def test_a_warehouse_receipt_before_its_ship_notice_waits_for_it(self):
        order = self.sent_order()
        self.sim.ship(order.name, {"1": 24, "2": 5}, account=ACCOUNT, shipment_id="ASN-W1")
        [(shipment_file, data)] = self.files("out/SH/").items()
        self.sim.receipt("ASN-W1", account=ACCOUNT, receipt_id="RCV-W1")
        # SPS delivers the notice only after the receipt: the receipt waits for it
        with self.sim.lock:
            del self.sim.accounts[ACCOUNT].files[shipment_file]
        self.run_sps()
        receipt_line = self.lines("receipt_in")
        self.assertEqual(receipt_line.state, "pending", receipt_line.error_message)
        self.assertIn("waits for the notice", receipt_line.error_message)
        self.assertEqual(order.picking_ids.state, "assigned", "nothing received yet")
        self.sim.drop_raw(shipment_file, data, account=ACCOUNT)
        receipt_line.next_attempt_at = False
        self.run_sps()
        self.assertEqual(self.lines("shipment_in").state, "done")
        self.assertEqual(receipt_line.state, "done", receipt_line.error_message)
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(order.picking_ids.sps_asn_ref, "ASN-W1")

    def test_a_cancelled_ship_notice_listed_before_the_notice(self):
        self.sim.configure(list_order="name_desc")
        order = self.sent_order()
        self.sim.ship(order.name, {"1": 10}, account=ACCOUNT, shipment_id="ASN-X1")
        doc = sim_rsx.shipment(
            ACME,
            "ASN-X1",
            [
                {
                    "po_number": order.name,
                    "packs": [{"sscc": sim_rsx.sscc(99), "items": [{"seq": "1", "qty": 10}]}],
                }
            ],
            purpose="01",
        )
        self.sim.drop_document(doc, account=ACCOUNT)
        self.run_sps()
        cancellation, notice = self.lines("shipment_in")
        self.assertIn('"TsetPurposeCode": "01"', cancellation.request_payload)
        self.assertEqual(notice.state, "done", notice.error_message)
        self.assertEqual(cancellation.state, "failed", "a notice already applied is checked by a person")
        self.assertIn("replaces or cancels one already applied", cancellation.error_message)

    # ------------------------------------------------------------------ inventory advice (846)
    def drop_inventory(self, document_id, items, **kwargs):
        doc = sim_rsx.inventory_advice(ACME, document_id, items, warehouse=WAREHOUSE, **kwargs)
        return self.sim.drop_document(doc, account=ACCOUNT)

    def test_inventory_advice_is_the_partner_stock_of_each_product(self):
        self.drop_inventory(
            "INV-1",
            [
                {"vendor_part": "WID-100-BLU", "quantities": [{"qty": 1180}]},
                {
                    "vendor_part": "WID-200-RED",
                    "quantities": [
                        {"qty": 0, "uom": "CA"},
                        {"qualifier": "OOR", "qty": 40, "uom": "CA", "date": "2025-03-21"},
                        {"qualifier": "QOH", "qty": 30, "uom": "CA", "locations": {"AKR-1": 10, "CLE-2": 20}},
                    ],
                },
                {
                    "vendor_part": "ACME-NEW-1",
                    "description": "A widget we do not buy",
                    "quantities": [{"qty": 5}],
                },
            ],
            inventory_date="2025-03-10",
            inventory_time="06:51:40",
        )
        self.run_sps()
        line = self.lines("inventory_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("6 quantities recorded", line.error_message)
        self.assertIn("ACME-NEW-1", line.error_message, "the item matched to no product is named")
        Stock = self.env["ml.connector.sps.stock"]
        red = Stock.search([("product_id", "=", self.red.id)], order="kind, location")
        self.assertEqual(
            [
                (row.kind, row.location, row.quantity, row.uom_code, str(row.quantity_date or ""))
                for row in red
            ],
            [
                ("available", "AKR-1", 0, "CA", ""),
                ("on_hand", "AKR-1", 10, "CA", ""),
                ("on_hand", "CLE-2", 20, "CA", ""),
                ("on_order", "AKR-1", 40, "CA", "2025-03-21"),
            ],
        )
        self.assertEqual(str(red[0].as_of), "2025-03-10 06:51:40")
        self.assertEqual(self.blue.product_tmpl_id.sps_stock_count, 1)
        self.assertEqual(Stock.search([("product_id", "=", False)]).item_code, "ACME-NEW-1")
        self.assertEqual(self.flow("inventory_in").cursor["as_of"], {ACME: "2025-03-10T06:51:40"})
        action = self.red.product_tmpl_id.action_open_sps_stock()
        self.assertEqual(Stock.search(action["domain"]), red)

    def test_older_inventory_advice_never_overwrites_newer_figures(self):
        self.sim.configure(list_order="newest_first")
        self.drop_inventory("INV-OLD", [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": 50}]}],
                            inventory_date="2025-03-09")  # fmt: skip
        self.drop_inventory("INV-NEW", [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": 7}]}],
                            inventory_date="2025-03-10")  # fmt: skip
        self.run_sps()
        newer, older = self.lines("inventory_in")
        self.assertIn("INV-NEW", newer.request_payload, "the newer advice was listed first")
        self.assertIn("1 older than what was recorded", older.error_message)
        row = self.env["ml.connector.sps.stock"].search([("product_id", "=", self.blue.id)])
        self.assertEqual((row.quantity, row.document), (7, "INV-NEW"))
        # the same advice again changes nothing
        self.drop_inventory("INV-NEW", [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": 7}]}],
                            inventory_date="2025-03-10")  # fmt: skip
        self.run_sps()
        self.assertEqual(len(self.lines("inventory_in")), 2, "recognised by its content")

    # ------------------------------------------------------------------ one folder for every type
    def test_every_document_type_in_one_folder(self):
        self.sim.configure(out_layout="flat", rsx_format="xml", file_names="edi", list_order="newest_first")
        for field in (
            "sps_folder_850",
            "sps_folder_855",
            "sps_folder_856",
            "sps_folder_944",
            "sps_folder_846",
        ):
            self.backend[field] = ""
        order = self.sent_order()
        self.sim.acknowledge(order.name, account=ACCOUNT)
        self.sim.ship(order.name, {"1": 24, "2": 5}, account=ACCOUNT, shipment_id="ASN-F1")
        self.sim.receipt("ASN-F1", account=ACCOUNT, receipt_id="RCV-F1")
        self.drop_order("NW-FLAT-1", [dict(NW_BLUE, qty=3)])
        self.drop_inventory("INV-F1", [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": 9}]}])
        self.sim.drop_raw("out/NOTICE.txt", b"not a document", account=ACCOUNT)
        self.assertTrue(all(".xml" in path or path.endswith(".txt") for path in self.files("out/")))
        self.run_sps()
        for name in ("order_in", "ack_in", "shipment_in", "receipt_in", "inventory_in"):
            line = self.lines(name).filtered(lambda ln: not ln.external_id.endswith(".txt"))
            self.assertEqual(line.mapped("state"), ["done"], f"{name}: {line.mapped('error_message')}")
        notice = self.env["ml.connector.audit.line"].search([("external_id", "=", "out/NOTICE.txt")])
        self.assertEqual((notice.flow_id, notice.state), (self.flow("order_in"), "failed"), "recorded once")
        self.assertEqual(order.picking_ids.state, "done")
        self.assertEqual(self.files("out/"), {}, "every file taken, by the flow that reads it")
