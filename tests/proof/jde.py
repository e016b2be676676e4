"""The JD Edwards ↔ JAGGAER part of the proof: a world of orders and invoices between the AIS
simulator and the manufacturer's JAGGAER tenant, its faults, its crash runs, its reconciliation.

One *base* per database: a JD Edwards and a JAGGAER connection pointed at the simulator process
(the JD Edwards demo manufacturer and its JAGGAER tenant), the plants mapped to JAGGAER's cost
centres. Each scenario then builds a *world* with its own numbers:

* JD Edwards: purchase orders (F4301 + three F4311 lines each) of suppliers JAGGAER knows, to
  JAGGAER;
* JAGGAER: supplier invoices billing those orders, to JD Edwards payables as vouchers (R04110Z is
  run by the proof between cycles, as a scheduled job would).

:func:`reconcile` compares both sides document by document: an order missing in JAGGAER or an
invoice without its posted voucher (F0411) is *lost*; an order imported twice, or an invoice with
two vouchers in the batch or the ledger, is *duplicated*.
"""

import itertools
import random
import threading
import time
from dataclasses import dataclass, field

from tests.harness import OdooServer, odoo_env
from tests.simulators.jaggaer import JDE_DEMO_CLIENT, splittable
from tests.simulators.jde import DEFAULT_USERS

from .scenarios import ExpireTokensMeanwhile, Outcome, new_tag
from .world import force_due

AIS_USER = "JAGINT"
AIS_PASSWORD = DEFAULT_USERS[AIS_USER]["password"]
PLANTS = {"CC-DET": "M10", "CC-TOL": "M20", "CC-CLE": "M30"}
# JD Edwards supplier -> JAGGAER supplier (bravoId) of the demo tenant
SUPPLIERS = {6105: 3951, 4410: 3952, 4430: 3954}
VOUCHER = "/jderest/v2/orchestrator/JAG_CreateVoucherBatch"
DATA_SERVICE = "/jderest/v2/dataservice"
JAGGAER_PO = "/j1p/api/public/jp/v1/purchaseorders"
_NUMBERS = itertools.count(int(time.time()) % 100000 * 10)  # order and invoice numbers of this process


@dataclass
class JdeBase:
    jde_id: int
    jaggaer_id: int


@dataclass
class JdeSizes:
    orders: int = 4
    invoices: int = 6

    @property
    def documents(self):
        return self.orders + self.invoices


@dataclass
class JdeWorld:
    tag: str
    orders: list = field(default_factory=list)  # JAGGAER numbers of the JD Edwards orders (DOCO-OP)
    invoices: list = field(default_factory=list)  # (JAGGAER invoiceId, supplier invoice number)


@dataclass
class JdeReconciliation:
    lost: int = 0
    duplicated: int = 0
    expected: int = 0
    pending_lines: int = 0
    failed_lines: int = 0
    details: list = field(default_factory=list)

    @property
    def complete(self):
        return self.lost == 0 and self.pending_lines == 0


def seed_simulators(sims):
    """The demo manufacturer and its JAGGAER tenant, once per simulator process."""
    sims.control("jde", "reset")
    sims.control("jaggaer_jde", "reset")
    sims.control("jde", "jde/demo-seed")
    sims.control("jaggaer_jde", "jaggaer/jde-demo-seed")


def ensure_base(env, sims, prefix="Proof"):
    """The two connections, their flows and the plants' mappings; URLs refreshed each time."""
    Backend = env["ml.connector.backend"]
    jde = Backend.search([("name", "=", f"{prefix} JD Edwards")], limit=1)
    jaggaer = Backend.search([("name", "=", f"{prefix} JAGGAER (JD Edwards)")], limit=1)
    if jde:
        if jaggaer.base_url != sims.jaggaer_jde_url:
            # a new simulator process has never seen what Odoo remembers: start over (without the old
            # lines, the documents of the new simulators are new versions, sent again)
            jde.write({"base_url": f"{sims.jde_url}/jderest"})
            jaggaer.write({"base_url": sims.jaggaer_jde_url})
            env["ml.connector.binding"].search([("backend_id", "in", (jde | jaggaer).ids)]).unlink()
            env["ml.connector.audit.line"].search([("flow_id", "in", jde.flow_ids.ids)]).unlink()
            jde.flow_ids.write({"cursor": False, "last_collect_run_id": False})
        (jde | jaggaer).filtered(lambda b: b.state != "active").action_activate()
        return JdeBase(jde.id, jaggaer.id)
    common = {"test_mode": True, "interval_number": 1, "interval_type": "minutes", "batch_size": 50}
    client_id, secret = JDE_DEMO_CLIENT
    jaggaer = Backend.create(
        {
            "name": f"{prefix} JAGGAER (JD Edwards)",
            "system_type": "jaggaer",
            "base_url": sims.jaggaer_jde_url,
            "client_id": client_id,
            "client_secret": secret,
            **common,
        }
    )
    jaggaer.flow_ids.unlink()
    jde = Backend.create(
        {
            "name": f"{prefix} JD Edwards",
            "system_type": "jde",
            "base_url": f"{sims.jde_url}/jderest",
            "client_id": AIS_USER,
            "client_secret": AIS_PASSWORD,
            "jde_environment": "JDV920",
            "jde_jaggaer_backend_id": jaggaer.id,
            "jde_voucher_company": "00200",
            "jde_charge_account": "M20.6310",
            # the proof runs R04110Z between cycles: a voucher is looked at again at the next cycle
            "jde_batch_wait": 1,
            **common,
        }
    )
    env["ml.connector.mapping"].create(
        [
            {
                "backend_id": jaggaer.id,
                "mapping_type": "CostCenter",
                "external_value": cost_centre,
                "other_backend_id": jde.id,
                "other_value": plant,
            }
            for cost_centre, plant in PLANTS.items()
        ]
    )
    (jaggaer | jde).action_activate()
    return JdeBase(jde.id, jaggaer.id)


