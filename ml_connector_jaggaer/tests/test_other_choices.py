"""The same flows against a JAGGAER that makes the other legal choice wherever the reference leaves
one open: lists newest first, the PO import's answer at the top of its envelope, the supplier
upsert's answer nested, timestamps and dates in another zone, amounts and return codes as text."""

from odoo.tests import tagged

from tests.simulators.jaggaer import OTHER_CHOICES

from . import (
    test_invoice_totals,
    test_invoices,
    test_orders_from_jaggaer,
    test_purchase,
    test_resilience,
    test_suppliers,
)


class OtherChoices:
    def setUp(self):
        super().setUp()
        self.sim.configure(**OTHER_CHOICES)


@tagged("post_install", "-at_install")
class TestInvoicesOtherChoices(OtherChoices, test_invoices.TestInvoices):
    pass


@tagged("post_install", "-at_install")
class TestPurchaseOrdersOtherChoices(OtherChoices, test_purchase.TestPurchaseOrders):
    pass


@tagged("post_install", "-at_install")
class TestSuppliersOtherChoices(OtherChoices, test_suppliers.TestSuppliers):
    pass


@tagged("post_install", "-at_install")
class TestResilienceOtherChoices(OtherChoices, test_resilience.TestResilience):
    pass


@tagged("post_install", "-at_install")
class TestInvoiceTotalsOtherChoices(OtherChoices, test_invoice_totals.TestInvoiceTotals):
    pass


@tagged("post_install", "-at_install")
class TestOrdersFromJaggaerOtherChoices(OtherChoices, test_orders_from_jaggaer.TestOrdersFromJaggaer):
    pass
