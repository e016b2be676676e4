import hashlib
import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from odoo import api, fields, models, sql_db, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.db import retry_on_conflict
from ..tools.errors import AuthError, ConfigurationError, ConnectorError
from ..tools.redact import redact_text
from .ml_connector_audit_attempt import TRIGGERS
from .ml_connector_secret import BackendTokenStore

_logger = logging.getLogger(__name__)

# Odoo's crons that change the business records flows with an Odoo end write (purchase orders,
# stock moves, reordering rules): such a flow and such a cron never run at the same time, else
# PostgreSQL cancels one of them. XML ids, comma-separated, in this system parameter.
ODOO_CRONS_PARAM = "ml_connector.exclusive_crons"
ODOO_CRONS_DEFAULT = "stock.ir_cron_scheduler_action"

# pg_try_advisory_lock(int, int) namespace for "a run of this connection is in progress"
RUN_LOCK_NAMESPACE = 0x6D6C63  # "mlc"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
HTTP_CLIENTS = ("ml_connector", "http_clients")  # key of the HTTP clients in cr.cache
DRY_RUN = ("ml_connector", "dry_run")  # a tools.dry_run.DryRun while a dry run is in progress


def commit_keeping_clients(env, processed=0):
    """``ir.cron._commit_progress`` of a run's batch, the run's HTTP clients kept over it.

    Odoo empties ``cr.cache`` at every commit, and a run commits every batch: the clients would be
    built again (credentials decrypted, connection opened) for each one. A rollback still drops
    them (they may hold what it undid); so do the end of a run and a change to a connection.
    """
    clients = env.cr.cache.get(HTTP_CLIENTS)
    time_left = env["ir.cron"]._commit_progress(processed)
    if clients is not None:
        env.cr.cache.setdefault(HTTP_CLIENTS, clients)
    return time_left


class OdooCronHold:
    """Odoo's crons that never run together with a flow (``_odoo_crons``), held from the first flow
    of a cycle with an Odoo end to the end of the cycle: taken once, not once per flow."""

    def __init__(self, backend):
        self.backend = backend
        self.cursors = None

    def hold(self):
        """Whether the crons are held (taken now if need be); False while one of them runs."""
        if self.cursors is None:
            self.cursors = self.backend._hold_odoo_crons()
        return self.cursors is not None

    def release(self):
        for cursor in self.cursors or []:
            cursor.close()
        self.cursors = None


