"""Reliability and security proof: prints the figures table of the README's "Guarantees".

    ./mlc proof            # every fault mode on both systems, 5 crash runs, concurrency, corpus, security
    ./mlc proof --quick    # the same sections, smaller and fewer crash runs (CI)

Sections run in this order on a freshly installed database:

1. security  — the security tests (pytest-odoo) and, at the end, a scan of every text column of
   the database for the connections' secrets in clear text;
2. hostile   — the hostile-input corpus (tests/test_hostile_inputs.py), the hostile answers of
   an Oracle Fusion pod (tests/test_hostile_fusion.py) and of a JD Edwards AIS Server
   (tests/test_jde_hostile.py);
3. faults    — every fault mode injected in each simulator while the connections (JAGGAER, SPS,
   Oracle Fusion with its JAGGAER) sync a world in every direction (this process, real commits),
   until everything is reconciled; then the JD Edwards ↔ JAGGAER world (orders out, invoices in
   as vouchers) under the AIS faults;
4. crash     — an ``odoo-bin`` server with cron workers syncing a large world is killed with
   SIGKILL mid-run, restarted and left to finish (the Odoo world, then the JD Edwards one);
5. concurrency — two ``odoo-bin`` servers with cron workers on the same database, plus manual
   runs from this process.

Each world is reconciled document by document: lost = 0 and duplicated = 0 is the claim.
``--tracks odoo jde`` (the default) chooses the worlds: Odoo with JAGGAER and SPS, JD Edwards with
JAGGAER; the hostile section runs the corpus of each.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from tests.harness import REPO, SimulatorProcess, db_name, load_odoo, odoo_env

from . import jde, scenarios
from .fusion_world import FUSION_SECRET
from .world import SPS_SECRET, seed_simulators

SECURITY_TESTS = [
    "ml_connector/tests/test_vault.py",
    "ml_connector/tests/test_security.py",
    "ml_connector/tests/test_secrets_exposure.py",
    "ml_connector/tests/test_engine.py::TestConnectionSafety",
    "ml_connector_sps/tests/test_sps_security.py",
    "ml_connector_fusion/tests/test_secrets.py",
]
HOSTILE_TESTS = {
    "odoo": [
        ("tests/test_hostile_inputs.py", "ML_PROOF_REPORT"),
        ("tests/test_hostile_fusion.py", "ML_PROOF_FUSION_REPORT"),
    ],
    "jde": [("tests/test_jde_hostile.py", "ML_PROOF_REPORT")],
}
KNOWN_SECRETS = ["demo-secret", SPS_SECRET, FUSION_SECRET, jde.AIS_PASSWORD, "plants-secret"]


class Context:
    def __init__(self, args):
        self.config = Path(args.config)
        self.odoo_src = Path(args.odoo_src)
        self.local = REPO / ".local"
        self.quick = args.quick
        self.tracks = set(args.tracks)
        self.sims = None
        self.started = time.monotonic()

    def log(self, message):
        print(f"[{time.monotonic() - self.started:7.1f}s] {message}", flush=True)


def pytest_section(ctx, paths, report_env=None):
    """Run test files in a subprocess on the proof database; per-test results from JUnit XML."""
    junit = ctx.local / f"proof-junit-{int(time.time())}.xml"
    env = dict(os.environ, PYTHONPATH=f"{ctx.odoo_src}:{REPO}")
    if report_env:
        env.update(report_env)
    command = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--odoo-config={ctx.config}",
        "--odoo-log-level=critical", "--odoo-http", "-q", f"--junitxml={junit}", *paths,
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    results = []
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            results.append((f"{case.get('classname').split('.')[-1]}.{case.get('name')}", not failed))
        junit.unlink()
    if completed.returncode not in (0, 1) or not results:
        ctx.log(completed.stdout[-2000:] + completed.stderr[-2000:])
    return results


def security_section(ctx):
    ctx.log("security tests")
    results = pytest_section(ctx, SECURITY_TESTS)
    failed = [name for name, ok in results if not ok]
    for name in failed:
        ctx.log(f"  FAILED {name}")
    ctx.log(f"  {len(results) - len(failed)}/{len(results)} security checks passed")
    return {"checks": len(results), "passed": len(results) - len(failed), "failed": failed}


def clear_text_scan(ctx):
    """Every text, varchar and json column of the database, searched for the secrets in clear."""
    hits = []
    with odoo_env(ctx.config) as env:
        env.cr.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'jsonb', 'json')"""
        )
        columns = env.cr.fetchall()
        from odoo.tools import SQL

        for table, column in columns:
            for secret in KNOWN_SECRETS:
                env.cr.execute(
                    SQL(
                        "SELECT count(*) FROM %s WHERE %s::text LIKE %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        f"%{secret}%",
                    )
                )
                count = env.cr.fetchone()[0]
                if count:
                    hits.append(f"{table}.{column}: {count}")
    ctx.log(f"  clear-text scan of {len(columns)} text columns: {len(hits)} hit(s) {hits or ''}")
    return {"columns": len(columns), "hits": hits}


