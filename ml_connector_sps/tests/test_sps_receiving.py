from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, ACME, SpsCase


@tagged("post_install", "-at_install")
class TestReceiving(SpsCase):
    """855, 856 and 944 from a vendor about a purchase order we sent it."""

    def sent_order(self, lines=None):
        order = self.make_po(lines) if lines else self.acme_order()
        self.run_sps()
        self.assertEqual(order.sps_order_file, f"in/PO{order.name}-1.json")
        return order

    def moves(self, picking):
        return {move.product_id: move for move in picking.move_ids}

    def test_acknowledgement_with_changes_and_backorder(self):
        order = self.sent_order()
        blue_line, red_line = order.order_line
        self.sim.acknowledge(
            order.name,
            {"2": [("IQ", 4, "2025-03-10"), ("IB", 1, "2025-03-21")]},
            account=ACCOUNT,
            ack_date="2025-03-04",
        )
        self.run_sps()
        line = self.lines("ack_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual((line.res_model, line.res_id), ("purchase.order", order.id))
        self.assertEqual(order.sps_ack_status, "backordered")
        self.assertEqual((order.sps_ack_type, order.sps_ack_number), ("AC", f"ACK-{order.name}"))
        self.assertEqual(str(order.sps_ack_date), "2025-03-04")
        self.assertEqual(blue_line.sps_ack_status, "accepted")
        self.assertEqual(red_line.sps_ack_status, "backordered")
        self.assertEqual(red_line.sps_ack_detail, "IQ 4 CA 2025-03-10; IB 1 CA 2025-03-21")
        self.assertEqual(
            order.order_line.mapped("product_qty"), [24, 5], "the buyer decides, nothing is changed"
        )
        line.action_replay()
        self.assertEqual(line.state, "skipped")

    def test_rejection(self):
        order = self.sent_order()
        self.sim.acknowledge(order.name, {"1": "IR", "2": "IR"}, account=ACCOUNT)
        self.run_sps()
        self.assertEqual(order.sps_ack_status, "rejected")
        self.assertEqual(order.order_line.mapped("sps_ack_status"), ["rejected", "rejected"])

    def test_acknowledgement_for_an_order_we_never_sent_fails(self):
        self.sim.seed(
            {"accounts": [{"id": ACCOUNT, "orders": [{"tpid": ACME, "po_number": "P99999", "lines": [{}]}]}]}
        )
        self.sim.acknowledge("P99999", account=ACCOUNT)
        self.run_sps()
        line = self.lines("ack_in")
        self.assertEqual(line.state, "failed")
        self.assertIn("P99999, which does not exist in Odoo", line.error_message)

    def test_acknowledgement_naming_an_order_of_another_vendor_fails(self):
        other = self.env["res.partner"].create({"name": "Local Supplier", "is_company": True})
        order = self.make_po([(self.blue, 1, self.unit, 5.0)], partner=other)
        self.sim.seed(
            {
                "accounts": [
                    {"id": ACCOUNT, "orders": [{"tpid": ACME, "po_number": order.name, "lines": [{}]}]}
                ]
            }
        )
        self.sim.acknowledge(order.name, account=ACCOUNT)
        self.run_sps()
        line = self.lines("ack_in")
        self.assertEqual(line.state, "failed")
        self.assertIn(f"{order.name}, which does not exist in Odoo for Acme Widgets LLC", line.error_message)
        self.assertFalse(order.sps_ack_status, "an order of another vendor is left alone")

    def test_partial_ship_notice_then_receipt_with_damage_and_backorder(self):
        order = self.sent_order()
        picking = order.picking_ids
        self.sim.ship(order.name, {"1": 24, "2": 4}, account=ACCOUNT, shipment_id="ASN-1", bol="BOL-1")
        self.run_sps()
        asn_line = self.lines("shipment_in")
        self.assertEqual(asn_line.state, "done", asn_line.error_message)
        self.assertEqual((asn_line.res_model, asn_line.res_id), ("stock.picking", picking.id))
        moves = self.moves(picking)
        # receipts count units: 4 cases of 12 are 48
        self.assertEqual(moves[self.red].product_uom, self.unit)
        self.assertEqual((moves[self.blue].quantity, moves[self.red].quantity), (24, 48))
        self.assertEqual(moves[self.red].sps_asn_qty, 48)
        self.assertEqual(picking.state, "assigned", "the notice prepares the receipt; it does not receive")
        self.assertEqual((picking.sps_asn_ref, picking.sps_bol), ("ASN-1", "BOL-1"))
        self.assertEqual(order.sps_last_asn, "ASN-1")

        self.sim.receipt("ASN-1", account=ACCOUNT, damaged={"2": 1}, receipt_id="RCV-1")
        self.run_sps()
        receipt_line = self.lines("receipt_in")
        self.assertEqual(receipt_line.state, "done", receipt_line.error_message)
        self.assertEqual(picking.state, "done")
        self.assertEqual((moves[self.blue].quantity, moves[self.red].quantity), (24, 36))
        self.assertEqual(moves[self.red].sps_damaged_qty, 12)
        self.assertIn("damaged (CC)", picking.sps_receipt_note)
        self.assertEqual(picking.sps_receipt_ref, "RCV-1")
        backorder = picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        self.assertEqual(
            [(m.product_id, m.product_uom_qty) for m in backorder.move_ids], [(self.red, 24)], "2 cases left"
        )
        self.assertEqual(order.order_line.mapped("qty_received"), [24, 3])

        # the vendor ships the rest: the second notice goes to the backorder
        self.sim.ship(order.name, account=ACCOUNT, shipment_id="ASN-2")
        self.run_sps()
        self.assertEqual(self.lines("shipment_in")[-1].state, "done")
        self.assertEqual(backorder.move_ids.quantity, 12, "the vendor shipped the one backordered case")
        self.assertEqual(backorder.sps_asn_ref, "ASN-2")

    def test_the_same_ship_notice_twice_changes_nothing(self):
        order = self.sent_order()
        path = self.sim.ship(order.name, {"1": 10}, account=ACCOUNT, shipment_id="ASN-7")
        raw = self.files("out/SH/")[path]
        self.run_sps()
        self.sim.drop_raw("out/SH/SHASN-7-copy.json", raw, account=ACCOUNT)
        duplicate = sim_rsx.parse(raw)
        duplicate["Header"]["ShipmentHeader"]["TsetPurposeCode"] = "07"
        self.sim.drop_raw("out/SH/SHASN-7-07.json", sim_rsx.dumps(duplicate), account=ACCOUNT)
        self.run_sps()
        lines = self.lines("shipment_in")
        self.assertEqual(
            lines.mapped("state"), ["done", "skipped"], "the copy is known; the 07 is recognised"
        )
        self.assertEqual(self.moves(order.picking_ids)[self.blue].quantity, 10)

    def test_lots_from_the_ship_notice_reach_stock(self):
        lotted = self.env["product.product"].create(
            {"name": "Lotted widget", "default_code": "WID-LOT", "is_storable": True, "tracking": "lot"}
        )
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.acme.id,
                "product_tmpl_id": lotted.product_tmpl_id.id,
                "product_code": "ACME-LOT",
            }
        )
        order = self.sent_order([(lotted, 24, self.unit, 2.0)])
        self.sim.ship(order.name, packs=[{"1": 12}, {"1": 12}], lots={"1": "LOT-A"}, account=ACCOUNT)
        self.run_sps()
        picking = order.picking_ids
        self.assertEqual(picking.move_line_ids.mapped("lot_name"), ["LOT-A"])
        self.assertEqual(picking.move_ids.quantity, 24)
        self.sim.receipt(po_number=order.name, account=ACCOUNT)
        self.run_sps()
        self.assertEqual(self.lines("receipt_in").state, "done", self.lines("receipt_in").error_message)
        self.assertEqual(picking.state, "done")
        quant = self.env["stock.quant"].search(
            [("product_id", "=", lotted.id), ("location_id.usage", "=", "internal")]
        )
        self.assertEqual((quant.lot_id.name, quant.quantity), ("LOT-A", 24))

    def test_receive_on_ship_notice_for_partners_without_944(self):
        self.tp_acme.validate_on_asn = True
        order = self.sent_order()
        self.sim.ship(order.name, {"1": 20}, account=ACCOUNT)
        self.run_sps()
        picking = order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(picking.move_ids.filtered("quantity").quantity, 20)
        backorder = picking.backorder_ids
        self.assertEqual(
            sorted((m.product_id.id, m.product_uom_qty) for m in backorder.move_ids),
            sorted([(self.blue.id, 4), (self.red.id, 60)]),
        )

    def test_receipt_without_ship_notice_uses_the_order_receipt(self):
        order = self.sent_order()
        # the vendor's warehouse confirms directly: a 944 on the PO number, no 856 seen by us
        self.tp_acme.receive_856 = False
        self.sim.ship(order.name, {"1": 24, "2": 5}, account=ACCOUNT, shipment_id="ASN-UNSEEN")
        self.sim.receipt("ASN-UNSEEN", account=ACCOUNT, received={"1": 24, "2": 5})
        self.run_sps()
        self.assertEqual(self.lines("receipt_in").state, "done", self.lines("receipt_in").error_message)
        self.assertEqual(order.picking_ids.state, "done")
        self.assertFalse(order.picking_ids.backorder_ids)
        self.assertEqual(
            self.lines("shipment_in").state, "needs_review", "ship notices are not enabled for Acme"
        )
