from . import ml_connector_backend, ml_connector_system_fusion
