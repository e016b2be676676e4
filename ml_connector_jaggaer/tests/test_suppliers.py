from odoo.tests import tagged

from tests.simulators.jaggaer import demo_seed

from .common import LAB_SUPPLY, JaggaerCase


@tagged("post_install", "-at_install")
class TestSuppliers(JaggaerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.northwind = Partner.create(
            {
                "name": "Northwind Scientific",
                "is_company": True,
                "supplier_rank": 1,
                "duns_number": "314159265",
            }
        )
        cls.acme = Partner.create({"name": "ACME Lab Equipment", "is_company": True, "supplier_rank": 1})

    def setUp(self):
        super().setUp()
        self.only_flows("supplier_in", "supplier_out")
        self.upsert_path = self.sim.paths["suppliers"]

    def bound(self, bravo_id):
        binding = self.env["ml.connector.binding"]._find(
            self.backend, "jaggaer_supplier", external_id=str(bravo_id)
        )
        return binding._record() if binding else None

    def posts(self):
        return len(self.sim.requests_to(self.upsert_path, "POST"))

    def test_jaggaer_suppliers_are_matched_created_or_reviewed(self):
        # "lab supplies" vs "lab supply" scores 82: the demo connection proposes from 80 on
        self.backend.match_fuzzy_threshold = 80
        demo_seed(self.sim)
        self.only_flows("supplier_in")
        self.cycle()
        self.assertEqual(self.bound(3901), self.lab_supply, "supplier number")
        self.assertEqual(self.bound(3902), self.northwind, "DUNS")
        self.assertEqual(self.bound(3903), self.acme, "normalised name, punctuation and legal suffix ignored")
        helix = self.bound(3904)
        self.assertEqual(helix.name, "Helix Reagents Ltd")
        self.assertEqual((helix.supplier_rank, helix.company_id), (1, self.company))
        self.assertEqual((helix.city, helix.zip, helix.country_id.code), ("Cambridge", "CB2 1TN", "GB"))
        # a first link takes the name JAGGAER owns, keeps Odoo's other values and fills the gaps
        self.assertEqual(self.lab_supply.name, "LAB SUPPLY INC")
        self.assertEqual((self.lab_supply.city, self.lab_supply.state_id.code), ("Raleigh", "NC"))
        self.assertEqual(self.lab_supply.email, "ap@labsupply.example")

        # "Lab Supplies Incorporated" only looks like Lab Supply Inc: a person decides
        waiting = self.lines("supplier_in", state="needs_review")
        self.assertEqual(waiting.source_key, "3905")
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(review.external_id, "3905")
        self.assertEqual(review.candidate_ids.record_ref, self.lab_supply)
        self.assertEqual(review.candidate_ids.rule, "fuzzy_name")
        self.assertIn("Already linked to JAGGAER supplier 3901", review.candidate_ids.explanation)
        self.assertFalse(self.bound(3905))
        self.assertEqual(self.env["res.partner"].search_count([("name", "ilike", "lab suppl")]), 1)

        review.action_create_new()
        self.assertEqual(waiting.state, "pending")
        self.cycle()
        self.assertEqual(waiting.state, "done", waiting.error_message)
        self.assertEqual(self.bound(3905).name, "Lab Supplies Incorporated")
        self.assertEqual(self.env["res.partner"].search_count([("name", "ilike", "lab suppl")]), 2)

    def test_same_company_twice_in_jaggaer_is_a_conflict_for_review(self):
        self.seed_supplier(**LAB_SUPPLY)
        self.seed_supplier(bravoId=3906, companyName="Lab Supply (old account)", extUniqueCode="123456789")
        self.only_flows("supplier_in")
        self.cycle()
        self.assertEqual(self.bound(3901), self.lab_supply)
        line = self.lines("supplier_in", source_key="3906")
        self.assertEqual(line.state, "needs_review")
        self.assertIn("already linked to JAGGAER supplier 3901", line.error_message)
        self.assertFalse(self.bound(3906))

    def test_vendors_are_looked_up_before_anything_is_created_in_jaggaer(self):
        demo_seed(self.sim)
        Partner = self.env["res.partner"]
        helix = Partner.create({"name": "HELIX REAGENTS", "is_company": True, "supplier_rank": 1})
        pacific = Partner.create({"name": "Pacific Glass", "is_company": True, "supplier_rank": 1})
        self.seed_supplier(bravoId=3950, companyName="Pacific Glassware Ltd")
        only_odoo = Partner.create(
            {
                "name": "Odoo Only Tools",
                "is_company": True,
                "supplier_rank": 1,
                "city": "Lyon",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        customer = Partner.create({"name": "Just a customer", "customer_rank": 1})
        before = len(self.sim.suppliers)
        self.only_flows("supplier_out")
        self.cycle()
        self.assertEqual(self.bound(3901), self.lab_supply, "by supplier number")
        self.assertEqual(self.bound(3902), self.northwind, "by DUNS")
        self.assertEqual(self.bound(3903), self.acme, "by normalised name")
        self.assertEqual(self.bound(3904), helix, "by normalised name")
        self.assertEqual(len(self.sim.suppliers), before + 1, "only the Odoo-only vendor is new")
        created = next(s for s in self.sim.suppliers.values() if s["companyName"] == "Odoo Only Tools")
        self.assertEqual(created["extCode"], f"ODOO-{only_odoo.id}")
        self.assertEqual((created["city"], created["isoCountry"], created["type"]), ("Lyon", "FR", "SELLER"))
        self.assertFalse(only_odoo.ref, "the supplier number rule does not write the vendor")
        self.assertEqual(self.bound(created["bravoId"]), only_odoo)
        # Odoo wins on a first link, but for the supplier's name, which JAGGAER owns: it is kept and
        # the difference is listed as a conflict
        self.assertEqual(self.sim.suppliers[3901]["companyName"], "LAB SUPPLY INC")
        self.assertEqual(self.sim.suppliers[3902]["extCode"], f"ODOO-{self.northwind.id}")
        conflict = self.env["ml.connector.conflict"].search([("document", "=", "Lab Supply Inc")])
        self.assertEqual(
            (conflict.field_name, conflict.kept_value, conflict.other_value, conflict.kept_by),
            ("name", "LAB SUPPLY INC", "Lab Supply Inc", "JAGGAER"),
        )
        self.assertFalse(self.lines("supplier_out", res_id=customer.id))

        # a similar name alone never creates nor links: a review item asks
        line = self.lines("supplier_out", res_id=pacific.id)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("3950 Pacific Glassware Ltd", line.error_message)
        self.assertEqual(line.blocking_key, "review:jaggaer_supplier:3950")
        review = self.env["ml.connector.review"].search([("external_id", "=", "3950")])
        self.assertEqual((review.state, review.candidate_ids.record_ref), ("open", pacific))
        self.assertEqual(review.candidate_ids.rule, "fuzzy_name")
        count = len(self.sim.suppliers)
        review.candidate_ids.action_choose()  # the same company after all
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.sim.suppliers), count, "linked, not created")
        self.assertEqual(
            self.sim.suppliers[3950]["companyName"], "Pacific Glassware Ltd", "JAGGAER owns the name"
        )

    def test_similar_name_waits_for_the_review_then_both_sides_get_their_own(self):
        pacific = self.env["res.partner"].create(
            {"name": "Pacific Glass", "is_company": True, "supplier_rank": 1}
        )
        self.seed_supplier(bravoId=3950, companyName="Pacific Glassware Ltd", city="Oakland")
        self.cycle()
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(review.candidate_ids.record_ref, pacific)
        pushed = self.lines("supplier_out", res_id=pacific.id)
        self.assertEqual(pushed.state, "needs_review")
        self.assertEqual(pushed.blocking_key, "review:jaggaer_supplier:3950")

        review.action_create_new()  # two different companies
        self.assertEqual(pushed.state, "pending", "released with the review")
        self.cycle()
        self.assertEqual(pushed.state, "done", pushed.error_message)
        self.assertEqual(self.bound(3950).name, "Pacific Glassware Ltd")
        names = sorted(s["companyName"] for s in self.sim.suppliers.values() if "Pacific" in s["companyName"])
        self.assertEqual(names, ["Pacific Glass", "Pacific Glassware Ltd"])
        self.assertEqual(self.env["res.partner"].search_count([("name", "=ilike", "pacific glass%")]), 2)

    def test_changes_propagate_both_ways_and_cycles_converge(self):
        self.seed_supplier(**LAB_SUPPLY, bizPhone="+1 919 555 0000")
        self.cycle()
        self.cycle()
        remote = self.sim.suppliers[3901]
        self.assertEqual(remote["companyName"], "LAB SUPPLY INC", "JAGGAER owns the name")
        self.assertEqual(self.lab_supply.name, "LAB SUPPLY INC")
        self.assertTrue(self.flows["supplier_in"].cursor, "the mark follows lastModTime")
        listed = self.sim.requests_to(self.sim.paths["suppliers"], "GET")[-1]
        self.assertIn("LASTMODTIME%3E%3D", listed["query"], "later runs ask only for changes")
        self.assertEqual(self.lab_supply.phone, "+1 919 555 0000", "gap filled from JAGGAER")

        def assert_quiet():
            lines, posts, stamp = (
                len(self.env["ml.connector.audit.line"].search([])),
                self.posts(),
                remote["lastModTime"],
            )
            self.cycle()
            self.cycle()
            self.assertEqual(self.posts(), posts, "no further write to JAGGAER")
            self.assertEqual(remote["lastModTime"], stamp)
            self.assertEqual(
                len(self.env["ml.connector.audit.line"].search([])), lines, "no further audit line"
            )

        assert_quiet()

        # a change in Odoo goes to JAGGAER, and its echo is ignored
        self.lab_supply.write(
            {"city": "Durham", "street": "200 Market St", "website": "https://labsupply.example"}
        )
        self.cycle()
        self.assertEqual((remote["city"], remote["address"]), ("Durham", "200 Market St"))
        self.assertEqual(remote["webSite"], "https://labsupply.example")
        assert_quiet()

        # a change in JAGGAER comes to Odoo and is not sent back
        self.sim.clock.advance(2)
        self.sim.update_supplier(3901, companyName="Lab Supply Incorporated", zip="27705")
        posts = self.posts()
        self.cycle()
        self.assertEqual((self.lab_supply.name, self.lab_supply.zip), ("Lab Supply Incorporated", "27705"))
        self.assertEqual(self.posts(), posts)
        assert_quiet()

        # both sides in the same cycle, different fields: both kept
        self.sim.clock.advance(2)
        self.sim.update_supplier(3901, city="Cary")
        self.lab_supply.phone = "+1 919 555 0199"
        self.cycle()
        self.assertEqual((self.lab_supply.city, self.lab_supply.phone), ("Cary", "+1 919 555 0199"))
        self.assertEqual((remote["city"], remote["bizPhone"]), ("Cary", "+1 919 555 0199"))
        assert_quiet()

        # an archived vendor becomes inactive in JAGGAER
        self.lab_supply.active = False
        self.cycle()
        self.assertEqual(remote["status"], "INACTIVE")
        assert_quiet()

    def test_who_owns_the_name_decides_on_a_first_push(self):
        self.seed_supplier(**LAB_SUPPLY)
        self.only_flows("supplier_out")
        flow = self.flows["supplier_out"]
        name = flow.ownership_ids.filtered(lambda o: o.field_group == "name")
        self.assertEqual((name.winner, name.owner_label), ("target", "JAGGAER wins"))
        terms = self.flows["invoice_in"].ownership_ids.filtered(lambda o: o.field_group == "payment_terms")
        self.assertEqual(terms.owner_label, "Odoo wins", "Odoo owns the payment terms of its bills")
        self.cycle()
        self.assertEqual(self.sim.suppliers[3901]["companyName"], "LAB SUPPLY INC", "not renamed")
        self.assertEqual(flow.conflict_count, 1)
        # the admin hands the name to Odoo: the next push compares again and renames it in JAGGAER
        name.winner = "source"
        self.cycle()
        self.assertEqual(self.sim.suppliers[3901]["companyName"], "Lab Supply Inc")

    def test_a_dry_run_of_the_first_push_lists_the_suppliers_it_would_change(self):
        self.seed_supplier(**LAB_SUPPLY, bizPhone="+1 919 555 0000")
        self.only_flows("supplier_out")
        flow = self.flows["supplier_out"]
        name = flow.ownership_ids.filtered(lambda o: o.field_group == "name")
        name.winner = "source"  # as if Odoo owned the names: the push would rename
        posts = self.posts()
        action = flow.action_dry_run()
        preview = self.env["ml.connector.dry.run"].browse(action["res_id"])
        self.assertEqual(self.posts(), posts, "nothing sent")
        self.assertFalse(self.lines("supplier_out"), "nothing kept")
        self.assertFalse(flow.cursor, "the mark did not move")
        self.assertIn("Would change JAGGAER supplier 3901 (LAB SUPPLY INC): ", preview.diff_html)
        self.assertIn("name: LAB SUPPLY INC → Lab Supply Inc", preview.diff_html)
        self.assertIn("Would create JAGGAER supplier", preview.diff_html)
        self.assertRegex(preview.outcome, r"\d+ document\(s\) would be processed; \d+ would change or create")

    def test_accepted_with_warning_is_written_on_the_line(self):
        self.seed_supplier(**LAB_SUPPLY, simWarning="Supplier registration incomplete")
        self.cycle()
        line = self.lines("supplier_out", res_id=self.lab_supply.id)
        self.assertEqual(line.state, "done")
        self.assertIn("JAGGAER warned: Supplier registration incomplete", line.error_message)

    def test_an_upsert_answered_without_the_id_is_found_by_number(self):
        def created():
            return [s for s in self.sim.suppliers.values() if s["extCode"].startswith("QA-")]

        for shape in ("nested", "none"):
            self.sim.configure(supplier_upsert_answer=shape)
            vendor = self.env["res.partner"].create(
                {
                    "name": f"Quiet Answers {shape}",
                    "is_company": True,
                    "supplier_rank": 1,
                    "ref": f"QA-{shape}",
                }
            )
            self.cycle()
            line = self.lines("supplier_out", res_id=vendor.id)
            self.assertEqual(line.state, "done", line.error_message)
            remote = next(s for s in created() if s["extCode"] == f"QA-{shape}")
            self.assertEqual(self.bound(remote["bravoId"]), vendor)
        self.assertEqual(len(created()), 2, "each created once")
        self.cycle()
        self.assertEqual(len(created()), 2, "and never again")
