"""The purchasing world the benchmark's throughput measures share, in Odoo and in the simulators.

A distributor buying from a few dozen vendors: vendors that are JAGGAER suppliers and SPS
trading partners, goods billed on ordered quantities, one expense account and one cost centre
coded on every line (JAGGAER GL segments mapped by the connector's own GL flow), a purchase tax.
Purchase orders have five lines; each JAGGAER invoice bills one purchase order in full, so every
bill line is checked against a PO line that nothing else bills (no PO line accumulates bills as
N grows, which would measure the data, not the connector).
"""

import json
import random
from dataclasses import dataclass, field

JAGGAER_CLIENT = ("bench-client", "bench-secret")
SPS_CLIENT = ("bench-m2m", "bench-m2m-secret")
SPS_ACCOUNT = "bench"
ACCOUNT_CODE, COST_CENTER = "610000", "CC-200"
LINES_PER_DOCUMENT = 5

JAGGAER_FLOWS = {
    "gl": "gl_value:jaggaer>odoo",
    "supplier_in": "supplier:jaggaer>odoo",
    "supplier_out": "supplier:odoo>jaggaer",
    "po_out": "purchase_order:odoo>jaggaer",
    "po_in": "purchase_order:jaggaer>odoo",
    "po_status": "purchase_order_status:jaggaer>odoo",
    "invoice_in": "invoice:jaggaer>odoo",
    "payment_out": "invoice_payment:odoo>jaggaer",
}
SPS_FLOWS = {
    "order_out": "purchase_order:odoo>sps",
    "invoice_out": "customer_invoice:odoo>sps",
    "order_in": "customer_order:sps>odoo",
    "ack_in": "purchase_order_status:sps>odoo",
    "shipment_in": "shipment:sps>odoo",
    "receipt_in": "receipt:sps>odoo",
    "inventory_in": "inventory:sps>odoo",
}


@dataclass
class World:
    """Ids of what :func:`build_world` created (valid in any later environment)."""

    jaggaer_id: int
    sps_id: int
    vendor_ids: list
    vendor_refs: dict  # partner id -> supplier number
    product_ids: list
    account_id: int
    analytic_id: int
    tax_id: int
    currency_id: int
    order_count: int = 0
    invoice_count: int = 0
    flows: dict = field(default_factory=dict)  # (system, key) -> flow id

    def to_json(self):
        data = dict(self.__dict__)
        data["vendor_refs"] = [[key, value] for key, value in self.vendor_refs.items()]
        data["flows"] = [[*key, value] for key, value in self.flows.items()]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        data["vendor_refs"] = dict(data["vendor_refs"])
        data["flows"] = {(system, key): value for system, key, value in data["flows"]}
        return cls(**data)


def configure_simulators(sim, vendors):
    """Clients, suppliers, GL values and trading partners; no simulated rate limit.

    JAGGAER publishes no rate limit (the simulator's default of 600 requests per minute is a
    guess): it is lifted so that the figures are the connector's, not the simulator's throttle.
    """
    sim.control("jaggaer", "config", {"request_rate_limit": 0})
    sim.control(
        "jaggaer",
        "seed",
        {
            "clients": dict([JAGGAER_CLIENT]),
            "suppliers": [
                {
                    "companyName": vendor["name"],
                    "extCode": vendor["ref"],
                    "isoCountry": "US",
                    "city": vendor["city"],
                    "zip": vendor["zip"],
                    "address": vendor["street"],
                }
                for vendor in vendors
            ],
            "gl_values": [
                {"internalName": "Account", "value": ACCOUNT_CODE, "description": "Goods for resale"},
                {"internalName": "CostCenter", "value": COST_CENTER, "description": "Purchasing"},
            ],
        },
    )
    sim.control(
        "sps",
        "seed",
        {
            "accounts": [
                {
                    "id": SPS_ACCOUNT,
                    "clients": [{"client_id": SPS_CLIENT[0], "client_secret": SPS_CLIENT[1]}],
                    "trading_partners": [
                        {"tpid": vendor["tpid"], "name": vendor["name"], "documents": ["850"]}
                        for vendor in vendors
                    ],
                }
            ]
        },
    )


