from . import (
    test_batch,
    test_engine,
    test_http,
    test_matching,
    test_secrets_exposure,
    test_security,
    test_ui,
    test_vault,
)
