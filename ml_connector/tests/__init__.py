from . import test_engine, test_http, test_security, test_vault
