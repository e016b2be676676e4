"""A purchasing world synchronised in both directions with both systems, and its reconciliation.

One *base* per database: a JAGGAER and an SPS connection pointed at the simulator process,
vendors, products, accounts. Each scenario then builds a *world* with its own numbering:

* JAGGAER: confirmed POs to Lab Supply (out), supplier invoices billing them (in);
* SPS: confirmed POs to Acme Widgets (850 out), orders from Northwind Stores (850 in);
* Oracle Fusion: orders to JAGGAER with acknowledgments and receipts back, JAGGAER invoices into
  Fusion payables (:mod:`.fusion_world`).

:func:`reconcile` compares Odoo and the simulators document by document: a document missing
on the side it should reach is *lost*; one that arrived twice (two bills for one invoice,
two 850 originals for one PO, a PO imported twice, two draft POs for one inbound order) is
*duplicated*.
"""

import random
from dataclasses import dataclass, field

from . import fusion_world

LAB_SUPPLY = {
    "bravoId": 3901,
    "companyName": "LAB SUPPLY INC",
    "extCode": "006105",
    "extUniqueCode": "123456789",
    "dAndBCode": "123456789",
    "isoCountry": "US",
    "city": "Raleigh",
    "zip": "27601",
    "address": "1 Main St",
    "bizEmail": "orders@labsupply.example",
}
SPS_ACCOUNT, SPS_CLIENT, SPS_SECRET = "proof", "proof-m2m", "proof-m2m-secret"
ACME, NORTHWIND = "7ZQALLACMEWIDGT", "NWDALLNORTHWND"
JAGGAER_PRODUCTS = 5  # every JAGGAER PO has one line per product, every invoice bills all five


@dataclass
class Base:
    jaggaer_id: int
    sps_id: int
    fusion_id: int
    lab_supply_id: int
    acme_id: int
    northwind_id: int
    jaggaer_products: list
    sps_products: list


@dataclass
class Sizes:
    jaggaer_pos: int = 4
    invoices: int = 20
    sps_pos: int = 6
    orders_in: int = 6
    fusion_pos: int = 4
    fusion_receipts: int = 2
    fusion_invoices: int = 4

    @property
    def documents(self):
        fusion = self.fusion_pos + self.fusion_pos // 2 + 2 * self.fusion_receipts + self.fusion_invoices
        return self.jaggaer_pos + self.invoices + self.sps_pos * 2 + self.orders_in + fusion


@dataclass
class World:
    tag: str
    jaggaer_pos: list = field(default_factory=list)  # Odoo PO names to Lab Supply
    sps_pos: list = field(default_factory=list)  # Odoo PO names to Acme (also sent to JAGGAER)
    invoices: list = field(default_factory=list)  # JAGGAER supplier invoice numbers
    orders_in: list = field(default_factory=list)  # Northwind PO numbers
    fusion: fusion_world.FusionWorld = field(default_factory=fusion_world.FusionWorld)

    @property
    def all_pos(self):
        return self.jaggaer_pos + self.sps_pos


@dataclass
class Reconciliation:
    lost: int = 0
    duplicated: int = 0
    expected: int = 0
    pending_lines: int = 0
    failed_lines: int = 0
    files_left: int = 0
    details: list = field(default_factory=list)

    @property
    def complete(self):
        return self.lost == 0 and self.pending_lines == 0 and self.files_left == 0


def sps_seed():
    return {
        "accounts": [
            {
                "id": SPS_ACCOUNT,
                "clients": [{"client_id": SPS_CLIENT, "client_secret": SPS_SECRET}],
                "trading_partners": [
                    {"tpid": ACME, "name": "Acme Widgets LLC", "documents": ["850"]},
                    {
                        "tpid": NORTHWIND,
                        "name": "Northwind Stores",
                        "documents": ["855", "856", "810", "846"],
                    },
                ],
            }
        ]
    }


def seed_simulators(sims):
    sims.control("jaggaer", "reset")
    sims.control("sps", "reset")
    sims.control("jaggaer", "seed", {"suppliers": [LAB_SUPPLY]})
    sims.control("sps", "seed", sps_seed())
    fusion_world.seed(sims)


