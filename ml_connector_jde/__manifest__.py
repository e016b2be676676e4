{
    "name": "ML Connector: JD Edwards",
    "summary": "JD Edwards EnterpriseOne (AIS Server REST) connections: session tokens, data service "
    "reads and orchestrations, for flows between JD Edwards and JAGGAER",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    "depends": ["ml_connector_jaggaer"],
    "data": ["views/ml_connector_backend_views.xml"],
    "demo": ["demo/jde_demo.xml"],
}
