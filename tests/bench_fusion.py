"""The Oracle Fusion figures of the benchmark: a Fusion pod and its JAGGAER, both simulated in their
own process, synchronised by the Fusion connection in this process (real commits).

Per-record costs (HTTP requests to each side, SQL queries) and rates of the flows that move
volume: purchase orders Fusion → JAGGAER, JAGGAER invoices into Fusion payables, received
quantities into Fusion receipt requests; and what an idle cycle of the eight flows costs.
"""

import time
from dataclasses import dataclass

from tests.harness import REPO, SimulatorProcess, odoo_env
from tests.proof import fusion_world

SIZES = {False: 300, True: 20}
SIDES = ("fusion", "fusion_jaggaer")
TOKEN_PATHS = ("/oauth2/v1/token", "/openid-connect/token")
OVERLAP = 10  # seconds: the idle cycle is measured once the overlap window passed
IDLE_READS = (  # which flow a request of an idle cycle belongs to
    ("fusion_jaggaer", "/customfields/", "GL values (1 per segment)"),
    ("fusion_jaggaer", "/companyprofiles", "suppliers in"),
    ("fusion", "/suppliers", "suppliers out"),
    ("fusion", "/purchaseOrders", "POs out"),
    ("fusion_jaggaer", "/purchaseorders", "acknowledgments and receipts (2 flows)"),
    ("fusion_jaggaer", "/invoices", "invoices in"),
    ("fusion", "/invoices", "invoice headers out"),
)


@dataclass
class Cycle:
    records: int
    seconds: float
    queries: int
    requests: dict  # side -> requests (tokens left out)

    @property
    def per_second(self):
        return self.records / self.seconds if self.seconds else 0.0

    def per_record(self, side=None):
        count = self.requests.get(side, 0) if side else sum(self.requests.values())
        return count / self.records if self.records else 0.0


def _only(env, fusion, *codes):
    for flow in fusion.with_context(active_test=False).flow_ids:
        flow.active = flow.code in codes
    env.cr.commit()


def _requests(sims):
    counts, log = {}, {}
    for side in SIDES:
        entries = [
            entry
            for entry in sims.control(side, "requests", method="GET")
            if not entry["path"].endswith(TOKEN_PATHS) and not entry["path"].startswith("/_sim/")
        ]
        counts[side], log[side] = len(entries), entries
    return counts, log


def _cycle(env, sims, fusion, codes, expected):
    """One measured cycle of the flows ``codes``; checks that ``expected`` documents went."""
    _only(env, fusion, *codes)
    for side in SIDES:
        sims.control(side, "requests", method="DELETE")
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    fusion._run_cycle(trigger="manual")
    seconds = time.perf_counter() - started
    queries = env.cr.sql_log_count - queries
    run = env["ml.connector.run"].search([("backend_id", "=", fusion.id)], limit=1)
    if expected is not None and run.done_count != expected:
        raise RuntimeError(
            f"Fusion {codes}: {expected} documents expected done, run {run.id} is {run.state} with "
            f"{run.done_count} done, {run.failed_count} failed: {run.error_message or ''}"
        )
    counts, _log = _requests(sims)
    return Cycle(expected or 0, seconds, queries, counts)


def _catch_up(env, fusion):
    _only(env, fusion, *fusion.with_context(active_test=False).flow_ids.mapped("code"))
    for _i in range(5):
        fusion._run_cycle(trigger="manual")
        run = env["ml.connector.run"].search([("backend_id", "=", fusion.id)], limit=1)
        if not run.collected_count:
            return
    raise RuntimeError("Fusion: still collecting after 5 cycles")


def _idle(env, sims, fusion):
    _only(env, fusion, *fusion.with_context(active_test=False).flow_ids.mapped("code"))
    for side in SIDES:
        sims.control(side, "requests", method="DELETE")
    started = time.perf_counter()
    fusion._run_cycle(trigger="manual")
    ms = (time.perf_counter() - started) * 1000
    _counts, log = _requests(sims)
    per_flow = {}
    for side, entries in log.items():
        for entry in entries:
            label = next(
                (lb for s, fragment, lb in IDLE_READS if s == side and fragment in entry["path"]),
                f"other {entry['method']} {entry['path']}",
            )
            per_flow[label] = per_flow.get(label, 0) + 1
    return ms, per_flow


