from datetime import timedelta

from odoo.tests import tagged

from .common import FusionJaggaerCase

SUPPLIERS_PATH = "/fscmRestApi/resources/11.13.18.05/suppliers"


@tagged("post_install", "-at_install")
class TestReadingChanges(FusionJaggaerCase):
    """What a Fusion pod does to a read of changes (§4, §9), on the supplier flow's collect."""

    def collect(self, key="supplier_out"):
        flow = self.flows[key]
        run = self.env["ml.connector.run"].sudo()._current_run(self.backend, "manual")
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            env = self.env(cr=cr)
            flow.with_env(env)._collect(run.with_env(env))
        self.env.invalidate_all()
        return flow.line_ids

    def list_calls(self):
        return [r for r in self.sim.requests_to(SUPPLIERS_PATH, "GET") if r["path"] == SUPPLIERS_PATH]

    def test_a_token_expiring_mid_paging(self):
        self.backend.fusion_page_size = 2
        self.sim.between_pages = lambda level, offset, count: (
            self.sim.expire_tokens() if level == "suppliers" else None
        )
        lines = self.collect()
        self.assertEqual(len(lines), 6)
        self.assertEqual(len(self.list_calls()), 3 + 2, "3 pages, 2 of them asked again with a new token")
        self.assertEqual(self.sim.state()["tokens_issued"], 3)

    def test_429_and_503_with_retry_after(self):
        self.sim.inject("status", status=429, retry_after="1", path=SUPPLIERS_PATH, method="GET", count=1)
        self.sim.inject("status", status=503, retry_after="1", path=SUPPLIERS_PATH, method="GET", count=1)
        lines = self.collect()
        self.assertEqual(len(lines), 6)
        self.assertEqual([fault["status"] for fault in self.sim.faults.fired], [429, 503])
        self.assertEqual(self.sim.state()["tokens_issued"], 1, "a 429 is no reason for a new token")

    def test_a_504_is_answered_by_smaller_windows(self):
        since = self.sim.now() - timedelta(days=30)
        self.flows["supplier_out"].cursor = {"since": since.isoformat(), "settled": True}
        self.sim.configure(query_cost_per_day=15)  # 30 days: 450 simulated seconds, over the 300 s gateway
        lines = self.collect()
        self.assertEqual(len(lines), 6, "nothing lost")
        self.assertEqual(len(lines.mapped("source_key")), 6, "nothing twice")
        statuses = [r["status"] for r in self.list_calls()]
        self.assertEqual(statuses, [504, 200, 200], "read again as two halves")

    def test_a_page_of_exactly_500_rows(self):
        self.backend.fusion_page_size = 500
        self.sim.seed({"suppliers": [{"Supplier": f"Bulk supplier {n:03d}"} for n in range(494)]})
        self.assertEqual(len(self.collect()), 500)
        self.assertEqual(len(self.list_calls()), 1, "500 rows and hasMore false: one call")
        self.sim.seed({"suppliers": [{"Supplier": "Bulk supplier 494"}]})
        self.flows["supplier_out"].cursor = False
        self.sim.request_log.clear()
        self.assertEqual(len(self.collect()), 501, "the new row; the others known by their hash")
        self.assertEqual(len(self.list_calls()), 2, "501 rows: a second call for the last one")

    def test_rows_of_the_same_second_across_pages(self):
        self.backend.fusion_page_size = 2
        moment = self.sim.now() - timedelta(minutes=1)
        self.sim.seed(
            {"suppliers": [{"Supplier": f"Same second {n}", "LastUpdateDate": moment} for n in range(5)]}
        )
        lines = self.collect()
        self.assertEqual(len(lines), 11)
        same = sorted(name for name in lines.mapped("name") if "Same second" in name)
        self.assertEqual(same, [f"Supplier Same second {n}" for n in range(5)])
        self.assertEqual(len(self.collect()), 11, "read again in the overlap, nothing new")
