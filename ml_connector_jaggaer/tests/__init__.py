from . import (
    test_connection,
    test_demo,
    test_gl,
    test_invoices,
    test_other_layout,
    test_purchase,
    test_resilience,
    test_suppliers,
)
