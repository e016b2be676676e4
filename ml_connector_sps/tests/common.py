"""Shared set-up of the SPS tests: an SPS connection to the simulator on loopback, two trading
partners (a vendor we buy from, a retailer that orders from us), products, and helpers."""

import json

from odoo import Command
from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators import rsx as sim_rsx
from tests.simulators.sps import SpsSimulator

ACME, NORTHWIND = "7ZQALLACMEWIDGT", "NWDALLNORTHWND"
CLIENT_ID, CLIENT_SECRET = "odoo-m2m", "odoo-m2m-secret"
ACCOUNT = "odoo"
NORTHWIND_DC = sim_rsx.address(
    "ST", "Northwind DC 815", "1200 Commerce Pkwy", "Columbus", "OH", "43215", location="0815"
)
SEED = {
    "accounts": [
        {
            "id": ACCOUNT,
            "test_folders": True,
            "folders": ["out/IB/", "testout/IB/"],
            "clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}],
            "trading_partners": [
                {"tpid": ACME, "name": "Acme Widgets LLC", "documents": ["850"]},
                {
                    "tpid": NORTHWIND,
                    "name": "Northwind Stores",
                    "documents": ["855", "856", "810", "846"],
                    "ship_to": NORTHWIND_DC,
                },
            ],
        }
    ]
}
# Northwind's lines as the simulator's builders take them: its own code, ours, the UPC.
NW_BLUE = {"vendor_part": "WID-100-BLU", "buyer_part": "NW-778812", "upc": "012345678905", "price": 4.75}
NW_RED = {"vendor_part": "WID-200-RED", "buyer_part": "NW-778813", "uom": "CA", "price": 54.0, "pack": 12}
FLOWS = {
    "order_out": "purchase_order:odoo>sps",
    "invoice_out": "customer_invoice:odoo>sps",
    "order_in": "customer_order:sps>odoo",
    "ack_in": "purchase_order_status:sps>odoo",
    "shipment_in": "shipment:sps>odoo",
    "receipt_in": "receipt:sps>odoo",
    "inventory_in": "inventory:sps>odoo",
}


class HookedSpsSimulator(SpsSimulator):
    """The SPS simulator, plus callables run right after a folder listing was answered: tests use
    them to change the mailbox or the tokens between two pages of the same run."""

    def __init__(self):
        super().__init__()
        self.after_list = []

    def reset(self):
        self.after_list = []
        return super().reset()

    def _list(self, request, account, folder):
        response = super()._list(request, account, folder)
        if self.after_list and response.status_code == 200:
            hook = self.after_list.pop(0)
            if hook:
                hook()
        return response