def build_world(env, sim, vendor_count=20, product_count=40):
    """Create the Odoo side and the two connections; run the master-data flows once."""
    rng = random.Random(7)
    company = env.company
    usd = env.ref("base.USD")
    state = env.ref("base.state_us_30")  # Ohio
    Account = env["account.account"]
    account = Account.search(
        [*Account._check_company_domain(company), ("code", "=", ACCOUNT_CODE)], limit=1
    ) or Account.create({"name": "Goods for resale", "code": ACCOUNT_CODE, "account_type": "expense"})
    plan = env["account.analytic.plan"].create({"name": "Cost centres (bench)"})
    analytic = env["account.analytic.account"].create(
        {"name": "Purchasing", "code": COST_CENTER, "plan_id": plan.id}
    )
    tax = env["account.tax"].create({"name": "Purchase 8% (bench)", "amount": 8, "type_tax_use": "purchase"})
    vendors_data = [
        {
            "name": f"Bench Vendor {index:03d} Inc",
            "ref": f"BV{index:05d}",
            "tpid": f"BENCHVENDOR{index:04d}",
            "street": f"{100 + index} Commerce Pkwy",
            "city": "Columbus",
            "zip": "43215",
        }
        for index in range(vendor_count)
    ]
    vendors = env["res.partner"].create(
        [
            {
                "name": data["name"],
                "ref": data["ref"],
                "is_company": True,
                "supplier_rank": 1,
                "street": data["street"],
                "city": data["city"],
                "zip": data["zip"],
                "state_id": state.id,
                "country_id": state.country_id.id,
                "email": f"orders@vendor{index}.example",
            }
            for index, data in enumerate(vendors_data)
        ]
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench item {index:03d}, case",
                "default_code": f"BI-{index:04d}",
                "barcode": f"{400000000000 + index}",
                "type": "consu",
                "purchase_method": "purchase",
                "standard_price": round(rng.uniform(2, 200), 2),
                "supplier_taxes_id": [(6, 0, tax.ids)],
                "property_account_expense_id": account.id,
            }
            for index in range(product_count)
        ]
    )
    configure_simulators(sim, vendors_data)

    jaggaer = env["ml.connector.backend"].create(
        {
            "name": "JAGGAER (bench)",
            "system_type": "jaggaer",
            "test_mode": True,
            "base_url": sim.jaggaer_url,
            "client_id": JAGGAER_CLIENT[0],
            "cost_center_plan_id": plan.id,
            # supplier pushes are not measured: the vendors come from JAGGAER
            "interval_number": 5,
        }
    )
    sps = env["ml.connector.backend"].create(
        {
            "name": "SPS (bench)",
            "system_type": "sps",
            "test_mode": True,
            "base_url": sim.sps_url,
            "token_url": f"{sim.sps_url}/oauth/token",
            "client_id": SPS_CLIENT[0],
            "interval_number": 5,
        }
    )
    jaggaer.client_secret = JAGGAER_CLIENT[1]
    sps.client_secret = SPS_CLIENT[1]
    env["ml.connector.sps.partner"].create(
        [
            {
                "backend_id": sps.id,
                "tpid": data["tpid"],
                "partner_id": vendor.id,
                "role": "vendor",
                "send_850": True,
                "item_identifier": "buyer",
            }
            for data, vendor in zip(vendors_data, vendors)
        ]
    )
    (jaggaer | sps).action_activate()
    # no scheduled run in this process or any other: the measures run cycles themselves
    (jaggaer | sps).cron_id.active = False
    world = World(
        jaggaer_id=jaggaer.id,
        sps_id=sps.id,
        vendor_ids=vendors.ids,
        vendor_refs={vendor.id: vendor.ref for vendor in vendors},
        product_ids=products.ids,
        account_id=account.id,
        analytic_id=analytic.id,
        tax_id=tax.id,
        currency_id=usd.id,
    )
    for system, backend, keys in (("jaggaer", jaggaer, JAGGAER_FLOWS), ("sps", sps, SPS_FLOWS)):
        for key, code in keys.items():
            world.flows[(system, key)] = backend.flow_ids.filtered(lambda f, c=code: f.code == c).id
        # a flow left out here would run beside every measured one and be charged to it
        unlisted = [flow.code for flow in backend.flow_ids if flow.code not in keys.values()]
        if unlisted:
            raise RuntimeError(f"bench world: {system} flows not listed: {', '.join(unlisted)}")
    env.cr.commit()

    # master data through the connector itself: GL values -> mappings, suppliers -> bindings
    only_flows(env, world, "jaggaer", "gl", "supplier_in")
    jaggaer._run_cycle(trigger="manual")
    env.cr.commit()
    mapped = env["ml.connector.mapping"].search_count(
        [("backend_id", "=", jaggaer.id), ("record_ref", "!=", False)]
    )
    bound = env["ml.connector.binding"].search_count(
        [("backend_id", "=", jaggaer.id), ("object_type", "=", "jaggaer_supplier"), ("res_id", "!=", False)]
    )
    if mapped < 2 or bound < vendor_count:
        raise RuntimeError(f"bench world: {mapped} GL values mapped, {bound}/{vendor_count} vendors bound")
    return world


def only_flows(env, world, system, *keys):
    """Activate these flows of one connection, deactivate its others."""
    for (flow_system, key), flow_id in world.flows.items():
        if flow_system == system:
            env["ml.connector.flow"].browse(flow_id).active = key in keys
    env.cr.commit()


