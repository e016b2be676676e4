from . import (
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_jde_mixin,
    ml_connector_reader_jde_gl_value,
    ml_connector_reader_jde_purchase_order,
    ml_connector_reader_jde_supplier,
    ml_connector_system_jde,
    ml_connector_writer_jde_gl_value,
    ml_connector_writer_jde_invoice,
    ml_connector_writer_jde_purchase_order_status,
)