def order_rows(doco, an8, rng):
    """An order of supplier ``an8`` (F4301 row) and its three lines (F4311 rows) for plant M30."""
    keys = {"KCOO": "00200", "DOCO": doco, "DCTO": "OP", "SFXO": "000"}
    lines = [
        {**keys, "LNID": 1000 * n, "MCU": "M30", "AN8": an8, "LITM": f"PRF-{n}", "DSC1": f"Proof item {n}",
         "UORG": rng.randint(20, 60), "UOM": "EA", "PRRC": 10.0, "LTTR": "220", "NXTR": "280",
         "ANI": "M30.6120", "OBJ": "6120", "TRDJ": "2025-03-03"}
        for n in range(1, 4)
    ]  # fmt: skip
    total = sum(line["UORG"] * line["PRRC"] for line in lines)
    header = {**keys, "MCU": "M30", "AN8": an8, "TRDJ": "2025-03-03", "CRCD": "USD", "OTOT": total}
    return header, lines


def _invoice(invoice_id, number, bravo_id, order):
    lines = [
        {"lineNumber": n, "poNumber": order, "poLineNumber": str(n), "quantity": 1, "unitPrice": 10.0,
         "item": {"description": f"Proof item {n}"},
         "splittableFieldSetGroupList": splittable({"Account": "6120", "CostCenter": "CC-CLE"})}
        for n in range(1, 4)
    ]  # fmt: skip
    return {
        "header": {
            "invoiceId": invoice_id,
            "supplierInvoiceNumber": number,
            "invoiceType": "Invoice",
            "invoiceDate": "2025-03-11T00:00:00.000Z",
            "workflowStatus": "Completed",
            "paymentStatus": "Payable",
            "supplier": {"id": bravo_id},
            "total": {"currency": "USD", "value": 30.0},
        },
        "lineList": {"invoiceLine": lines},
    }


def build(sims, tag, sizes):
    """The world's orders in JD Edwards and invoices in JAGGAER; the :class:`JdeWorld` to reconcile."""
    rng = random.Random(tag)
    world = JdeWorld(tag)
    suppliers = list(SUPPLIERS)
    headers, lines = [], []
    for index in range(sizes.orders):
        doco = next(_NUMBERS)
        header, order_lines = order_rows(doco, suppliers[index % len(suppliers)], rng)
        headers.append(header)
        lines += order_lines
        world.orders.append(f"{doco}-OP")
    # lines first: an order is complete once its header is (the reader reads both tables)
    sims.control("jde", "jde/rows/F4311", lines)
    sims.control("jde", "jde/rows/F4301", headers)
    invoices = []
    for index in range(sizes.invoices):
        invoice_id, number = next(_NUMBERS), f"{tag}-V{index:05d}"
        order = world.orders[index % len(world.orders)]
        bravo_id = SUPPLIERS[suppliers[(index % len(world.orders)) % len(suppliers)]]
        invoices.append(_invoice(invoice_id, number, bravo_id, order))
        world.invoices.append((str(invoice_id), number))
    sims.control("jaggaer_jde", "seed", {"invoices": invoices})
    return world


