"""The proof's scenarios: faults, outcome-unknown sends, crashes, concurrent servers."""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

from tests.harness import OdooServer, odoo_env

from .world import Sizes, build, ensure_base, force_due, reconcile


@dataclass
class Outcome:
    name: str
    lost: int = 0
    duplicated: int = 0
    ok: bool = False
    figures: dict = field(default_factory=dict)
    details: list = field(default_factory=list)


def new_tag(prefix):
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def backends(env, base):
    return env["ml.connector.backend"].browse([base.jaggaer_id, base.sps_id, base.fusion_id])


def run_cycles(ctx, base, world, max_cycles=10, during=None):
    """Run both connections in this process (real commits) until the world is reconciled."""
    rec = None
    for cycle in range(1, max_cycles + 1):
        with odoo_env(ctx.config) as env:
            for backend in backends(env, base):
                if backend.state != "active":  # e.g. paused by a token endpoint that kept refusing
                    backend.action_activate()
                if during:
                    with during():
                        backend._run_cycle(trigger="manual")
                else:
                    backend._run_cycle(trigger="manual")
            force_due(env)
            rec = reconcile(env, ctx.sims, world)
        if rec.complete:
            return rec, cycle
    return rec, max_cycles


# ------------------------------------------------------------------------------ faults
# (name, system, fault spec for /_sim/faults); paths are the simulators' resources.
JAGGAER_LIST = "/j1p/api/public/ji/v1/invoices"
JAGGAER_PO = "/j1p/api/public/jp/v1/purchaseorders"
JAGGAER_TOKEN = "/auth/realms/J1p-integrations/protocol/openid-connect/token"
SPS_DATA = "/transactions/v5/data/"
SPS_UPLOAD = "/transactions/v5/data/in/"
FUSION = "/fscmRestApi/resources/11.13.18.05"
FUSION_PO = f"{FUSION}/purchaseOrders"
FUSION_INVOICES = f"{FUSION}/invoices"
FUSION_RECEIPTS = f"{FUSION}/receivingReceiptRequests"
FUSION_ACKS = f"{FUSION}/purchaseOrderAcknowledgments"
FAULTS = [
    ("latency 2 s", "jaggaer", {"kind": "delay", "delay": 2.0, "count": 3, "path": JAGGAER_LIST}),
    ("latency 2 s", "sps", {"kind": "delay", "delay": 2.0, "count": 3, "path": SPS_DATA}),
    (
        "429 burst with Retry-After",
        "jaggaer",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 6},
    ),
    (
        "429 burst with Retry-After",
        "sps",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 6, "path": SPS_DATA},
    ),
    (
        "429 burst without Retry-After",
        "jaggaer",
        {"kind": "status", "status": 429, "count": 6, "path": JAGGAER_LIST},
    ),
    ("429 burst without Retry-After", "sps", {"kind": "status", "status": 429, "count": 6, "path": SPS_DATA}),
    (
        "429 on the token endpoint",
        "jaggaer",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 2, "path": JAGGAER_TOKEN},
    ),
    (
        "429 on the token endpoint",
        "sps",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 2, "path": "/oauth/token"},
    ),
    ("HTTP 500", "jaggaer", {"kind": "status", "status": 500, "count": 3, "path": JAGGAER_LIST}),
    ("HTTP 500", "sps", {"kind": "status", "status": 500, "count": 3, "path": SPS_DATA}),
    (
        "HTTP 502 on sends",
        "jaggaer",
        {"kind": "status", "status": 502, "count": 3, "path": JAGGAER_PO, "method": "POST"},
    ),
    (
        "HTTP 502 on sends",
        "sps",
        {"kind": "status", "status": 502, "count": 3, "path": SPS_UPLOAD, "method": "POST"},
    ),
    ("HTTP 503", "jaggaer", {"kind": "status", "status": 503, "count": 5}),
    ("HTTP 503", "sps", {"kind": "status", "status": 503, "count": 5, "path": SPS_DATA}),
    ("connection reset", "jaggaer", {"kind": "reset", "count": 4}),
    ("connection reset", "sps", {"kind": "reset", "count": 4, "path": SPS_DATA}),
    ("truncated body", "jaggaer", {"kind": "truncate", "count": 3, "path": JAGGAER_LIST, "method": "GET"}),
    ("truncated body", "sps", {"kind": "truncate", "count": 3, "path": SPS_DATA, "method": "GET"}),
    ("invalid body", "jaggaer", {"kind": "invalid", "count": 3, "path": JAGGAER_LIST, "method": "GET"}),
    (
        "invalid body",
        "sps",
        {"kind": "invalid", "count": 3, "path": "/transactions/v5/data/out/", "method": "GET"},
    ),
    (
        "response lost after the send",
        "jaggaer",
        {"kind": "lost", "count": 3, "path": JAGGAER_PO, "method": "POST"},
    ),
    (
        "response lost after the send",
        "sps",
        {"kind": "lost", "count": 3, "path": SPS_UPLOAD, "method": "POST"},
    ),
    ("token expiry mid-run", "jaggaer", None),
    ("token expiry mid-run", "sps", None),
    # Oracle Fusion, and the JAGGAER tenant it syncs with
    ("latency 2 s", "fusion", {"kind": "delay", "delay": 2.0, "count": 3, "path": FUSION_PO}),
    (
        "429 burst with Retry-After",
        "fusion",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 6, "path": FUSION},
    ),
    (
        "429 burst without Retry-After",
        "fusion",
        {"kind": "status", "status": 429, "count": 6, "path": FUSION_PO},
    ),
    (
        "429 on the token endpoint",
        "fusion",
        {"kind": "status", "status": 429, "retry_after": "1", "count": 2, "path": "/oauth2/v1/token"},
    ),
    ("HTTP 500", "fusion", {"kind": "status", "status": 500, "count": 3, "path": FUSION_PO}),
    (
        "HTTP 502 on sends",
        "fusion",
        {"kind": "status", "status": 502, "count": 3, "path": FUSION_INVOICES, "method": "POST"},
    ),
    ("HTTP 503", "fusion", {"kind": "status", "status": 503, "count": 5, "path": FUSION}),
    (
        "HTTP 504 on reads",
        "fusion",
        {"kind": "status", "status": 504, "count": 2, "path": FUSION_PO, "method": "GET"},
    ),
    ("connection reset", "fusion", {"kind": "reset", "count": 4, "path": FUSION}),
    ("truncated body", "fusion", {"kind": "truncate", "count": 3, "path": FUSION_PO, "method": "GET"}),
    ("invalid body", "fusion", {"kind": "invalid", "count": 3, "path": FUSION_PO, "method": "GET"}),
    (
        "response lost after the send",
        "fusion",
        {"kind": "lost", "count": 2, "path": FUSION_INVOICES, "method": "POST"},
    ),
    (
        "receipt request lost after the send",
        "fusion",
        {"kind": "lost", "count": 2, "path": FUSION_RECEIPTS, "method": "POST"},
    ),
    (
        "acknowledgment lost after the send",
        "fusion",
        {"kind": "lost", "count": 2, "path": FUSION_ACKS, "method": "PATCH"},
    ),
    ("token expiry mid-run", "fusion", None),
    (
        "response lost after the send",
        "fusion_jaggaer",
        {"kind": "lost", "count": 3, "path": JAGGAER_PO, "method": "POST"},
    ),
    ("HTTP 503", "fusion_jaggaer", {"kind": "status", "status": 503, "count": 5}),
]


