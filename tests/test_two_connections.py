"""A flow between two remote connections, with Odoo only as the hub that schedules and audits.

A generic REST "ERP" (tests/simulators/generic.py) sends its suppliers and purchase orders to
JAGGAER through JAGGAER's own supplier and purchase-order writers (the ones Odoo's flows use),
and JAGGAER's statuses travel back to it. No Odoo business record is involved: bindings join the
ERP's keys to JAGGAER's ids, and GL values are mapped between the two connections.
"""

from odoo import api, models
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ml_connector.models.ml_connector_backend import RUN_LOCK_NAMESPACE
from odoo.addons.ml_connector.tests.common import SimulatorCase, changed_pages, register_models
from odoo.addons.ml_connector.tools.documents import (
    Coding,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    Ref,
    Supplier,
)
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.http import parse_json
from odoo.addons.ml_connector.tools.items import SourceItem

from tests.simulators.generic import GenericRestSimulator
from tests.simulators.jaggaer import JaggaerSimulator
from tests.simulators.server import SimulatorServer


class ErpReader(models.AbstractModel):
    """Changed records of one list of the generic ERP, oldest first, from the flow's mark."""

    _name = "ml.connector.reader.generic.erp"
    _inherit = "ml.connector.reader"
    _description = "Test reader: generic ERP list"
    _module = None
    _system = "generic"
    _path = None

    @api.model
    def _collect(self, flow, run):
        yield from changed_pages(self._backend(flow)._http(), self._path, flow, self._item)


class ErpSupplierReader(models.AbstractModel):
    _name = "ml.connector.reader.generic.supplier"
    _inherit = "ml.connector.reader.generic.erp"
    _description = "Test reader: ERP suppliers"
    _module = None
    _document_type = "supplier"
    _path = "/api/suppliers"

    @api.model
    def _item(self, row):
        return SourceItem(source_key=row["code"], payload=row, name=row["name"], document_key=row["code"])

    @api.model
    def _document(self, line):
        row = self._payload(line)
        return Supplier(
            key=row["code"], name=row["name"], number=row["code"], vat=row.get("tax_id", ""), country="US"
        )


class ErpOrderReader(models.AbstractModel):
    _name = "ml.connector.reader.generic.purchase_order"
    _inherit = "ml.connector.reader.generic.erp"
    _description = "Test reader: ERP purchase orders"
    _module = None
    _document_type = "purchase_order"
    _path = "/api/orders"

    @api.model
    def _item(self, row):
        return SourceItem(
            source_key=row["number"], payload=row, name=row["number"], document_key=row["number"]
        )

    @api.model
    def _document(self, line):
        row = self._payload(line)
        if not row.get("lines"):
            raise DocumentError(f"Order {row['number']} has no lines.")
        return PurchaseOrder(
            key=row["number"],
            number=row["number"],
            status="cancelled" if row.get("status") == "cancelled" else "open",
            order_date=row["updated"][:19].replace("T", " "),
            currency=row["currency"],
            supplier=Ref(key=row["supplier"], number=row["supplier"]),
            lines=[
                PurchaseOrderLine(
                    key=f"{row['number']}/{line['line']}",
                    number=line["line"],
                    item=Item(buyer_code=line["item"], description=line["item"]),
                    quantity=line["quantity"],
                    unit_price=line["price"],
                    coding=Coding(
                        account=Ref(number=line["account"]),
                        cost_centres=[Ref(number=line["cost_center"])] if line.get("cost_center") else [],
                    ),
                )
                for line in row["lines"]
            ],
        )


class ErpStatusWriter(models.AbstractModel):
    """JAGGAER's status of an order, posted to the ERP order it came from."""

    _name = "ml.connector.writer.generic.purchase_order_status"
    _inherit = "ml.connector.writer"
    _description = "Test writer: ERP order statuses"
    _module = None
    _system = "generic"
    _document_type = "purchase_order_status"

    @api.model
    def _write(self, line, status):
        flow = line.flow_id
        Binding = self.env["ml.connector.binding"]
        number = Binding._counterpart_key(
            "purchase_order", flow.source_backend_id, status.po.key, flow.target_backend_id
        )
        if not number:
            return {"state": "skipped", "message": f"{status.po.number} did not come from this ERP."}
        body = {"status": status.remote_status, "remote_id": status.key, "revision": status.revision}
        answer = parse_json(
            self._backend(flow)._http().request("POST", f"/api/orders/{number}/status", json=body)
        )
        return {"sent": body, "response": answer, "message": f"{number}: {status.remote_status}."}


ERP_MODELS = (ErpReader, ErpSupplierReader, ErpOrderReader, ErpStatusWriter)
NORTHWIND = {"code": "V-4343", "name": "Northwind Scientific", "tax_id": "US987654321"}


