from odoo import api, models
from odoo.tests import tagged

from odoo.addons.ml_connector.models.ml_connector_matching import PartnerQuery, ProductQuery
from odoo.addons.ml_connector.tools.errors import NeedsReviewError
from odoo.addons.ml_connector.tools.matching import email_domain, name_key, vat_keys

from .common import EngineCase, ItemTestReader, register_models


class VendorOrderTestWriter(models.AbstractModel):
    """Test flow: a remote item names a vendor; it becomes a draft PO for the matched vendor."""

    _name = "ml.connector.writer.odoo.test_vendor_order"
    _inherit = "ml.connector.writer"
    _description = "Test writer: vendor orders"
    _module = None
    _document_type = "test_item"
    _binding_type = "test_vendor_order"

    @api.model
    def _write(self, line, item):
        backend = line.backend_id
        query = PartnerQuery(name=item.get("vendor_name", ""), vat=item.get("vendor_vat", ""))
        query.bindings = {"test_vendor": item.get("vendor_id")}
        match = self.env["ml.connector.matching"]._match_partner(backend, query)
        if not match:
            raise match.review_error(
                binding_type="test_vendor",
                external_id=item["vendor_id"],
                label=f"Vendor {item.get('vendor_name')}",
                kind="partner",
                res_model="res.partner",
            )
        order = self.env["purchase.order"].create({"partner_id": match.record.id, "partner_ref": item["key"]})
        return {"res_model": "purchase.order", "res_id": order.id, "message": f"vendor by {match.rule}"}


@tagged("post_install", "-at_install")
class TestNormalisation(EngineCase):
    def test_keys(self):
        self.assertEqual(name_key("ACME Lab Equipment, Inc."), name_key("Acme  lab equipment"))
        self.assertEqual(name_key("Acme Widgets, L.L.C."), "acme widgets")
        self.assertEqual(name_key("Société Générale S.A."), "societe generale")
        self.assertEqual(vat_keys("BE 0477.472.701"), {"BE0477472701", "0477472701"})
        self.assertEqual(email_domain("Buyer <buyer@LabSupply.example>"), "labsupply.example")
        self.assertEqual(email_domain("someone@gmail.com"), "", "public mail domains prove nothing")


