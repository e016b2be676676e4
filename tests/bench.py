"""Benchmark: prints throughput, queries per record, idle cost, memory and matching speed.

    ./mlc bench            # full sizes (N up to 10 000, 20 000-record backfill)
    ./mlc bench --quick    # small sizes: checks the command works (used by the tests and CI)

Every figure comes from a real run on this machine: Odoo with PostgreSQL in this process,
the simulators in a separate process over loopback HTTP.
"""

import argparse
import json
import os
import platform
import random
import statistics
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.harness import REPO, load_odoo, odoo_env


@dataclass
class Row:
    measure: str
    value: float | str
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class Bench:
    config: Path
    quick: bool
    rows: list = field(default_factory=list)

    def add(self, *args, **kw):
        row = Row(*args, **kw)
        self.rows.append(row)
        mark = "" if row.ok is None else (" ok" if row.ok else " MISS")
        print(f"  {row.measure}: {row.value} {row.unit}{mark}", flush=True)
        return row


# ---------------------------------------------------------------------------- matching
WORDS = [
    "acme", "north", "wind", "lab", "supply", "global", "tech", "steel", "paper", "trade", "blue",
    "river", "stone", "bright", "field", "metro", "prime", "delta", "summit", "harbor", "oak", "pine",
    "vector", "nova", "atlas", "union", "crown", "pacific", "alpine", "cedar", "falcon", "orbit",
]  # fmt: skip


SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "ten",
    "vo",
    "lis",
    "dra",
    "bel",
    "qua",
    "nor",
    "zen",
    "pa",
    "lu",
    "sto",
    "fer",
]


def _word(rng):
    return "".join(rng.choice(SYLLABLES) for _i in range(rng.randint(2, 3)))


def _company_name(rng):
    # varied names, like a real vendor base: a made-up word, a trade word, a legal form
    return f"{_word(rng).title()} {rng.choice(WORDS).title()} {_word(rng).title()}" + rng.choice(
        [" Inc", " LLC", " GmbH", " Ltd", ""]
    )


def _product_name(rng):
    return f"{_word(rng).title()} {rng.choice(WORDS)} {_word(rng)} {rng.randint(1, 999)} mm"


def _typo(rng, text):
    index = rng.randrange(1, len(text) - 1)
    return text[:index] + rng.choice(string.ascii_lowercase) + text[index + 1 :]