class ExpireTokensMeanwhile:
    """Revokes every token of a simulator every 0.2 s while a run goes on."""

    def __init__(self, sims, system):
        self.sims, self.system = sims, system
        self.expired = 0

    def __call__(self):
        return self

    def __enter__(self):
        self.stop = threading.Event()

        def loop():
            while not self.stop.wait(0.2):
                self.sims.control(self.system, "tokens/expire")
                self.expired += 1

        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def fault_scenarios(ctx, quick):
    outcomes = []
    sizes = Sizes(2, 6, 3, 3, 2, 1, 2) if quick else Sizes(3, 12, 4, 4, 4, 2, 4)
    for name, system, spec in FAULTS:
        with odoo_env(ctx.config) as env:
            base = ensure_base(env, ctx.sims)
            world = build(env, ctx.sims, base, new_tag("F"), sizes)
        ctx.sims.control(system, "faults", method="DELETE")
        if "token endpoint" in name:
            ctx.sims.control(system, "tokens/expire")  # so that this run has to ask for a token
        during = None
        if spec is None:
            during = ExpireTokensMeanwhile(ctx.sims, system)
        else:
            ctx.sims.control(system, "faults", spec)
        started = time.monotonic()
        rec, cycles = run_cycles(ctx, base, world, max_cycles=12, during=during)
        fired = during.expired if during else len(ctx.sims.control(system, "faults", method="GET")["fired"])
        ctx.sims.control(system, "faults", method="DELETE")
        outcome = Outcome(
            f"{name} ({system})",
            lost=rec.lost,
            duplicated=rec.duplicated,
            ok=rec.complete and not rec.duplicated and fired > 0,
            figures={"fired": fired, "cycles": cycles, "seconds": round(time.monotonic() - started, 1)},
            details=rec.details[:5],
        )
        ctx.log(
            f"  {outcome.name}: fired {fired}, {cycles} cycle(s), lost {rec.lost}, "
            f"duplicated {rec.duplicated}{'' if outcome.ok else '  FAILED ' + '; '.join(rec.details[:3])}"
        )
        outcomes.append(outcome)
    return outcomes