def ensure_base(env, sims):
    """Connections, vendors, products and accounts, once per database; URLs refreshed each time."""
    Backend = env["ml.connector.backend"]
    jaggaer = Backend.search([("name", "=", "Proof JAGGAER")], limit=1)
    sps = Backend.search([("name", "=", "Proof SPS")], limit=1)
    if jaggaer:
        if jaggaer.base_url != sims.jaggaer_url:
            # A new simulator process (a partial re-run with --only): new ports, and a remote that
            # has never seen the links Odoo remembers. Forget them, as after a remote reset.
            jaggaer.write({"base_url": sims.jaggaer_url, "token_url": False})
            sps.write({"base_url": sims.sps_url, "token_url": f"{sims.sps_url}/oauth/token"})
            env["ml.connector.binding"].search([("backend_id", "in", (jaggaer | sps).ids)]).unlink()
            (jaggaer | sps).flow_ids.write({"cursor": False, "last_collect_run_id": False})
        (jaggaer | sps).filtered(lambda b: b.state != "active").action_activate()
        return _base_from(env, sims, jaggaer, sps)

    company = env.company
    usd = env.ref("base.USD")
    usd.active = True
    company.currency_id = usd
    Account = env["account.account"]
    lab_account = Account.search([("code", "=", "610000")], limit=1) or Account.create(
        {"name": "Laboratory supplies", "code": "610000", "account_type": "expense"}
    )
    plan = env["account.analytic.plan"].create({"name": "Proof cost centres"})
    env["account.analytic.account"].create({"name": "Laboratory", "code": "CC-200", "plan_id": plan.id})
    Product = env["product.product"]
    Product.create(
        [
            {
                "name": f"Lab item {i}",
                "default_code": f"LAB-{i}",
                "property_account_expense_id": lab_account.id,
                "purchase_method": "purchase",
                "supplier_taxes_id": False,
            }
            for i in range(1, JAGGAER_PRODUCTS + 1)
        ]
    )
    sps_products = Product.create(
        [
            {"name": "Widget 100, blue", "default_code": "WID-100-BLU", "is_storable": True},
            {"name": "Widget 300, green", "default_code": "WID-300-GRN", "is_storable": True},
        ]
    )
    Partner = env["res.partner"]
    Partner.create(
        {
            "name": "Lab Supply Inc",
            "is_company": True,
            "supplier_rank": 1,
            "ref": "006105",
            "duns_number": "123456789",
        }
    )
    acme = Partner.create(
        {"name": "Acme Widgets LLC", "is_company": True, "supplier_rank": 1, "city": "Akron"}
    )
    northwind = Partner.create({"name": "Northwind Stores", "is_company": True, "city": "Columbus"})
    env["product.supplierinfo"].create(
        [
            {"partner_id": acme.id, "product_tmpl_id": p.product_tmpl_id.id, "product_code": p.default_code}
            for p in sps_products
        ]
    )
    common = {"test_mode": True, "interval_number": 1, "interval_type": "minutes", "batch_size": 50}
    jaggaer = Backend.create(
        {
            "name": "Proof JAGGAER",
            "system_type": "jaggaer",
            "base_url": sims.jaggaer_url,
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            **common,
        }
    )
    sps = Backend.create(
        {
            "name": "Proof SPS",
            "system_type": "sps",
            "base_url": sims.sps_url,
            "token_url": f"{sims.sps_url}/oauth/token",
            "client_id": SPS_CLIENT,
            "client_secret": SPS_SECRET,
            # the simulator's history has no lag (SPS's is about five minutes)
            "sps_history_lag": 0,
            **common,
        }
    )
    TradingPartner = env["ml.connector.sps.partner"]
    TradingPartner.create({"backend_id": sps.id, "tpid": ACME, "partner_id": acme.id, "role": "vendor"})
    TradingPartner.create(
        {
            "backend_id": sps.id,
            "tpid": NORTHWIND,
            "partner_id": northwind.id,
            "role": "retailer",
            "vendor_number": "100482",
        }
    )
    (jaggaer | sps).action_activate()
    return _base_from(env, sims, jaggaer, sps)


def _base_from(env, sims, jaggaer, sps):
    Partner = env["res.partner"]
    products = env["product.product"].search([("default_code", "=like", "LAB-%")], order="default_code")
    fusion, _fusion_jaggaer = fusion_world.ensure(env, sims)
    return Base(
        jaggaer_id=jaggaer.id,
        sps_id=sps.id,
        fusion_id=fusion.id,
        lab_supply_id=Partner.search([("ref", "=", "006105")], limit=1).id,
        acme_id=Partner.search([("name", "=", "Acme Widgets LLC")], limit=1).id,
        northwind_id=Partner.search([("name", "=", "Northwind Stores")], limit=1).id,
        jaggaer_products=products.ids,
        sps_products=env["product.product"]
        .search([("default_code", "in", ("WID-100-BLU", "WID-300-GRN"))])
        .ids,
    )


