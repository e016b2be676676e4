import json

from odoo.tests import tagged

from .common import FusionJaggaerCase

ACK_PATH = "/fscmRestApi/resources/11.13.18.05/purchaseOrderAcknowledgments"


def coding(po_line):
    entries = po_line["splittableFieldSetGroupList"]["splittableFieldSetGroup"][0]["splittableFieldIndexSet"][
        0
    ]
    values = entries["splittableFieldIndexList"]["splittableFieldIndex"][0]["customFieldValueList"]
    return {entry["internalName"]: entry["value"] for entry in values["customFieldValue"]}


@tagged("post_install", "-at_install")
class TestGlValues(FusionJaggaerCase):
    def test_values_mapped_by_description_the_rest_listed(self):
        self.jaggaer_sim.seed(
            {"gl_values": [{"internalName": "Account", "value": "630000", "description": "Rent"}]}
        )
        self.only_flows("gl")
        self.cycle()
        Mapping = self.env["ml.connector.mapping"]
        rent = Mapping.search([("backend_id", "=", self.jaggaer.id), ("external_value", "=", "630000")])
        self.assertEqual((rent.other_backend_id, rent.other_value, rent.mapped), (self.backend, False, False))
        self.assertIn("Listed for the administrator", self.line_of("gl", "630000").error_message)
        facilities = Mapping.search([("backend_id", "=", self.jaggaer.id), ("external_value", "=", "CC-300")])
        self.assertEqual((facilities.other_value, facilities.other_label), ("300", "Facilities"))
        # a value already mapped by hand is kept
        facilities.other_value = "000"
        self.jaggaer_sim.seed(
            {
                "gl_values": [
                    {"internalName": "CostCenter", "value": "CC-300", "description": "Facilities (new)"}
                ]
            }
        )
        self.cycle()
        facilities.invalidate_recordset()
        self.assertEqual((facilities.other_value, facilities.external_label), ("000", "Facilities (new)"))

    def test_an_order_waits_for_an_unmapped_value_then_goes(self):
        self.jaggaer_sim.seed(
            {"gl_values": [{"internalName": "Account", "value": "620000", "description": "Freight in"}]}
        )
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out")
        self.cycle()
        line = self.line_of("po_out", "1004124")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("6200", line.error_message)
        self.assertIsNone(self.jaggaer_sim.get_po("1004124"))
        mapping = self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("mapping_type", "=", "Account"),
                ("external_value", "=", "620000"),
            ]
        )
        waiting = self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("other_value", "=", "6200"),
                ("external_value", "=", False),
            ]
        )
        self.assertTrue(waiting, "Fusion's value the order needs is listed too")
        mapping.other_value = "6200"
        self.assertFalse(waiting.exists(), "fulfilled by the mapping of JAGGAER's value")
        line.invalidate_recordset()
        self.assertEqual(line.state, "pending", "released by the mapping")
        self.cycle()
        self.assertEqual(
            coding(self.jaggaer_sim.get_po("1004124")["lineList"]["poLine"][1]),
            {"Account": "620000", "CostCenter": "CC-100"},
        )

    def test_a_value_an_order_listed_first_is_still_matched(self):
        # the order runs before the GL values (e.g. the GL flow waited for the other end's lock)
        self.only_flows("supplier_in", "supplier_out", "po_out")
        self.cycle()
        line = self.line_of("po_out", "1004124")
        self.assertEqual(line.state, "needs_review")
        self.only_flows("gl")
        self.cycle()
        Mapping = self.env["ml.connector.mapping"]
        freight = Mapping.search([("backend_id", "=", self.jaggaer.id), ("external_value", "=", "620000")])
        self.assertEqual(freight.other_value, "6200", "matched although the order listed 6200 first")
        self.assertFalse(
            Mapping.search([("backend_id", "=", self.jaggaer.id), ("external_value", "=", False)])
        )
        line.invalidate_recordset()
        self.assertEqual(line.state, "pending", "released")


