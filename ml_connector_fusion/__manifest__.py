{
    "name": "ML Connector: Oracle Fusion",
    "summary": "Oracle Fusion Cloud ERP connection (REST, OAuth2 at the identity domain) for syncing "
    "with JAGGAER through the ml_connector engine",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    "depends": ["ml_connector_jaggaer"],
    "data": ["views/ml_connector_backend_views.xml"],
}
