"""The benchmark command runs end to end on tiny sizes and prints every measure (no timing checked)."""

import os
import subprocess
import sys

from odoo.tools import config

from tests.harness import REPO

# the measure column of every row the table must show
MEASURES = (
    "matching: partner lookup",
    "matching: product lookup",
    "invoices in -> draft bills",
    "Odoo load() of the same bills",
    "Odoo create() of such bills",
    "inbound vs load()",
    "inbound vs raw create()",
    "inbound at N=",
    "POs out -> JAGGAER",
    "HTTP requests per PO -> JAGGAER",
    "POs out -> SPS (850)",
    "HTTP requests per PO -> SPS (850)",
    "SQL queries per invoice in",
    "SQL queries per PO out (JAGGAER)",
    "SQL queries per PO out (SPS)",
    "idle cycle JAGGAER",
    "idle HTTP requests per flow JAGGAER",
    "idle HTTP requests GL values JAGGAER",
    "idle cycle SPS",
    "idle HTTP requests per flow SPS",
    "peak RSS over idle",
    "POs JD Edwards -> JAGGAER",
    "HTTP requests per PO JD Edwards -> JAGGAER",
    "SQL queries per PO JD Edwards -> JAGGAER",
    "idle HTTP requests per flow JD Edwards <-> JAGGAER",
    "Fusion POs (3 lines) -> JAGGAER",
    "JAGGAER receipts -> Fusion receipt requests",
    "JAGGAER invoices (3 lines) -> Fusion payables",
    "HTTP requests per Fusion PO out",
    "acknowledgments JAGGAER -> Fusion",
    "idle cycle Fusion <-> JAGGAER",
    "idle HTTP requests per flow Fusion <-> JAGGAER",
)


def test_bench_quick_runs_and_prints_every_measure():
    # its own scratch database: the test database is in use, it cannot be copied
    database = f"mlc_bench_check_{os.getpid()}"
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--config", config["config"], "--quick", "--new-db", database],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    table = result.stdout[result.stdout.index("ml-connector benchmark") :]
    assert "CPUs" in table and "Odoo 19" in table and "Python" in table
    missing = [measure for measure in MEASURES if measure not in table]
    assert not missing, table
    # the ratios at the main size are medians of rounds, each round's value listed
    assert "median of 2 rounds" in table, table
    # the backfill is set against a smaller cycle run just before it in its own process
    assert "just before, same process" in table, table
