from . import ml_connector_dry_run