def reconcile(env, sims, world):
    """Count lost and duplicated documents of ``world`` on both sides."""
    env.invalidate_all()
    result = JdeReconciliation(expected=len(world.orders) + len(world.invoices))

    def note(kind, what):
        result.details.append(f"{kind}: {what}")
        if kind == "lost":
            result.lost += 1
        else:
            result.duplicated += 1

    state = sims.control("jaggaer_jde", "state", method="GET")
    in_jaggaer = {po["poNumber"] for po in state["purchase_orders"]}
    for number in world.orders:
        if number not in in_jaggaer:
            note("lost", f"JD Edwards order {number} not in JAGGAER")
        elif state["import_counts"].get(number, 0) > 1:
            note("duplicated", f"order {number} imported {state['import_counts'][number]} times into JAGGAER")
    batch, ledger = {}, {}
    for row in sims.control("jde", f"jde/rows/F0411Z1?EDUS={AIS_USER}", method="GET"):
        batch[row["EDTN"]] = batch.get(row["EDTN"], 0) + 1
    for row in sims.control("jde", "jde/rows/F0411", method="GET"):
        ledger[row["VINV"]] = ledger.get(row["VINV"], 0) + 1
    for invoice_id, number in world.invoices:
        if not ledger.get(number):
            note("lost", f"invoice {number} has no posted voucher")
        if ledger.get(number, 0) > 1:
            note("duplicated", f"invoice {number} has {ledger[number]} vouchers in F0411")
        if batch.get(invoice_id, 0) > 1:
            note("duplicated", f"invoice {number} was inserted {batch[invoice_id]} times into F0411Z1")
    env.cr.execute(
        """SELECT state, count(*) FROM ml_connector_audit_line
           WHERE (document_key LIKE %s OR document_key IN %s)
             AND state IN ('pending', 'failed', 'needs_review')
           GROUP BY state""",
        (f"%{world.tag}%", tuple(world.orders) or ("",)),
    )
    for state_name, count in env.cr.fetchall():
        if state_name == "pending":
            result.pending_lines += count
        else:
            result.failed_lines += count
    return result


def post_batches(sims):
    """R04110Z, as the customer's scheduled job runs it."""
    sims.control("jde", "jde/r04110z", {"user": AIS_USER})


def run_cycles(ctx, base, world, max_cycles=10, during=None):
    """Run the JD Edwards connection in this process (real commits) until the world is reconciled."""
    rec = None
    for cycle in range(1, max_cycles + 1):
        with odoo_env(ctx.config) as env:
            backends = env["ml.connector.backend"].browse([base.jde_id, base.jaggaer_id])
            backends.filtered(lambda b: b.state != "active").action_activate()
            jde = backends[0]
            if during:
                with during():
                    jde._run_cycle(trigger="manual")
            else:
                jde._run_cycle(trigger="manual")
            post_batches(ctx.sims)
            force_due(env)
            rec = reconcile(env, ctx.sims, world)
        if rec.complete:
            return rec, cycle
    return rec, max_cycles


# ------------------------------------------------------------------------------ faults
# (name, simulator, fault spec for /_sim/faults, or a switch of the simulator with the page size)
FAULTS = [
    ("latency 2 s", "jde", {"kind": "delay", "delay": 2.0, "count": 3, "path": DATA_SERVICE}),
    ("HTTP 500 on reads", "jde", {"kind": "status", "status": 500, "count": 3, "path": DATA_SERVICE}),
    ("HTTP 503", "jde", {"kind": "status", "status": 503, "count": 5}),
    ("444: session lost by a load balancer", "jde",
     {"kind": "status", "status": 444, "count": 3, "path": DATA_SERVICE}),
    ("444 on the voucher orchestration", "jde",
     {"kind": "status", "status": 444, "count": 1, "path": VOUCHER}),
    ("connection reset", "jde", {"kind": "reset", "count": 4}),
    ("truncated body", "jde", {"kind": "truncate", "count": 3, "path": DATA_SERVICE}),
    ("invalid body", "jde", {"kind": "invalid", "count": 3, "path": DATA_SERVICE}),
    ("HTTP 500 on the voucher orchestration", "jde",
     {"kind": "status", "status": 500, "count": 2, "path": VOUCHER}),
    ("response lost after the voucher orchestration", "jde", {"kind": "lost", "count": 3, "path": VOUCHER}),
    ("result sets expire mid-paging", "jde", {"switch": {"result_set_idle_timeout": 0}, "page_size": 4}),
    ("token expiry mid-run", "jde", None),
    ("HTTP 503", "jaggaer_jde", {"kind": "status", "status": 503, "count": 5}),
    ("response lost after the PO import", "jaggaer_jde",
     {"kind": "lost", "count": 3, "path": JAGGAER_PO, "method": "POST"}),
    ("token expiry mid-run", "jaggaer_jde", None),
]  # fmt: skip


def _page_size(ctx, base, size):
    with odoo_env(ctx.config) as env:
        env["ml.connector.backend"].browse(base.jde_id).jde_page_size = size