def hostile_section(ctx):
    summary = {"tried": 0, "handled": 0, "good": 0, "good_done": 0, "half_written": 0, "test_passed": True}
    for track in sorted(ctx.tracks):
        for test, variable in HOSTILE_TESTS[track]:
            name = Path(test).stem
            ctx.log(f"hostile inputs ({name})")
            figures = _hostile_run(ctx, test, variable, f"proof-{name}.json")
            for key in ("tried", "handled", "good", "good_done", "half_written", "lost"):
                value = figures.get(key, 0)
                summary[key] = summary.get(key, 0) + (value if isinstance(value, int) else 0)
            summary["test_passed"] = summary["test_passed"] and figures["test_passed"]
            summary[name] = figures
            ctx.log(
                f"  {figures.get('handled', 0)}/{figures.get('tried', 0)} hostile documents handled, "
                f"good neighbours {figures.get('good_done', 0)}/{figures.get('good', 0)} done, "
                f"half-written {figures.get('half_written', '?')}"
            )
    return summary


def _hostile_run(ctx, test, variable, name):
    report = ctx.local / name
    if report.exists():
        report.unlink()
    results = pytest_section(ctx, [test], {variable: str(report)})
    summary = json.loads(report.read_text()) if report.exists() else {}
    summary["test_passed"] = bool(results) and all(ok for _name, ok in results)
    return summary