def measure_matching(bench):
    """Average lookup time with 10 000 vendors and 10 000 products (precomputed keys).

    Lookup mix: vendors 40 % VAT, 20 % supplier number, 20 % exact name, 20 % misspelled name;
    products 40 % internal reference, 30 % barcode, 30 % misspelled description. A misspelled
    value runs the whole cascade down to the fuzzy rung (the slowest path).
    """
    size = 1000 if bench.quick else 10000
    lookups = 300 if bench.quick else 2000
    rng = random.Random(42)
    with odoo_env(bench.config) as env:
        from odoo.addons.ml_connector.models.ml_connector_matching import (
            PartnerQuery,
            ProductQuery,
        )

        backend = env["ml.connector.backend"].create({"name": "bench matching", "system_type": "generic"})
        started = time.perf_counter()
        partners = env["res.partner"]
        for start in range(0, size, 1000):
            partners |= env["res.partner"].create(
                [
                    {
                        "name": _company_name(rng),
                        "is_company": True,
                        "supplier_rank": 1,
                        "vat": f"BE0{400000000 + i}",
                        "ref": f"V{i:06d}",
                        "email": f"ap@vendor{i}.example",
                    }
                    for i in range(start, min(start + 1000, size))
                ]
            )
        products = env["product.product"]
        for start in range(0, size, 1000):
            products |= env["product.product"].create(
                [
                    {
                        "name": _product_name(rng),
                        "default_code": f"SKU-{i:06d}",
                        "barcode": f"{100000000000 + i}",
                    }
                    for i in range(start, min(start + 1000, size))
                ]
            )
        env.flush_all()
        # statistics as autovacuum would have them on a database of this size
        env.cr.execute("ANALYZE res_partner, product_product, product_template, product_supplierinfo")
        print(f"  (created {size} vendors and {size} products in {time.perf_counter() - started:.1f} s)")

        matching = env["ml.connector.matching"]
        partner_queries, product_queries = [], []
        for _i in range(lookups):
            partner = partners[rng.randrange(size)]
            kind = rng.random()
            if kind < 0.4:
                partner_queries.append(("vat", PartnerQuery(vat=partner.vat)))
            elif kind < 0.6:
                partner_queries.append(("reference", PartnerQuery(reference=partner.ref)))
            elif kind < 0.8:
                partner_queries.append(("name", PartnerQuery(name=partner.name.upper())))
            else:
                partner_queries.append(("fuzzy", PartnerQuery(name=_typo(rng, partner.name))))
            product = products[rng.randrange(size)]
            kind = rng.random()
            if kind < 0.4:
                product_queries.append(("code", ProductQuery(codes=[product.default_code])))
            elif kind < 0.7:
                product_queries.append(("barcode", ProductQuery(barcode="0" + product.barcode)))
            else:
                product_queries.append(
                    ("fuzzy", ProductQuery(vendor_code="X", name=_typo(rng, product.name)))
                )

        def timed(func, queries):
            durations, resolved = {}, 0
            for kind, query in queries:
                start = time.perf_counter()
                result = func(backend, query)
                durations.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
                resolved += bool(result.record)
            return durations, resolved

        partner_ms, partner_hits = timed(matching._match_partner, partner_queries)
        product_ms, product_hits = timed(matching._match_product, product_queries)
        env.cr.rollback()
    for label, by_kind, hits in (
        ("partner", partner_ms, partner_hits),
        ("product", product_ms, product_hits),
    ):
        durations = [d for values in by_kind.values() for d in values]
        mean = statistics.mean(durations)
        kinds = ", ".join(f"{kind} {statistics.mean(values):.2f}" for kind, values in by_kind.items())
        bench.add(
            f"matching: {label} lookup, {size} {label}s",
            round(mean, 2),
            "ms avg",
            "< 2 ms",
            mean < 2.0,
            f"by rung (ms): {kinds}; {hits}/{len(durations)} resolved, fuzzy ones go to review",
        )


MEASURES = {"matching": measure_matching}


def print_table(bench, odoo_version):
    header = (
        f"ml-connector benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"Odoo {odoo_version}, PostgreSQL local{' (quick sizes)' if bench.quick else ''}"
    )
    width = max(len(r.measure) for r in bench.rows) + 2
    lines = [
        header,
        "",
        f"{'measure'.ljust(width)}{'value':>14}  {'target':<14}{'':4}note",
        "-" * (width + 60),
    ]
    for row in bench.rows:
        status = "" if row.ok is None else ("ok" if row.ok else "MISS")
        value = f"{row.value} {row.unit}".strip()
        lines.append(f"{row.measure.ljust(width)}{value:>14}  {row.target:<14}{status:6}{row.note}")
    text = "\n".join(lines)
    print("\n" + text)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="ml-connector benchmark")
    parser.add_argument("--config", required=True, help="odoo.conf of the benchmark database")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the command works")
    parser.add_argument("--only", nargs="*", choices=sorted(MEASURES), help="run only these measures")
    args = parser.parse_args(argv)
    odoo = load_odoo(args.config)
    bench = Bench(Path(args.config), args.quick)
    for name in args.only or MEASURES:
        print(f"[bench] {name}", flush=True)
        MEASURES[name](bench)
    text = print_table(bench, odoo.release.version)
    out = REPO / ".local" / ("bench-quick.json" if args.quick else "bench.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"table": text, "rows": [r.__dict__ for r in bench.rows]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
