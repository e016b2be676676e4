from . import (
    test_gl,
    test_suppliers,
)
