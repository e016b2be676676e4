from . import (
    test_connection,
    test_demo,
    test_flows,
    test_purchase,
    test_receipts,
    test_secrets,
    test_suppliers,
)