def measure(bench):
    """Add the Fusion rows to ``bench``."""
    count = SIZES[bench.quick]
    log_path = REPO / ".local" / "bench-fusion-simulators.log"
    with SimulatorProcess(log_path=log_path) as sims, odoo_env(bench.config) as env:
        fusion_world.seed(sims)
        fusion, jaggaer = fusion_world.ensure(env, sims, prefix="Bench")
        fusion.fusion_overlap_seconds = OVERLAP
        fusion.with_context(active_test=False).flow_ids.write({"overlap_seconds": OVERLAP})
        env.cr.commit()
        _catch_up(env, fusion)  # the supplier and the GL values
        tag = f"B{int(time.time()) % 100000:05d}"
        # orders out (half pending acknowledgment), then their acknowledgments, receipts and invoices in
        world = fusion_world.build(sims, tag, count, count, count)
        orders = _cycle(env, sims, fusion, ["purchase_order:fusion>jaggaer"], 2 * count)
        acks = _cycle(env, sims, fusion, ["purchase_order_status:jaggaer>fusion"], None)
        receipts = _cycle(env, sims, fusion, ["receipt:jaggaer>fusion"], count)
        invoices = _cycle(env, sims, fusion, ["invoice:jaggaer>fusion"], count)
        _catch_up(env, fusion)
        time.sleep(OVERLAP + 1)
        _idle(env, sims, fusion)  # the first may read the overlap window a last time
        ms, per_flow = _idle(env, sims, fusion)
        _report(bench, count, world, orders, acks, receipts, invoices, ms, per_flow)


def _report(bench, count, world, orders, acks, receipts, invoices, ms, per_flow):
    lines = fusion_world.LINES
    for label, cycle, unit in (
        (f"Fusion POs ({lines} lines) -> JAGGAER, N={2 * count}", orders, "POs/s"),
        (f"JAGGAER receipts -> Fusion receipt requests, N={count}", receipts, "receipts/s"),
        (f"JAGGAER invoices ({lines} lines) -> Fusion payables, N={count}", invoices, "invoices/s"),
    ):
        bench.add(
            label,
            round(cycle.per_second, 1),
            unit,
            note=f"{cycle.per_record('fusion'):.2f} Fusion and {cycle.per_record('fusion_jaggaer'):.2f} "
            f"JAGGAER requests, {cycle.queries / cycle.records:.1f} SQL queries per document",
        )
    bench.add(
        "HTTP requests per Fusion PO out",
        round(orders.per_record(), 2),
        "req/PO",
        note="its share of a list page, the order read whole, the JAGGAER import; combinations once a batch",
    )
    pending = len(world.pending)
    bench.add(
        f"acknowledgments JAGGAER -> Fusion, N={pending}",
        round(pending / acks.seconds, 1) if acks.seconds else 0,
        "acks/s",
        note=f"{acks.requests.get('fusion', 0) / max(pending, 1):.2f} Fusion requests per order acknowledged "
        "(a look at the pending list, the PATCH); the others skipped with one look",
    )
    # acknowledgments and receipts read the same JAGGAER list: one request each
    per_reader = {
        label: n / 2 if "2 flows" in label else n for label, n in per_flow.items() if "GL" not in label
    }
    worst = max(per_reader.values(), default=0)
    bench.add(
        "idle cycle Fusion <-> JAGGAER, 8 flows",
        round(ms, 1),
        "ms",
        note="requests: " + ", ".join(f"{label} {n}" for label, n in sorted(per_flow.items())),
    )
    note = f"GL values: 1 per segment; overlap {OVERLAP} s here (default 300 s), measured once it passed"
    if worst > 1:
        note += (
            "; more than a page of JAGGAER orders share the mark's millisecond (the simulator acknowledges "
            "them in one call) and JAGGAER's filter is inclusive: read again at each poll"
        )
    bench.add("idle HTTP requests per flow Fusion <-> JAGGAER", worst, "max", "1", worst <= 1, note=note)
