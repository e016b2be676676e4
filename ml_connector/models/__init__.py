from . import (
    ml_connector_audit_line,
    ml_connector_backend,
    ml_connector_binding,
    ml_connector_flow,
    ml_connector_handler,
    ml_connector_mapping,
    ml_connector_review,
    ml_connector_run,
    ml_connector_secret,
    ml_connector_system,
)
