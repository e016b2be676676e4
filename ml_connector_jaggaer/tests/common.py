"""A JAGGAER connection to the J1P simulator on loopback, with a small purchasing world in Odoo."""

import json

from odoo.tests import tagged

from odoo.addons.ml_connector.tests.common import SimulatorCase

from tests.simulators.jaggaer import JaggaerSimulator

FLOWS = {
    "gl": "gl_value:jaggaer>odoo",
    "supplier_in": "supplier:jaggaer>odoo",
    "supplier_out": "supplier:odoo>jaggaer",
    "po_out": "purchase_order:odoo>jaggaer",
    "po_in": "purchase_order:jaggaer>odoo",
    "po_status": "purchase_order_status:jaggaer>odoo",
    "invoice_in": "invoice:jaggaer>odoo",
    "payment_out": "invoice_payment:odoo>jaggaer",
}

LAB_SUPPLY = {
    "bravoId": 3901,
    "companyName": "LAB SUPPLY INC",
    "extCode": "006105",
    "extUniqueCode": "123456789",
    "dAndBCode": "123456789",
    "isoCountry": "US",
    "city": "Raleigh",
    "zip": "27601",
    "province": "NC",
    "address": "1 Main St",
    "bizEmail": "orders@labsupply.example",
}


@tagged("post_install", "-at_install")
class JaggaerCase(SimulatorCase):
    simulator_class = JaggaerSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.usd = env.ref("base.USD")
        cls.usd.active = True
        cls.company.currency_id = cls.usd
        Account = env["account.account"]
        cls.acc_expenses = Account.search(
            [*Account._check_company_domain(cls.company), ("code", "=", "600000")], limit=1
        ) or Account.create({"name": "Expenses", "code": "600000", "account_type": "expense"})
        cls.acc_lab = Account.create(
            {"name": "Laboratory supplies", "code": "610000", "account_type": "expense"}
        )
        cls.acc_freight = Account.create({"name": "Freight in", "code": "620100", "account_type": "expense"})
        plan = env["account.analytic.plan"].create({"name": "Cost centres"})
        Analytic = env["account.analytic.account"]
        cls.cc_ops = Analytic.create({"name": "Operations", "code": "CC-100", "plan_id": plan.id})
        cls.cc_lab = Analytic.create({"name": "Laboratory", "code": "CC-200", "plan_id": plan.id})
        cls.tax = env["account.tax"].create(
            {"name": "Purchase 10%", "amount": 10, "type_tax_use": "purchase"}
        )
        Product = env["product.product"]
        cls.gloves = Product.create(
            {
                "name": "Nitrile gloves, box of 100",
                "default_code": "LAB-GLV-100",
                "property_account_expense_id": cls.acc_lab.id,
                "supplier_taxes_id": [(6, 0, cls.tax.ids)],
                "purchase_method": "purchase",
            }
        )
        cls.tips = Product.create(
            {
                "name": "Pipette tips 200 ul, rack of 96",
                "default_code": "LAB-TIP-200",
                "property_account_expense_id": cls.acc_lab.id,
                "purchase_method": "purchase",
            }
        )
        cls.rotor = Product.create(
            {
                "name": "Centrifuge rotor 24 x 2 ml",
                "default_code": "EQ-ROT-24",
                "property_account_expense_id": cls.acc_expenses.id,
                "purchase_method": "purchase",
            }
        )
        cls.freight = Product.create(
            {
                "name": "Freight",
                "type": "service",
                "property_account_expense_id": cls.acc_freight.id,
                "purchase_method": "purchase",
            }
        )
        Partner = env["res.partner"]
        cls.lab_supply = Partner.create(
            {
                "name": "Lab Supply Inc",
                "is_company": True,
                "supplier_rank": 1,
                "ref": "006105",
                "duns_number": "123456789",
                "email": "ap@labsupply.example",
            }
        )
        cls.backend = cls.make_backend()
        cls.flows = {
            key: cls.backend.flow_ids.filtered(lambda f, c=code: f.code == c) for key, code in FLOWS.items()
        }

    @classmethod
    def make_backend(cls, name="JAGGAER test", **vals):
        backend = cls.env["ml.connector.backend"].create(
            {
                "name": name,
                "system_type": "jaggaer",
                "test_mode": True,
                "base_url": cls.sim_url,
                "client_id": "demo-client",
                "client_secret": "demo-secret",
                **vals,
            }
        )
        backend.action_activate()
        return backend

    def setUp(self):
        super().setUp()
        # 620000 is "Bank Fees" in Odoo's generic chart but "Freight" in JAGGAER: mapped by hand
        self.map_value("Account", "620000", self.acc_freight, label="Freight")

    # -- helpers -------------------------------------------------------------------------
    def map_value(self, mapping_type, value, record, label=None):
        Mapping = self.env["ml.connector.mapping"]
        mapping = Mapping.search(
            [
                ("backend_id", "=", self.backend.id),
                ("mapping_type", "=", mapping_type),
                ("external_value", "=", value),
            ]
        )
        vals = {"record_ref": f"{record._name},{record.id}", "external_label": label}
        if mapping:
            mapping.write(vals)
            return mapping
        return Mapping.create(
            {"backend_id": self.backend.id, "mapping_type": mapping_type, "external_value": value, **vals}
        )

    def only_flows(self, *keys):
        for key, flow in self.flows.items():
            flow.active = key in keys

    def cycle(self, backend=None):
        return self.run_backend(backend or self.backend)

    def lines(self, key, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", self.flows[key].id), *[(k, "=", v) for k, v in domain.items()]]
        )

    def payload(self, line):
        return json.loads(line.request_payload)

    def seed_supplier(self, **info):
        return self.sim.seed({"suppliers": [info]})

    def make_po(self, name, vendor, lines, confirm=True):
        """``lines``: [(product, quantity, price, analytic account or None)]."""
        po = self.env["purchase.order"].create(
            {
                "name": name,
                "partner_id": vendor.id,
                "currency_id": self.usd.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_qty": quantity,
                            "price_unit": price,
                            "analytic_distribution": {str(analytic.id): 100} if analytic else False,
                        },
                    )
                    for product, quantity, price, analytic in lines
                ],
            }
        )
        if confirm:
            po.button_confirm()
        return po

    def demo_po_1(self, vendor=None):
        return self.make_po(
            "PO-DEMO-0001",
            vendor or self.lab_supply,
            [(self.gloves, 15, 12.50, self.cc_lab), (self.tips, 4, 45.00, self.cc_lab)],
        )

    def demo_po_2(self, vendor=None):
        return self.make_po(
            "PO-DEMO-0002",
            vendor or self.lab_supply,
            [(self.rotor, 2, 310.00, self.cc_ops), (self.freight, 1, 85.00, self.cc_ops)],
        )

    def sim_line(self, po_number, po_line, quantity, price, account="610000", cost_center="CC-200", **kw):
        return {
            "po_number": po_number,
            "po_line_number": po_line,
            "quantity": quantity,
            "unit_price": price,
            "account": account,
            "cost_center": cost_center,
            "description": kw.get("description", f"{po_number}/{po_line}"),
        }