@tagged("post_install", "-at_install")
class TestPurchaseOrders(FusionJaggaerCase):
    def setUp(self):
        super().setUp()
        self.only_flows("gl", "supplier_in", "supplier_out", "po_out", "ack")

    def test_orders_go_with_lines_supplier_and_coding(self):
        self.cycle()
        po = self.jaggaer_sim.get_po("1004124")
        self.assertEqual(po["supplier"]["supplierNumber"], "1252")
        self.assertEqual(po["total"], {"currency": "USD", "value": 705})
        rotor, freight = po["lineList"]["poLine"]
        self.assertEqual((rotor["lineNumber"], rotor["quantity"], rotor["unitPrice"]["value"]), ("1", 2, 310))
        self.assertEqual(coding(rotor), {"Account": "600000", "CostCenter": "CC-100"})
        self.assertEqual(coding(freight), {"Account": "620000", "CostCenter": "CC-100"})
        line = self.line_of("po_out", "1004124")
        read = json.loads(line.request_payload)
        self.assertIn("schedules", json.dumps(read), "the order as read whole is kept on the line")
        self.assertEqual(json.loads(line.sent_payload)["poNumber"], "1004124")

    def test_changes_and_cancellations_are_sent_again(self):
        self.cycle()
        self.sim.change_po_line("1004127", 1, Quantity=12)
        self.cycle()
        po = self.jaggaer_sim.get_po("1004127")
        self.assertEqual((po["revisionNumber"], po["lineList"]["poLine"][0]["quantity"]), (1, 12))
        header_id = self.sim.find_po("1004127")["POHeaderId"]
        self.sim.touch("purchaseOrders", header_id, DocumentStatusCode="CANCELED")
        self.cycle()
        self.assertEqual(self.jaggaer_sim.get_po("1004127")["status"], "Canceled")
        self.assertEqual(self.line_of("po_out", "1004127").state, "done")

    def test_orders_not_approved_are_not_sent_and_split_accounts_refused(self):
        header_id = self.sim.find_po("1004127")["POHeaderId"]
        self.sim.touch("purchaseOrders", header_id, DocumentStatusCode="INCOMPLETE")
        schedule = self.sim.find_po("1004124")["lines"][0]["schedules"][0]
        other = self.sim.add_account_combination(
            ChartOfAccountsId=101,
            Segment1="01",
            Segment2="100",
            Segment3="6100",
            Segment4="0000",
            Segment5="000",
        )
        schedule["distributions"].append(
            {**schedule["distributions"][0], "PODistributionId": 1, "DistributionNumber": 2,
             "CodeCombinationId": other["CodeCombinationId"],
             "POChargeAccount": other["ConcatenatedSegments"]}
        )  # fmt: skip
        self.sim.change_po_line("1004124", 1, Description="Centrifuge rotor 24 x 2 ml")
        self.cycle()
        self.assertEqual(self.line_of("po_out", "1004127").state, "skipped")
        self.assertIn("not submitted yet", self.line_of("po_out", "1004127").error_message)
        split = self.line_of("po_out", "1004124")
        self.assertEqual(split.state, "failed")
        self.assertRegex(split.error_message, r"split across accounts (6000, 6100|6100, 6000)")
        self.assertIsNone(self.jaggaer_sim.get_po("1004124"))

    def test_acknowledged_orders_are_accepted_once(self):
        self.cycle()
        for number in ("1004125", "1004126"):
            po = self.sim.find_po(number)
            self.assertEqual(
                (po["DocumentStatusCode"], po["_ack"]["AcknowledgmentResponse"]), ("OPEN", "ACCEPT")
            )
            self.assertIn("Acknowledged in JAGGAER", po["_ack"]["AcknowledgmentNote"])
        patches = self.sim.requests_to(ACK_PATH, "PATCH")
        self.assertEqual(len(patches), 2)
        self.line_of("ack", "1004125").action_replay()
        self.assertEqual(
            self.line_of("ack", "1004125").state, "skipped", "no longer pending: not answered twice"
        )
        self.assertEqual(len(self.sim.requests_to(ACK_PATH, "PATCH")), 2)

    def test_acknowledgment_through_the_older_action(self):
        self.backend.fusion_ack_mode = "action"
        self.sim.configure(ack_action_enabled=True)
        self.cycle()
        self.assertEqual(self.sim.find_po("1004125")["DocumentStatusCode"], "OPEN")
        self.assertFalse(self.sim.requests_to(ACK_PATH, "PATCH"))
        self.assertTrue([r for r in self.sim.request_log if r["path"].endswith("/action/acknowledge")])

    def test_an_unanswered_acknowledgment_is_found_answered(self):
        self.sim.inject("lost", path=ACK_PATH, method="PATCH", count=1)
        self.cycle()
        line = self.lines("ack").filtered("outcome_unknown")
        self.assertEqual(line.state, "pending", line.error_message)
        self.force_due()
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("no longer pending", line.error_message)
        self.assertEqual(len(self.sim.requests_to(ACK_PATH, "PATCH")), 2, "one each, none twice")
