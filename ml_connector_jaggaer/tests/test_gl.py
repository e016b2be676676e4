from odoo.tests import tagged

from .common import JaggaerCase


@tagged("post_install", "-at_install")
class TestGlMappings(JaggaerCase):
    def setUp(self):
        super().setUp()
        self.only_flows("gl")

    def mapping(self, mapping_type, value):
        return self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("mapping_type", "=", mapping_type),
                ("external_value", "=", value),
            ]
        )

    def test_segment_values_become_mappings_obvious_ones_mapped(self):
        self.sim.seed_gl_value("Account", "699999", "Miscellaneous")
        self.sim.seed_gl_value("CostCenter", "CC-900", "Closed site", active="false")
        self.cycle()
        self.assertEqual(self.mapping("Account", "600000").record_ref, self.acc_expenses, "same code")
        self.assertEqual(self.mapping("Account", "610000").record_ref, self.acc_lab, "same code")
        self.assertEqual(
            self.mapping("Account", "620000").record_ref, self.acc_freight, "the admin's mapping stays"
        )
        self.assertEqual(self.mapping("Account", "620000").external_label, "Freight")
        self.assertEqual(self.mapping("CostCenter", "CC-100").record_ref, self.cc_ops, "same analytic code")
        self.assertEqual(self.mapping("CostCenter", "CC-200").record_ref, self.cc_lab)
        misc = self.mapping("Account", "699999")
        self.assertTrue(misc)
        self.assertFalse(misc.record_ref, "nothing obvious: left for the admin")
        self.assertIn(
            "Listed for the administrator", self.lines("gl", source_key="Account:699999").error_message
        )
        self.assertIn("inactive", self.mapping("CostCenter", "CC-900").external_label)

        # values carry no modification time: read again, only changes make lines
        count = len(self.lines("gl"))
        self.cycle()
        self.assertEqual(len(self.lines("gl")), count)
        self.sim.seed_gl_value("Account", "699999", "Miscellaneous expenses")
        self.cycle()
        self.assertEqual(len(self.lines("gl")), count + 1)
        self.assertEqual(misc.external_label, "Miscellaneous expenses")

    def test_cost_centre_by_name_within_the_configured_plan(self):
        other_plan = self.env["account.analytic.plan"].create({"name": "Projects"})
        self.env["account.analytic.account"].create({"name": "Warehouse", "plan_id": other_plan.id})
        site = self.env["account.analytic.account"].create(
            {"name": "Warehouse", "plan_id": self.cc_ops.plan_id.id}
        )
        self.backend.cost_center_plan_id = self.cc_ops.plan_id
        self.sim.seed_gl_value("CostCenter", "CC-300", "Warehouse")
        self.cycle()
        self.assertEqual(self.mapping("CostCenter", "CC-300").record_ref, site)

    def test_an_unknown_segment_is_logged_and_the_others_still_read(self):
        self.backend.jaggaer_extra_segments = "Fund"
        run = self.cycle()
        self.assertIn("Fund", run.error_message)
        self.assertTrue(self.mapping("Account", "600000"))
        self.assertTrue(self.mapping("CostCenter", "CC-100"))
