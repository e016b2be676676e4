from . import (
    test_sps_connection,
    test_sps_demo,
    test_sps_invoice_out,
    test_sps_order_in,
    test_sps_order_out,
    test_sps_receiving,
    test_sps_rsx,
    test_sps_security,
)