def build(env, sims, base, tag, sizes):
    """Create the world's documents on both sides; returns the :class:`World` to reconcile."""
    rng = random.Random(tag)
    world = World(tag)
    Order = env["purchase.order"]
    invoices_per_po = -(-sizes.invoices // max(sizes.jaggaer_pos, 1))
    for index in range(sizes.jaggaer_pos):
        order = Order.create(
            {
                "name": f"{tag}-J{index:04d}",
                "partner_id": base.lab_supply_id,
                "order_line": [
                    (0, 0, {"product_id": product_id, "product_qty": invoices_per_po + 5, "price_unit": 10.0})
                    for product_id in base.jaggaer_products
                ],
            }
        )
        order.button_confirm()
        world.jaggaer_pos.append(order.name)
    for index in range(sizes.sps_pos):
        order = Order.create(
            {
                "name": f"{tag}-S{index:04d}",
                "partner_id": base.acme_id,
                "order_line": [
                    (0, 0, {"product_id": product_id, "product_qty": rng.randint(1, 40), "price_unit": 4.75})
                    for product_id in base.sps_products
                ],
            }
        )
        order.button_confirm()
        world.sps_pos.append(order.name)
    env.cr.commit()

    for index in range(sizes.invoices):
        number = f"{tag}-INV{index:05d}"
        po_name = world.jaggaer_pos[index % len(world.jaggaer_pos)]
        sims.control(
            "jaggaer",
            "jaggaer/invoices",
            {
                "supplier_number": "006105",
                "supplier_invoice_number": number,
                "lines": [
                    {
                        "po_number": po_name,
                        "po_line_number": str(line),
                        "quantity": 1,
                        "unit_price": 10.0,
                        "description": f"Lab item {line}",
                        "account": "610000",
                        "cost_center": "CC-200",
                    }
                    for line in range(1, JAGGAER_PRODUCTS + 1)
                ],
            },
        )
        world.invoices.append(number)
    for index in range(sizes.orders_in):
        number = f"{tag}-NW{index:05d}"
        sims.control(
            "sps",
            "sps/drop_order",
            {
                "tpid": NORTHWIND,
                "po_number": number,
                "account": SPS_ACCOUNT,
                "vendor": "100482",
                "lines": [
                    {"vendor_part": "WID-100-BLU", "qty": rng.randint(1, 24), "price": 4.75},
                    {"vendor_part": "WID-300-GRN", "qty": rng.randint(1, 24), "price": 6.5},
                ],
            },
        )
        world.orders_in.append(number)
    world.fusion = fusion_world.build(
        sims, tag, sizes.fusion_pos, sizes.fusion_receipts, sizes.fusion_invoices
    )
    return world


def reconcile(env, sims, world):
    """Count lost and duplicated documents of ``world`` on both sides."""
    env.invalidate_all()
    result = Reconciliation(
        expected=len(world.all_pos)
        + len(world.invoices)
        + len(world.sps_pos)
        + len(world.orders_in)
        + world.fusion.documents
    )

    def note(kind, what):
        result.details.append(f"{kind}: {what}")
        if kind == "lost":
            result.lost += 1
        else:
            result.duplicated += 1

    fusion_world.reconcile(sims, world.fusion, note)

    jaggaer_state = sims.control("jaggaer", "state", method="GET")
    in_jaggaer = {po["poNumber"] for po in jaggaer_state["purchase_orders"]}
    imports = jaggaer_state["import_counts"]
    for name in world.all_pos:
        if name not in in_jaggaer:
            note("lost", f"PO {name} not in JAGGAER")
        elif imports.get(name, 0) > 1:
            note("duplicated", f"PO {name} imported {imports[name]} times into JAGGAER")

    documents = sims.control("sps", f"sps/documents?account={SPS_ACCOUNT}&tpid={ACME}", method="GET")
    originals = {}
    for document in documents:
        if document["doc_type"] == "850" and document["purpose"] == "00":
            originals[document["identifier"]] = originals.get(document["identifier"], 0) + 1
    for name in world.sps_pos:
        count = originals.get(name, 0)
        if not count:
            note("lost", f"850 for {name} never reached SPS")
        elif count > 1:
            note("duplicated", f"850 for {name} reached SPS {count} times")

    bills = env["account.move"].search_read(
        [("move_type", "=", "in_invoice"), ("ref", "in", world.invoices), ("state", "!=", "cancel")], ["ref"]
    )
    per_ref = {}
    for bill in bills:
        per_ref[bill["ref"]] = per_ref.get(bill["ref"], 0) + 1
    for number in world.invoices:
        count = per_ref.get(number, 0)
        if not count:
            note("lost", f"invoice {number} has no bill")
        elif count > 1:
            note("duplicated", f"invoice {number} has {count} bills")

    orders = env["purchase.order"].search_read([("partner_ref", "in", world.orders_in)], ["partner_ref"])
    per_number = {}
    for order in orders:
        per_number[order["partner_ref"]] = per_number.get(order["partner_ref"], 0) + 1
    for number in world.orders_in:
        count = per_number.get(number, 0)
        if not count:
            note("lost", f"inbound 850 {number} has no purchase order")
        elif count > 1:
            note("duplicated", f"inbound 850 {number} has {count} purchase orders")

    files = sims.control("sps", f"sps/files?account={SPS_ACCOUNT}", method="GET")
    result.files_left = sum(1 for path in files if world.tag in path and "/out/" in f"/{path.lstrip('/')}")
    env.cr.execute(
        """SELECT state, count(*) FROM ml_connector_audit_line
           WHERE (document_key LIKE %s OR name LIKE %s) AND state IN ('pending', 'failed', 'needs_review')
           GROUP BY state""",
        (f"%{world.tag}%", f"%{world.tag}%"),
    )
    for state, count in env.cr.fetchall():
        if state == "pending":
            result.pending_lines += count
        else:
            result.failed_lines += count
    return result


def force_due(env):
    """Let lines waiting for their next attempt go now (a proof run compresses minutes of backoff)."""
    env.cr.execute(
        """UPDATE ml_connector_audit_line SET next_attempt_at = NULL
           WHERE state = 'pending' AND next_attempt_at IS NOT NULL"""
    )
    env.cr.commit()
