from odoo.tests import tagged

from .common import JdeJaggaerCase


@tagged("post_install", "-at_install")
class TestSuppliers(JdeJaggaerCase):
    """JD Edwards suppliers (F0401 + F0101) to JAGGAER through JAGGAER's own supplier writer."""

    def binding(self, an8):
        return self.env["ml.connector.binding"]._find(
            self.jaggaer, "jaggaer_supplier", local_ref=str(an8), local_backend=self.backend
        )

    def upserts(self):
        return self.jaggaer_sim.requests_to("/j1p/api/public/ja/v1/companyprofiles", "POST")

    def test_matched_by_the_vendor_cascade_never_duplicated(self):
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        suppliers = self.jaggaer_sim.suppliers
        self.assertEqual(len(suppliers), 7, "5 known to JAGGAER + ACME and Precision Bearings created")
        expected = {
            6105: (3951, "DUNS"),
            4410: (3952, "supplier number"),
            4343: (3953, "VAT"),
            4430: (3954, "name"),
        }
        for an8, (bravo_id, why) in expected.items():
            binding = self.binding(an8)
            self.assertEqual(binding.external_id, str(bravo_id), an8)
            line = self.lines("supplier", source_key=str(an8))
            self.assertEqual(line.state, "done", line.error_message)
            self.assertIn(f"Linked to JAGGAER supplier {bravo_id}", line.error_message)
            self.assertIn(why, line.error_message)
            self.assertEqual(suppliers[bravo_id]["extCode"], str(an8), "JD Edwards is the supplier master")
        self.assertEqual(suppliers[3951]["companyName"], "Lab Supply Inc")
        self.assertEqual(suppliers[3951]["extUniqueCode"], "123456789")
        created = {s["extCode"]: s for s in suppliers.values() if s["bravoId"] > 3955}
        self.assertEqual(sorted(created), ["4350", "4420"])
        self.assertEqual(created["4420"]["companyName"], "Precision Bearings Co")
        self.assertEqual(created["4420"]["extUniqueCode"], "606234567")
        self.assertEqual(self.binding(4420).external_id, str(created["4420"]["bravoId"]))
        self.assertEqual(suppliers[3955]["extCode"], "SUP-0395", "a JAGGAER-only supplier is left alone")
        line = self.lines("supplier", source_key="6105")
        self.assertIn('"F0101_ALPH": "Lab Supply Inc"', line.request_payload, "F0101 as read")
        self.assertIn('"F0401_TRAP": "N30"', line.request_payload, "F0401 as read")
        self.assertNotIn("UPMJ", line.request_payload, "change stamps are not part of the document")

        # nothing changed: the next cycle reads again (overlap window) and sends nothing
        upserts = len(self.upserts())
        run = self.run_jde()
        self.assertEqual(len(self.upserts()), upserts)
        self.assertEqual(len(self.lines("supplier")), 6)

    def test_a_name_changed_in_the_address_book_is_sent_alone(self):
        self.run_jde()
        self.sim.clock.advance(60)
        self.sim.update("F0101", {"AN8": 4420}, {"ALPH": "Precision Bearings Company"})
        upserts = len(self.upserts())
        self.run_jde()
        self.assertEqual(len(self.upserts()), upserts + 1, "one supplier changed, one update")
        bravo_id = int(self.binding(4420).external_id)
        self.assertEqual(self.jaggaer_sim.suppliers[bravo_id]["companyName"], "Precision Bearings Company")
        new = self.lines("supplier", source_key="4420").sorted("id")[-1]
        self.assertIn("Updated JAGGAER supplier", new.error_message)
        self.assertIn("name", new.error_message)
        self.assertIn('"operationCode": "UPDATE"', new.sent_payload)

    def test_payment_terms_change_in_the_supplier_master_is_a_new_version(self):
        self.run_jde()
        self.sim.clock.advance(60)
        self.sim.update("F0401", {"AN8": 4350}, {"TRAP": "N60"})
        self.run_jde()
        versions = self.lines("supplier", source_key="4350")
        self.assertEqual(len(versions), 2, "the F0401 change was read")
        self.assertIn('"F0401_TRAP": "N60"', versions.sorted("id")[-1].request_payload)

    def test_only_suppliers_of_the_address_book(self):
        self.sim.insert("F0101", {"AN8": 9001, "ALPH": "Plant canteen", "AT1": "E"})
        self.sim.insert("F0101", {"AN8": 9002, "ALPH": "Orphan vendor record", "AT1": "V"})
        self.run_jde()
        keys = set(self.lines("supplier").mapped("source_key"))
        self.assertNotIn("9001", keys, "not a supplier (search type E)")
        self.assertNotIn("9002", keys, "no supplier master record")
        self.assertEqual(len(keys), 6)
