from . import test_connection, test_demo, test_flows, test_secrets