@tagged("post_install", "-at_install")
class TestTwoConnections(SimulatorCase):
    simulator_class = JaggaerSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_models(cls, ERP_MODELS)
        cls.erp_sim = GenericRestSimulator()
        erp_server = SimulatorServer(cls.erp_sim).start()
        cls.addClassCleanup(erp_server.stop)
        Backend = cls.env["ml.connector.backend"]
        cls.jaggaer = Backend.create(
            {
                "name": "JAGGAER for the ERP",
                "system_type": "jaggaer",
                "test_mode": True,
                "base_url": cls.sim_url,
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            }
        )
        cls.jaggaer.flow_ids.unlink()  # only the flows with the ERP here
        cls.erp = Backend.create(
            {
                "name": "ERP",
                "system_type": "generic",
                "test_mode": True,
                "base_url": erp_server.url,
                "token_url": f"{erp_server.url}/oauth/token",
                "client_id": "engine-client",
                "client_secret": "engine-secret",
            }
        )
        Flow = cls.env["ml.connector.flow"]
        ends = {"backend_id": cls.erp.id}
        cls.supplier_flow = Flow.create(
            {**ends, "name": "Suppliers", "document_type": "supplier", "master_data": True, "sequence": 10,
             "source_backend_id": cls.erp.id, "target_backend_id": cls.jaggaer.id}
        )  # fmt: skip
        cls.order_flow = Flow.create(
            {**ends, "name": "Orders", "document_type": "purchase_order", "sequence": 30,
             "source_backend_id": cls.erp.id, "target_backend_id": cls.jaggaer.id}
        )  # fmt: skip
        cls.status_flow = Flow.create(
            {**ends, "name": "Statuses", "document_type": "purchase_order_status", "sequence": 40,
             "source_backend_id": cls.jaggaer.id, "target_backend_id": cls.erp.id}
        )  # fmt: skip
        (cls.jaggaer | cls.erp).action_activate()

    def setUp(self):
        super().setUp()
        self.erp_sim.reset()
        self.erp_sim.add_supplier(**NORTHWIND)
        self.map_erp("Account", "600000", "1.6000")
        self.map_erp("CostCenter", "CC-100", "M30")

    def map_erp(self, mapping_type, jaggaer_value, erp_value):
        return self.env["ml.connector.mapping"].create(
            {
                "backend_id": self.jaggaer.id,
                "mapping_type": mapping_type,
                "external_value": jaggaer_value,
                "other_backend_id": self.erp.id,
                "other_value": erp_value,
            }
        )

    def add_order(self, number, account="1.6000", **extra):
        lines = [
            {"item": "Beaker 500 ml", "quantity": 5, "price": 50.0, "account": account, "cost_center": "M30"},
            {
                "item": "Nitrile gloves",
                "quantity": 2,
                "price": 12.5,
                "account": "1.6000",
                "cost_center": "M30",
            },
        ]
        return self.erp_sim.add_order(number, NORTHWIND["code"], lines, **extra)

    def lines(self, flow, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", flow.id), *[(k, "=", v) for k, v in domain.items()]]
        )

    def remote_po(self, number):
        return next(po for po in self.sim.purchase_orders.values() if po["poNumber"] == number)

    def test_suppliers_and_orders_reach_jaggaer_without_an_odoo_record(self):
        partners, orders = (
            self.env["res.partner"].search_count([]),
            self.env["purchase.order"].search_count([]),
        )
        self.add_order("4711")
        run = self.run_backend(self.erp)
        self.assertEqual(run.state, "done", run.error_message)
        po = self.remote_po("4711")
        supplier = self.sim.suppliers[po["supplier"]["id"]]
        self.assertEqual((supplier["companyName"], supplier["extCode"]), ("Northwind Scientific", "V-4343"))
        self.assertEqual([line["quantity"] for line in po["lineList"]["poLine"]], [5, 2])
        coding = po["lineList"]["poLine"][0]["splittableFieldSetGroupList"]
        self.assertIn("600000", str(coding), "the ERP account went through its mapping")
        self.assertIn("CC-100", str(coding))
        binding = self.env["ml.connector.binding"]._find(
            self.jaggaer, "jaggaer_po", local_ref="4711", local_backend=self.erp
        )
        self.assertEqual(
            binding.external_id, str(po["poId"]), "the ERP order and the JAGGAER order are bound"
        )
        self.assertFalse(binding.res_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partners, "no Odoo vendor created")
        self.assertEqual(self.env["purchase.order"].search_count([]), orders, "no Odoo order created")
        line = self.lines(self.order_flow)
        self.assertEqual((line.state, line.backend_id), ("done", self.erp))
        self.assertIn('"poNumber": "4711"', line.sent_payload)
        self.assertIn('"number": "4711"', line.request_payload, "what the ERP gave, as it gave it")

    def test_the_overview_puts_a_flow_on_the_card_of_the_connection_that_runs_it(self):
        self.add_order("4712")
        self.run_backend(self.erp)
        self.erp.invalidate_recordset()
        self.assertEqual(self.erp.health, "green", self.erp.health_reason)
        self.assertGreaterEqual(self.erp.moved_24h, 2)
        summary = str(self.erp.flow_summary)
        for flow in ("Suppliers", "Orders", "Statuses"):
            self.assertIn(f"{flow} <small class='text-muted'>with {self.jaggaer.name}</small>", summary)
        self.assertEqual(self.jaggaer.moved_24h, 0, "the lines belong to the connection that runs the flow")
        # the other end's card lists them too, naming the connection that runs them
        elsewhere = str(self.jaggaer.flow_summary)
        for flow in ("Suppliers", "Orders", "Statuses"):
            self.assertIn(f"{flow} <small class='text-muted'>run by {self.erp.name}</small>", elsewhere)
        owner = self.supplier_flow.ownership_ids.filtered(lambda o: o.field_group == "name")
        self.assertEqual(
            owner.winner, "latest", "JAGGAER owns supplier names against Odoo, not against an ERP's master"
        )

    def test_an_unmapped_account_waits_then_goes_once_mapped(self):
        self.add_order("4712", account="1.7000")
        self.run_backend(self.erp)
        line = self.lines(self.order_flow)
        self.assertEqual(line.state, "needs_review")
        self.assertIn("ERP Account '1.7000' has no Account value in JAGGAER for the ERP", line.error_message)
        listed = self.env["ml.connector.mapping"].search(
            [
                ("backend_id", "=", self.jaggaer.id),
                ("other_backend_id", "=", self.erp.id),
                ("other_value", "=", "1.7000"),
            ]
        )
        self.assertTrue(listed, "the value is listed for the admin")
        self.assertFalse(listed.external_value)
        self.assertFalse([po for po in self.sim.purchase_orders.values() if po["poNumber"] == "4712"])
        listed.external_value = "620000"
        self.assertEqual(line.state, "pending", "completing the mapping released the order")
        self.run_backend(self.erp)
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn("620000", str(self.remote_po("4712")["lineList"]["poLine"][0]))

    def test_a_status_travels_back_to_the_order_it_came_from(self):
        self.add_order("4713")
        self.run_backend(self.erp)
        self.sim.set_po_status("4713", "Distributed")
        self.sim.set_po_status("4713", "Acknowledged")
        self.run_backend(self.erp)
        statuses = self.erp_sim.order_statuses["4713"]
        self.assertEqual(statuses[-1]["status"], "Acknowledged")
        self.assertEqual(statuses[-1]["remote_id"], str(self.remote_po("4713")["poId"]))

    def test_a_replay_never_duplicates(self):
        self.add_order("4714")
        self.run_backend(self.erp)
        line = self.lines(self.order_flow)
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(len([po for po in self.sim.purchase_orders.values() if po["poNumber"] == "4714"]), 1)
        self.assertEqual(self.remote_po("4714")["revisionNumber"], 0, "the same version, not a change")
        self.assertEqual(len(self.sim.suppliers), 1)

    def test_both_tokens_expiring_mid_run_are_renewed_once(self):
        self.add_order("4715")
        self.run_backend(self.erp)
        self.add_order("4716")
        self.sim.expire_tokens()
        self.erp_sim.expire_tokens()
        issued = (self.sim.tokens.issued_count, self.erp_sim.tokens.issued_count)
        run = self.run_backend(self.erp)
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.lines(self.order_flow, document_key="4716").state, "done")
        self.assertEqual(
            (self.sim.tokens.issued_count, self.erp_sim.tokens.issued_count), (issued[0] + 1, issued[1] + 1)
        )

    def test_a_paused_end_stops_its_flows_only_and_they_resume(self):
        self.add_order("4717")
        self.jaggaer.action_pause()
        run = self.run_backend(self.erp)
        self.assertIn("did not run", run.error_message)
        self.assertIn("not active", run.error_message)
        self.assertFalse(self.lines(self.order_flow))
        self.assertEqual(self.erp.state, "active", "the ERP connection itself goes on")
        self.jaggaer.action_activate()
        self.run_backend(self.erp)
        self.assertEqual(self.lines(self.order_flow).state, "done")

    def test_credentials_refused_on_one_end_pause_that_end_only(self):
        self.add_order("4718")
        self.sim.clients["demo-client"] = "rotated"
        self.sim.expire_tokens()
        with mute_logger("odoo.addons.ml_connector.tools.http"):
            run = self.run_backend(self.erp)
        self.assertEqual(self.jaggaer.state, "paused")
        self.assertIn("Credentials refused", self.jaggaer.paused_reason)
        self.assertEqual(self.erp.state, "active")
        self.assertIn("refused the credentials", run.error_message)

    def test_a_flow_waits_while_the_other_end_runs(self):
        self.add_order("4719")
        with self.registry.cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", (RUN_LOCK_NAMESPACE, self.jaggaer.id))
            run = self.run_backend(self.erp)
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (RUN_LOCK_NAMESPACE, self.jaggaer.id))
        self.assertIn("waits: JAGGAER for the ERP is running", run.log)
        self.assertFalse(self.lines(self.order_flow), "nothing done while the other end runs")
        self.run_backend(self.erp)
        self.assertEqual(self.lines(self.order_flow).state, "done")
