from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import JdeJaggaerCase

VOUCHER = "/jderest/v2/orchestrator/JAG_CreateVoucherBatch"


@tagged("post_install", "-at_install")
class TestResilience(JdeJaggaerCase):
    """Sessions, result sets and servers that fail mid-run: nothing lost, nothing sent twice."""

    def setUp(self):
        super().setUp()
        self.map_plants()

    def assert_everything_moved_once(self):
        self.assertEqual(len(self.jaggaer_sim.purchase_orders), 5)
        self.assertEqual(set(self.jaggaer_sim.import_counts.values()), {1})
        for transaction in ("5200301", "5200302", "5200303"):
            self.assertEqual(len(self.sim.rows("F0411Z1", EDTN=transaction)), 1, transaction)

    def test_444_mid_run_logs_in_once_more_and_replays_the_call(self):
        self.sim.lose_stickiness(1, path=VOUCHER)
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.logins(), 2)
        self.assertEqual([r["status"] for r in self.sim.requests_to(VOUCHER)], [444, 200, 200, 200])
        self.assert_everything_moved_once()

    def test_444_on_a_next_page_continues_with_a_new_session(self):
        self.backend.jde_page_size = 2
        self.sim.lose_stickiness(1, path="/jderest/v2/dataservice/next")
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        statuses = [r["status"] for r in self.sim.requests_to("/jderest/v2/dataservice/next")]
        self.assertEqual(statuses[:3], [444, 500, 200], "a new session cannot continue the old result set")
        self.assert_everything_moved_once()
        self.assertEqual(len(self.lines("supplier")), 6)

    def test_a_token_aged_out_between_runs(self):
        # a token left behind (a worker killed before the end of its run logged out)...
        self.client().count("F0101")
        self.backend._forget_http_clients()
        self.sim.request_log.clear()
        # ... outlives the server's session: the next run gets 444 once, logs in and goes on
        self.sim.clock.advance(1801)
        run = self.run_jde()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.logins(), 2)
        self.assertEqual(self.sim.requests_to("/jderest/v2/dataservice")[0]["status"], 444)
        self.assert_everything_moved_once()
        self.assertEqual(self.sim.state()["logouts"], 1, "the run closed its session")

    def test_a_server_error_while_reading_stops_that_flow_for_this_run_only(self):
        self.sim.fail_next(500, count=1, path="/jderest/v2/dataservice")
        with mute_logger("odoo.addons.ml_connector.tools.http"):
            run = self.run_jde()
        self.assertIn("HTTP 500", run.error_message)
        self.assertIn("GL accounts and business units", run.error_message)
        self.assertTrue(self.lines("po"), "the other flows went on")
        self.assertFalse(self.lines("gl"))
        self.run_jde()
        self.assertEqual(len(self.lines("gl")), 7, "read at the next run")
        self.assert_everything_moved_once()

    def test_jaggaer_refusing_its_credentials_pauses_it_not_jd_edwards(self):
        self.jaggaer_sim.clients[self.jaggaer.client_id] = "rotated"
        with mute_logger("odoo.addons.ml_connector.tools.http"):
            run = self.run_jde()
        self.assertEqual(self.jaggaer.state, "paused")
        self.assertEqual(self.backend.state, "active")
        self.assertIn("refused the credentials", run.error_message)
        self.assertEqual(self.sim.state()["logouts"], 1, "the JD Edwards session is closed all the same")
