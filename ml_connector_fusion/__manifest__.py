{
    "name": "ML Connector: Oracle Fusion",
    "summary": "Oracle Fusion Cloud ERP <-> JAGGAER (Fusion REST, OAuth2 at the identity domain): "
    "suppliers both ways, GL mappings, purchase orders and invoice headers out, acknowledgments, "
    "receipts and invoices back",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    "depends": ["ml_connector_jaggaer"],
    "data": ["views/ml_connector_backend_views.xml"],
    "demo": ["demo/fusion_demo.xml"],
}