# ------------------------------------------------------------------------------ servers
def nudge_crons(ctx):
    """Ask for the connections' runs now, the way Odoo does it (a trigger row, then a NOTIFY to
    the cron workers after commit): workers otherwise only poll once a minute."""
    with odoo_env(ctx.config) as env:
        for cron in env["ml.connector.backend"].search([("name", "=like", "Proof %")]).cron_id:
            cron._trigger()


def run_locks_held(ctx):
    """How many connections' run locks (pg advisory locks of the engine) are held right now."""
    from odoo.addons.ml_connector.models.ml_connector_backend import RUN_LOCK_NAMESPACE

    with odoo_env(ctx.config) as env:
        env.cr.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND granted",
            [RUN_LOCK_NAMESPACE],
        )
        return env.cr.fetchone()[0]


def done_lines(ctx, tag):
    with odoo_env(ctx.config) as env:
        env.cr.execute(
            """SELECT count(*) FROM ml_connector_audit_line
               WHERE state = 'done' AND (document_key LIKE %s OR name LIKE %s)""",
            (f"%{tag}%", f"%{tag}%"),
        )
        return env.cr.fetchone()[0]


def wait_reconciled(ctx, base, world, timeout):
    deadline = time.monotonic() + timeout
    rec = None
    while time.monotonic() < deadline:
        nudge_crons(ctx)
        time.sleep(3)
        with odoo_env(ctx.config) as env:
            force_due(env)
            rec = reconcile(env, ctx.sims, world)
        if rec.complete:
            return rec, True
    return rec, False


