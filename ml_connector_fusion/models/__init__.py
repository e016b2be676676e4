from . import (
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_fusion_mixin,
    ml_connector_reader_fusion_invoice,
    ml_connector_reader_fusion_purchase_order,
    ml_connector_reader_fusion_supplier,
    ml_connector_system_fusion,
    ml_connector_writer_fusion_gl_value,
    ml_connector_writer_fusion_invoice,
    ml_connector_writer_fusion_purchase_order_status,
    ml_connector_writer_fusion_receipt,
    ml_connector_writer_fusion_supplier,
)
