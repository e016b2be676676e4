"""Odoo's procurement scheduler and the connector's flows on the same purchase orders, each in its own
transaction, as two cron workers run them: real cursors and real commits (in a company of their own,
removed afterwards), not the test's transaction."""

import contextlib
import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.jaggaer import JaggaerSimulator, splittable

from .common import LAB_SUPPLY

CREATED_THERE = "P-SCHED-1"  # an order a buyer keyed in JAGGAER
OURS = "PO-SCHED-1"  # an order Odoo sent to JAGGAER


@tagged("post_install", "-at_install")
class TestSchedulerAlongsideFlows(SimulatorCase):
    simulator_class = JaggaerSimulator

    @contextlib.contextmanager
    def committed_env(self):
        """An environment on a cursor of its own, committed on exit (what a cron worker has)."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def setUp(self):
        super().setUp()
        self.sim.seed({"suppliers": [LAB_SUPPLY]})
        self.sim.seed({"purchase_orders": [self.order_created_in_jaggaer()]})
        with self.committed_env() as env:
            self.world = self.build_world(env)
        self.addCleanup(self.remove_world)

    def order_created_in_jaggaer(self):
        return {
            "poNumber": CREATED_THERE,
            "status": "Approved",
            "supplier": {"supplierNumber": LAB_SUPPLY["extCode"]},
            "total": {"currency": "USD", "value": 250.0},
            "lineList": {
                "poLine": [
                    {
                        "lineNumber": "1",
                        "item": {"catalogNumber": "SCHED-TIPS", "description": "Pipette tips"},
                        "quantity": 5,
                        "unitPrice": {"currency": "USD", "value": 50.0},
                        "splittableFieldSetGroupList": splittable({}),
                    }
                ]
            },
        }

    def build_world(self, env):
        usd = env.ref("base.USD")
        usd.active = True
        # committed: unique, whatever an interrupted run left behind
        name = f"Scheduler proof company {uuid.uuid4().hex[:8]}"
        company = env["res.company"].create({"name": name, "currency_id": usd.id})
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        vendor = env["res.partner"].create(
            {
                "name": "Lab Supply Inc",
                "is_company": True,
                "supplier_rank": 1,
                "ref": "006105",
                "company_id": company.id,
            }
        )
        Product = env["product.product"]
        buy = env.ref("purchase_stock.route_warehouse0_buy")
        gloves = Product.create(
            {
                "name": "Gloves (scheduler proof)",
                "default_code": "SCHED-GLOVES",
                "is_storable": True,
                "company_id": company.id,
                "route_ids": [Command.set(buy.ids)],
                "seller_ids": [
                    Command.create({"partner_id": vendor.id, "price": 12.5, "company_id": company.id})
                ],
            }
        )
        tips = Product.create(
            {"name": "Tips (scheduler proof)", "default_code": "SCHED-TIPS", "company_id": company.id}
        )
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        env["stock.warehouse.orderpoint"].create(
            {
                "product_id": gloves.id,
                "warehouse_id": warehouse.id,
                "location_id": warehouse.lot_stock_id.id,
                "product_min_qty": 5,
                "product_max_qty": 10,
                "trigger": "auto",
                "company_id": company.id,
            }
        )
        ours = env["purchase.order"].create(
            {
                "name": OURS,
                "partner_id": vendor.id,
                "company_id": company.id,
                "order_line": [Command.create({"product_id": tips.id, "product_qty": 2, "price_unit": 50.0})],
            }
        )
        ours.button_confirm()
        backend = env["ml.connector.backend"].create(
            {
                "name": "JAGGAER (scheduler proof)",
                "system_type": "jaggaer",
                "company_id": company.id,
                "test_mode": True,
                "base_url": self.sim_url,
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            }
        )
        wanted = ("supplier:odoo>jaggaer", "purchase_order:odoo>jaggaer", "purchase_order:jaggaer>odoo")
        wanted += ("purchase_order_status:jaggaer>odoo",)
        for flow in backend.flow_ids:
            flow.active = flow.code in wanted
        backend.action_activate()
        return {
            "company": company.id,
            "backend": backend.id,
            "vendor": vendor.id,
            "ours": ours.id,
            "gloves": gloves.id,
        }

    def remove_world(self):
        """What the world committed goes, so that later tests do not meet it (what Odoo keeps of a
        company, its warehouse and journals, stays archived with it)."""
        with self.committed_env() as env:
            company = env["res.company"].browse(self.world["company"])
            env["ml.connector.backend"].browse(self.world["backend"]).unlink()
            orders = env["purchase.order"].search([("company_id", "=", company.id)])
            orders.button_cancel()
            orders.unlink()
            env["stock.warehouse.orderpoint"].search([("company_id", "=", company.id)]).unlink()
            for model in ("product.product", "res.partner"):
                records = env[model].with_context(active_test=False).search([("company_id", "=", company.id)])
                try:
                    with env.cr.savepoint():
                        records.unlink()
                except Exception:  # kept by Odoo's own references (moves, pickings): archived then
                    records.write({"active": False})
            company.active = False

    def run_connection(self):
        with self.committed_env() as env:
            env["ml.connector.backend"]._cron_run_backend(self.world["backend"])

    def test_the_scheduler_and_the_flows_never_fail_each_other(self):
        self.run_connection()  # the order keyed in JAGGAER comes in as a draft; ours goes out
        with self.committed_env() as env:
            created_there = env["purchase.order"].search([("name", "=", CREATED_THERE)])
            ours = env["purchase.order"].browse(self.world["ours"])
            self.assertEqual((created_there.state, ours.jaggaer_status), ("draft", "Approved"))
            ours_written, ours_remote_id = ours.write_date, int(ours.jaggaer_po_id)
            created_id = created_there.id

        with self.registry.cursor() as scheduler_cr:
            scheduler = api.Environment(scheduler_cr, SUPERUSER_ID, {})
            # the scheduler's transaction starts: its snapshot holds both orders as they are now
            self.assertEqual(scheduler["purchase.order"].browse(created_id).order_line.product_qty, 5)
            # meanwhile a buyer changes the order in JAGGAER, JAGGAER touches ours without news for
            # Odoo, and a flow runs and commits
            self.sim.clock.advance(5)
            self.sim.edit_po(CREATED_THERE, {"1": 8})
            remote = self.sim.purchase_orders[ours_remote_id]
            remote["lastUpdate"] = self.sim._now_iso()
            self.run_connection()
            # the scheduler goes on: the orderpoint buys gloves from the same vendor; leaving the block
            # commits its transaction (a concurrent update of the same rows would fail it)
            scheduler["stock.rule"].run_scheduler(company_id=self.world["company"])

        with self.committed_env() as env:
            created_there = env["purchase.order"].browse(created_id)
            self.assertEqual(created_there.order_line.product_qty, 8, "JAGGAER's revision")
            self.assertFalse(
                created_there.order_line.filtered(lambda line: line.product_id.id == self.world["gloves"]),
                "replenishment never adds lines to an order JAGGAER created",
            )
            rfq = env["purchase.order"].search(
                [("partner_id", "=", self.world["vendor"]), ("state", "=", "draft"), ("id", "!=", created_id)]
            )
            self.assertEqual(rfq.order_line.product_id.id, self.world["gloves"], "the scheduler did its work")
            self.assertEqual(rfq.order_line.product_qty, 10)
            ours = env["purchase.order"].browse(self.world["ours"])
            self.assertEqual(ours.write_date, ours_written, "reading an unchanged status wrote nothing")
            status_lines = env["ml.connector.audit.line"].search(
                [("flow_id.code", "=", "purchase_order_status:jaggaer>odoo"), ("res_id", "=", ours.id)]
            )
            self.assertEqual(len(status_lines), 2, "the flow did read it again")
            self.assertFalse(
                env["ml.connector.audit.line"].search(
                    [("backend_id", "=", self.world["backend"]), ("state", "in", ("failed", "pending"))]
                )
            )