class MlConnectorBackend(models.Model):
    """A connection to one remote system (one JAGGAER tenant, one SPS account...).

    Owns credentials (encrypted, write-only), limits, the schedule (its own ir.cron, so
    two connections run in parallel but one connection never overlaps itself) and flows.
    """

    _name = "ml.connector.backend"
    _description = "Connector connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"

    # Secret fields handled by the vault: name on this model -> name of the stored secret.
    _secret_fields = ("client_secret",)

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, tracking=True
    )
    system_type = fields.Selection(
        [("generic", "Generic OAuth2 REST")],
        string="System",
        required=True,
        default="generic",
        help="Which remote system this connection talks to. Each system adds its own settings and flows.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("paused", "Paused")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        help="Only active connections run on their schedule. A connection pauses itself when its "
        "credentials are refused or when it finds itself in a copied database.",
    )
    paused_reason = fields.Char(readonly=True, copy=False)
    test_mode = fields.Boolean(
        help="Test or sandbox endpoint (e.g. the built-in simulators): allows plain http:// and "
        "loopback URLs. Production connections must use https.",
        tracking=True,
    )
    base_url = fields.Char("Base URL", tracking=True)
    token_url = fields.Char("Token URL", tracking=True)
    ping_path = fields.Char(
        default="/",
        help="Cheap authenticated GET used by 'Test connection' for generic REST connections.",
    )
    client_id = fields.Char("Client ID", tracking=True, copy=False)
    client_secret = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_client_secret",
        groups="base.group_system",
        copy=False,
        help="Stored encrypted. Never displayed again once saved: type a new value to replace it.",
    )
    client_secret_set = fields.Boolean(compute="_compute_secret_set", string="Client secret set")
    user_id = fields.Many2one(
        "res.users",
        string="Run as",
        default=lambda self: self.env.ref("base.user_root"),
        required=True,
        help="User whose rights the synchronisation uses (records are created as this user).",
    )

    # schedule
    cron_id = fields.Many2one("ir.cron", readonly=True, copy=False, ondelete="set null")
    interval_number = fields.Integer(
        "Run every",
        default=lambda self: int(
            self.env["ir.config_parameter"].sudo().get_param("ml_connector.default_interval_number", 15) or 15
        ),
        required=True,
    )
    interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        default=lambda self: (
            self.env["ir.config_parameter"].sudo().get_param("ml_connector.default_interval_type", "minutes")
        ),
        required=True,
    )
    next_run = fields.Datetime(related="cron_id.nextcall", string="Next run")
    next_trigger = fields.Selection(
        TRIGGERS,
        readonly=True,
        copy=False,
        help="Why the next run was asked for (a manual run, a replay, a review decision); "
        "empty: the schedule.",
    )

    # limits
    timeout = fields.Float(
        "Timeout (s)", default=30.0, help="Longest wait for the remote to accept a connection or send data."
    )
    request_max_attempts = fields.Integer(
        "Attempts per request", default=4, help="Tries for one HTTP request on 429/502/503/504."
    )
    max_retry_after = fields.Integer(
        "Longest wait (s)",
        default=60,
        help="A Retry-After longer than this ends the call; the record is retried on a later run.",
    )
    record_max_attempts = fields.Integer(
        "Attempts per record",
        default=5,
        help="After this many failed attempts a record stops being retried automatically (state Failed).",
    )
    rate_limit_per_minute = fields.Integer(
        "Requests per minute", default=0, help="Client-side cap on requests to this system (0 = none)."
    )
    batch_size = fields.Integer(default=100, help="Records per committed batch.")
    price_tolerance = fields.Float(
        "Price tolerance (%)",
        default=0.0,
        help="An invoice unit price may exceed the purchase order's by this much before the invoice is "
        "refused as 'amount above the PO'.",
    )
    cost_center_plan_id = fields.Many2one(
        "account.analytic.plan",
        "Cost centre plan",
        help="Analytic plan whose accounts are this connection's cost centres. Empty: any analytic account "
        "of a purchase order line is a cost centre.",
    )
    match_fuzzy_threshold = fields.Integer(
        "Fuzzy match threshold",
        default=85,
        help="Similarity (0-100) above which a name is proposed as a candidate in the review queue. "
        "A similar name alone never decides a match.",
    )

    # audit trail
    retention_payload_days = fields.Integer(
        "Keep payloads (days)",
        help="Days the documents as read, sent and answered are kept on finished audit lines. Empty: the "
        "legal retention period set in Settings > Connectors. Their digests stay in the audit chain.",
    )
    retention_metadata_days = fields.Integer(
        "Keep audit lines and runs (days)",
        help="Days finished audit lines and runs are kept. Empty: the legal retention period set in "
        "Settings > Connectors. Failed and waiting lines are never removed.",
    )
    retention_summary = fields.Char("Retention", compute="_compute_retention_summary")

    # status
    last_attempt_date = fields.Datetime(readonly=True, copy=False)
    last_success_date = fields.Datetime(
        readonly=True, copy=False, help="End of the last run that completed without a connection-level error."
    )
    last_error = fields.Text(readonly=True, copy=False)
    database_uuid = fields.Char(
        readonly=True,
        copy=False,
        help="Database identity when the connection was activated: a copy of the database (staging, "
        "restored backup) has another and does not send anything until re-activated.",
    )

    flow_ids = fields.One2many("ml.connector.flow", "backend_id", string="Flows")
    run_ids = fields.One2many("ml.connector.run", "backend_id", string="Runs")
    failed_count = fields.Integer(compute="_compute_line_counts")
    review_count = fields.Integer(compute="_compute_line_counts")
    run_count = fields.Integer(compute="_compute_line_counts")

    @api.constrains("base_url", "token_url", "test_mode")
    def _check_urls(self):
        for backend in self:
            for label, url in (("Base URL", backend.base_url), ("Token URL", backend.token_url)):
                if url:
                    backend._validate_url(label, url)

    def _validate_url(self, label, url):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(self.env._("%(label)s is not a valid URL: %(url)s", label=label, url=url))
        if parts.scheme != "https" and not self.test_mode:
            raise ValidationError(
                self.env._(
                    "%(label)s must use https. Plain http is only allowed for connections in test mode "
                    "(simulators, sandboxes).",
                    label=label,
                )
            )
        if parts.hostname in LOOPBACK_HOSTS and not self.test_mode:
            raise ValidationError(
                self.env._("%(label)s points to this machine; enable test mode for that.", label=label)
            )

    @api.depends("retention_payload_days", "retention_metadata_days")
    def _compute_retention_summary(self):
        for backend in self:
            payload_days, metadata_days = backend._retention_days()

            def text(days):
                return self.env._("%s days", days) if days else self.env._("forever")

            backend.retention_summary = self.env._(
                "Payloads: %(payloads)s; audit lines and runs: %(lines)s",
                payloads=text(payload_days),
                lines=text(metadata_days),
            )

    @api.constrains("retention_payload_days", "retention_metadata_days")
    def _check_retention(self):
        for backend in self:
            if min(backend.retention_payload_days, backend.retention_metadata_days) < 0:
                raise ValidationError(
                    self.env._("Retention periods are a number of days (empty: the legal period).")
                )

    @api.constrains("interval_number", "record_max_attempts", "request_max_attempts", "batch_size")
    def _check_positive(self):
        for backend in self:
            if (
                min(
                    backend.interval_number,
                    backend.record_max_attempts,
                    backend.request_max_attempts,
                    backend.batch_size,
                )
                < 1
            ):
                raise ValidationError(self.env._("Interval, attempts and batch size must be at least 1."))

    # ------------------------------------------------------------------ secrets
    def _compute_secrets(self):
        for backend in self:
            for field_name in self._secret_fields:
                backend[field_name] = False

    def _compute_secret_set(self):
        secrets = (
            self.env["ml.connector.secret"]
            .sudo()
            .search_read([("backend_id", "in", self.ids), ("name", "=", "client_secret")], ["backend_id"])
        )
        with_secret = {s["backend_id"][0] for s in secrets}
        for backend in self:
            backend.client_secret_set = backend.id in with_secret

    def _inverse_client_secret(self):
        for backend in self:
            if backend.client_secret:
                backend._set_secret("client_secret", backend.client_secret)

    def _set_secret(self, name, value):
        self.ensure_one()
        self.env["ml.connector.secret"]._store(self, name, value)
        self.env.registry.clear_cache()  # _cached_secret_values, in every worker
        self._forget_http_clients()
        BackendTokenStore.forget_backend(self.env.cr.dbname, self.id)
        self.env["ml.connector.secret"].sudo().search(
            [("backend_id", "=", self.id), ("name", "=like", "token:%")]
        ).unlink()
        field = self._fields.get(name)
        label = field._description_string(self.env) if field else name
        self.message_post(body=self.env._("%(credential)s changed (stored encrypted).", credential=label))

    def _get_secret(self, name):
        """Decrypted secret, for building requests only: never log or store the result."""
        self.ensure_one()
        return self.env["ml.connector.secret"]._read(self, name)[0]

    def _secret_values(self):
        """Current secrets, so that payloads and messages can be scrubbed of them."""
        self.ensure_one()
        return list(self._cached_secret_values(self.id))

    @tools.ormcache("backend_id")
    def _cached_secret_values(self, backend_id):
        # Read once per process, not once per document; cleared when a credential changes.
        backend = self.browse(backend_id)
        return tuple(v for v in (backend._get_secret(name) for name in self._secret_fields) if v)

    def _token_store(self, *parts):
        fingerprint = hashlib.sha256("|".join(str(p or "") for p in parts).encode()).hexdigest()[:16]
        return BackendTokenStore(self, fingerprint)

    # ------------------------------------------------------------------ system-specific behaviour
    def _system(self):
        self.ensure_one()
        return self.env[f"ml.connector.system.{self.system_type}"]

    def _http(self, base_url=None):
        """The HTTP client of this connection (timeouts, retries, rate limit, auth).

        One per connection and transaction, kept over the commits of a run: the documents and
        batches of a run share it (and its open connection), instead of each decrypting the
        credentials and connecting again. Writing to the connection or its credentials drops it.
        """
        self.ensure_one()
        clients = self._http_clients()
        key = (self.id, base_url, self.env.context.get("cron_end_time"))
        client = clients.get(key)
        if client is None:
            client = clients[key] = self._system()._http(self, base_url=base_url)
        dry_run = self.env.cr.cache.get(DRY_RUN)
        return dry_run.wrap(client) if dry_run else client

    def _http_clients(self):
        """The HTTP clients of this transaction, by connection, base URL and cron deadline (kept
        over the commits of a run by :func:`commit_keeping_clients`)."""
        return self.env.cr.cache.setdefault(HTTP_CLIENTS, {})

    def _forget_http_clients(self):
        self.env.cr.cache.pop(HTTP_CLIENTS, None)

    def _system_label(self):
        """The system's name as people know it (JAGGAER, SPS Commerce…)."""
        self.ensure_one()
        return dict(self._fields["system_type"]._description_selection(self.env)).get(self.system_type, "")

    def _binding_type(self, kind):
        """The binding type this connection's system uses for documents of ``kind``."""
        self.ensure_one()
        return self._system()._binding_types.get(kind) or f"{self.system_type}_{kind}"

    # ------------------------------------------------------------------ schedule
    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        for backend in backends:
            backend._sync_cron()
            if not backend.flow_ids:
                backend._create_default_flows()
        return backends

    def write(self, vals):
        self._forget_http_clients()
        res = super().write(vals)
        if {"interval_number", "interval_type", "state", "name", "active"} & set(vals):
            self._sync_cron()
        if "system_type" in vals:
            for backend in self.filtered(lambda b: not b.flow_ids):
                backend._create_default_flows()
        return res

    def unlink(self):
        crons = self.cron_id
        res = super().unlink()
        crons.sudo().unlink()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        for backend, vals in zip(self, vals_list):
            vals.setdefault("name", self.env._("%s (copy)", backend.name))
        return vals_list

    def _sync_cron(self):
        model = self.env["ir.model"]._get_id(self._name)
        for backend in self:
            vals = {
                "name": f"Connector: {backend.name}",
                "interval_number": backend.interval_number,
                "interval_type": backend.interval_type,
                "active": backend.active and backend.state == "active",
            }
            if backend.cron_id:
                backend.cron_id.sudo().write(vals)
                continue
            cron = (
                self.env["ir.cron"]
                .sudo()
                .create(
                    {
                        **vals,
                        "model_id": model,
                        "state": "code",
                        "code": f"model._cron_run_backend({backend.id})",
                        "user_id": self.env.ref("base.user_root").id,
                        "nextcall": fields.Datetime.now(),
                        "priority": 10,
                    }
                )
            )
            backend.sudo().cron_id = cron

    def _create_default_flows(self, other=None):
        """The flows this connection's system proposes with Odoo, or with connection ``other``."""
        self.ensure_one()
        return self.env["ml.connector.flow"]._create_default_flows(self, other)

    # ------------------------------------------------------------------ actions
    def _check_manager(self):
        if not self.env.user.has_group("ml_connector.group_ml_connector_manager"):
            raise UserError(self.env._("Only connector managers can do this."))

    def action_activate(self):
        self._check_manager()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        for backend in self:
            if backend.base_url:
                backend._validate_url(self.env._("Base URL"), backend.base_url)
            backend.write(
                {"state": "active", "paused_reason": False, "database_uuid": uuid, "last_error": False}
            )
            backend.cron_id.sudo().nextcall = fields.Datetime.now()
        return True

    def action_pause(self):
        self._check_manager()
        self.write({"state": "paused", "paused_reason": self.env._("Paused by %s", self.env.user.name)})
        return True

    def action_draft(self):
        self._check_manager()
        self.write({"state": "draft", "paused_reason": False})
        return True

    def action_run_now(self):
        """Schedule a run as soon as a cron worker is free (same path as the scheduler)."""
        self.ensure_one()
        self._check_manager()
        if self.state != "active":
            raise UserError(self.env._("Activate the connection first."))
        self._trigger_run("manual")
        return self._notify(
            self.env._("Run scheduled"),
            self.env._("%s runs within moments; its run appears under Runs.", self.name),
            "info",
        )

    def _trigger_run(self, reason=None):
        """Ask for a run as soon as possible (e.g. right after a document to send changed), and
        remember why (``reason``: a trigger code) so that the run says so.

        The run itself happens in the connection's cron, after the caller's transaction
        committed: nothing is sent for a change that could still be rolled back.
        """
        for backend in self.sudo().filtered(lambda b: b.state == "active" and b.cron_id):
            if reason and reason != "cron" and backend.next_trigger != reason:
                backend.next_trigger = reason
            backend.cron_id._trigger()

    def _next_run_text(self):
        """When this connection runs next, as people read it."""
        self.ensure_one()
        if self.state != "active":
            return self.env._("not scheduled (the connection is %s)", self._state_label())
        return self.env._(
            "now (then every %(n)s %(unit)s)", n=self.interval_number, unit=self._interval_label()
        )

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state, "").lower()

    def _interval_label(self):
        labels = dict(self._fields["interval_type"]._description_selection(self.env))
        return labels.get(self.interval_type, "").lower()

    @api.model
    def _load_demo_credentials(self, backend_ids, client_secret):
        """Demo data: store the simulator's secret (encrypted with this server's key) and
        activate the connection, so that its first cron run moves the demo documents."""
        backends = self.browse(backend_ids)
        for backend in backends:
            backend._set_secret("client_secret", client_secret)
        backends.action_activate()

    def action_test_connection(self):
        self.ensure_one()
        self._check_manager()
        try:
            message = self._system()._test_connection(self)
        except ConnectorError as exc:
            self.last_error = str(exc)
            return self._notify(self.env._("Connection failed"), self._scrub(str(exc)), "danger", sticky=True)
        except UserError as exc:
            return self._notify(self.env._("Connection failed"), str(exc), "danger", sticky=True)
        return self._notify(self.env._("Connection works"), message, "success")

    @api.model
    def _notify(self, title, message, kind, sticky=False, reload=False):
        params = {"title": title, "message": message, "type": kind, "sticky": sticky}
        if reload:
            params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def _scrub(self, text):
        try:
            secrets = self.sudo()._secret_values()
        except UserError:
            secrets = []
        return redact_text(text, secrets)

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ml_connector.action_ml_connector_audit_line")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_attention": 1}
        return action

    def action_open_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ml_connector.action_ml_connector_run")
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    def _compute_line_counts(self):
        Line = self.env["ml.connector.audit.line"]
        counts = {
            (backend.id, state): count
            for backend, state, count in Line._read_group(
                [("backend_id", "in", self.ids), ("state", "in", ("failed", "needs_review"))],
                ["backend_id", "state"],
                ["__count"],
            )
        }
        runs = dict(
            self.env["ml.connector.run"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.failed_count = counts.get((backend.id, "failed"), 0)
            backend.review_count = counts.get((backend.id, "needs_review"), 0)
            backend.run_count = runs.get(backend, 0)

    # ------------------------------------------------------------------ running
    @api.model
    def _cron_run_backend(self, backend_id):
        backend = self.browse(backend_id).exists()
        if not backend or backend.state != "active":
            return
        backend._run_cycle(trigger=backend.next_trigger or "cron")

    def _check_not_copied(self):
        """Refuse to talk to the remote from a copied or neutralised database."""
        self.ensure_one()
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        if self.database_uuid and self.database_uuid != uuid:
            reason = self.env._(
                "This database is not the one where the connection was activated (a copy, a restored "
                "backup or a neutralised database): nothing is sent and no token is requested until a "
                "manager activates the connection again here."
            )
            if self.state == "active":
                self.sudo().write({"state": "paused", "paused_reason": reason})
            raise ConfigurationError(reason)

    def _check_runnable(self):
        self._check_not_copied()
        if self.state != "active":
            raise ConfigurationError(self.env._("The connection is not active (%s).", self.state))

    def _acquire_run_lock(self):
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", (RUN_LOCK_NAMESPACE, self.id))
        return self.env.cr.fetchone()[0]

    def _release_run_lock(self):
        if self.env.cr._cnx.info.transaction_status == TRANSACTION_STATUS_INERROR:
            # The run stopped on a database error: its transaction is lost anyway (the caller rolls
            # it back). Roll back now, or the unlock would fail too and the lock, which outlives
            # transactions, would stay held by a pooled connection: no run of this connection
            # could start again until the server restarts.
            self.env.cr.rollback()
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (RUN_LOCK_NAMESPACE, self.id))

    def _sync_env(self):
        """Environment a run works in: the connection's user and company, never the caller's."""
        self.ensure_one()
        env = self.env(user=self.user_id.id, context={**self.env.context, "tracking_disable": True})
        return env["ml.connector.backend"].browse(self.id).with_company(self.company_id)

    def _run_cycle(self, trigger="cron"):
        """One synchronisation cycle: every active flow, master data first.

        Works in committed batches (``ir.cron._commit_progress``); when the cron's time budget
        runs out, returns with work remaining so that the scheduler calls again.
        """
        self.ensure_one()
        if not self._acquire_run_lock():
            _logger.info("Connection %s is already running elsewhere; skipping.", self.name)
            return False
        backend = self._sync_env()
        run = self.env["ml.connector.run"]
        used = self
        started = time.monotonic()
        try:
            # This transaction's snapshot may predate the last commit of the run that held the lock
            # before: writing to the rows it wrote would be refused (serialisation failure). Start
            # from a fresh snapshot, taken now that the lock is ours.
            self.env["ir.cron"]._commit_progress()
            backend._check_runnable()
            run = backend.env["ml.connector.run"]._current_run(backend, trigger)
            self.sudo().write({"last_attempt_date": fields.Datetime.now(), "next_trigger": False})
            # committed before any work: a batch rolled back after a conflict must not take it along
            self.env["ir.cron"]._commit_progress()
            remaining, others = backend._run_flows(run)
            used |= others
            self.env["ml.connector.audit.attempt"]._seal(self)
            if remaining:
                run._add_duration(time.monotonic() - started)
                self.env["ir.cron"]._commit_progress(remaining=remaining)
                return True
            run._finish(elapsed=time.monotonic() - started)
            values = {"last_error": run.error_message or False}
            if run.state == "done":
                values["last_success_date"] = run.date_end
            self.sudo().write(values)
            self.env["ir.cron"]._commit_progress(remaining=0)
            return True
        except AuthError as exc:
            # Work already done in this batch is consistent (each record saved with its audit
            # line) and is kept; only the connection stops.
            message = self._scrub(str(exc))
            self._pause_refused(message)
            if run:
                run._finish(error=message, state="failed", elapsed=time.monotonic() - started)
            self.env["ir.cron"]._commit_progress(remaining=0)
            return False
        except ConfigurationError as exc:
            if run:
                run._finish(error=str(exc), state="failed", elapsed=time.monotonic() - started)
            self.sudo().last_error = str(exc)
            return False
        finally:
            self._release_run_lock()
            for end in used:
                try:
                    end._system()._run_finished(end)
                except Exception:  # closing a remote session must never fail the run
                    _logger.warning("Connection %s: closing its session failed", end.name, exc_info=True)
            self._forget_http_clients()

    def _run_flows(self, run):
        """Every active flow of the cycle, master data first, until the cron's time budget runs out;
        return the work left and the other connections the flows used."""
        remaining, used = 0, self.browse()
        crons = OdooCronHold(self)
        counters = run._counters()
        try:
            flows = self.flow_ids.filtered("active").sorted(lambda f: (not f.master_data, f.sequence, f.id))
            for flow in flows:
                step, counters = self._run_flow_logged(flow, run, crons, counters)
                if step is None:
                    continue
                remaining += step
                used |= flow._other_backends()
                if remaining and self._time_left() <= 0:
                    break
        finally:
            crons.release()
        return remaining, used

    def _run_flow_logged(self, flow, run, crons, before):
        """``_run_flow``, with what the flow did written on the run's log (counts and time); return
        the work left and the run's counters after the flow (those before the next one)."""
        started = time.monotonic()
        step = self._run_flow(flow, run, crons)
        after = run._counters()
        run._log_flow(flow, {key: after[key] - before[key] for key in after}, time.monotonic() - started)
        # the flow's outcome (its log line, dates, mark) kept whatever the next flow meets
        commit_keeping_clients(self.env)
        return step, after

    def _run_flow(self, flow, run, crons):
        """Run one flow of this connection's cycle; return the work left, None when it could not run.

        A flow between two connections also holds the other connection's run lock, so that it
        never overlaps that connection's own runs. Locks are only ever tried, never waited for,
        so two runs cannot deadlock; a flow whose other end is busy waits for a run a minute later.
        """
        others = flow._other_backends().sorted("id")
        taken = self.browse()
        try:
            if flow._has_odoo_end():
                if not crons.hold():
                    run._log(
                        self.env._(
                            "%(flow)s waits: Odoo's %(crons)s is running on the same records; tried again "
                            "in a minute.",
                            flow=flow.name,
                            crons=", ".join(self._odoo_crons().mapped("name")),
                        )
                    )
                    self.cron_id.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=1))
                    return None
            for other in others:
                other._check_runnable()
                if not other._acquire_run_lock():
                    run._log(
                        self.env._(
                            "%(flow)s waits: %(other)s is running; tried again in a minute.",
                            flow=flow.name,
                            other=other.name,
                        )
                    )
                    self.cron_id.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=1))
                    return None
                taken |= other
            return retry_on_conflict(self.env, lambda: flow._run_step(run), flow.name)
        except ConfigurationError as exc:
            run._log(self.env._("%(flow)s did not run: %(error)s", flow=flow.name, error=exc), error=True)
            flow.sudo().last_error = str(exc)
            self.env["ir.cron"]._commit_progress()
            return None
        except AuthError as exc:
            refused = self.browse(exc.owner).exists() if getattr(exc, "owner", None) else self
            if refused == self:
                raise
            # the other end refused its credentials: that connection stops, this one goes on
            refused.with_env(self.env)._pause_refused(refused._scrub(str(exc)))
            run._log(
                self.env._(
                    "%(flow)s stopped: %(other)s refused the credentials.", flow=flow.name, other=refused.name
                ),
                error=True,
            )
            self.env["ir.cron"]._commit_progress()
            return None
        finally:
            for other in taken:
                other._release_run_lock()

    @api.model
    def _odoo_crons(self):
        """Odoo's crons that never run together with a flow that writes Odoo records."""
        xmlids = self.env["ir.config_parameter"].sudo().get_param(ODOO_CRONS_PARAM, ODOO_CRONS_DEFAULT)
        crons = self.env["ir.cron"].sudo()
        for xmlid in filter(None, (part.strip() for part in xmlids.split(","))):
            crons |= self.env.ref(xmlid, raise_if_not_found=False) or crons
        return crons.filtered(lambda cron: cron._name == "ir.cron")

    @api.model
    def _hold_odoo_crons(self):
        """Keep Odoo's crons that change the same records (``_odoo_crons``) from starting while a
        flow runs; ``None`` if one of them is running now.

        Odoo's cron runner marks a job as running with a row lock on its ``ir_cron`` row and skips
        jobs whose row is locked. The flow takes a shared lock on those rows (flows of several
        connections may hold it together) in a transaction of its own that outlives the flows'
        batch commits. Return the cursors to close when the cycle's flows end.
        """
        crons = self._odoo_crons()
        if not crons:
            return []
        cursor = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            cursor.execute("SELECT id FROM ir_cron WHERE id IN %s FOR SHARE SKIP LOCKED", [tuple(crons.ids)])
            if len(cursor.fetchall()) == len(crons):
                return [cursor]
        except Exception:
            cursor.close()
            raise
        cursor.close()
        return None

    def _pause_refused(self, message):
        """The remote refused this connection's credentials: pause it and say so once."""
        self.sudo().write(
            {
                "state": "paused",
                "paused_reason": self.env._("Credentials refused: %s", message),
                "last_error": message,
            }
        )
        self.message_post(
            body=self.env._("Connection paused: the remote refused the credentials. %s", message)
        )

    def _time_left(self):
        """Seconds left in this cron call's budget (infinite outside a cron)."""
        end = self.env.context.get("cron_end_time")
        return end - time.monotonic() if end else float("inf")

    # ------------------------------------------------------------------ audit trail
    @api.model
    def _legal_retention_days(self):
        """The legal retention period the admin set (Settings > Connectors), in days; 0: forever."""
        years = self.env["ir.config_parameter"].sudo().get_param("ml_connector.retention_years", "10")
        try:
            return max(int(float(years) * 365.25), 0)
        except ValueError:
            return 3653

    def _retention_days(self):
        """(days payloads are kept, days audit lines and runs are kept) for this connection; 0: forever."""
        self.ensure_one()
        legal = self._legal_retention_days()
        return self.retention_payload_days or legal, self.retention_metadata_days or legal

    @api.model
    def _cron_retention(self):
        """Apply each connection's retention to finished audit lines, their attempts and runs."""
        connections = self.sudo().with_context(active_test=False)
        for backend in connections.search([("state", "in", ("draft", "active", "paused"))]):
            payload_days, metadata_days = backend._retention_days()
            if payload_days:
                backend._purge_payloads(fields.Datetime.now() - timedelta(days=payload_days))
            if metadata_days:
                backend._purge_metadata(fields.Datetime.now() - timedelta(days=metadata_days))
            self.env["ir.cron"]._commit_progress()

    def _purge_payloads(self, before):
        """Remove the payload texts of finished lines (and their attempts) last changed before
        ``before``; their digests stay, so the audit chain still verifies."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            """UPDATE ml_connector_audit_line
               SET request_payload = NULL, sent_payload = NULL, response_payload = NULL,
                   payloads_purged = TRUE
               WHERE backend_id = %s AND state IN ('done', 'skipped') AND write_date < %s
                 AND NOT COALESCE(payloads_purged, FALSE)""",
            (self.id, before),
        )
        cr.execute(
            """UPDATE ml_connector_audit_attempt AS a
               SET request_payload = NULL, sent_payload = NULL, response_payload = NULL,
                   payloads_purged = TRUE
               WHERE a.backend_id = %s AND a.date < %s AND NOT COALESCE(a.payloads_purged, FALSE)
                 AND (a.line_id IS NULL OR EXISTS (
                     SELECT 1 FROM ml_connector_audit_line l
                     WHERE l.id = a.line_id AND l.state IN ('done', 'skipped')))""",
            (self.id, before),
        )
        self.env["ml.connector.audit.line"].invalidate_model()
        self.env["ml.connector.audit.attempt"].invalidate_model()

    def _purge_metadata(self, before):
        """Delete finished lines and runs older than ``before``. The attempts of deleted lines keep
        only their link in the chain (its content digest and hash), so the chain still verifies."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            """DELETE FROM ml_connector_audit_line WHERE id IN (
                   SELECT id FROM ml_connector_audit_line
                   WHERE backend_id = %s AND state IN ('done', 'skipped') AND write_date < %s
                   ORDER BY id LIMIT 20000)""",
            (self.id, before),
        )
        cr.execute(
            """UPDATE ml_connector_audit_attempt
               SET request_payload = NULL, sent_payload = NULL, response_payload = NULL, message = NULL,
                   error_kind = NULL, document = NULL, payloads_purged = TRUE, details_purged = TRUE
               WHERE backend_id = %s AND line_id IS NULL AND NOT COALESCE(details_purged, FALSE)""",
            (self.id,),
        )
        cr.execute(
            "DELETE FROM ml_connector_run WHERE backend_id = %s AND date_start < %s AND state != 'running'",
            (self.id, before),
        )
        for model in ("ml.connector.audit.line", "ml.connector.audit.attempt", "ml.connector.run"):
            self.env[model].invalidate_model()

    def action_verify_audit_chain(self):
        """Check that no recorded attempt was changed, removed or inserted, and that every finished
        line still shows its last recorded attempt; report the first problem found."""
        self.ensure_one()
        Attempt = self.env["ml.connector.audit.attempt"]
        Attempt._seal(self)
        checked, problem = Attempt._verify(self)
        problem = problem or self._first_line_differing_from_its_attempt()
        if problem:
            message = self.env._(
                "%(n)s links verified before this one. First problem: %(problem)s", n=checked, problem=problem
            )
            self.message_post(body=self.env._("Audit trail verification failed. %s", message))
            return self._notify(self.env._("Audit trail broken"), message, "danger", sticky=True)
        message = self.env._(
            "%(n)s attempts verified, from the first to the last: none was changed, removed or inserted, "
            "and every finished audit line shows its last recorded attempt.",
            n=checked,
        )
        return self._notify(self.env._("Audit trail intact"), message, "success")

    def _first_line_differing_from_its_attempt(self):
        self.ensure_one()

        def differs(column, digest_column):
            text = SQL.identifier("l", column)
            return SQL(
                "CASE WHEN COALESCE(%(text)s, '') = '' THEN '' "
                "ELSE encode(sha256(convert_to(%(text)s, 'UTF8')), 'hex') END != COALESCE(%(digest)s, '')",
                text=text,
                digest=SQL.identifier("a", digest_column),
            )

        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT l.id, l.name FROM ml_connector_audit_line l
                   JOIN LATERAL (SELECT * FROM ml_connector_audit_attempt a WHERE a.line_id = l.id
                                 ORDER BY a.id DESC LIMIT 1) a ON TRUE
                   WHERE l.backend_id = %(backend)s
                     AND l.state IN ('done', 'skipped', 'failed', 'needs_review')
                     AND NOT COALESCE(l.in_flight, FALSE) AND NOT COALESCE(l.payloads_purged, FALSE)
                     AND NOT COALESCE(a.payloads_purged, FALSE)
                     AND (l.state != a.state OR %(request)s OR %(sent)s OR %(response)s)
                   ORDER BY l.id LIMIT 1""",
                backend=self.id,
                request=differs("request_payload", "request_digest"),
                sent=differs("sent_payload", "sent_digest"),
                response=differs("response_payload", "response_digest"),
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        return self.env._(
            "Audit line %(id)s (%(document)s) no longer shows what its last attempt recorded: it was edited.",
            id=row[0],
            document=row[1],
        )
