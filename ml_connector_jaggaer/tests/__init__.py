from . import (
    test_gl,
    test_purchase,
    test_suppliers,
)
