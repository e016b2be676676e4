from odoo import api, models

from odoo.addons.ml_connector.tools.errors import ConfigurationError

from ..tools.auth import SpsClientCredentials
from ..tools.transaction_api import FolderNotFound
from .ml_connector_backend import DEFAULT_AUDIENCE, DEFAULT_TOKEN_URL, INBOUND_FOLDER_FIELDS

# Flows of a new SPS connection, in the order a run goes through them: our documents out first
# (a partner's automatic answer to them can then be read in the same run), then the partners'
# documents in, ship notices before warehouse receipts.
SPS_FLOW_HANDLERS = (
    "ml.connector.handler.sps.order.out",
    "ml.connector.handler.sps.invoice.out",
    "ml.connector.handler.sps.order.in",
    "ml.connector.handler.sps.ack.in",
    "ml.connector.handler.sps.shipment.in",
    "ml.connector.handler.sps.receipt.in",
)


class MlConnectorSystemSps(models.AbstractModel):
    """SPS Commerce: Auth0 client credentials and the Transaction API v5 mailbox (reference §2, §3)."""

    _name = "ml.connector.system.sps"
    _inherit = "ml.connector.system"
    _description = "SPS Commerce system"

    @api.model
    def _auth(self, backend):
        """Machine-to-machine token, cached per connection and shared by every worker: SPS
        rate-limits token issuance, so a token is reused until shortly before it expires and
        renewed once on a 401 (§2.2)."""
        token_url = backend.token_url or DEFAULT_TOKEN_URL
        audience = backend.sps_audience or DEFAULT_AUDIENCE
        secret = backend._get_secret("client_secret")
        # a scheduled run is one cron job call: its refusals by the token endpoint are remembered
        cron_call = backend.env.context.get("cron_end_time")
        return SpsClientCredentials(
            token_url,
            backend.client_id,
            secret,
            body_format=backend.sps_token_body or "json",
            audience=audience,
            store=backend._token_store(token_url, backend.client_id, secret, audience),
            http=self._token_http(backend, token_url),
            run_key=(backend.env.cr.dbname, backend.id, cron_call) if cron_call else None,
        )

    @api.model
    def _test_connection(self, backend):
        """Token, ``GET /auth-check`` (204), then the folders: an empty root or missing folders mean
        SPS has not provisioned the account yet (§6.2), which is said as such, not as an error."""
        backend._check_not_copied()
        if not backend.client_id or not backend.client_secret_set:
            raise ConfigurationError(
                self.env._("Enter the client ID and client secret of your SPS machine-to-machine app.")
            )
        http = backend._http()
        http.request("GET", "/auth-check", expect=(200, 204))
        api = backend._sps_api()
        empty_root = api.is_empty_root()
        folders = [backend._sps_folder(code) for code in INBOUND_FOLDER_FIELDS]
        folders.append(backend._sps_folder())
        missing = []
        for folder in folders:
            try:
                next(api.list_files(folder))
            except FolderNotFound:
                missing.append(folder)
        if missing:
            hint = (
                self.env._(
                    "The account lists no folders at all: SPS has not set up Transaction API routing yet."
                )
                if empty_root
                else ""
            )
            return self.env._(
                "Authenticated, but these folders do not exist on SPS yet: %(folders)s. %(hint)s Documents "
                "will move once SPS implementation has provisioned them (or correct the folder settings).",
                folders=", ".join(missing),
                hint=hint,
            )
        return self.env._(
            "Authenticated (auth-check passed) and every folder exists: %s.", ", ".join(folders)
        )

    @api.model
    def _default_flow_handlers(self):
        return list(SPS_FLOW_HANDLERS)