@tagged("post_install", "-at_install")
class SpsCase(SimulatorCase):
    simulator_class = HookedSpsSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.unit = env.ref("uom.product_uom_unit")
        cls.case = env["uom.uom"].create(
            {
                "name": "Case of 12 (SPS test)",
                "relative_factor": 12,
                "relative_uom_id": cls.unit.id,
                "sps_code": "CA",
            }
        )
        ohio = env.ref("base.state_us_30")
        cls.acme = env["res.partner"].create(
            {
                "name": "Acme Widgets LLC",
                "is_company": True,
                "street": "77 Foundry Rd",
                "city": "Akron",
                "zip": "44308",
                "state_id": ohio.id,
                "country_id": ohio.country_id.id,
                "supplier_rank": 1,
            }
        )
        cls.northwind = env["res.partner"].create(
            {
                "name": "Northwind Stores",
                "is_company": True,
                "city": "Columbus",
                "country_id": ohio.country_id.id,
            }
        )
        cls.blue = env["product.product"].create(
            {
                "name": "Widget 100, blue",
                "default_code": "WID-100-BLU",
                "barcode": "012345678905",
                "is_storable": True,
                "standard_price": 4.75,
            }
        )
        cls.red = env["product.product"].create(
            {
                "name": "Widget 200, red",
                "default_code": "WID-200-RED",
                "is_storable": True,
                "standard_price": 4.5,
                "uom_ids": [Command.link(cls.case.id)],
            }
        )
        env["product.supplierinfo"].create(
            [
                {
                    "partner_id": cls.acme.id,
                    "product_tmpl_id": cls.blue.product_tmpl_id.id,
                    "product_code": "WID-100-BLU",
                    "price": 4.75,
                },
                {
                    "partner_id": cls.acme.id,
                    "product_tmpl_id": cls.red.product_tmpl_id.id,
                    "product_code": "WID-200-RED",
                    "product_uom_id": cls.case.id,
                    "price": 54.0,
                },
            ]
        )
        cls.backend = env["ml.connector.backend"].create(
            {
                "name": "SPS test",
                "system_type": "sps",
                "test_mode": True,
                "token_url": f"{cls.sim_url}/oauth/token",
                "base_url": cls.sim_url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "request_max_attempts": 3,
            }
        )
        cls.tp_acme = env["ml.connector.sps.partner"].create(
            {"backend_id": cls.backend.id, "tpid": ACME, "partner_id": cls.acme.id, "role": "vendor"}
        )
        cls.tp_acme.receive_846 = True  # agreed with Acme: it advises its inventory
        cls.tp_northwind = env["ml.connector.sps.partner"].create(
            {
                "backend_id": cls.backend.id,
                "tpid": NORTHWIND,
                "partner_id": cls.northwind.id,
                "role": "retailer",
                "vendor_number": "100482",
                "order_target": "purchase_order",
            }
        )
        cls.backend.action_activate()
        cls.flows = {
            key: cls.backend.flow_ids.filtered(lambda f, c=code: f.code == c) for key, code in FLOWS.items()
        }

    def setUp(self):
        super().setUp()
        self.sim.seed(SEED)

    # ------------------------------------------------------------------ helpers
    def run_sps(self):
        return self.run_backend(self.backend)

    def flow(self, name):
        """'order_out', 'invoice_out', 'order_in', 'ack_in', 'shipment_in', 'receipt_in', 'inventory_in'."""
        return self.flows[name]

    def lines(self, name, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", self.flow(name).id), *[(k, "=", v) for k, v in domain.items()]], order="id"
        )

    def files(self, folder=""):
        return {path: data for path, data in self.sim.files(ACCOUNT).items() if path.startswith(folder)}

    def documents(self, **filters):
        return self.sim.documents(account=ACCOUNT, **filters)

    def uploads(self, prefix="/transactions/v5/data/in/"):
        return list(self.sim.requests_to(prefix, "POST"))

    def drop_order(self, po_number, lines=None, **kwargs):
        kwargs.setdefault("vendor", "100482")
        return self.sim.drop_order(NORTHWIND, po_number, lines, account=ACCOUNT, **kwargs)

    def make_po(self, lines, partner=None, confirm=True, **values):
        order = self.env["purchase.order"].create(
            {
                "partner_id": (partner or self.acme).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": qty,
                            "product_uom_id": uom.id,
                            "price_unit": price,
                        }
                    )
                    for product, qty, uom, price in lines
                ],
                **values,
            }
        )
        if confirm:
            order.button_confirm()
        return order

    def acme_order(self, confirm=True):
        """PO to Acme: 24 blue widgets at 4.75 and 5 cases of red at 54 (total 384)."""
        return self.make_po(
            [(self.blue, 24, self.unit, 4.75), (self.red, 5, self.case, 54.0)], confirm=confirm
        )

    def sent_document(self, path):
        """The RSX document we uploaded at ``path`` (as SPS stored it)."""
        [upload] = [d for d in self.documents() if d["path"] == path]
        return upload

    def payload(self, line):
        """The RSX document an outbound line sent."""
        return json.loads(line.sent_payload.lstrip("\ufeff"))
