from odoo.tests import tagged

from .common import JdeJaggaerCase


@tagged("post_install", "-at_install")
class TestGlValues(JdeJaggaerCase):
    """F0901 accounts and F0006 business units aligned with JAGGAER's GL segments (both ways)."""

    def mapping(self, segment, **domain):
        return self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("other_backend_id", "=", self.backend.id),
                ("mapping_type", "=", segment),
                *[(k, "=", v) for k, v in domain.items()],
            ]
        )

    def test_same_codes_mapped_others_listed_and_orders_wait_for_them(self):
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        for code in ("6110", "6120", "6310"):
            self.assertEqual(self.mapping("Account", other_value=code).external_value, code)
        header = self.mapping("Account", other_value="6000")
        self.assertFalse(header.external_value, "a header account takes no postings: never mapped")
        self.assertIn("Not used for postings", self.lines("gl", document_key="6000").error_message)
        plants = self.mapping("CostCenter").filtered("other_value")
        self.assertEqual(sorted(plant.other_value for plant in plants), ["M10", "M20", "M30"])
        self.assertFalse(
            any(plant.external_value for plant in plants), "the plants have other codes in JAGGAER"
        )
        self.assertEqual(
            self.mapping("CostCenter", other_value="M30").other_label, "Cleveland Finishing Plant"
        )
        line = self.lines("gl", document_key="M30")
        self.assertIn("No JAGGAER CostCenter value stands for M30 yet", line.error_message)

        # the orders of the plants wait for their cost centre, each on its own line
        waiting = self.lines("po").filtered(lambda li: li.state == "needs_review")
        self.assertEqual(len(waiting), 5)
        message = self.lines("po", document_key="10230-OP").error_message
        self.assertIn("JD Edwards test CostCenter 'M30' has no CostCenter value in JAGGAER (plants)", message)
        self.mapping("CostCenter", other_value="M30").external_value = "CC-CLE"
        released = waiting.filtered(lambda li: li.state == "pending")
        self.assertEqual(sorted(released.mapped("document_key")), ["10230-OP", "10233-OP"], "the M30 orders")
        self.run_jde()
        self.assertEqual(set(released.mapped("state")), {"done"})
        self.assertEqual(len(self.jaggaer_sim.purchase_orders), 2)

    def test_jaggaer_values_back_to_jd_edwards_written_only_when_enabled(self):
        self.map_plants()
        self.flow("gl_back").active = True
        self.jaggaer_sim.seed_gl_value("CostCenter", "CC-LAB", "Central laboratory")
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        lines = {line.document_key: line for line in self.lines("gl_back")}
        self.assertEqual(lines["6110"].error_message, "Mapped to JD Edwards 6110.")
        self.assertEqual(lines["CC-DET"].error_message, "Mapped to JD Edwards M10.")
        self.assertIn(
            "JD Edwards has no account 6400 and master-data writes to it are off", lines["6400"].error_message
        )
        self.assertIn("no business unit CC-LAB", lines["CC-LAB"].error_message)
        self.assertFalse(self.sim.requests_to("/jderest/v2/orchestrator/JAG_AddAccount"), "nothing written")
        self.assertFalse(self.mapping("Account", external_value="6400").other_value)

        self.backend.write({"jde_write_master_data": True, "jde_new_account_business_unit": "M30"})
        lines["6400"].action_replay()
        self.assertEqual(lines["6400"].state, "done", lines["6400"].error_message)
        self.assertIn("Created account 6400 in JD Edwards", lines["6400"].error_message)
        (account,) = self.sim.rows("F0901", OBJ="6400")
        self.assertEqual((account["MCU"].strip(), account["DL01"]), ("M30", "Maintenance and Repairs"))
        self.assertEqual(self.mapping("Account", external_value="6400").other_value, "6400")
        self.assertIn('"Object": "6400"', lines["6400"].sent_payload)
        lines["CC-LAB"].action_replay()
        self.assertEqual(self.sim.rows("F0006", MCU="CC-LAB")[0]["DL01"], "Central laboratory")
        self.assertEqual(self.mapping("CostCenter", external_value="CC-LAB").other_value, "CC-LAB")
        # again: nothing created twice
        lines["6400"].action_replay()
        self.assertEqual(len(self.sim.rows("F0901", OBJ="6400")), 1)
        self.assertEqual(len(self.sim.requests_to("/jderest/v2/orchestrator/JAG_AddAccount")), 1)
