from odoo import api, fields, models
from odoo.tools import SQL

COUNTERS = ("collected", "done", "failed", "needs_review", "skipped", "retrying")


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
    trigger = fields.Selection(
        [("cron", "Schedule"), ("manual", "Manual"), ("replay", "Replay")], default="cron"
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("partial", "Done with errors"), ("failed", "Failed")],
        default="running",
        required=True,
        index=True,
    )
    date_start = fields.Datetime(default=fields.Datetime.now, required=True)
    date_end = fields.Datetime()
    duration = fields.Float("Duration (s)", digits=(16, 2))
    collected_count = fields.Integer("Collected")
    done_count = fields.Integer("Done")
    failed_count = fields.Integer("Failed")
    needs_review_count = fields.Integer("Needs review")
    skipped_count = fields.Integer("Skipped", help="Unchanged or superseded documents.")
    retrying_count = fields.Integer("Retrying", help="Temporary failures that will be tried again.")
    log = fields.Text()
    error_message = fields.Text()
    line_ids = fields.One2many("ml.connector.audit.line", "run_id", string="Audit lines")

    def _compute_name(self):
        for run in self:
            run.name = self.env._("Run %(id)s of %(connection)s", id=run.id, connection=run.backend_id.name)

    @api.model
    def _current_run(self, backend, trigger):
        """The unfinished run of ``backend`` (resumed after a crash or a time-budget break), or a new one."""
        if trigger != "replay":
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

    def _log(self, message, error=False):
        stamp = fields.Datetime.now().strftime("%H:%M:%S")
        self.log = f"{self.log or ''}{stamp} {message}\n"
        if error:
            self.error_message = f"{self.error_message or ''}{message}\n"

    def _save_progress(self):
        self.duration = (fields.Datetime.now() - self.date_start).total_seconds()

    def _finish(self, error=None, state=None):
        for run in self:
            if error:
                run._log(error, error=True)
            end = fields.Datetime.now()
            if state is None:
                state = "partial" if (run.error_message or run.failed_count) else "done"
            run.write({"state": state, "date_end": end, "duration": (end - run.date_start).total_seconds()})
