from . import (
    account_move,
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_jaggaer_mixin,
    ml_connector_reader_jaggaer_gl_value,
    ml_connector_reader_jaggaer_invoice,
    ml_connector_reader_jaggaer_purchase_order_status,
    ml_connector_reader_jaggaer_supplier,
    ml_connector_system_jaggaer,
    ml_connector_writer_jaggaer_purchase_order,
    ml_connector_writer_jaggaer_supplier,
    purchase_order,
)
