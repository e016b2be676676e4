from odoo import api, models

from ..tools.auth import OAuth2ClientCredentials
from ..tools.errors import ConfigurationError, DocumentSkipped
from ..tools.http import HttpClient, RateLimiter, RetryPolicy


class MlConnectorSystem(models.AbstractModel):
    """Behaviour of one kind of remote system; one small model per system type.

    A connection with ``system_type = 'x'`` uses ``ml.connector.system.x``: how to build
    its HTTP client and token provider, how to test it, which flows it offers.
    """

    _name = "ml.connector.system"
    _description = "Connector system behaviour"

    # Binding type of each document kind on connections of this system (the engine's default is
    # "<system>_<kind>").
    _binding_types = {}

    @api.model
    def _retry_policy(self, backend):
        return RetryPolicy(
            max_attempts=backend.request_max_attempts,
            max_retry_after=float(backend.max_retry_after),
            max_total_wait=max(float(backend.max_retry_after) * 2, 60.0),
        )

    @api.model
    def _auth(self, backend):
        """Token provider of the connection (None: unauthenticated)."""
        return None

    @api.model
    def _http(self, backend, base_url=None):
        base_url = base_url or backend.base_url
        if not base_url:
            raise ConfigurationError(self.env._("Connection %s has no base URL.", backend.name))
        return HttpClient(
            base_url,
            auth=self._auth(backend),
            timeout=backend.timeout,
            retry=self._retry_policy(backend),
            rate_limiter=RateLimiter.shared(
                (backend.env.cr.dbname, backend.id), backend.rate_limit_per_minute
            ),
            name=backend.name,
            owner=backend.id,
        )

    @api.model
    def _token_http(self, backend, token_url):
        return HttpClient(
            token_url,
            timeout=backend.timeout,
            retry=self._retry_policy(backend),
            name=f"{backend.name} token endpoint",
            owner=backend.id,
        )

    @api.model
    def _test_connection(self, backend):
        """Get a token and call a cheap endpoint; return a message or raise ConnectorError."""
        raise NotImplementedError

    @api.model
    def _default_flows(self, other=None):
        """The flows a new connection of this system gets with Odoo (``other`` None), or with
        connection ``other``: dicts with ``document_type``, ``direction`` ("in": from this
        connection into the other end, "out": the other way) and optionally ``name``,
        ``sequence``, ``master_data``, ``active``."""
        return []

    @api.model
    def _owned_fields(self, document_type, end, other_end):
        """Field groups (see ``ml_connector_ownership.FIELD_GROUPS``) of ``document_type`` that end
        ``end`` (a connection of this system, or None: this model then speaks for Odoo) owns by
        default against ``other_end``: its value wins when the ends differ. Odoo keeps its own
        payment terms on bills."""
        if end is None and document_type == "invoice":
            return ("payment_terms",)
        return ()

    @api.model
    def _run_finished(self, backend):
        """Called once a run that used ``backend`` ended (e.g. to close a remote session)."""

    @api.model
    def _record_po_status(self, backend, po, status, line):
        """Keep on purchase order ``po`` what ``backend`` says of it (a canonical
        ``PurchaseOrderStatus``); return the line's message. Systems keep their own fields."""
        label = status.remote_status or status.status
        po.message_post(
            body=self.env._("%(system)s status: %(status)s", system=backend._system_label(), status=label),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
        return self.env._("%(po)s: %(status)s.", po=po.name, status=label)

    @api.model
    def _order_search_domain(self, backend, status):
        """Narrows the search by number for the purchase order a status of ``backend`` names (to the
        orders of its sender, say), when no binding names the order."""
        return []

    @api.model
    def _unknown_order_error(self, backend, status):
        """What a status of an order Odoo does not have means (an exception to raise)."""
        return DocumentSkipped(
            self.env._(
                "Not a purchase order of %(company)s in Odoo (created in %(system)s or elsewhere).",
                company=backend.company_id.name,
                system=backend._system_label(),
            )
        )

    @api.model
    def _bill_values(self, backend, document):
        """Extra values of a vendor bill made of ``backend``'s invoice (e.g. its own ids)."""
        return {}


class MlConnectorSystemGeneric(models.AbstractModel):
    """Any REST API secured by OAuth2 client credentials (form body, bearer tokens)."""

    _name = "ml.connector.system.generic"
    _inherit = "ml.connector.system"
    _description = "Generic OAuth2 REST system"

    @api.model
    def _auth(self, backend):
        if not backend.token_url:
            return None
        secret = backend._get_secret("client_secret")
        return OAuth2ClientCredentials(
            backend.token_url,
            backend.client_id,
            secret,
            store=backend._token_store(backend.token_url, backend.client_id, secret),
            http=self._token_http(backend, backend.token_url),
        )

    @api.model
    def _test_connection(self, backend):
        backend._check_not_copied()
        http = backend._http()
        response = http.request("GET", backend.ping_path or "/")
        return self.env._(
            "Authenticated and reached %(url)s (HTTP %(status)s).",
            url=response.url,
            status=response.status_code,
        )