@tagged("post_install", "-at_install")
class TestPartnerMatching(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.lab = Partner.create(
            {
                "name": "Lab Supply Inc",
                "is_company": True,
                "supplier_rank": 1,
                "ref": "006105",
                "vat": "BE0477472701",
                "email": "ar@labsupply.example",
                "company_registry": "0477.472.701",
                "duns_number": "123456789",
            }
        )
        cls.lab_contact = Partner.create(
            {"name": "Jo Buyer", "parent_id": cls.lab.id, "email": "jo@labsupply-contacts.example"}
        )
        cls.northwind = Partner.create(
            {
                "name": "Northwind Scientific",
                "is_company": True,
                "supplier_rank": 1,
                "duns_number": "314159265",
            }
        )
        cls.acme = Partner.create({"name": "ACME Lab Equipment", "is_company": True, "supplier_rank": 1})
        cls.customer_only = Partner.create(
            {"name": "Just A Customer", "is_company": True, "vat": "FR40303265045", "customer_rank": 1}
        )
        cls.twin_a = Partner.create(
            {"name": "Twin Trading", "is_company": True, "supplier_rank": 1, "vat": "DE811907980"}
        )
        cls.twin_b = Partner.create(
            {"name": "Twin Trading GmbH", "is_company": True, "supplier_rank": 1, "vat": "DE 811 907 980"}
        )
        cls.other_company = cls.env["res.company"].create({"name": "Matching Other Co"})
        cls.foreign = Partner.create(
            {
                "name": "Foreign Vendor",
                "is_company": True,
                "supplier_rank": 1,
                "vat": "NL123456789B01",
                "company_id": cls.other_company.id,
            }
        )
        cls.Matching = cls.env["ml.connector.matching"]

    def match(self, **kw):
        return self.Matching._match_partner(self.backend, PartnerQuery(**kw))

    def test_each_rung(self):
        cases = [
            ({"reference": "006105"}, "reference"),
            ({"duns": "123-456-789"}, "duns"),
            ({"vat": "be0477472701"}, "vat"),
            ({"vat": "0477 472 701"}, "vat"),
            ({"email": "payables@labsupply.example"}, "email_domain"),
            ({"company_registry": "0477472701"}, "company_registry"),
            ({"name": "LAB SUPPLY, INC."}, "name"),
        ]
        for query, rule in cases:
            with self.subTest(rule=rule, query=query):
                result = self.match(**query)
                self.assertEqual(result.record, self.lab)
                self.assertEqual(result.rule, rule)
                self.assertTrue(result.explanation)

    def test_cascade_order_identifiers_before_names(self):
        # the name says Northwind, the DUNS says Lab Supply: the identifier wins
        result = self.match(name="Northwind Scientific", duns="123456789")
        self.assertEqual((result.record, result.rule), (self.lab, "duns"))

    def test_contact_stands_for_its_company(self):
        result = self.match(email="someone@labsupply-contacts.example")
        self.assertEqual(result.record, self.lab)
        self.assertIn("Jo Buyer", result.explanation)

    def test_several_candidates_go_to_review(self):
        result = self.match(vat="DE811907980")
        self.assertFalse(result.record)
        self.assertEqual({c.record for c in result.candidates}, {self.twin_a, self.twin_b})
        self.assertIn("2 vendors share", result.reason)

    def test_fuzzy_name_is_only_a_proposal(self):
        result = self.match(name="Northwind Scientifics Ltd")
        self.assertFalse(result.record)
        self.assertEqual(result.rule, "fuzzy_name")
        self.assertEqual(result.candidates[0].record, self.northwind)
        self.assertGreaterEqual(result.candidates[0].score, 85)
        self.assertIn("similar", result.candidates[0].explanation)

    def test_scope_company_and_supplier_rank(self):
        self.assertFalse(self.match(vat="FR40303265045").record, "customers are not vendors")
        self.assertFalse(self.match(vat="NL123456789B01").record, "another company's vendor")
        self.assertFalse(self.match(name="Something Else Entirely").candidates)

    def test_binding_rung(self):
        self.env["ml.connector.binding"]._bind(self.backend, "test_vendor", "V-77", record=self.acme)
        result = self.Matching._match_partner(
            self.backend, PartnerQuery(name="Totally Different", bindings={"test_vendor": "V-77"})
        )
        self.assertEqual((result.record, result.rule), (self.acme, "binding"))


@tagged("post_install", "-at_install")
class TestProductAndTaxMatching(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Widget Vendor", "is_company": True, "supplier_rank": 1}
        )
        cls.tax = cls.env["account.tax"].create(
            {"name": "Purchase 21%", "amount": 21, "type_tax_use": "purchase"}
        )
        cls.tax_rc = cls.env["account.tax"].create(
            {"name": "Reverse charge 0%", "amount": 0, "type_tax_use": "purchase"}
        )
        Product = cls.env["product.product"]
        cls.blue = Product.create(
            {
                "name": "Widget 100, blue",
                "default_code": "WID-100-BLU",
                "barcode": "012345678905",
                "supplier_taxes_id": [(6, 0, cls.tax.ids)],
            }
        )
        cls.red = Product.create({"name": "Widget 200, red, case of 12", "default_code": "WID-200-RED"})
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.vendor.id,
                "product_tmpl_id": cls.red.product_tmpl_id.id,
                "product_code": "A-1234",
            }
        )
        cls.Matching = cls.env["ml.connector.matching"]

    def match(self, **kw):
        return self.Matching._match_product(self.backend, ProductQuery(**kw), vendor=self.vendor)

    def test_each_rung(self):
        cases = [
            ({"vendor_code": "a1234"}, self.red, "vendor_code"),
            ({"codes": ["wid-100-blu"]}, self.blue, "internal_reference"),
            ({"barcode": "0012345678905"}, self.blue, "barcode"),
        ]
        for query, product, rule in cases:
            with self.subTest(rule=rule):
                result = self.match(**query)
                self.assertEqual((result.record, result.rule), (product, rule))

    def test_unknown_item_goes_to_review_and_nothing_is_created(self):
        count = self.env["product.product"].search_count([])
        result = self.match(vendor_code="NW-999999", name="Gadget 9")
        self.assertFalse(result.record)
        self.assertIn("never created", result.reason)
        self.assertEqual(self.env["product.product"].search_count([]), count)
        similar = self.match(vendor_code="NW-12", name="Widget 100 blue")
        self.assertFalse(similar.record)
        self.assertEqual(similar.candidates[0].record, self.blue)

    def test_taxes_follow_the_fiscal_position(self):
        self.assertEqual(self.Matching._purchase_taxes(self.backend, self.blue, self.vendor), self.tax)
        # Odoo 19: the destination tax lists the taxes it replaces in a fiscal position
        self.tax_rc.original_tax_ids = self.tax
        position = self.env["account.fiscal.position"].create(
            {"name": "Intra-EU", "tax_ids": [(6, 0, self.tax_rc.ids)]}
        )
        self.vendor.property_account_position_id = position
        self.assertEqual(self.Matching._purchase_taxes(self.backend, self.blue, self.vendor), self.tax_rc)

    def test_tax_override_and_missing_tax(self):
        with self.assertRaises(NeedsReviewError) as caught:
            self.Matching._purchase_taxes(self.backend, self.blue, self.vendor, override="VAT9")
        self.assertEqual(caught.exception.blocking_key, "mapping:Tax:VAT9")
        self.env["ml.connector.mapping"].create(
            {
                "backend_id": self.backend.id,
                "mapping_type": "Tax",
                "external_value": "VAT9",
                "record_ref": f"account.tax,{self.tax_rc.id}",
            }
        )
        self.assertEqual(
            self.Matching._purchase_taxes(self.backend, self.blue, self.vendor, override="VAT9"), self.tax_rc
        )
        self.red.supplier_taxes_id = False
        self.assertFalse(self.Matching._purchase_taxes(self.backend, self.red, self.vendor))
        with self.assertRaises(NeedsReviewError):
            self.Matching._purchase_taxes(self.backend, self.red, self.vendor, required=True)


