import logging
from datetime import timedelta

from markupsafe import Markup, escape
from psycopg2 import OperationalError

from odoo import api, fields, models

from ..tools.db import is_concurrency_error

_logger = logging.getLogger(__name__)

HEALTH = [("green", "Healthy"), ("amber", "Needs a look"), ("red", "Failing"), ("grey", "Not running")]
SPARK = "▁▂▃▄▅▆▇█"
STUCK_RUN = timedelta(hours=1)  # a run unchanged for this long is stuck
AUTH_FAILURES = 3  # runs refused their credentials within a day: repeated auth failures


class MlConnectorBackendHealth(models.Model):
    """What an admin sees of a connection at a glance (the overview's card) and what the watchdog
    checks: its health with the reasons, its backlog, what it moved lately, and who is told."""

    _inherit = "ml.connector.backend"

    health = fields.Selection(HEALTH, compute="_compute_health")
    health_reason = fields.Text("Why", compute="_compute_health")
    pending_count = fields.Integer(
        "Backlog", compute="_compute_overview", help="Documents waiting to be processed."
    )
    waiting_count = fields.Integer(
        "Waiting",
        compute="_compute_overview",
        help="Documents waiting for a vendor, a mapping or a decision.",
    )
    open_review_count = fields.Integer("To review", compute="_compute_overview")
    moved_24h = fields.Integer("Moved in 24 h", compute="_compute_overview")
    moved_7d = fields.Integer("Moved in 7 days", compute="_compute_overview")
    trend = fields.Char("Last 14 days", compute="_compute_overview", help="Documents moved per day.")
    flow_summary = fields.Html("Flows at a glance", compute="_compute_overview", sanitize=False)
    system_label = fields.Char("System name", compute="_compute_overview")
    alert_reason = fields.Text(
        readonly=True, copy=False, help="The problem the managers were last told about."
    )
    alerted_until = fields.Datetime(
        readonly=True, copy=False, help="Failures and review items up to this time were already reported."
    )

    # ------------------------------------------------------------------ overview
    def _line_counts(self, domain):
        Line = self.env["ml.connector.audit.line"]
        return dict(Line._read_group([("backend_id", "in", self.ids), *domain], ["backend_id"], ["__count"]))

    def _compute_overview(self):
        now = fields.Datetime.now()
        pending = self._line_counts([("state", "=", "pending")])
        waiting = self._line_counts([("state", "=", "needs_review")])
        moved_24h = self._line_counts([("state", "=", "done"), ("date_done", ">=", now - timedelta(days=1))])
        moved_7d = self._line_counts([("state", "=", "done"), ("date_done", ">=", now - timedelta(days=7))])
        reviews = dict(
            self.env["ml.connector.review"]._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "open")], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.pending_count = pending.get(backend, 0)
            backend.waiting_count = waiting.get(backend, 0)
            backend.moved_24h = moved_24h.get(backend, 0)
            backend.moved_7d = moved_7d.get(backend, 0)
            backend.open_review_count = reviews.get(backend, 0)
            backend.trend = backend._trend(now)
            backend.flow_summary = backend._flow_summary()
            backend.system_label = backend._system_label() if backend.system_type else ""

    def _trend(self, now, days=14):
        """Documents moved per day over the last ``days`` days, as a small bar line."""
        if not self.id:
            return ""
        start = (now - timedelta(days=days - 1)).date()
        self.env.cr.execute(
            """SELECT date_done::date, count(*) FROM ml_connector_audit_line
               WHERE backend_id = %s AND state = 'done' AND date_done >= %s GROUP BY 1""",
            (self.id, start),
        )
        per_day = dict(self.env.cr.fetchall())
        values = [per_day.get(start + timedelta(days=i), 0) for i in range(days)]
        top = max(values) or 1
        return "".join(SPARK[round(value * (len(SPARK) - 1) / top)] if value else "·" for value in values)

    def _flow_summary(self):
        """One row per flow this connection runs (its ends and what waits or failed), then the
        flows another connection runs with this one as their other end."""
        rows = [
            self._flow_row(flow, self.env._("with %s", flow._other_backends().name))
            if flow._other_backends()
            else self._flow_row(flow, "")
            for flow in self.flow_ids.filtered("active")
        ]
        run_elsewhere = self.env["ml.connector.flow"].search(
            [
                ("active", "=", True),
                ("backend_id", "!=", self.id),
                "|",
                ("source_backend_id", "=", self.id),
                ("target_backend_id", "=", self.id),
            ]
        )
        rows += [
            self._flow_row(flow, self.env._("run by %s", flow.backend_id.name)) for flow in run_elsewhere
        ]
        if not rows:
            return Markup("<p class='text-muted'>%s</p>") % self.env._("No active flow.")
        return Markup("<table class='table table-sm mb-0 o_ml_connector_flows'>%s</table>") % Markup("").join(
            rows
        )

    def _flow_row(self, flow, ends):
        counts = []
        if flow.failed_count:
            counts.append(
                Markup('<span class="text-danger">%s</span>') % self.env._("%s failed", flow.failed_count)
            )
        if flow.review_count:
            counts.append(
                Markup('<span class="text-warning">%s</span>') % self.env._("%s waiting", flow.review_count)
            )
        if flow.pending_count:
            counts.append(escape(self.env._("%s to process", flow.pending_count)))
        row = (
            "<tr><td>%s <small class='text-muted'>%s</small></td>"
            "<td class='text-end text-nowrap'>%s</td></tr>"
        )
        return Markup(row) % (flow.name, ends, Markup(", ").join(counts) if counts else "✓")

    # ------------------------------------------------------------------ health
    @api.depends("state", "paused_reason", "last_error")
    def _compute_health(self):
        for backend in self:
            health, reasons = backend._health_check()
            backend.health = health
            backend.health_reason = "\n".join(reasons)

    def _health_check(self):
        """(health, reasons): red for what stops documents, amber for what needs a look."""
        self.ensure_one()
        if not self.id:
            return "grey", []
        if self.state == "draft":
            return "grey", [self.env._("Not active yet: test the connection, then activate it.")]
        red, amber = [], []
        if self.state == "paused":
            red.append(self.paused_reason or self.env._("Paused."))
        red += self._watchdog_problems()
        failed = self.failed_count
        if failed:
            red.append(self.env._("%s document(s) failed and wait for a replay or a fix.", failed))
        if self.open_review_count:
            amber.append(self.env._("%s decision(s) to take in the review queue.", self.open_review_count))
        if self.waiting_count:
            amber.append(
                self.env._("%s document(s) wait for a vendor, a mapping or a decision.", self.waiting_count)
            )
        last_run = self.env["ml.connector.run"].search(
            [("backend_id", "=", self.id), ("state", "!=", "running")], limit=1
        )
        if last_run.state in ("partial", "failed") and last_run.error_message:
            amber.append(self.env._("Last run: %s", last_run.error_message.strip().splitlines()[-1]))
        if red:
            return "red", red + amber
        if amber:
            return "amber", amber
        return "green", [self.env._("Running on schedule; nothing failed or waits.")]

    def _watchdog_problems(self):
        """What keeps an active connection from working although nothing failed yet."""
        self.ensure_one()
        problems = []
        now = fields.Datetime.now()
        if self.state == "active" and self.cron_id:
            interval = timedelta(**{self.interval_type: self.interval_number})
            late = max(interval * 2, timedelta(minutes=10))
            nextcall = self.cron_id.nextcall
            if not self.cron_id.active:
                problems.append(self.env._("Its scheduled action is archived: nothing runs."))
            elif nextcall and now - nextcall > late:
                problems.append(
                    self.env._(
                        "The schedule is late: the run due at %(due)s has not started. Are scheduled actions "
                        "running on this server?",
                        due=self._user_time(nextcall),
                    )
                )
        stuck = self.env["ml.connector.run"].search(
            [("backend_id", "=", self.id), ("state", "=", "running"), ("write_date", "<", now - STUCK_RUN)],
            limit=1,
        )
        if stuck:
            problems.append(
                self.env._(
                    "%(run)s has made no progress since %(since)s: it is stuck.",
                    run=stuck.name,
                    since=self._user_time(stuck.write_date),
                )
            )
        refused = self.env["ml.connector.run"].search_count(
            [
                ("backend_id", "=", self.id),
                ("state", "=", "failed"),
                ("date_start", ">=", now - timedelta(days=1)),
                ("error_message", "ilike", "credential"),
            ]
        )
        if refused >= AUTH_FAILURES:
            problems.append(self.env._("The credentials were refused %s times in 24 hours.", refused))
        backlog = self.env["ml.connector.audit.line"].search_count(
            [
                ("backend_id", "=", self.id),
                ("state", "=", "pending"),
                ("create_date", "<", now - timedelta(hours=1)),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<", now),
            ]
        )
        if backlog and self.state == "active":
            problems.append(
                self.env._(
                    "%s document(s) have been due for over an hour: the backlog is not going down.", backlog
                )
            )
        return problems

    def _user_time(self, value):
        return fields.Datetime.context_timestamp(self, value).strftime("%Y-%m-%d %H:%M")

    # ------------------------------------------------------------------ actions of the overview
    def _lines_action(self, name, context, empty, explanation):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ml_connector.action_ml_connector_audit_line")
        action.update(
            name=name,
            domain=[("backend_id", "=", self.id)],
            context=context,
            help=Markup('<p class="o_view_nocontent_smiling_face">%s</p><p>%s</p>') % (empty, explanation),
        )
        return action

    def action_open_failed(self):
        return self._lines_action(
            self.env._("Failed: %s", self.name),
            {"search_default_filter_failed": 1},
            self.env._("Nothing failed"),
            self.env._(
                "Documents that could not be moved appear here with the reason; fix the cause, then "
                "replay them."
            ),
        )

    def action_open_waiting(self):
        return self._lines_action(
            self.env._("Waiting: %s", self.name),
            {"search_default_filter_review": 1},
            self.env._("Nothing waits"),
            self.env._(
                "Documents that wait for a vendor to reach the other side, a mapping or a review decision "
                "appear here with what they wait for; they go on by themselves once it is there."
            ),
        )

    def action_open_backlog(self):
        return self._lines_action(
            self.env._("Backlog: %s", self.name),
            {"search_default_filter_pending": 1},
            self.env._("No backlog"),
            self.env._("Documents read but not yet processed, or waiting for a retry, appear here."),
        )

    def action_open_moved(self):
        return self._lines_action(
            self.env._("Moved: %s", self.name),
            {"search_default_filter_done": 1, "search_default_filter_7d": 1},
            self.env._("Nothing moved in the last 7 days"),
            self.env._(
                "Every document a flow reads or sends leaves a line here with its payload, its attempts "
                "and the answer; remove the filters to see older ones."
            ),
        )

    def action_open_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("ml_connector.action_ml_connector_review")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action

    # ------------------------------------------------------------------ watchdog and alerts
    @api.model
    def _alert_users(self, company):
        """Who is told about failures: the users set in Settings, else the connector managers."""
        users = company.ml_connector_alert_user_ids
        if not users:
            users = self.env.ref("ml_connector.group_ml_connector_manager").user_ids
        return users.filtered(lambda user: not user.share and user.active and company in user.company_ids)

    @api.model
    def _cron_watchdog(self):
        """Tell the connector managers, once, what went wrong since they were last told."""
        mode = self.env["ir.config_parameter"].sudo().get_param("ml_connector.alert_mode", "activity")
        for backend in self.sudo().search([("state", "in", ("active", "paused"))]):
            try:
                with self.env.cr.savepoint():
                    backend._watch(mode)
            except OperationalError as exc:
                if not is_concurrency_error(exc):
                    raise
                # the connection's run wrote it meanwhile: it is checked again at the next watch
                _logger.info("Connection %s changed while watched; checked next time.", backend.name)
            self.env["ir.cron"]._commit_progress()

    def _watch(self, mode):
        self.ensure_one()
        now = fields.Datetime.now()
        news = self._news_since(self.alerted_until)
        health, reasons = self._health_check()
        problem = "\n".join(reasons) if health == "red" else False
        if (news or (problem and problem != self.alert_reason)) and mode != "none":
            self._alert(mode, news, reasons if health == "red" else [])
        if not problem:
            self._close_alerts()
        self.write({"alerted_until": now, "alert_reason": problem})

    def _news_since(self, since):
        """What failed or opened for review after ``since``: (kind, sentence) pairs."""
        since = since or fields.Datetime.now() - timedelta(days=1)
        failed = self.env["ml.connector.audit.line"].search_count(
            [("backend_id", "=", self.id), ("state", "=", "failed"), ("write_date", ">", since)]
        )
        reviews = self.env["ml.connector.review"].search_count(
            [("backend_id", "=", self.id), ("state", "=", "open"), ("create_date", ">", since)]
        )
        news = []
        if failed:
            news.append(("failed", self.env._("%s more document(s) failed.", failed)))
        if reviews:
            news.append(("review", self.env._("%s new item(s) in the review queue.", reviews)))
        return news

    def _alert(self, mode, news, problems):
        """One activity per person (updated while it is open), or one message to them all."""
        users = self._alert_users(self.company_id)
        if not users:
            return
        # the problems already count the failed documents
        lines = [*problems, *(text for kind, text in news if not (problems and kind == "failed"))]
        body = Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % line for line in lines)
        summary = self.env._("Connection %s needs attention", self.name)
        if mode == "digest":
            self.message_post(
                body=Markup("<p>%s</p>") % summary + body,
                partner_ids=users.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
            )
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for user in users:
            activity = self.activity_ids.filtered(
                lambda a, user=user: (
                    a.user_id == user and a.activity_type_id == activity_type and a.summary == summary
                )
            )
            if activity:
                activity.note = activity.note + body
            else:
                self.activity_schedule(
                    activity_type_id=activity_type.id, summary=summary, note=body, user_id=user.id
                )

    def _close_alerts(self):
        summary = self.env._("Connection %s needs attention", self.name)
        done = self.activity_ids.filtered(lambda a: a.summary == summary)
        if done and not self.failed_count:
            done.action_feedback(feedback=self.env._("Healthy again: nothing failed any more."))
