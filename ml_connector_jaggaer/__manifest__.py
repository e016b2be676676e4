{
    "name": "ML Connector: JAGGAER",
    "summary": "Odoo <-> JAGGAER (J1P REST): suppliers both ways, GL values and cost centres, purchase "
    "orders out with statuses back, invoices in as draft vendor bills",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    "depends": ["ml_connector"],
    "external_dependencies": {"python": ["rapidfuzz"]},
    "data": [
        "views/ml_connector_backend_views.xml",
        "views/purchase_order_views.xml",
        "views/account_move_views.xml",
    ],
    "demo": ["demo/jaggaer_demo.xml"],
}
