from odoo.tests import tagged

from .common import FusionJaggaerCase

SUPPLIERS_PATH = "/fscmRestApi/resources/11.13.18.05/suppliers"


@tagged("post_install", "-at_install")
class TestSuppliers(FusionJaggaerCase):
    def setUp(self):
        super().setUp()
        self.only_flows("supplier_in", "supplier_out")

    def test_the_matching_cascade_links_creates_and_pushes(self):
        self.cycle()
        lab = self.fusion_supplier("Lab Supply Inc")
        northwind = self.fusion_supplier("Northwind Lab Services GmbH")
        acme = self.fusion_supplier("ACME Lab Equipment Inc")
        for bravo, row, why in ((4101, lab, "supplier number 1252"), (4102, northwind, "DUNS 314159265"),
                                (4103, acme, "same normalised name")):  # fmt: skip
            binding = self.binding("supplier", external_id=str(bravo))
            self.assertEqual(binding.local_ref, str(row["SupplierId"]))
            self.assertIn(why, self.line_by_key("supplier_in", bravo).error_message)

        helix = self.fusion_supplier("Helix Reagents Ltd")
        self.assertEqual(helix["TaxpayerCountry"], "GB")
        (address,) = helix["addresses"]
        self.assertEqual(
            (address["AddressLine1"], address["City"], address["PostalCode"]),
            ("7 Science Park", "Cambridge", "CB2 1TN"),
        )
        (site,) = helix["sites"]
        self.assertEqual((site["SupplierSite"], site["ProcurementBU"]), ("CAMBRIDGE", "Vision Operations"))
        # Fusion's own suppliers reach JAGGAER with their numbers; Fusion won on the first links
        pinnacle = self.jaggaer_supplier("Pinnacle Freight LLC")
        self.assertEqual(
            (pinnacle["extCode"], pinnacle["city"], pinnacle["isoCountry"]), ("1255", "Chicago", "US")
        )
        self.assertEqual(self.jaggaer_sim.suppliers[4102]["extCode"], "1253")
        self.assertEqual(len(self.sim.data["suppliers"]), 7)
        self.assertEqual(len(self.jaggaer_sim.suppliers), 7)
        # both sides remembered on the one binding of each pair
        data = self.binding("supplier", external_id="4104").data
        self.assertEqual(data["local"]["city"], "Cambridge")
        self.assertEqual(data["remote"]["number"], "HLX-01")

    def test_changes_go_both_ways_and_converge(self):
        self.cycle()
        self.jaggaer_sim.update_supplier(4104, city="Oxford", zip="OX1 2JD")
        lab_id = self.fusion_supplier("Lab Supply Inc")["SupplierId"]
        self.sim.touch("suppliers", lab_id, DUNSNumber="123456780")
        self.cycle()
        helix = self.fusion_supplier("Helix Reagents Ltd")
        self.assertEqual(
            (helix["addresses"][0]["City"], helix["addresses"][0]["PostalCode"]), ("Oxford", "OX1 2JD")
        )
        self.assertEqual(self.jaggaer_sim.suppliers[4101]["extUniqueCode"], "123456780")
        self.assertEqual(self.jaggaer_sim.suppliers[4104]["city"], "Oxford", "not sent back")
        counts = (len(self.lines("supplier_in")), len(self.lines("supplier_out")))
        writes = len([r for r in self.sim.requests_to(SUPPLIERS_PATH) if r["method"] != "GET"])
        self.cycle()
        self.cycle()
        self.assertEqual(
            (len(self.lines("supplier_in")), len(self.lines("supplier_out"))), counts, "converged"
        )
        self.assertEqual(
            len([r for r in self.sim.requests_to(SUPPLIERS_PATH) if r["method"] != "GET"]), writes
        )

    def test_an_unanswered_create_is_found_not_duplicated(self):
        self.sim.inject("lost", path=SUPPLIERS_PATH, method="POST", count=1)
        self.cycle()
        line = self.line_of("supplier_in", "HLX-01")
        self.assertEqual((line.state, line.outcome_unknown), ("pending", True), line.error_message)
        self.force_due()
        self.cycle()
        line.invalidate_recordset()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("Found in Fusion after an unanswered create", line.error_message)
        self.assertEqual(
            len([s for s in self.sim.data["suppliers"].values() if s["Supplier"] == "Helix Reagents Ltd"]), 1
        )
        self.assertEqual(len(self.fusion_supplier("Helix Reagents Ltd")["sites"]), 1, "its site added once")

    def test_two_fusion_suppliers_with_the_same_duns_wait_for_a_person(self):
        self.sim.seed(
            {
                "suppliers": [
                    {"Supplier": "Helix Reagents UK", "DUNSNumber": "219876543", "TaxpayerId": "GB1"},
                    {"Supplier": "Helix Holdings", "DUNSNumber": "219876543", "TaxpayerId": "GB2"},
                ]
            }
        )
        self.jaggaer_sim.update_supplier(4104, extCode="", extUniqueCode="219876543", dAndBCode="219876543")
        self.cycle()
        line = self.line_of("supplier_in", "4104")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("Several Fusion suppliers have the DUNS 219876543", line.error_message)
        self.assertFalse(
            [s for s in self.sim.data["suppliers"].values() if s["Supplier"] == "Helix Reagents Ltd"]
        )

    def test_a_similar_name_alone_never_decides(self):
        self.jaggaer_sim.update_supplier(4104, companyName="Summit Office Supply Co", extCode="")
        self.cycle()
        line = self.line_of("supplier_in", "4104")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("only similar", line.error_message)
        self.assertIn("Summit Office Supplies", line.error_message)
        self.assertEqual(len(self.sim.data["suppliers"]), 6, "nothing created")

    def test_an_inactive_unknown_supplier_is_not_created(self):
        self.jaggaer_sim.update_supplier(4104, status="INACTIVE")
        self.cycle()
        self.assertEqual(self.line_of("supplier_in", "HLX-01").state, "skipped")
        self.assertEqual(len(self.sim.data["suppliers"]), 6)

    def test_a_supplier_linked_to_another_waits(self):
        self.cycle()
        # a second JAGGAER supplier with Lab Supply's Fusion number
        self.jaggaer_sim.seed(
            {"suppliers": [{"bravoId": 4199, "companyName": "Lab Supply Duplicate", "extCode": "1252"}]}
        )
        self.cycle()
        line = self.line_by_key("supplier_in", 4199)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("already linked to JAGGAER supplier 4101", line.error_message)

    def test_unstorable_text_is_refused_whole(self):
        lab_id = self.fusion_supplier("Pinnacle Freight LLC")["SupplierId"]
        self.sim.touch("suppliers", lab_id, Supplier="Pinnacle\x00Freight")
        self.cycle()
        line = self.line_by_key("supplier_out", lab_id)
        self.assertEqual(line.state, "failed")
        self.assertIn("cannot store", line.error_message)
        self.assertFalse([s for s in self.jaggaer_sim.suppliers.values() if "Pinnacle" in s["companyName"]])
