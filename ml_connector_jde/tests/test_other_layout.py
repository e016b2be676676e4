import json
from datetime import timedelta

from odoo.tests import tagged

from .common import JdeJaggaerCase

INPUTS = {
    "voucher": {"transaction_number": "SourceDocument", "distributions": "GLLines", "account": "GLAccount"},
    "voucher_status": {"errors": "WorkCenterMessages"},
}


@tagged("post_install", "-at_install")
class TestOtherLayout(JdeJaggaerCase):
    """Another AIS Server that follows the reference its own way: v3 logins, Julian dates, raw
    amounts with implied decimals, value-object cells, next pages to post back, its own
    orchestration names and input names. Only the connection's settings change."""

    def setUp(self):
        super().setUp()
        self.map_plants()
        self.sim.configure(
            date_output_format="julian",
            cell_shape="value_object",
            amount_scaling="raw",
            decimal_format=",",
            simple_date_format="dd.MM.yyyy",
            next_link_style="context",
            next_link_absolute=False,
            count_shape="count",
            orchestration_names={"voucher": "ACME_ApVoucher", "voucher_status": "ACME_ApBatchStatus"},
            orchestration_inputs=INPUTS,
        )
        self.backend.write(
            {
                "jde_api_version": "v3",
                "jde_date_literal_format": "julian",
                "jde_date_output_format": "julian",
                "jde_amount_scaling": "raw_implied",
                "jde_page_size": 3,
                "jde_orchestration_voucher": "ACME_ApVoucher",
                "jde_orchestration_voucher_status": "ACME_ApBatchStatus",
                "jde_orchestration_inputs": json.dumps(INPUTS),
                "jde_po_number_format": "{DCTO}{DOCO}",
            }
        )

    def test_every_flow_with_another_layout(self):
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertTrue(self.sim.requests_to("/jderest/v3/orchestrator/jde-login", "GET"), "v3 login")
        self.assertTrue(
            self.sim.requests_to("/jderest/v2/dataservice/next", "POST"), "next pages posted back"
        )
        po = self.jaggaer_po("OP10232")
        self.assertEqual(
            [(line["quantity"], line["unitPrice"]["value"]) for line in po["lineList"]["poLine"]],
            [(500, 3.2), (200, 6.85), (50, 21.4)],
            "raw amounts scaled (PRRC with 4 implied decimals)",
        )
        self.assertEqual(po["total"]["value"], 4040)
        self.assertEqual(
            po["orderDate"][:10], str(self.sim.local_now().date() - timedelta(days=6)), "Julian dates"
        )
        self.assertEqual(len(self.jaggaer_sim.purchase_orders), 5)
        self.assertEqual(len(self.lines("supplier")), 6)

        # the custom voucher orchestration, its own input names, a Julian invoice date
        self.sim.run_r04110z()
        self.due_now(self.lines("invoice"))
        self.run_jde()
        line = self.lines("invoice", document_key="LS-90117")
        self.assertEqual(line.state, "done", line.error_message)
        sent = json.loads(line.sent_payload)
        self.assertEqual(sent["SourceDocument"], "5200301")
        self.assertEqual([item["GLAccount"] for item in sent["GLLines"]], ["M30.6120", "M30.6120"])
        self.assertRegex(sent["InvoiceDate"], r"^1\d{5}$")
        (posted,) = self.sim.rows("F0411", VINV="LS-90117")
        self.assertEqual(posted["AG"], 950.0)
        self.assertEqual(self.lines("invoice", document_key="LS-87990").state, "done", "already in payables")
        self.assertEqual(len(self.sim.requests_to("/jderest/v3/orchestrator/ACME_ApVoucher")), 3)

    def test_batch_errors_under_their_own_output_name(self):
        self.sim.insert(
            "F0411Z1",
            {"EDUS": "OLDINT", "EDBT": "OLD1", "EDTN": "5200302", "EDLN": 1, "EDSP": "1", "AN8": 4410,
             "KCO": "00200", "DOC": 40102, "DCT": "PV", "VINV": "MSS-22817", "AG": 4650.0},
        )  # fmt: skip
        self.run_jde()
        self.sim.run_r04110z()
        self.due_now(self.lines("invoice"))
        self.run_jde()
        line = self.lines("invoice", document_key="MSS-23001")
        self.assertEqual(line.state, "failed")
        self.assertIn("already exists in F0411", line.error_message)