def _fired(ctx, system, spec, during):
    if during:
        return during.expired
    if "switch" in spec:
        requests = ctx.sims.control(system, "requests", method="GET")
        return sum(1 for r in requests if r["path"].endswith("/dataservice/next") and r["status"] == 500)
    return len(ctx.sims.control(system, "faults", method="GET")["fired"])


def fault_scenarios(ctx, quick):
    outcomes = []
    sizes = JdeSizes(orders=3, invoices=5) if quick else JdeSizes(6, 12)
    for name, system, spec in FAULTS:
        with odoo_env(ctx.config) as env:
            base = ensure_base(env, ctx.sims)
        world = build(ctx.sims, new_tag("J"), sizes)
        ctx.sims.control(system, "faults", method="DELETE")
        ctx.sims.control(system, "requests", method="DELETE")
        during = ExpireTokensMeanwhile(ctx.sims, system) if spec is None else None
        if spec and "switch" in spec:
            ctx.sims.control(system, "config", spec["switch"])
            _page_size(ctx, base, spec["page_size"])
        elif spec:
            ctx.sims.control(system, "faults", spec)
        started = time.monotonic()
        try:
            rec, cycles = run_cycles(ctx, base, world, max_cycles=12, during=during)
        finally:
            if spec and "switch" in spec:
                ctx.sims.control(system, "config", {"result_set_idle_timeout": 300})
                _page_size(ctx, base, 500)
        fired = _fired(ctx, system, spec or {}, during)
        ctx.sims.control(system, "faults", method="DELETE")
        outcome = Outcome(
            f"{name} ({'JD Edwards' if system == 'jde' else 'JAGGAER of JD Edwards'})",
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


# ------------------------------------------------------------------------------ crash
def _nudge(ctx):
    with odoo_env(ctx.config) as env:
        env["ml.connector.backend"].search([("name", "=", "Proof JD Edwards")]).cron_id._trigger()


def _done_lines(ctx, world):
    with odoo_env(ctx.config) as env:
        env.cr.execute(
            """SELECT count(*) FROM ml_connector_audit_line
               WHERE state = 'done' AND (document_key LIKE %s OR document_key IN %s)""",
            (f"%{world.tag}%", tuple(world.orders)),
        )
        return env.cr.fetchone()[0]


class BatchProcessor:
    """R04110Z every second while the servers work, as a scheduled job would run it."""

    def __init__(self, sims):
        self.sims = sims

    def __enter__(self):
        self.stop = threading.Event()

        def loop():
            while not self.stop.wait(1.0):
                post_batches(self.sims)

        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _wait_reconciled(ctx, base, world, timeout):
    deadline = time.monotonic() + timeout
    rec = None
    while time.monotonic() < deadline:
        _nudge(ctx)
        time.sleep(3)
        with odoo_env(ctx.config) as env:
            force_due(env)
            rec = reconcile(env, ctx.sims, world)
        if rec.complete:
            return rec, True
    return rec, False


def crash_scenarios(ctx, quick):
    """An ``odoo-bin`` with cron workers syncing a JD Edwards world is killed with SIGKILL mid-run,
    restarted and left to finish."""
    outcomes = []
    runs = 2 if quick else 5
    sizes = JdeSizes(orders=20, invoices=40) if quick else JdeSizes(80, 200)
    for index in range(1, runs + 1):
        with odoo_env(ctx.config) as env:
            base = ensure_base(env, ctx.sims)
        world = build(ctx.sims, new_tag("JK"), sizes)
        kill_at = int(sizes.documents * random.uniform(0.2, 0.7))
        log_path = ctx.local / f"proof-server-{world.tag}.log"
        started, done = time.monotonic(), 0
        with BatchProcessor(ctx.sims):
            with OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path) as server:
                while time.monotonic() - started < 300:
                    _nudge(ctx)
                    time.sleep(0.5)
                    done = _done_lines(ctx, world)
                    if done >= kill_at:
                        break
                server.kill()
            with OdooServer(ctx.odoo_src, ctx.config, cron_threads=2, log_path=log_path):
                rec, finished = _wait_reconciled(ctx, base, world, timeout=600)
        outcome = Outcome(
            f"JD Edwards crash run {index}",
            lost=rec.lost,
            duplicated=rec.duplicated,
            ok=finished and not rec.lost and not rec.duplicated,
            figures={
                "documents": rec.expected,
                "killed_after_done_lines": done,
                "seconds": round(time.monotonic() - started, 1),
            },
            details=rec.details[:5],
        )
        ctx.log(
            f"  JD Edwards crash run {index}: SIGKILL after {done}/{sizes.documents} documents, restarted; "
            f"lost {rec.lost}, duplicated {rec.duplicated}{'' if finished else ' (did not finish)'}"
        )
        outcomes.append(outcome)
    return outcomes