def crash_scenarios(ctx, quick):
    outcomes = []
    runs = 2 if quick else 5
    sizes = Sizes(4, 60, 20, 30, 10, 4, 20) if quick else Sizes(8, 240, 60, 80, 40, 10, 80)
    for index in range(1, runs + 1):
        with odoo_env(ctx.config) as env:
            base = ensure_base(env, ctx.sims)
            world = build(env, ctx.sims, base, new_tag("K"), sizes)
        expected_lines = sizes.documents
        kill_at = int(expected_lines * random.uniform(0.2, 0.7))
        log_path = ctx.local / f"proof-server-{world.tag}.log"
        started = time.monotonic()
        done = 0
        with OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path) as server:
            while time.monotonic() - started < 300:
                nudge_crons(ctx)
                time.sleep(0.5)
                done = done_lines(ctx, world.tag)
                if done >= kill_at:
                    break
            server.kill()
        killed_after = done
        with OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path):
            rec, finished = wait_reconciled(ctx, base, world, timeout=600)
        outcome = Outcome(
            f"crash run {index}",
            lost=rec.lost,
            duplicated=rec.duplicated,
            ok=finished and not rec.lost and not rec.duplicated,
            figures={
                "documents": rec.expected,
                "killed_after_done_lines": killed_after,
                "seconds": round(time.monotonic() - started, 1),
            },
            details=rec.details[:5],
        )
        ctx.log(
            f"  crash run {index}: SIGKILL after {killed_after}/{expected_lines} documents, restarted; "
            f"lost {rec.lost}, duplicated {rec.duplicated}{'' if finished else ' (did not finish)'}"
        )
        outcomes.append(outcome)
    return outcomes


def concurrency_scenario(ctx, quick):
    sizes = Sizes(6, 150, 40, 60, 20, 6, 40) if quick else Sizes(10, 400, 100, 150, 60, 16, 120)
    with odoo_env(ctx.config) as env:
        base = ensure_base(env, ctx.sims)
        world = build(env, ctx.sims, base, new_tag("P"), sizes)
    log_path = ctx.local / f"proof-concurrency-{world.tag}.log"
    # a third runner in this process, as an admin pressing "run" while the crons work
    stop = threading.Event()
    manual = {"ran": 0, "skipped": 0}

    def hammer():
        while not stop.is_set():
            with odoo_env(ctx.config) as env:
                for backend in backends(env, base):
                    ran = backend._run_cycle(trigger="manual")
                    manual["ran" if ran else "skipped"] += 1
            time.sleep(0.05)

    started = time.monotonic()
    with (
        OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path),
        OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path),
    ):
        # the manual runner joins once a server's cron worker holds a connection's run lock
        while not run_locks_held(ctx) and time.monotonic() - started < 120:
            nudge_crons(ctx)
            time.sleep(0.1)
        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        try:
            rec, finished = wait_reconciled(ctx, base, world, timeout=600)
        finally:
            stop.set()
            thread.join()
    with odoo_env(ctx.config) as env:
        env.cr.execute(
            """SELECT count(*) FROM ml_connector_audit_line
               WHERE state = 'done' AND attempts > 1 AND (document_key LIKE %s OR name LIKE %s)""",
            (f"%{world.tag}%", f"%{world.tag}%"),
        )
        twice = env.cr.fetchone()[0]
    # runs refused by the lock, on the servers' side (their log) and on ours
    server_skips = log_path.read_text(errors="replace").count("is already running elsewhere")
    contended = manual["skipped"] + server_skips
    outcome = Outcome(
        "two servers + a manual runner",
        lost=rec.lost,
        duplicated=rec.duplicated,
        # without a refused run the lock was never contended: the scenario would prove nothing
        ok=finished and not rec.lost and not rec.duplicated and not twice and contended > 0,
        figures={
            "documents": rec.expected,
            "processed_twice": twice,
            "manual_runs": manual["ran"],
            "manual_skipped_while_running": manual["skipped"],
            "server_runs_refused_by_lock": server_skips,
            "seconds": round(time.monotonic() - started, 1),
        },
        details=rec.details[:5],
    )
    ctx.log(
        f"  2 servers × 2 cron workers + manual runs: {contended} runs refused while another held the "
        f"connection ({manual['skipped']} manual, {server_skips} cron); lost {rec.lost}, "
        f"duplicated {rec.duplicated}, processed twice {twice}"
    )
    return [outcome]
