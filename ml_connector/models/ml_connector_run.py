from odoo import api, fields, models
from odoo.tools import SQL

from .ml_connector_audit_attempt import TRIGGERS

COUNTERS = ("collected", "done", "failed", "needs_review", "skipped", "unchanged", "retrying")


class MlConnectorRun(models.Model):
    """One synchronisation cycle of a connection: what it collected and how each record ended."""

    _name = "ml.connector.run"
    _description = "Connector run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    trigger = fields.Selection(TRIGGERS, default="cron", help="What started this run.")
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("partial", "Done with errors"), ("failed", "Failed")],
        default="running",
        required=True,
        index=True,
    )
    date_start = fields.Datetime("Started", default=fields.Datetime.now, required=True)
    date_end = fields.Datetime("Ended")
    duration = fields.Float(
        "Duration (s)", digits=(16, 2), help="Time spent working, over every call of the run."
    )
    collected_count = fields.Integer("Read", help="New versions of documents read from the sources.")
    done_count = fields.Integer("Done")
    failed_count = fields.Integer("Failed")
    needs_review_count = fields.Integer(
        "Waiting", help="Documents that wait for a vendor, a mapping or a review decision."
    )
    skipped_count = fields.Integer(
        "Skipped", help="Documents that needed nothing done (a reason is on each line) or were superseded."
    )
    unchanged_count = fields.Integer(
        "Unchanged", help="Documents read again that had not changed since they were last moved: no line."
    )
    retrying_count = fields.Integer("Retrying", help="Temporary failures that will be tried again.")
    log = fields.Text(help="What each flow did in this run.")
    error_message = fields.Text()
    line_ids = fields.One2many("ml.connector.audit.line", "run_id", string="Audit lines")

    def _compute_name(self):
        for run in self:
            run.name = self.env._("Run %(id)s of %(connection)s", id=run.id, connection=run.backend_id.name)

    @api.model
    def _current_run(self, backend, trigger):
        """The unfinished run of ``backend`` (resumed after a crash or a time-budget break), or a new one."""
        if trigger not in ("replay", "review"):
            run = self.sudo().search([("backend_id", "=", backend.id), ("state", "=", "running")], limit=1)
            if run:
                return run
        return self.sudo().create({"backend_id": backend.id, "trigger": trigger})

    def _count(self, **increments):
        """Add to the counters in SQL: cheap, and safe if the run is resumed by another call."""
        increments = {k: v for k, v in increments.items() if v}
        if not increments:
            return
        assignments = [
            SQL(
                "%(column)s = COALESCE(%(column)s, 0) + %(n)s",
                column=SQL.identifier(f"{name}_count"),
                n=value,
            )
            for name, value in increments.items()
            if name in COUNTERS
        ]
        self.env.cr.execute(
            SQL("UPDATE ml_connector_run SET %s WHERE id = %s", SQL(", ").join(assignments), self.id)
        )
        self.invalidate_recordset([f"{name}_count" for name in increments])

    def _count_lines(self, lines):
        by_state = {}
        for line in lines:
            key = "retrying" if line.state == "pending" else line.state
            by_state[key] = by_state.get(key, 0) + 1
        self._count(**by_state)

    def _counters(self):
        """The run's counters as committed or written so far (read from the database)."""
        self.ensure_one()
        columns = SQL(", ").join(SQL.identifier(f"{name}_count") for name in COUNTERS)
        self.env.cr.execute(SQL("SELECT %s FROM ml_connector_run WHERE id = %s", columns, self.id))
        row = self.env.cr.fetchone() or (0,) * len(COUNTERS)
        return {name: value or 0 for name, value in zip(COUNTERS, row)}

    def _log_flow(self, flow, counts, seconds):
        """One line of the log for what ``flow`` did: counts by outcome and the time it took."""
        labels = {
            "collected": self.env._("read"),
            "done": self.env._("done"),
            "failed": self.env._("failed"),
            "needs_review": self.env._("waiting"),
            "skipped": self.env._("skipped"),
            "unchanged": self.env._("unchanged"),
            "retrying": self.env._("to retry"),
        }
        parts = [f"{counts[name]} {label}" for name, label in labels.items() if counts.get(name)]
        self._log(
            self.env._(
                "%(flow)s: %(what)s (%(seconds).1f s)",
                flow=flow.name,
                what=", ".join(parts) or self.env._("nothing new"),
                seconds=seconds,
            )
        )

    def _add_duration(self, seconds):
        """Add the time of one call of the run (a run may span several cron calls)."""
        self.env.cr.execute(
            "UPDATE ml_connector_run SET duration = COALESCE(duration, 0) + %s WHERE id IN %s",
            (seconds, tuple(self.ids)),
        )
        self.invalidate_recordset(["duration"])

    def _log(self, message, error=False):
        """Add a line to the run's log (and to its errors): appended in the database, without
        reading the log back after each commit of the run."""
        if not self:
            return
        self.ensure_one()
        stamp = fields.Datetime.now().strftime("%H:%M:%S")
        self.flush_recordset(["log", "error_message"])
        self.env.cr.execute(
            """UPDATE ml_connector_run
                  SET log = COALESCE(log, '') || %s,
                      error_message = CASE WHEN %s THEN COALESCE(error_message, '') || %s
                                      ELSE error_message END
                WHERE id = %s""",
            (f"{stamp} {message}\n", bool(error), f"{message}\n", self.id),
        )
        self.invalidate_recordset(["log", "error_message"])

    def _finish(self, error=None, state=None, elapsed=0.0):
        """Close the run; ``elapsed``: the seconds of its last call."""
        self._add_duration(elapsed)
        for run in self:
            if error:
                run._log(error, error=True)
            if state is None:
                state = "partial" if (run.error_message or run.failed_count) else "done"
            run.write({"state": state, "date_end": fields.Datetime.now()})
