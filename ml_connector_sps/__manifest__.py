{
    "name": "ML Connector: SPS Commerce",
    "summary": "Odoo <-> SPS Commerce (Transaction API v5, RSX 7.7): orders, acknowledgements, "
    "ASNs, receipts, invoices",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Purchase",
    "author": "ml-connector",
    "website": "https://www.ml-connector.com",
    "license": "LGPL-3",
    # purchase_stock: receipts of purchase orders; sale_stock: the orders retailers place with us
    # (Purchase Agreements, when installed, is one more thing such an order can become)
    "depends": ["ml_connector", "purchase_stock", "sale_stock"],
    "data": [
        "security/ir.model.access.csv",
        "security/ml_connector_sps_security.xml",
        "views/ml_connector_sps_partner_views.xml",
        "views/ml_connector_backend_views.xml",
        "views/purchase_order_views.xml",
        "views/sale_order_views.xml",
        "views/ml_connector_sps_stock_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": ["demo/ml_connector_sps_demo.xml"],
}
