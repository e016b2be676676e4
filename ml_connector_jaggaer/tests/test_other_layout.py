import copy

from odoo.tests import tagged

from tests.simulators.jaggaer import JaggaerSimulator

from .common import LAB_SUPPLY, JaggaerCase

OTHER_PATHS = {
    "token": "/idp/realms/acme/token",
    "suppliers": "/tenant/acme/p2p/suppliers",
    "purchase_orders": "/tenant/acme/p2p/orders",
    "invoices": "/tenant/acme/ap/bills",
    "custom_fields": "/tenant/acme/gl/segments",
}


def _rewrapped(spec, wrapper):
    spec = copy.copy(spec)
    spec.wrapper = wrapper
    return spec


class OtherLayoutJaggaer(JaggaerSimulator):
    """The same contract served elsewhere, with other list wrappers: another tenant's layout."""

    supplier_spec = _rewrapped(JaggaerSimulator.supplier_spec, "data.companies")
    po_spec = _rewrapped(JaggaerSimulator.po_spec, "orders.order")
    invoice_spec = _rewrapped(JaggaerSimulator.invoice_spec, "bills.bill")
    gl_value_spec = _rewrapped(JaggaerSimulator.gl_value_spec, "values")

    def __init__(self):
        super().__init__(paths=OTHER_PATHS)


@tagged("post_install", "-at_install")
class TestAnotherLayout(JaggaerCase):
    simulator_class = OtherLayoutJaggaer

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only the connection's URLs and paths change
        cls.backend.write(
            {
                "token_url": f"{cls.sim_url}/idp/realms/acme/token",
                "jaggaer_path_suppliers_list": "/tenant/acme/p2p/suppliers",
                "jaggaer_path_suppliers_upsert": "/tenant/acme/p2p/suppliers",
                "jaggaer_path_po_list": "/tenant/acme/p2p/orders",
                "jaggaer_path_po_detail": "/tenant/acme/p2p/orders/{id}",
                "jaggaer_path_po_import": "/tenant/acme/p2p/orders",
                "jaggaer_path_invoice_list": "/tenant/acme/ap/bills",
                "jaggaer_path_invoice_detail": "/tenant/acme/ap/bills/{id}",
                "jaggaer_path_gl_values": "/tenant/acme/gl/segments/{name}/values",
                "jaggaer_items_suppliers": "data.companies",
                "jaggaer_items_purchase_orders": "orders.order",
                "jaggaer_items_invoices": "bills.bill",
                "jaggaer_items_gl_values": "values",
            }
        )

    def test_every_flow_works_on_another_layout(self):
        self.seed_supplier(**LAB_SUPPLY)
        self.seed_supplier(bravoId=3904, companyName="Helix Reagents Ltd", isoCountry="GB")
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertIn("2 supplier(s)", result["params"]["message"])
        po = self.demo_po_1()
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(self.lines("gl", source_key="Account:610000").state, "done")
        binding = self.env["ml.connector.binding"]._find(self.backend, "jaggaer_supplier", external_id="3904")
        self.assertEqual(binding._record().name, "Helix Reagents Ltd")
        self.assertEqual(self.sim.get_po("PO-DEMO-0001")["status"], "Approved")
        self.assertEqual(po.jaggaer_status, "Approved")
        self.sim.set_po_status("PO-DEMO-0001", "Distributed")
        self.sim.add_invoice("006105", "LS-ELSE-1", [self.sim_line("PO-DEMO-0001", "1", 5, 12.5)])
        run = self.cycle()
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(po.jaggaer_status, "Distributed")
        bill = po.invoice_ids
        self.assertEqual((bill.ref, bill.invoice_line_ids.quantity), ("LS-ELSE-1", 5))
        self.assertFalse(self.sim.requests_to("/j1p/"), "nothing went to the default layout")

    def test_a_wrong_wrapper_is_named_in_the_error(self):
        self.seed_supplier(**LAB_SUPPLY)
        self.only_flows("supplier_in")
        self.backend.jaggaer_items_suppliers = "returnCompanyData"
        run = self.cycle()
        self.assertIn("none under 'returnCompanyData'", run.error_message)
        self.assertIn("check the item wrapper", run.error_message)

    def test_a_wrong_time_field_is_reported(self):
        self.seed_supplier(**LAB_SUPPLY)
        self.only_flows("supplier_in")
        self.backend.jaggaer_stamp_field_suppliers = "modifiedAt"
        run = self.cycle()
        self.assertIn("no modification time under 'modifiedAt'", run.error_message)
        self.assertEqual(self.lines("supplier_in").state, "done", "the records themselves still go")
        self.assertFalse(self.flows["supplier_in"].cursor)
