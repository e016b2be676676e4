from . import test_suppliers
