{
    "name": "ML Connector: SPS Commerce",
    "summary": "Odoo <-> SPS Commerce (Transaction API v5, RSX 7.7): orders, acknowledgements, "
    "ASNs, receipts, invoices",
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
