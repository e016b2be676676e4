from odoo import api, models

from odoo.addons.ml_connector.tools.auth import OAuth2ClientCredentials

from ..tools.client import JaggaerClient

FLOW_HANDLERS = (
    "ml.connector.handler.jaggaer.gl.in",
    "ml.connector.handler.jaggaer.supplier.in",
    "ml.connector.handler.jaggaer.supplier.out",
    "ml.connector.handler.jaggaer.po.out",
    "ml.connector.handler.jaggaer.po.status.in",
    "ml.connector.handler.jaggaer.invoice.in",
)


class MlConnectorSystemJaggaer(models.AbstractModel):
    """JAGGAER J1P: OAuth2 client credentials on a Keycloak realm (§1.3), J1P REST resources."""

    _name = "ml.connector.system.jaggaer"
    _inherit = "ml.connector.system"
    _description = "JAGGAER J1P system"

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
    def _default_flow_handlers(self):
        return list(FLOW_HANDLERS)