@tagged("post_install", "-at_install")
class TestReviewQueue(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_models(cls, (VendorOrderTestWriter,))
        cls.flow_in.writer_model = VendorOrderTestWriter._name
        cls.northwind = cls.env["res.partner"].create(
            {"name": "Northwind Scientific", "is_company": True, "supplier_rank": 1}
        )

    def test_approval_binds_and_releases_and_is_reused(self):
        self.assertTrue(ItemTestReader._name)
        self.sim.add_item("ORD-1", "order 1", vendor_id="NW-1", vendor_name="Northwind Scientifics Ltd")
        self.sim.add_item("ORD-2", "order 2", vendor_id="NW-1", vendor_name="Northwind Scientifics Ltd")
        self.run_backend(self.backend)
        waiting = self.lines(self.flow_in, state="needs_review")
        self.assertEqual(len(waiting), 2)
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(review), 1, "one review for the value, both documents wait on it")
        self.assertEqual(review.waiting_count, 2)
        self.assertEqual(review.candidate_ids[0].record_ref, self.northwind)
        self.assertEqual(review.candidate_ids[0].rule, "fuzzy_name")
        self.assertIn("similar", review.candidate_ids[0].explanation)

        review.candidate_ids[0].action_choose()
        self.assertEqual(review.state, "approved")
        self.assertEqual(
            set(waiting.mapped("state")), {"done"}, "the decision processes its documents at once"
        )
        self.assertEqual(set(waiting.run_id.mapped("trigger")), {"review"})
        orders = self.env["purchase.order"].search([("partner_ref", "in", ("ORD-1", "ORD-2"))])
        self.assertEqual(orders.partner_id, self.northwind)

        # the same remote vendor again: resolved by the binding, no new review
        self.sim.add_item("ORD-3", "order 3", vendor_id="NW-1", vendor_name="Northwind Scientifics Ltd")
        self.run_backend(self.backend)
        line = self.lines(self.flow_in, document_key="ORD-3")
        self.assertEqual((line.state, line.error_message), ("done", "vendor by binding"))
        self.assertEqual(
            self.env["ml.connector.review"].search_count([("backend_id", "=", self.backend.id)]), 1
        )

    def test_rejection_fails_the_waiting_documents(self):
        self.sim.add_item("ORD-9", "order 9", vendor_id="X-1", vendor_name="Northwind Scientifics Ltd")
        self.run_backend(self.backend)
        review = self.env["ml.connector.review"].search([("backend_id", "=", self.backend.id)])
        review.action_reject()
        line = self.lines(self.flow_in, document_key="ORD-9")
        self.assertEqual(line.state, "failed")
        self.assertIn("Rejected in review", line.error_message)
