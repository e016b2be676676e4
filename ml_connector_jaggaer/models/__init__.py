from . import (
    account_move,
    handler_common,
    handler_gl,
    handler_invoice,
    handler_purchase,
    handler_supplier,
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_mapping,
    ml_connector_system_jaggaer,
    purchase_order,
)
