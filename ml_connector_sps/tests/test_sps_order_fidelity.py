"""850 and 860 in, read in full: charges and allowances, taxes, totals, ship-to and drop-ship,
store splits, identifiers that disagree, fields not read, change orders, and each order target."""

from odoo.tests import tagged

from tests.simulators import rsx as sim_rsx

from .common import NORTHWIND, NW_BLUE, NW_RED, SpsCase

CONSUMER = sim_rsx.address("ST", "Jane Consumer", "12 Elm St", "Dayton", "OH", "45402")
STORE_10 = sim_rsx.address("ST", "Northwind Store 10", "5 Main St", "Akron", "OH", "44308", location="0010")


@tagged("post_install", "-at_install")
class TestOrderFidelity(SpsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.charges = cls.env["product.product"].create(
            {"name": "Charges and allowances (SPS)", "type": "service", "purchase_ok": True, "sale_ok": True}
        )
        cls.backend.sps_charge_product_id = cls.charges
        company = cls.backend.company_id
        cls.sales_tax = cls.env["account.tax"].create(
            {"name": "Ohio sales 7.25%", "amount": 7.25, "type_tax_use": "sale", "company_id": company.id}
        )
        cls.purchase_tax = cls.env["account.tax"].create(
            {"name": "Ohio use 7.25%", "amount": 7.25, "type_tax_use": "purchase", "company_id": company.id}
        )

    def order_of(self, po_number, model="purchase.order"):
        field = {"purchase.order": "partner_ref", "sale.order": "client_order_ref"}.get(model, "reference")
        return self.env[model].search([(field, "=", po_number)])

    def product_lines(self, order):
        return order.order_line.filtered(lambda line: line.product_id != self.charges)

    # ------------------------------------------------------------------ charges, taxes, totals
    def test_header_allowance_percentage_becomes_a_discount_and_totals_match(self):
        self.drop_order(
            "NW-F1",
            [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)],
            charges=[sim_rsx.charge("A", "C310", percent=5, description="Promotional allowance")],
        )
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F1")
        self.assertEqual(order.order_line.mapped("discount"), [5.0, 5.0])
        self.assertAlmostEqual(order.amount_untaxed, 364.80)  # 384 - 5 %
        self.assertFalse(order.sps_total_issue, "the file's total (364.80) is Odoo's")

    def test_amounts_become_lines_of_the_charge_product(self):
        header = [
            sim_rsx.charge("C", "D240", 25.0, description="Freight"),
            sim_rsx.charge("A", "C310", 13.5, description="Discount"),
        ]
        blue = dict(
            NW_BLUE, qty=24, charges=[sim_rsx.charge("A", "A400", 2.4, description="Damage allowance")]
        )
        self.drop_order("NW-F2", [blue, dict(NW_RED, qty=5)], charges=header)
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F2")
        charge_lines = order.order_line - self.product_lines(order)
        self.assertEqual(
            sorted((cl.price_unit, cl.product_qty) for cl in charge_lines), [(-13.5, 1), (-2.4, 1), (25.0, 1)]
        )
        self.assertIn("Freight (D240)", charge_lines.mapped("name"))
        self.assertIn("Damage allowance (A400), line 1", charge_lines.mapped("name"))
        self.assertAlmostEqual(order.amount_untaxed, 384 + 25 - 13.5 - 2.4)
        self.assertFalse(order.sps_total_issue)

    def test_a_charge_without_a_product_waits_for_its_mapping(self):
        self.backend.sps_charge_product_id = False
        self.drop_order("NW-F3", [dict(NW_BLUE, qty=2)], charges=[sim_rsx.charge("C", "D240", 10.0)])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        mapping = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", self.backend.id), ("mapping_type", "=", "SPS charge")]
        )
        self.assertEqual(mapping.external_value, "D240")
        mapping.record_ref = f"product.product,{self.charges.id}"
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertAlmostEqual(self.order_of("NW-F3").amount_untaxed, 2 * 4.75 + 10)

    def test_stated_taxes_are_the_order_taxes(self):
        lines = [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)]
        self.drop_order("NW-F4", lines, taxes=[sim_rsx.tax("ST", 27.84, 7.25)])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F4")
        self.assertEqual(order.order_line.tax_ids, self.purchase_tax)
        self.assertEqual((order.amount_untaxed, order.amount_tax, order.amount_total), (384.0, 27.84, 411.84))
        self.assertFalse(order.sps_total_issue)

    def test_a_total_that_differs_is_said_on_the_order(self):
        self.drop_order("NW-F5", [dict(NW_BLUE, qty=24)], total=120.0)
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F5")
        self.assertIn("114", order.sps_total_issue)
        self.assertIn("120", order.sps_total_issue)
        self.assertIn("Totals differ", line.error_message)
        self.assertTrue(order.activity_ids, "a person is asked to check it")

    # ------------------------------------------------------------------ addresses and stores
    def test_store_split_gives_one_line_per_store(self):
        blue = dict(NW_BLUE, qty=30, locations={"0010": 10, "0020": 15})
        self.drop_order(
            "NW-F6", [blue, dict(NW_RED, qty=2, locations={"0010": 1, "0020": 1})], ship_to=STORE_10
        )
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F6")
        self.assertEqual(
            [(ln.sps_line_number, ln.sps_store, ln.product_qty) for ln in order.order_line],
            [("1", "0010", 10), ("1", "0020", 15), ("1", False, 5), ("2", "0010", 1), ("2", "0020", 1)],
        )
        self.assertEqual(order.amount_untaxed, 30 * 4.75 + 2 * 54)
        self.assertEqual((order.sps_ship_to_id.ref, order.sps_ship_to_id.parent_id), ("0010", self.northwind))

    def test_drop_ship_order_keeps_the_consumer_address(self):
        # a receipt straight to the customer (what stock_dropshipping's operation type is)
        dropship = self.env["stock.picking.type"].create(
            {
                "name": "Drop ship (test)",
                "code": "incoming",
                "sequence_code": "DST",
                "default_location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "company_id": self.backend.company_id.id,
            }
        )
        self.tp_northwind.dropship_picking_type_id = dropship
        self.drop_order("NW-F7", [dict(NW_BLUE, qty=1)], drop_ship_to=CONSUMER, customer_order="WEB-77812")
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-F7")
        consumer = order.sps_ship_to_id
        self.assertEqual(
            (consumer.name, consumer.street, consumer.city, consumer.zip, consumer.country_id.code),
            ("Jane Consumer", "12 Elm St", "Dayton", "45402", "US"),
        )
        self.assertEqual((consumer.parent_id, consumer.type), (self.northwind, "delivery"))
        self.assertEqual((order.picking_type_id, order.dest_address_id), (dropship, consumer))
        self.assertIn("Customer order WEB-77812", order.note)

    # ------------------------------------------------------------------ items
    def test_identifiers_that_disagree_go_to_review_with_both_products(self):
        # the partner's item number says blue, the UPC says red
        red_upc = "098765432109"
        self.red.barcode = red_upc
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.northwind.id,
                "product_tmpl_id": self.blue.product_tmpl_id.id,
                "product_code": "NW-1",
            }
        )
        self.drop_order("NW-F8", [{"buyer_part": "NW-1", "upc": red_upc, "qty": 3, "price": 4.75}])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("different products", line.error_message)
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(candidate.record_ref.id for candidate in review.candidate_ids),
            sorted((self.blue | self.red).ids),
        )
        review.candidate_ids.filtered(lambda c: c.record_ref == self.blue).action_choose()
        self.run_sps()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.order_of("NW-F8").order_line.product_id, self.blue)

    # ------------------------------------------------------------------ what is not read
    def test_fields_not_read_are_warnings_or_notes_never_refusals(self):
        doc = sim_rsx.order(NORTHWIND, "NW-F9", [dict(NW_BLUE, qty=2)], ship_date="2025-03-10")
        doc["Header"]["Dates"].append({"DateTimeQualifier": "001", "Date": "2025-02-30"})  # not a date
        doc["Header"]["CarrierInformation"] = [
            {"CarrierAlphaCode": "FXFE", "CarrierRouting": "FedEx Freight"}
        ]
        doc["Header"]["Paperwork"] = [{"ReportTypeCode": "PK"}]
        doc["Meta"] = {"SenderUniqueID": "NWSENDER"}
        self.sim.drop_document(doc, account="odoo")
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("Not read, and not valid", line.error_message)
        self.assertIn("$.Header.Dates[1].Date", line.error_message)
        self.assertIn(
            "Not applied (kept on this line): Header.Paperwork, Meta.SenderUniqueID", line.error_message
        )
        order = self.order_of("NW-F9")
        self.assertIn("FedEx Freight", order.note, "the carrier is noted on the order")
        self.assertEqual(str(order.date_planned.date()), "2025-03-10")

    def test_an_order_in_rsx_xml(self):
        self.sim.configure(rsx_format="xml")
        path = self.drop_order(
            "NW-F10", [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)], taxes=[sim_rsx.tax("ST", 27.84, 7.25)]
        )
        self.assertTrue(path.endswith(".xml"))
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertTrue(line.request_payload.startswith("<?xml"), "kept as received")
        order = self.order_of("NW-F10")
        self.assertEqual((order.amount_untaxed, order.amount_tax), (384.0, 27.84))
        self.assertEqual(order.order_line.mapped("product_uom_id"), self.unit | self.case)

    # ------------------------------------------------------------------ change orders (860)
    def drop_change(self, po_number, sequence, lines, **kwargs):
        doc = sim_rsx.change_order(NORTHWIND, po_number, sequence, lines, **kwargs)
        return self.sim.drop_document(doc, account="odoo")

    def test_change_order_is_applied_to_the_draft(self):
        self.drop_order("NW-C1", [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)])
        self.run_sps()
        order = self.order_of("NW-C1")
        self.drop_change(
            "NW-C1",
            1,
            [
                dict(NW_BLUE, seq=1, change="QI", qty=36, previous_qty=24),
                dict(NW_RED, seq=2, change="DI"),
                {"seq": 3, "buyer_part": "NW-778812", "vendor_part": "WID-100-BLU", "change": "AI", "qty": 2,
                 "price": 4.5},
            ],
        )  # fmt: skip
        self.run_sps()
        change = self.lines("order_in")[-1]
        self.assertEqual(change.state, "done", change.error_message)
        self.assertEqual(
            [(ln.sps_line_number, ln.product_id, ln.product_qty, ln.price_unit) for ln in order.order_line],
            [("1", self.blue, 36, 4.75), ("3", self.blue, 2, 4.5)],
        )
        self.assertEqual(order.sps_change_seq, 1)
        # the same change again, or an older one, changes nothing
        self.drop_change("NW-C1", 1, [dict(NW_BLUE, seq=1, change="QD", qty=1)])
        self.run_sps()
        self.assertEqual(self.lines("order_in")[-1].state, "skipped")
        self.assertEqual(order.order_line[0].product_qty, 36)

    def test_change_listed_before_its_order_waits_for_it_and_both_apply(self):
        self.sim.configure(list_order="newest_first")
        self.drop_order("NW-C2", [dict(NW_BLUE, qty=24)])
        self.drop_change("NW-C2", 1, [dict(NW_BLUE, seq=1, change="PC", qty=24, price=4.25)])
        run = self.run_sps()
        change, original = self.lines("order_in")
        self.assertIn("PC", change.request_payload, "the change was listed first")
        self.assertEqual((original.state, change.state), ("done", "done"), change.error_message)
        self.assertEqual(self.order_of("NW-C2").order_line.price_unit, 4.25)
        self.assertEqual(run.failed_count, 0)

    def test_cancellation_listed_before_its_order_cancels_it(self):
        self.sim.configure(list_order="name_desc")
        self.drop_order("NW-C3", [dict(NW_BLUE, qty=1)])
        self.drop_order("NW-C3", purpose="01")
        self.run_sps()
        order = self.order_of("NW-C3")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(sorted(self.lines("order_in").mapped("state")), ["done", "done"])

    def test_change_of_an_order_never_received_fails_after_its_attempts(self):
        self.backend.record_max_attempts = 1
        self.drop_change("NW-C4", 1, [dict(NW_BLUE, seq=1, change="QI", qty=3)])
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "failed")
        self.assertIn("not in Odoo yet", line.error_message)

    # ------------------------------------------------------------------ targets
    def test_sales_orders_for_a_retailer(self):
        self.tp_northwind.order_target = "sale_order"
        self.drop_order(
            "NW-S1",
            [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5, locations={"0010": 2, "0020": 3})],
            ship_to=STORE_10,
            charges=[sim_rsx.charge("A", "C310", percent=5)],
            taxes=[sim_rsx.tax("ST", 26.45, 7.25)],
            ship_date="2025-03-10",
        )
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        order = self.order_of("NW-S1", "sale.order")
        self.assertEqual((line.res_model, line.res_id), ("sale.order", order.id))
        self.assertEqual(
            (order.partner_id, order.state, order.sps_partner_id),
            (self.northwind, "draft", self.tp_northwind),
        )
        self.assertEqual(order.partner_shipping_id.ref, "0010")
        self.assertEqual(
            [(ol.product_id, ol.product_uom_qty, ol.sps_store, ol.discount) for ol in order.order_line],
            [(self.blue, 24, False, 5.0), (self.red, 2, "0010", 5.0), (self.red, 3, "0020", 5.0)],
        )
        self.assertEqual(order.order_line.tax_ids, self.sales_tax)
        self.assertEqual((order.amount_untaxed, order.amount_tax), (364.8, 26.45))
        self.assertFalse(order.sps_total_issue)
        self.assertEqual(str(order.commitment_date.date()), "2025-03-10")
        self.assertFalse(self.order_of("NW-S1"), "no purchase order")
        # a replacement rewrites the quotation; a confirmed order is left to a person
        self.drop_order("NW-S1", [dict(NW_BLUE, qty=10)], purpose="05")
        self.run_sps()
        self.assertEqual(order.order_line.product_uom_qty, 10)
        order.action_confirm()
        self.drop_order("NW-S1", purpose="01")
        self.run_sps()
        self.assertEqual(self.lines("order_in")[-1].state, "failed")
        self.assertEqual(order.state, "sale")

    def test_purchase_agreements_for_a_partner(self):
        self.assertIn(
            "purchase.requisition", self.env, "the Purchase Agreements app is installed for the tests"
        )
        self.tp_northwind.order_target = "requisition"
        self.drop_order("NW-R1", [dict(NW_BLUE, qty=24), dict(NW_RED, qty=5)], ship_date="2025-03-10")
        self.run_sps()
        line = self.lines("order_in")
        self.assertEqual(line.state, "done", line.error_message)
        agreement = self.order_of("NW-R1", "purchase.requisition")
        self.assertEqual((line.res_model, line.res_id), ("purchase.requisition", agreement.id))
        self.assertEqual(agreement.vendor_id, self.northwind)
        self.assertEqual(
            [(ln.product_id, ln.product_qty, ln.price_unit) for ln in agreement.line_ids],
            [(self.blue, 24, 4.75), (self.red, 5, 54.0)],
        )
        self.drop_change("NW-R1", 1, [dict(NW_RED, seq=2, change="QD", qty=3)])
        self.run_sps()
        self.assertEqual(self.lines("order_in")[-1].state, "done", self.lines("order_in")[-1].error_message)
        self.assertEqual(agreement.line_ids.mapped("product_qty"), [24, 3])
        self.drop_order("NW-R1", purpose="01")
        self.run_sps()
        self.assertEqual(agreement.state, "cancel")

    def test_order_targets_offered_are_the_installed_ones(self):
        targets = dict(
            self.env["ml.connector.sps.partner"]._fields["order_target"]._description_selection(self.env)
        )
        self.assertEqual(set(targets), {"sale_order", "purchase_order", "requisition"})
        self.assertEqual(
            self.env["ml.connector.sps.partner"].new({"role": "retailer"}).order_target, "purchase_order"
        )
