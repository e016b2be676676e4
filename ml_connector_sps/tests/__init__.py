from . import test_sps_order_out
