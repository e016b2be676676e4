import json

from odoo.tests import tagged

from tests.simulators.jde import OrchestrationError

from .common import JdeJaggaerCase

VOUCHER = "/jderest/v2/orchestrator/JAG_CreateVoucherBatch"


@tagged("post_install", "-at_install")
class TestInvoices(JdeJaggaerCase):
    """JAGGAER invoices (JAGGAER's own invoice reader) into JD Edwards payables as vouchers."""

    def setUp(self):
        super().setUp()
        self.map_plants()

    def invoice_line(self, number):
        return self.lines("invoice", document_key=number)

    def batch(self, transaction):
        return self.sim.rows("F0411Z1", EDTN=transaction)

    def ledger(self, supplier_invoice):
        return self.sim.rows("F0411", VINV=supplier_invoice)

    def sends(self):
        return self.sim.requests_to(VOUCHER, "POST")

    def test_vouchers_wait_for_the_batch_then_settle(self):
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        line = self.invoice_line("LS-90117")
        self.assertEqual((line.state, line.error_kind, line.attempts), ("pending", "unknown_outcome", 0))
        self.assertIn("waiting for R04110Z to post it (EDSP 0)", line.error_message)
        self.assertTrue(line.next_attempt_at, "looked at again later, not at once")
        (header,) = self.batch("5200301")
        self.assertEqual((header["EDUS"], header["EDLN"], header["EDSP"]), ("JAGINT", 1, "0"))
        self.assertEqual(
            (header["AN8"], header["VINV"], header["AG"], header["KCO"]), (6105, "LS-90117", 950.0, "00200")
        )
        distributions = self.sim.rows("F0911Z1", EDTN="5200301")
        self.assertEqual(
            [(row["ANI"], row["AA"]) for row in distributions], [("M30.6120", 500.0), ("M30.6120", 450.0)]
        )
        sent = json.loads(line.sent_payload)
        self.assertEqual(
            (sent["TransactionNumber"], sent["Supplier"], sent["GrossAmount"]), ("5200301", 6105, 950.0)
        )
        self.assertIn('"VoucherBatch"', line.response_payload, "the orchestration's answer is kept")
        self.assertIn('"lineList"', line.request_payload, "the JAGGAER invoice as read")

        # still not posted: waiting again costs no attempt and sends nothing
        self.due_now(line)
        self.run_jde()
        self.assertEqual((line.state, line.attempts), ("pending", 0))
        self.assertEqual(len(self.sends()), 3)

        self.sim.run_r04110z()
        self.due_now(self.lines("invoice"))
        self.run_jde()
        self.assertEqual(line.state, "done", line.error_message)
        (posted,) = self.ledger("LS-90117")
        self.assertIn(f"Voucher {posted['DOC']} PV 00200 posted by R04110Z", line.error_message)
        self.assertEqual(line.target_key, f"00200-{posted['DOC']}-PV")
        self.assertIn('"EDSP": "1"', line.response_payload, "the batch result read back")
        self.assertEqual(json.loads(line.sent_payload)["TransactionNumber"], "5200301", "what was sent stays")
        binding = self.env["ml.connector.binding"]._find(
            self.backend, "jde_invoice", local_ref="5200301", local_backend=self.jaggaer
        )
        self.assertEqual(binding.external_id, f"00200-{posted['DOC']}-PV")
        self.assertEqual(len(self.sends()), 3, "three invoices, three vouchers, whatever the waits")
        for number in ("MSS-23001", "GLF-10571"):
            self.assertEqual(self.invoice_line(number).state, "done")
            self.assertEqual(len(self.ledger(number)), 1)
        self.assertEqual(self.invoice_line("LS-90118").state, "skipped", "pending approval in JAGGAER")

        # replays never voucher twice
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len(self.sends()), 3)
        self.assertEqual(len(self.ledger("LS-90117")), 1)

    def test_an_orchestration_that_runs_the_batch_settles_at_once(self):
        self.sim.configure(auto_run_r04110z=True)
        self.run_jde()
        line = self.invoice_line("GLF-10571")
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual([row["AA"] for row in self.sim.rows("F0911Z1", EDTN="5200303")], [1860.0, 255.0])

    def test_an_invoice_already_in_payables_is_not_vouchered_again(self):
        self.run_jde()
        line = self.invoice_line("LS-87990")
        self.assertEqual(line.state, "done")
        self.assertIn("Already in JD Edwards payables as document 40101 PV 00200", line.error_message)
        self.assertFalse(self.batch("5200304"))
        self.assertEqual(len(self.ledger("LS-87990")), 1)

    def test_a_duplicate_refused_by_the_batch_is_a_clear_error(self):
        """A transaction number JD Edwards posted already (under another batch user): R04110Z refuses
        the voucher, the line fails with its error, and no second voucher appears."""
        self.sim.insert(
            "F0411Z1",
            {"EDUS": "OLDINT", "EDBT": "OLD1", "EDTN": "5200302", "EDLN": 1, "EDSP": "1", "AN8": 4410,
             "KCO": "00200", "DOC": 40102, "DCT": "PV", "VINV": "MSS-22817", "AG": 4650.0},
        )  # fmt: skip
        self.run_jde()
        self.sim.run_r04110z()
        self.due_now(self.lines("invoice"))
        self.run_jde()
        line = self.invoice_line("MSS-23001")
        self.assertEqual(line.state, "failed")
        self.assertIn("R04110Z did not post the voucher (transaction 5200302", line.error_message)
        self.assertIn("Transaction 5200302 already exists in F0411 (document 40102)", line.error_message)
        self.assertEqual(self.ledger("MSS-23001"), [])
        self.assertEqual(len(self.sim.rows("F0411", AN8=4410)), 1)
        # replayed as it is, it is not sent again: the batch still holds it
        line.action_replay()
        self.assertEqual(line.state, "failed")
        self.assertEqual(len(self.sends()), 3)

    def test_a_lost_answer_after_the_orchestration_ran_is_looked_up_not_sent_twice(self):
        self.sim.configure(auto_run_r04110z=True)
        self.sim.inject("lost", count=1, path=VOUCHER, method="POST")
        self.run_jde()
        self.assertEqual([str(r["status"]) for r in self.sends()], ["lost-200", "200", "200"])
        line = self.lines("invoice").filtered(lambda li: li.error_kind == "unknown_outcome")
        self.assertEqual(len(line), 1)
        self.assertTrue(line.outcome_unknown)
        self.due_now(line)
        self.run_jde()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("posted by R04110Z", line.error_message)
        self.assertEqual(len(self.sends()), 3, "the lost one was found, not sent again")
        transaction = json.loads(line.sent_payload)["TransactionNumber"]
        self.assertEqual(len(self.batch(transaction)), 1)

    def test_a_refused_voucher_is_a_clear_error(self):
        def refuse(sim, inputs, session):
            raise OrchestrationError(f"Company {inputs['Company']} has no A/P offset account (AAI PC)")

        self.sim.register_orchestration("JAG_CreateVoucherBatch", refuse)
        self.run_jde()
        line = self.invoice_line("LS-90117")
        self.assertEqual(line.state, "failed")
        self.assertIn("refused orchestration JAG_CreateVoucherBatch", line.error_message)
        self.assertIn("Company 00200 has no A/P offset account (AAI PC)", line.error_message)
        self.assertIn('"TransactionNumber": "5200301"', line.sent_payload, "what was refused is kept")
        self.assertEqual(self.invoice_line("MSS-23001").state, "failed", "each invoice on its own line")

    def test_an_unmapped_cost_centre_waits_then_goes_once_mapped(self):
        self.jaggaer_sim.seed_gl_value("CostCenter", "CC-LAB", "Central laboratory")
        self.sim.insert("F0006", {"MCU": "M40", "STYL": "IS", "DL01": "Central Laboratory", "CO": "00200"})
        self.jaggaer_sim.add_invoice(
            supplier_number="4410",
            supplier_invoice_number="MSS-23002",
            lines=[{"po_number": "10231-OP", "po_line_number": "1", "description": "Steel bar", "quantity": 2,
                    "unit_price": 38.75, "account": "6110", "cost_center": "CC-LAB"}],
        )  # fmt: skip
        self.run_jde()
        line = self.invoice_line("MSS-23002")
        self.assertEqual(line.state, "needs_review")
        self.assertIn(
            "CostCenter 'CC-LAB' of JAGGAER (plants) has no counterpart in JD Edwards test",
            line.error_message,
        )
        listed = self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("external_value", "=", "CC-LAB"),
                ("other_backend_id", "=", self.backend.id),
            ]
        )
        self.assertFalse(listed.other_value)
        self.assertFalse(self.sim.rows("F0411Z1", VINV="MSS-23002"))
        listed.other_value = "M40"
        # the GL flow listed M40 from JD Edwards' side too: completing one listing removed the other half
        pairs = self.env["ml.connector.mapping"].search(
            [("backend_id", "=", self.jaggaer.id), ("mapping_type", "=", "CostCenter"), "|",
             ("external_value", "=", "CC-LAB"), ("other_value", "=", "M40")]
        )  # fmt: skip
        self.assertEqual(pairs, listed)
        self.assertEqual(listed.other_label, "Central Laboratory")
        self.assertEqual(line.state, "pending")
        self.run_jde()
        self.assertEqual(line.error_kind, "unknown_outcome", line.error_message)
        self.assertEqual(
            self.sim.rows("F0911Z1", EDTN=json.loads(line.sent_payload)["TransactionNumber"])[0]["ANI"],
            "M40.6110",
        )

    def test_an_invoice_of_a_supplier_jd_edwards_does_not_have_waits(self):
        self.jaggaer_sim.add_invoice(
            supplier_number="SUP-0395",
            supplier_invoice_number="HX-501",
            lines=[{"description": "Buffer solution", "quantity": 1, "unit_price": 80.0, "account": "6120",
                    "cost_center": "CC-CLE"}],
        )  # fmt: skip
        self.run_jde()
        line = self.invoice_line("HX-501")
        self.assertEqual(line.state, "needs_review")
        self.assertIn(
            "Helix Reagents Ltd (3955) of JAGGAER (plants) is not linked to a JD Edwards supplier",
            line.error_message,
        )
        self.assertFalse(self.sim.rows("F0411Z1", VINV="HX-501"))
        # JD Edwards gets the supplier: the supplier flow links it (same name), the invoice goes by itself
        self.sim.insert("F0101", {"AN8": 4500, "ALPH": "Helix Reagents Limited", "AT1": "V"})
        self.sim.insert("F0401", {"AN8": 4500, "CRRP": "GBP"})
        self.run_jde()
        self.assertEqual(
            self.lines("supplier", source_key="4500").error_message,
            "Linked to JAGGAER supplier 3955 (same normalised name) and updated it.",
        )
        self.assertEqual(line.error_kind, "unknown_outcome", line.error_message)
        self.assertEqual(self.sim.rows("F0411Z1", VINV="HX-501")[0]["AN8"], 4500)

    def test_charges_need_their_account(self):
        self.backend.jde_charge_account = False
        self.jaggaer_sim.add_invoice(
            supplier_number="4410",
            supplier_invoice_number="MSS-23003",
            shipping=45.0,
            lines=[{"po_number": "10231-OP", "po_line_number": "1", "description": "Steel bar", "quantity": 1,
                    "unit_price": 38.75, "account": "6110", "cost_center": "CC-TOL"}],
        )  # fmt: skip
        self.run_jde()
        line = self.invoice_line("MSS-23003")
        self.assertEqual(line.state, "failed")
        self.assertIn(
            "has a freight of 45.00 and connection JD Edwards test has no account for it", line.error_message
        )
        self.backend.jde_charge_account = "M20.6310"
        line.action_replay()
        self.assertEqual(line.error_kind, "unknown_outcome", line.error_message)
        rows = self.sim.rows("F0911Z1", EDTN=json.loads(line.sent_payload)["TransactionNumber"])
        self.assertEqual([(row["ANI"], row["AA"]) for row in rows], [("M20.6110", 38.75), ("M20.6310", 45.0)])
