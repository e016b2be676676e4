from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import ConfigurationError

from ..tools.auth import SpsClientCredentials
from ..tools.transaction_api import FolderNotFound
from .ml_connector_backend import DEFAULT_AUDIENCE, DEFAULT_TOKEN_URL, INBOUND_FOLDER_FIELDS
from .ml_connector_reader_sps_purchase_order_status import SPS_STATUS, ack_status

# Flows of a new SPS connection, in the order a run goes through them: our documents out first
# (a partner's automatic answer to them can then be read in the same run), then the partners'
# documents in, ship notices before warehouse receipts.
DEFAULT_FLOWS = (
    {"document_type": "purchase_order", "direction": "out", "sequence": 10,
     "name": "SPS: purchase orders to vendors (850)"},
    {"document_type": "customer_invoice", "direction": "out", "sequence": 20,
     "name": "SPS: invoices to retailers (810)"},
    {"document_type": "customer_order", "direction": "in", "sequence": 30,
     "name": "SPS: orders from trading partners (850)"},
    {"document_type": "purchase_order_status", "direction": "in", "sequence": 40,
     "name": "SPS: order acknowledgements from vendors (855)"},
    {"document_type": "shipment", "direction": "in", "sequence": 50,
     "name": "SPS: ship notices from vendors (856)"},
    {"document_type": "receipt", "direction": "in", "sequence": 60, "name": "SPS: warehouse receipts (944)"},
    {"document_type": "inventory", "direction": "in", "sequence": 70, "name": "SPS: inventory advice (846)"},
)  # fmt: skip


class MlConnectorSystemSps(models.AbstractModel):
    """SPS Commerce: Auth0 client credentials and the Transaction API v5 mailbox (reference §2, §3)."""

    _name = "ml.connector.system.sps"
    _inherit = "ml.connector.system"
    _description = "SPS Commerce system"

    _binding_types = {
        "purchase_order": "sps_order_out",
        "customer_order": "sps_order_in",
        "customer_invoice": "sps_invoice_out",
        "purchase_order_status": "sps_ack_in",
        "shipment": "sps_asn",
        "receipt": "sps_receipt",
        "item": "sps_item",
    }

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
    def _default_flows(self, other=None):
        if other:
            return []  # SPS exchanges documents with this database only
        return [dict(spec) for spec in DEFAULT_FLOWS]

    # ------------------------------------------------------------------ acknowledgements (855)
    @api.model
    def _order_search_domain(self, backend, status):
        partner = backend._sps_partner(status.supplier.key)
        return [("partner_id.commercial_partner_id", "=", partner.partner_id.id)]

    @api.model
    def _unknown_order_error(self, backend, status):
        partner = backend._sps_partner(status.supplier.key)
        return backend._sps_unknown_order(partner, status.po.number, self.env._("Acknowledgement"))

    @api.model
    def _record_po_status(self, backend, po, status, line):
        """A vendor's acknowledgement (855) on our order: the order's acknowledgement status, type,
        number and date, each line's status and the vendor's schedule. Quantities and prices stay:
        the buyer decides."""
        partner = backend._sps_partner(status.supplier.key)
        line_statuses, unknown = {}, []
        for index, status_line in enumerate(status.lines, start=1):
            order_line = po._sps_order_line(status_line.number, status_line.item)
            line_status = SPS_STATUS.get(status_line.status, status_line.status)
            if order_line:
                line_statuses[order_line] = (line_status, status_line.detail[:250] or line_status)
            else:
                unknown.append(status_line.number or str(index))
        ack_type = status.type_code
        overall = ack_status(ack_type, {s for s, _detail in line_statuses.values()})
        values = {
            "sps_ack_status": overall,
            "sps_ack_type": ack_type or False,
            "sps_ack_number": status.number or False,
            "sps_ack_date": fields.Date.to_date(status.date)
            if status.date
            else fields.Date.context_today(self),
            "sps_partner_id": partner.id,
        }
        message = self.env._(
            "SPS acknowledgement %(number)s from %(partner)s: %(status)s.",
            number=status.number,
            partner=partner.name,
            status=dict(po._fields["sps_ack_status"].selection)[overall],
        )
        if unknown:
            message += " " + self.env._("Lines not found on the order: %s.", ", ".join(unknown))
        po._sps_apply_ack(values, line_statuses, message)
        return message