def table(ctx, figures):
    faults, crashes, concurrency = figures["faults"], figures["crash"], figures["concurrency"]
    hostile, security, scan = figures["hostile"], figures["security"], figures["scan"]
    rows = [
        ("fault modes injected / survived", f"{len(faults)} / {sum(o['ok'] for o in faults)}"),
        ("faults fired (requests hit)", sum(o["figures"]["fired"] for o in faults)),
        ("crash runs (SIGKILL mid-run) / finished", f"{len(crashes)} / {sum(o['ok'] for o in crashes)}"),
        ("concurrent servers runs / clean", f"{len(concurrency)} / {sum(o['ok'] for o in concurrency)}"),
        ("documents reconciled", sum(o["figures"].get("documents", 0) for o in crashes + concurrency)),
        ("lost", sum(o["lost"] for o in faults + crashes + concurrency)),
        ("duplicated", sum(o["duplicated"] for o in faults + crashes + concurrency)),
        ("processed twice (concurrency)", sum(o["figures"].get("processed_twice", 0) for o in concurrency)),
        ("hostile inputs tried / handled", f"{hostile.get('tried', 0)} / {hostile.get('handled', 0)}"),
        ("hostile: good neighbours done", f"{hostile.get('good_done', 0)} / {hostile.get('good', 0)}"),
        ("hostile: half-written records", hostile.get("half_written", "?")),
        ("security checks passed", f"{security['passed']} / {security['checks']}"),
        ("secrets in clear text (all text columns)", len(scan["hits"])),
    ]
    if "jde" in ctx.tracks:
        jde_faults = [o for o in faults if "JD Edwards" in o["name"]]
        jde_crashes = [o for o in crashes if "JD Edwards" in o["name"]]
        jde_hostile = hostile.get("test_jde_hostile") or {}
        rows += [
            (
                "JD Edwards ↔ JAGGAER: fault modes / survived",
                f"{len(jde_faults)} / {sum(o['ok'] for o in jde_faults)}",
            ),
            (
                "JD Edwards ↔ JAGGAER: crash runs / finished",
                f"{len(jde_crashes)} / {sum(o['ok'] for o in jde_crashes)}",
            ),
            (
                "JD Edwards ↔ JAGGAER: lost / duplicated",
                f"{sum(o['lost'] for o in jde_faults + jde_crashes)} / "
                f"{sum(o['duplicated'] for o in jde_faults + jde_crashes)}",
            ),
            (
                "JD Edwards ↔ JAGGAER: hostile inputs tried / handled",
                f"{jde_hostile.get('tried', 0)} / {jde_hostile.get('handled', 0)}",
            ),
        ]
    width = max(len(label) for label, _value in rows) + 2
    header = (
        f"ml-connector reliability and security proof, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        f"{' (quick)' if ctx.quick else ''}\nmachine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    lines = [header, "", *(f"{label.ljust(width)}{value}" for label, value in rows)]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="ml-connector reliability and security proof")
    parser.add_argument("--config", required=True)
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("--quick", action="store_true", help="smaller worlds, fewer crash runs (CI)")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=["security", "hostile", "faults", "crash", "concurrency"],
        help="sections",
    )
    parser.add_argument(
        "--tracks",
        nargs="*",
        choices=["odoo", "jde"],
        default=["odoo", "jde"],
        help="worlds: Odoo with JAGGAER and SPS, JD Edwards with JAGGAER",
    )
    args = parser.parse_args(argv)
    ctx = Context(args)
    load_odoo(ctx.config)
    sections = set(args.only or ["security", "hostile", "faults", "crash", "concurrency"])
    figures = {
        "faults": [],
        "crash": [],
        "concurrency": [],
        "hostile": {},
        "security": {"checks": 0, "passed": 0, "failed": []},
        "scan": {"hits": []},
    }
    ctx.log(f"database {db_name()}")
    # test-based sections first: they expect a database without the proof's worlds in it
    if "security" in sections:
        figures["security"] = security_section(ctx)
    if "hostile" in sections:
        figures["hostile"] = hostile_section(ctx)
    with SimulatorProcess(log_path=ctx.local / "proof-simulators.log", jde="jde" in ctx.tracks) as sims:
        ctx.sims = sims
        if "odoo" in ctx.tracks:
            seed_simulators(sims)
        if "jde" in ctx.tracks:
            jde.seed_simulators(sims)
        if "faults" in sections:
            if "odoo" in ctx.tracks:
                ctx.log("fault modes")
                figures["faults"] += [asdict(o) for o in scenarios.fault_scenarios(ctx, ctx.quick)]
            if "jde" in ctx.tracks:
                ctx.log("fault modes, JD Edwards ↔ JAGGAER")
                figures["faults"] += [asdict(o) for o in jde.fault_scenarios(ctx, ctx.quick)]
        if "crash" in sections:
            if "odoo" in ctx.tracks:
                ctx.log("crash runs")
                figures["crash"] += [asdict(o) for o in scenarios.crash_scenarios(ctx, ctx.quick)]
            if "jde" in ctx.tracks:
                ctx.log("crash runs, JD Edwards ↔ JAGGAER")
                figures["crash"] += [asdict(o) for o in jde.crash_scenarios(ctx, ctx.quick)]
        if "concurrency" in sections and "odoo" in ctx.tracks:
            ctx.log("concurrent servers")
            figures["concurrency"] = [asdict(o) for o in scenarios.concurrency_scenario(ctx, ctx.quick)]
    if "security" in sections:
        figures["scan"] = clear_text_scan(ctx)
    text = table(ctx, figures)
    print("\n" + text)
    out = ctx.local / ("proof-quick.json" if ctx.quick else "proof.json")
    out.write_text(json.dumps({"table": text, **figures}, indent=1, default=str))
    failures = (
        [o["name"] for o in figures["faults"] + figures["crash"] + figures["concurrency"] if not o["ok"]]
        + figures["security"]["failed"]
        + figures["scan"]["hits"]
    )
    if "hostile" in sections and not figures["hostile"].get("test_passed"):
        failures.append("hostile corpus")
    if failures:
        print(f"\nFAILED: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
