from odoo import api, models

from odoo.addons.ml_connector.tools.auth import OAuth2ClientCredentials

from ..tools.client import JaggaerClient
from .ml_connector_jaggaer_mixin import INVOICE_BINDING, PO_BINDING, PO_LINE_BINDING, SUPPLIER_BINDING

# The flows a JAGGAER connection gets with Odoo, in the order a cycle runs them.
DEFAULT_FLOWS = (
    {"document_type": "gl_value", "direction": "in", "sequence": 5,
     "name": "GL segments and cost centres: JAGGAER → mappings"},
    {"document_type": "supplier", "direction": "in", "sequence": 10, "name": "Suppliers: JAGGAER → Odoo"},
    {"document_type": "supplier", "direction": "out", "sequence": 20, "name": "Suppliers: Odoo → JAGGAER"},
    {"document_type": "purchase_order", "direction": "out", "sequence": 30,
     "name": "Purchase orders: Odoo → JAGGAER"},
    {"document_type": "purchase_order", "direction": "in", "sequence": 35,
     "name": "Purchase orders created in JAGGAER → Odoo drafts"},
    {"document_type": "purchase_order_status", "direction": "in", "sequence": 40,
     "name": "Purchase order statuses: JAGGAER → Odoo"},
    # bills are created together, one create() per batch (their tax and balance lines are
    # computed per call): 400 per batch, as many as Odoo's import dialog gives load()
    {"document_type": "invoice", "direction": "in", "sequence": 50, "batch_size": 400,
     "name": "Invoices: JAGGAER → Odoo vendor bills"},
    {"document_type": "invoice_payment", "direction": "out", "sequence": 60,
     "name": "Payments of bills: Odoo → JAGGAER invoices"},
)  # fmt: skip


class MlConnectorSystemJaggaer(models.AbstractModel):
    """JAGGAER J1P: OAuth2 client credentials on a Keycloak realm (§1.3), J1P REST resources."""

    _name = "ml.connector.system.jaggaer"
    _inherit = "ml.connector.system"
    _description = "JAGGAER J1P system"

    _binding_types = {
        "supplier": SUPPLIER_BINDING,
        "purchase_order": PO_BINDING,
        "purchase_order_line": PO_LINE_BINDING,
        "invoice": INVOICE_BINDING,
    }

    @api.model
    def _owned_fields(self, document_type, end, other_end):
        """Against Odoo, JAGGAER is where suppliers register and maintain their own name; an ERP
        connected to JAGGAER directly is the supplier master (nothing owned here by default)."""
        if document_type == "supplier" and other_end is None:
            return ("name",)
        return super()._owned_fields(document_type, end, other_end)

    @api.model
    def _auth(self, backend):
        token_url = backend._jaggaer_token_url()
        secret = backend._get_secret("client_secret")
        return OAuth2ClientCredentials(
            token_url,
            backend.client_id,
            secret,
            body_format="form",
            secret_in=backend.jaggaer_secret_in or "body",
            legacy_ms=backend.jaggaer_token_style == "legacy_ms",
            skew=float(backend.jaggaer_token_skew),
            store=backend._token_store(token_url, backend.client_id, secret, backend.jaggaer_token_style),
            http=self._token_http(backend, token_url),
        )

    @api.model
    def _client(self, backend):
        """The J1P client of ``backend`` (its HTTP client, token and API layout)."""
        return JaggaerClient(backend._http(), backend._jaggaer_config())

    @api.model
    def _test_connection(self, backend):
        backend._check_not_copied()
        client = self._client(backend)
        page = next(
            client.pages(
                "suppliers_list", "suppliers", "the supplier list", flt=client.config.flt("suppliers")
            )
        )
        message = self.env._(
            "Token obtained and the supplier list answered: %(count)s supplier(s) visible.", count=page.total
        )
        if page.warning:
            message += " " + self.env._("JAGGAER warned: %s", page.warning)
        return message

    @api.model
    def _default_flows(self, other=None):
        if other:
            return []  # flows between JAGGAER and another connection are proposed by that connection
        return [dict(spec) for spec in DEFAULT_FLOWS]

    @api.model
    def _record_po_status(self, backend, po, status, line):
        before = po.jaggaer_status
        po._jaggaer_record_remote(
            {
                "poId": status.key,
                "status": status.remote_status,
                "revisionNumber": status.revision,
                "lastUpdate": status.changed_at,
            }
        )
        if before != po.jaggaer_status:
            return self.env._(
                "%(po)s: %(old)s → %(new)s.",
                po=po.name,
                old=before or self.env._("none"),
                new=po.jaggaer_status,
            )
        return self.env._("%(po)s: still %(status)s.", po=po.name, status=po.jaggaer_status)

    @api.model
    def _bill_values(self, backend, invoice):
        return {"jaggaer_invoice_id": invoice.key, "jaggaer_invoice_number": invoice.remote_number or False}