def make_purchase_orders(env, world, count, rng, confirm=True, company=None, chunk=250):
    """``count`` purchase orders of five lines (confirmed unless ``confirm`` is False); their ids.

    Committed per chunk. Lines carry the cost centre as analytic distribution, as a buyer would
    code them; the prices and quantities are random but reproducible.
    """
    company = company or env.company
    ids = []
    for start in range(0, count, chunk):
        vals_list = []
        for index in range(start, min(count, start + chunk)):
            vendor_id = world.vendor_ids[(world.order_count + index) % len(world.vendor_ids)]
            products = rng.sample(world.product_ids, LINES_PER_DOCUMENT)
            vals_list.append(
                {
                    "partner_id": vendor_id,
                    "company_id": company.id,
                    "currency_id": world.currency_id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product_id,
                                "product_qty": rng.randint(1, 40),
                                "price_unit": round(rng.uniform(2, 200), 2),
                                "analytic_distribution": {str(world.analytic_id): 100},
                            },
                        )
                        for product_id in products
                    ],
                }
            )
        orders = env["purchase.order"].with_company(company).create(vals_list)
        if confirm:
            orders.button_confirm()
        env.cr.commit()
        ids += orders.ids
    world.order_count += count
    return ids


def confirm_purchase_orders(env, order_ids, chunk=500):
    for start in range(0, len(order_ids), chunk):
        env["purchase.order"].browse(order_ids[start : start + chunk]).button_confirm()
        env.cr.commit()


def invoice_lines_of(env, order_ids):
    """``{po name: [(line number, pol), ...]}`` in JAGGAER's numbering (line n = n-th line)."""
    result = {}
    for order in env["purchase.order"].browse(order_ids):
        lines = order.order_line.filtered(lambda pol: not pol.display_type).sorted(
            lambda pol: (pol.sequence, pol.id)
        )
        result[order.name] = (order, list(enumerate(lines, start=1)))
    return result


def seed_invoices(env, sim, world, order_ids, chunk=500):
    """One JAGGAER invoice per purchase order, billing its five lines in full (Completed, Payable).

    Returns ``{invoice number: po id}``. Seeded through the simulator's control API, in chunks.
    """
    numbers = {}
    payload = []
    for start in range(0, len(order_ids), chunk):
        # read chunk by chunk, dropping the cache in between: the seeding runs in the measured
        # process, and 10 000 orders with their lines held at once would be counted as the
        # connector's memory
        env.invalidate_all()
        _seed_invoice_chunk(env, world, order_ids[start : start + chunk], numbers, payload)
        if payload:
            sim.control("jaggaer", "seed", {"invoices": payload})
            payload.clear()
    env.invalidate_all()
    return numbers


def _seed_invoice_chunk(env, world, order_ids, numbers, payload):
    for po_name, (order, lines) in invoice_lines_of(env, order_ids).items():
        world.invoice_count += 1
        number = f"BINV-{world.invoice_count:07d}"
        numbers[number] = order.id
        payload.append(
            {
                "supplier_number": world.vendor_refs[order.partner_id.id],
                "supplier_invoice_number": number,
                "lines": [
                    {
                        "po_number": po_name,
                        "po_line_number": str(position),
                        "quantity": pol.product_qty,
                        "unit_price": pol.price_unit,
                        "account": ACCOUNT_CODE,
                        "cost_center": COST_CENTER,
                        "description": pol.name,
                    }
                    for position, pol in lines
                ],
            }
        )


def load_company(env, world):
    """A second company, same chart, vendors and products, where no connection runs: the
    purchase orders and bills of the ``load()`` comparison live there, so that the connections'
    flows never see them (fresh data, nothing the connector measures changes)."""
    company = env["res.company"].create(
        {
            "name": "Bench load() company",
            "currency_id": world.currency_id,
            "country_id": env.ref("base.us").id,
        }
    )
    env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
    env.cr.commit()  # the chart's own pre-commit work first (it drops accounts created alongside)
    env["stock.warehouse"].create({"name": "Bench load() warehouse", "code": "BLW", "company_id": company.id})
    Account = env["account.account"].with_company(company)
    account = Account.search(
        [*Account._check_company_domain(company), ("code", "=", ACCOUNT_CODE)], limit=1
    ) or Account.create({"name": "Goods for resale", "code": ACCOUNT_CODE, "account_type": "expense"})
    tax = (
        env["account.tax"]
        .with_company(company)
        .create(
            {"name": "Purchase 8% (bench)", "amount": 8, "type_tax_use": "purchase", "company_id": company.id}
        )
    )
    env["product.product"].browse(world.product_ids).write({"supplier_taxes_id": [(4, tax.id)]})
    env.cr.commit()
    return company, account
