from . import (
    test_gl,
    test_invoices,
    test_purchase,
    test_suppliers,
)
