import logging

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import (
    ConfigurationError,
    ConnectorError,
    PermanentError,
    TransientError,
)

from ..tools.ais import AisBasicAuth, AisClient, AisTokenAuth

_logger = logging.getLogger(__name__)

# The flows a JD Edwards connection gets with a JAGGAER connection, in the order a cycle runs them
# ("in": from JD Edwards to JAGGAER, "out": from JAGGAER to JD Edwards).
JAGGAER_FLOWS = (
    {"document_type": "gl_value", "direction": "in", "sequence": 5,
     "name": "GL accounts and business units: JD Edwards → JAGGAER mappings"},
    {"document_type": "gl_value", "direction": "out", "sequence": 6, "active": False,
     "name": "GL segment values: JAGGAER → JD Edwards"},
    {"document_type": "supplier", "direction": "in", "sequence": 10,
     "name": "Suppliers: JD Edwards → JAGGAER"},
    {"document_type": "purchase_order", "direction": "in", "sequence": 30,
     "name": "Purchase orders: JD Edwards → JAGGAER"},
    {"document_type": "purchase_order_status", "direction": "out", "sequence": 40,
     "name": "Purchase order statuses: JAGGAER → JD Edwards"},
    {"document_type": "invoice", "direction": "out", "sequence": 70,
     "name": "Invoices: JAGGAER → JD Edwards vouchers"},
)  # fmt: skip


class MlConnectorSystemJde(models.AbstractModel):
    """JD Edwards EnterpriseOne through its AIS Server: session tokens bound to a device name,
    the data service for reads and orchestrations for writes (``jde-api.md``)."""

    _name = "ml.connector.system.jde"
    _inherit = "ml.connector.system"
    _description = "JD Edwards EnterpriseOne (AIS) system"

    @api.model
    def _auth(self, backend):
        """One AIS session per connection, shared by every worker until it is
        ``jde_token_max_age`` old (the store keeps it encrypted with what the login said)."""
        config = backend._jde_config()
        password = backend._get_secret("client_secret")
        if config.auth_mode == "basic_per_request":
            return AisBasicAuth(config, backend.client_id, password)
        store = backend._token_store(
            backend.base_url,
            backend.client_id,
            password,
            config.environment,
            config.role,
            config.device_name,
            config.api_version,
        )
        return AisTokenAuth(
            config,
            backend.client_id,
            password,
            store=store,
            http=self._token_http(backend, backend.base_url),
        )

    @api.model
    def _client(self, backend):
        """The AIS client of ``backend`` (its HTTP client, session and settings)."""
        return AisClient(backend._http(), backend._jde_config())

    @api.model
    def _test_connection(self, backend):
        """Log in and count the address book: the cheapest read that proves the session works."""
        backend._check_not_copied()
        if not backend.client_id or not backend.client_secret_set:
            raise ConfigurationError(self.env._("Enter the AIS user name and password."))
        client = self._client(backend)
        table = client.config.table("address_book")
        try:
            count = client.count(table)
        except (TransientError, ConfigurationError, PermanentError) as exc:
            if exc.status not in (400, 404, 500):
                raise
            raise ConfigurationError(
                self.env._(
                    "Logged in, but JD Edwards cannot read table %(table)s: %(error)s",
                    table=table,
                    error=exc.message,
                ),
                status=exc.status,
            ) from exc
        info = client.session_info()
        return self.env._(
            "Logged in to JD Edwards as %(user)s (environment %(environment)s) and read the address book "
            "(%(table)s): %(count)s record(s).",
            user=info.get("username") or backend.client_id,
            environment=info.get("environment") or client.config.environment or "default",
            table=table,
            count=count,
        )

    @api.model
    def _default_flows(self, other=None):
        """With a JAGGAER connection: master data first (GL values, suppliers), then orders out with
        their statuses back, and invoices in as vouchers. Nothing with Odoo itself."""
        if not other or other.system_type != "jaggaer":
            return []
        return [dict(spec) for spec in JAGGAER_FLOWS]

    @api.model
    def _run_finished(self, backend):
        """End of a run: close the AIS session, so that sessions do not pile up on the server
        until they time out. Returns whether a session was closed; never raises."""
        try:
            auth = backend._http().auth
        except ConnectorError as exc:
            _logger.warning("%s: no session to close (%s)", backend.name, exc)
            return False
        return bool(auth and auth.logout())
