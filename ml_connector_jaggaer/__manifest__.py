{
    "name": "ML Connector: JAGGAER",
    "summary": "Odoo <-> JAGGAER (J1P REST): suppliers, GL values, purchase orders and invoices",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    "depends": ["ml_connector"],
    "data": [],
    "demo": [],
    "installable": True,
}
