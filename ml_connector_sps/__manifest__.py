{
    "name": "ML Connector: SPS Commerce",
    "summary": "Odoo <-> SPS Commerce (Transaction API v5, RSX 7.7): orders, acknowledgements, "
    "ASNs, receipts, invoices",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    # purchase_stock (installed with purchase and stock anyway): receipts of purchase orders
    "depends": ["ml_connector", "purchase_stock"],
    "data": [
        "security/ir.model.access.csv",
        "security/ml_connector_sps_security.xml",
        "views/ml_connector_sps_partner_views.xml",
        "views/ml_connector_backend_views.xml",
        "views/purchase_order_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": ["demo/ml_connector_sps_demo.xml"],
}
