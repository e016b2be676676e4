from . import ml_connector_backend
