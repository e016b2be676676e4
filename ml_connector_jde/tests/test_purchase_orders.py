import json
from datetime import timedelta

from odoo.tests import tagged

from tests.simulators.jaggaer import splittable_entries

from .common import JdeJaggaerCase

ORDER = "10230-OP"  # Lab Supply (6105), plant M30: gloves 40 x 12.50 (6120), pipette tips 10 x 45.00 (6120)
KEY = "00200-10230-OP-000"


@tagged("post_install", "-at_install")
class TestPurchaseOrders(JdeJaggaerCase):
    """F4301 + F4311 to JAGGAER through JAGGAER's own purchase-order writer; statuses back."""

    def setUp(self):
        super().setUp()
        self.map_plants()

    def coding(self, po_line):
        entries = splittable_entries(po_line["splittableFieldSetGroupList"])
        return {entry["internalName"]: entry["value"] for entry in entries}

    def binding(self, key=KEY):
        return self.env["ml.connector.binding"]._find(
            self.jaggaer, "jaggaer_po", local_ref=key, local_backend=self.backend
        )

    def test_orders_reach_jaggaer_with_supplier_and_coding(self):
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(len(self.jaggaer_sim.purchase_orders), 5)
        po = self.jaggaer_po(ORDER)
        self.assertEqual(po["supplier"]["supplierNumber"], "6105")
        self.assertEqual(po["supplier"]["id"], 3951, "the supplier JAGGAER already had")
        self.assertEqual(po["total"], {"currency": "USD", "value": 950})
        lines = po["lineList"]["poLine"]
        self.assertEqual([(line["lineNumber"], line["quantity"]) for line in lines], [("1", 40), ("2", 10)])
        self.assertEqual(lines[0]["item"]["catalogNumber"], "LAB-GLV-100")
        self.assertEqual(self.coding(lines[0]), {"Account": "6120", "CostCenter": "CC-CLE"})
        self.assertEqual(self.jaggaer_po("10233-OP")["total"]["currency"], "EUR")
        self.assertEqual(self.binding().external_id, str(po["poId"]))
        self.assertEqual(self.binding().external_key, ORDER)
        line = self.lines("po", source_key=KEY)
        self.assertEqual(line.state, "done")
        self.assertEqual(line.document_key, ORDER)
        stored = json.loads(line.request_payload)
        self.assertEqual(stored["F4301"]["F4301_DOCO"], 10230)
        self.assertEqual([row["F4311_LNID"] for row in stored["F4311"]], [1000, 2000])
        ordered = self.sim.local_now().date() - timedelta(days=12)
        self.assertEqual(stored["F4301"]["F4301_TRDJ"], ordered.strftime("%m/%d/%Y"), "as JD Edwards sent it")
        self.assertEqual(po["orderDate"][:10], ordered.isoformat())
        self.assertIn('"poNumber": "10230-OP"', line.sent_payload)
        # the next cycle sends nothing again
        imports = len(self.jaggaer_sim.requests_to("/j1p/api/public/jp/v1/purchaseorders", "POST"))
        self.run_jde()
        self.assertEqual(
            len(self.jaggaer_sim.requests_to("/j1p/api/public/jp/v1/purchaseorders", "POST")), imports
        )
        self.assertEqual(self.jaggaer_sim.import_counts[ORDER], 1)

    def test_a_line_changed_alone_and_a_cancellation_are_sent_again(self):
        self.run_jde()
        self.sim.clock.advance(30)
        # F4311 only: the header's stamp does not move
        self.sim.update("F4311", {"DOCO": 10230, "LNID": 2000}, {"UORG": 12, "AEXP": 540.0})
        self.run_jde()
        po = self.jaggaer_po(ORDER)
        self.assertEqual(po["revisionNumber"], 1)
        self.assertEqual(po["lineList"]["poLine"][1]["quantity"], 12)
        self.assertEqual(len(self.lines("po", source_key=KEY)), 2)

        self.sim.clock.advance(30)
        self.sim.update("F4311", {"DOCO": 10230, "LNID": 2000}, {"LTTR": "980"})
        self.run_jde()
        po = self.jaggaer_po(ORDER)
        self.assertEqual(
            [line["lineNumber"] for line in po["lineList"]["poLine"]], ["1"], "a cancelled line leaves"
        )
        self.sim.clock.advance(30)
        self.sim.update("F4311", {"DOCO": 10230}, {"LTTR": "980"})
        self.run_jde()
        self.assertEqual(self.jaggaer_po(ORDER)["status"], "Canceled")
        last = self.lines("po", source_key=KEY).sorted("id")[-1]
        self.assertEqual(last.state, "done", last.error_message)
        self.assertIn("Canceled", last.error_message)

    def test_same_day_and_same_second_updates_are_exact(self):
        """UPMJ is a day and TDAY a second: a change in the same second as the mark, read by the next
        run, is sent; rows read again in the overlap window are not sent twice."""
        self.run_jde()
        self.assertEqual(self.jaggaer_sim.import_counts[ORDER], 1)
        # no clock move: the change carries the very stamp (day and second) of the last rows read
        self.sim.update("F4301", {"DOCO": 10231}, {"DRQJ": self.sim.local_now().date()})
        self.sim.update("F4311", {"DOCO": 10231}, {"PRRC": 39.5, "AEXP": 4740.0})
        self.run_jde()
        po = self.jaggaer_po("10231-OP")
        self.assertEqual(po["lineList"]["poLine"][0]["unitPrice"]["value"], 39.5)
        self.assertEqual(self.jaggaer_sim.import_counts["10231-OP"], 2)
        self.assertEqual(
            {number: count for number, count in self.jaggaer_sim.import_counts.items() if count > 1},
            {"10231-OP": 2},
        )
        # a day later, and the change of yesterday evening is not read again
        self.sim.clock.advance(86400)
        imports = dict(self.jaggaer_sim.import_counts)
        self.run_jde()
        self.assertEqual(self.jaggaer_sim.import_counts, imports)

    def test_an_idle_poll_reads_each_table_once_the_window_passed(self):
        self.run_jde()
        self.sim.clock.advance(self.flow("po").overlap_seconds + 1)
        self.run_jde()  # reads the window below the marks a last time, now that it passed
        self.assertTrue(self.flow("po").cursor["F4301:settled"])
        self.sim.request_log.clear()
        run = self.run_jde()
        self.assertFalse(run.collected_count)
        reads = self.sim.requests_to("/jderest/v2/dataservice", "POST")
        self.assertEqual(
            len(reads), 6, "F0901, F0006, F0401, F0101, F4301, F4311: one read each, nothing again"
        )
        # a change after the mark is read, and only it
        self.sim.update("F4311", {"DOCO": 10232, "LNID": 3000}, {"UORG": 55, "AEXP": 1177.0})
        self.run_jde()
        self.assertEqual(self.jaggaer_po("10232-OP")["lineList"]["poLine"][2]["quantity"], 55)
        self.assertEqual(
            self.jaggaer_sim.import_counts, {f"{n}-OP": 2 if n == 10232 else 1 for n in range(10230, 10235)}
        )

    def test_an_unmapped_account_waits_then_goes_once_mapped(self):
        self.sim.insert(
            "F0901", {"AID": "00000399", "CO": "00200", "MCU": "M30", "OBJ": "6999", "DL01": "Tooling"}
        )
        self.sim.update("F4311", {"DOCO": 10233}, {"OBJ": "6999", "ANI": "M30.6999"})
        self.run_jde()
        line = self.lines("po", source_key="00200-10233-OP-000")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("Account '6999' has no Account value in JAGGAER (plants)", line.error_message)
        self.assertIsNone(self.jaggaer_po("10233-OP"))
        listed = self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("other_backend_id", "=", self.backend.id),
                ("other_value", "=", "6999"),
            ]
        )
        self.assertEqual(len(listed), 1, "listed once, by the GL flow and the order alike")
        self.assertFalse(listed.external_value)
        self.assertEqual(listed.other_label, "Tooling")
        listed.external_value = "6400"
        self.assertEqual(line.state, "pending", "released")
        self.run_jde()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.coding(self.jaggaer_po("10233-OP")["lineList"]["poLine"][0])["Account"], "6400")

    def test_an_order_waits_for_its_supplier(self):
        self.flow("supplier").active = False
        self.run_jde()
        line = self.lines("po", source_key=KEY)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("not linked to a JAGGAER supplier yet", line.error_message)
        self.flow("supplier").active = True
        self.run_jde()
        self.assertEqual(line.state, "done", "the supplier flow linked the supplier: released")

    def test_statuses_recorded_on_the_binding_and_the_audit_line(self):
        self.run_jde()
        self.assertEqual(self.binding().data["status"], "Approved")
        self.jaggaer_sim.set_po_status(ORDER, "Distributed")
        self.jaggaer_sim.set_po_status(ORDER, "Acknowledged")
        self.run_jde()
        self.assertEqual(self.binding().data["status"], "Acknowledged")
        self.assertEqual(self.binding().data["canonical_status"], "acknowledged")
        line = self.lines("status", document_key=ORDER).sorted("id")[-1]
        self.assertEqual(line.state, "done")
        self.assertEqual(line.error_message, f"{ORDER}: Approved → Acknowledged.")
        self.assertEqual(line.target_key, KEY)
        # an order JAGGAER has and JD Edwards did not send is no business of this flow
        self.jaggaer_sim.seed(
            {"purchase_orders": [{"poNumber": "J-ONLY-1", "supplier": {"supplierNumber": "4410"}}]}
        )
        self.run_jde()
        self.assertEqual(self.lines("status", document_key="J-ONLY-1").state, "skipped")

    def test_a_result_set_that_expires_mid_paging_is_read_on_without_loss_or_repeat(self):
        self.backend.jde_page_size = 2
        self.sim.configure(result_set_idle_timeout=0)  # every next page finds its result set gone
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        next_pages = self.sim.requests_to("/jderest/v2/dataservice/next")
        self.assertTrue(next_pages)
        self.assertTrue(all(r["status"] == 500 for r in next_pages))
        self.assertEqual(len(self.jaggaer_sim.purchase_orders), 5)
        self.assertEqual(set(self.jaggaer_sim.import_counts.values()), {1})
        self.assertEqual(len(self.lines("po")), 5)
        self.assertEqual(len(self.lines("supplier")), 6)
