"""The JD Edwards figures of the benchmark: purchase orders JD Edwards -> JAGGAER per second, HTTP
requests and SQL queries per order, and the requests of an idle cycle.

The AIS simulator and the JAGGAER tenant of the JD Edwards manufacturer run in the simulator
process; the connections are the proof's (``tests/proof/jde.py``). Every figure is a rate or a
per-record count, so that machines compare.
"""

import random
import time

from tests.harness import REPO, SimulatorProcess, odoo_env
from tests.proof import jde as jde_world

SIZES = {False: 1000, True: 50}
IDLE_OVERLAP = 10  # seconds: the bench world's overlap window, waited for before the idle cycle
# the flows of a cycle, by code, with a short label
FLOWS = {
    "gl_value:jde>jaggaer": "GL values",
    "supplier:jde>jaggaer": "suppliers",
    "purchase_order:jde>jaggaer": "POs",
    "purchase_order_status:jaggaer>jde": "PO statuses",
    "invoice:jaggaer>jde": "invoices",
}


def _backend(env, base):
    return env["ml.connector.backend"].browse(base.jde_id)


def _only(env, base, *codes):
    for flow in _backend(env, base).with_context(active_test=False).flow_ids:
        flow.active = flow.code in codes
    env.cr.commit()


def _requests(sims):
    """Requests each simulator saw since the last call (their logs are emptied), control calls aside."""
    seen = {}
    for system in ("jde", "jaggaer_jde"):
        entries = sims.control(system, "requests", method="GET")
        seen[system] = [entry for entry in entries if not entry["path"].startswith("/_sim/")]
        sims.control(system, "requests", method="DELETE")
    return seen


def _cycle(env, base):
    backend = _backend(env, base)
    backend._run_cycle(trigger="manual")
    return env["ml.connector.run"].search([("backend_id", "=", backend.id)], limit=1)


def _catch_up(env, sims, base):
    for _i in range(5):
        jde_world.post_batches(sims)
        env["ml.connector.audit.line"].search([("state", "=", "pending")]).write({"next_attempt_at": False})
        env.cr.commit()
        if not _cycle(env, base).collected_count:
            return
    raise RuntimeError("JD Edwards: still collecting after 5 cycles")


def _session(entries):
    """Requests that open or close a session (AIS login and logout, JAGGAER token)."""
    return sum(1 for entry in entries if "/tokenrequest" in entry["path"] or entry["path"].endswith("/token"))


def measure_orders(env, sims, base, count):
    """One cycle of the purchase-order flow with ``count`` new orders of three lines."""
    rng = random.Random(11)
    suppliers = list(jde_world.SUPPLIERS)
    headers, lines = [], []
    for index in range(count):
        header, order_lines = jde_world.order_rows(900000 + index, suppliers[index % len(suppliers)], rng)
        headers.append(header)
        lines += order_lines
    for start in range(0, len(lines), 600):
        sims.control("jde", "jde/rows/F4311", lines[start : start + 600])
    for start in range(0, len(headers), 600):
        sims.control("jde", "jde/rows/F4301", headers[start : start + 600])
    _only(env, base, "purchase_order:jde>jaggaer")
    _requests(sims)
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    run = _cycle(env, base)
    seconds = time.perf_counter() - started
    queries = env.cr.sql_log_count - queries
    seen = _requests(sims)
    if (run.state, run.collected_count, run.done_count) != ("done", count, count):
        raise RuntimeError(
            f"JD Edwards orders: expected {count} done, run {run.id} is {run.state} with "
            f"{run.collected_count} collected, {run.done_count} done: {run.error_message or ''}"
        )
    return {
        "count": count,
        "seconds": seconds,
        "queries": queries,
        "jde": len(seen["jde"]),
        "jaggaer": len(seen["jaggaer_jde"]),
        "session": _session(seen["jde"]) + _session(seen["jaggaer_jde"]),
    }


def measure_idle(env, sims, base):
    """Each flow alone in a cycle with nothing new: its requests to the other systems."""
    codes = list(FLOWS)
    _only(env, base, *codes)
    _catch_up(env, sims, base)
    time.sleep(IDLE_OVERLAP + 1)
    _cycle(env, base)  # reads the window below the marks a last time, now that it passed: settled
    per_flow, session = {}, 0
    for code in codes:
        _only(env, base, code)
        _requests(sims)
        _cycle(env, base)
        seen = _requests(sims)
        entries = seen["jde"] + seen["jaggaer_jde"]
        session = max(session, _session(entries))
        per_flow[FLOWS[code]] = sum(
            1 for e in entries if "/tokenrequest" not in e["path"] and not e["path"].endswith("/token")
        )
    _only(env, base, *codes)
    return per_flow, session


def measure_jde(bench):
    count = SIZES[bench.quick]
    log_path = REPO / ".local" / "bench-simulators.log"
    with SimulatorProcess(log_path=log_path, jde=True) as sims, odoo_env(bench.config) as env:
        jde_world.seed_simulators(sims)
        # no simulated JAGGAER throttle: the figures are the connector's (see bench_world)
        sims.control("jaggaer_jde", "config", {"request_rate_limit": 0})
        base = jde_world.ensure_base(env, sims, prefix="Bench")
        _backend(env, base).flow_ids.write({"overlap_seconds": IDLE_OVERLAP})
        env.cr.commit()
        started = time.perf_counter()
        _catch_up(env, sims, base)
        print(f"  (JD Edwards demo world synchronised in {time.perf_counter() - started:.0f} s)", flush=True)
        orders = measure_orders(env, sims, base, count)
        per_flow, session = measure_idle(env, sims, base)
    report(bench, orders, per_flow, session)


def report(bench, orders, per_flow, session):
    from odoo.addons.ml_connector_jde.tools.ais import LIST_CHUNK

    count = orders["count"]
    requests = orders["jde"] + orders["jaggaer"]
    bench.add(
        f"POs JD Edwards -> JAGGAER, N={count}",
        round(count / orders["seconds"], 1),
        "POs/s",
        note="F4301 + three F4311 lines per order read through the AIS data service, sent through JAGGAER's "
        "purchase-order writer, bound, audited",
    )
    bench.add(
        "HTTP requests per PO JD Edwards -> JAGGAER",
        round(requests / count, 3),
        "req/PO",
        note=f"{orders['jde']} to the AIS Server (pages of changed headers and lines, the lines of "
        f"{LIST_CHUNK} orders per read), {orders['jaggaer']} to JAGGAER; {orders['session']} for a "
        "session or token",
    )
    bench.add(
        "SQL queries per PO JD Edwards -> JAGGAER",
        round(orders["queries"] / count, 1),
        "queries/PO",
    )
    worst = max(per_flow.values(), default=0)
    bench.add(
        f"idle HTTP requests per flow JD Edwards <-> JAGGAER, {len(per_flow)} flows",
        worst,
        "max",
        "<= 2",
        worst <= 2,
        note=f"requests: {', '.join(f'{flow} {n}' for flow, n in per_flow.items())} (one per JD Edwards "
        f"table: master and detail, or two dimensions); plus {session} per cycle to open and close the AIS "
        f"session; overlap window {IDLE_OVERLAP} s, passed",
    )
