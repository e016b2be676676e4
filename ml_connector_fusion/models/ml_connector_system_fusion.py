from odoo import api, models

from odoo.addons.ml_connector.tools.errors import ConfigurationError

from ..tools.fusion import FusionBasicAuth, FusionClient, FusionTokenAuth

# The flows a Fusion connection gets with a JAGGAER connection, in the order a cycle runs them
# ("in": from Fusion into JAGGAER, "out": from JAGGAER into Fusion).
JAGGAER_FLOWS = (
    {"document_type": "gl_value", "direction": "out", "sequence": 5,
     "name": "GL values: JAGGAER → mappings to Fusion"},
    {"document_type": "supplier", "direction": "out", "sequence": 10, "name": "Suppliers: JAGGAER → Fusion"},
    {"document_type": "supplier", "direction": "in", "sequence": 20, "name": "Suppliers: Fusion → JAGGAER"},
    {"document_type": "purchase_order", "direction": "in", "sequence": 30,
     "name": "Purchase orders: Fusion → JAGGAER"},
    {"document_type": "purchase_order_status", "direction": "out", "sequence": 40,
     "name": "PO acknowledgments: JAGGAER → Fusion"},
    {"document_type": "receipt", "direction": "out", "sequence": 60, "name": "Receipts: JAGGAER → Fusion"},
    {"document_type": "invoice", "direction": "out", "sequence": 70,
     "name": "Invoices: JAGGAER → Fusion payables"},
    {"document_type": "invoice", "direction": "in", "sequence": 75,
     "name": "Invoice headers: Fusion → JAGGAER"},
)  # fmt: skip


class MlConnectorSystemFusion(models.AbstractModel):
    """Oracle Fusion Cloud ERP: OAuth2 client credentials at the pod's identity domain (§3),
    ADF REST resources under /fscmRestApi/resources/<API version>/ (§2)."""

    _name = "ml.connector.system.fusion"
    _inherit = "ml.connector.system"
    _description = "Oracle Fusion Cloud ERP system"

    @api.model
    def _auth(self, backend):
        secret = backend._get_secret("client_secret")
        if backend.fusion_auth_mode == "basic_user":
            return FusionBasicAuth(backend.client_id, secret)
        if not backend.token_url:
            raise ConfigurationError(
                self.env._(
                    "Set the token URL of the pod's identity domain "
                    "(https://idcs-<id>.identity.oraclecloud.com/oauth2/v1/token)."
                )
            )
        scope = backend._fusion_scope()
        client_auth = backend.fusion_client_auth or "basic"
        return FusionTokenAuth(
            backend.token_url,
            backend.client_id,
            secret,
            scope=scope,
            client_auth=client_auth,
            refresh_margin=backend.fusion_token_margin,
            store=backend._token_store(backend.token_url, backend.client_id, secret, scope, client_auth),
            http=self._token_http(backend, backend.token_url),
        )

    @api.model
    def _client(self, backend):
        """The Fusion client of ``backend`` (its HTTP client, token and settings)."""
        return FusionClient(backend._http(), backend._fusion_config())

    @api.model
    def _test_connection(self, backend):
        """A token, the pod's framework versions, one purchase order row (§3, §2, §4)."""
        backend._check_not_copied()
        client = self._client(backend)
        if isinstance(client.http.auth, FusionTokenAuth):
            client.http.auth.get_token()  # a refused token is reported as such, before any resource
        default, allowed = client.framework_versions()
        wanted = client.config.framework_version
        if allowed and wanted not in allowed:
            raise ConfigurationError(
                self.env._(
                    "The pod accepts REST framework versions %(allowed)s, not %(wanted)s: change the "
                    "connection's REST framework version.",
                    allowed=", ".join(map(str, allowed)),
                    wanted=wanted,
                )
            )
        key = client.config.key("purchase_orders")
        page = next(client.pages("purchase_orders", fields=key, limit=1, total=True))
        visible = page.total if page.total is not None else len(page.items)
        return self.env._(
            "Token obtained; the pod accepts REST framework versions %(allowed)s (default %(default)s); "
            "%(count)s purchase order(s) visible to this user.",
            allowed=", ".join(map(str, allowed)) or "?",
            default=default or "?",
            count=visible,
        )

    @api.model
    def _default_flows(self, other=None):
        """Fusion syncs with JAGGAER, between the two connections (no flow with Odoo itself)."""
        if other and other.system_type == "jaggaer":
            return [dict(spec) for spec in JAGGAER_FLOWS]
        return []
