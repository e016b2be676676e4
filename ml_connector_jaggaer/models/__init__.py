from . import (
    handler_supplier,
    jaggaer_handler_mixin,
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_system_jaggaer,
)
