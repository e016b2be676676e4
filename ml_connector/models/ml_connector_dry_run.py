import difflib
import json

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.dry_run import DryRun, DryRunStop
from ..tools.payload import jsonable, payload_text
from .ml_connector_backend import DRY_RUN, HTTP_CLIENTS


class _RollBack(Exception):
    """Leaves the dry run's savepoint, undoing whatever the writer did."""


class MlConnectorDryRun(models.TransientModel):
    """What replaying an audit line would send now, next to what was last sent, before anything
    is sent: the line goes through its reader and writer in a savepoint that is rolled back, with
    every request that would change the target captured instead of sent."""

    _name = "ml.connector.dry.run"
    _description = "Connector dry run"

    line_id = fields.Many2one("ml.connector.audit.line", required=True, ondelete="cascade")
    outcome = fields.Text(readonly=True)
    last_sent = fields.Text("Last sent", readonly=True)
    would_send = fields.Text("Would send now", readonly=True)
    diff_html = fields.Html("Differences", readonly=True, sanitize=False)
    changed = fields.Boolean(readonly=True)

    @api.model
    def _for_line(self, line):
        would_send, outcome = self._simulate(line)
        last_sent = line._last_sent_payload()
        return self.create(
            {
                "line_id": line.id,
                "outcome": outcome,
                "last_sent": last_sent or False,
                "would_send": would_send or False,
                "diff_html": self._diff_html(last_sent, would_send),
                "changed": (last_sent or "") != (would_send or ""),
            }
        )

    @api.model
    def _simulate(self, line):
        """(what would be sent, what would happen), everything undone afterwards."""
        _ = self.env._
        cr = self.env.cr
        dry_run = DryRun()
        found = {}
        clients = cr.cache.pop(HTTP_CLIENTS, None)
        cr.cache[DRY_RUN] = dry_run
        try:
            with cr.savepoint():
                try:
                    line._requeue_for_replay()
                    line.write({"outcome_unknown": False})
                    found["result"] = line.flow_id._pipe().process(line)
                except DryRunStop:
                    pass
                except Exception as exc:  # the dry run reports what a replay would meet
                    found["error"] = exc
                raise _RollBack()
        except _RollBack:
            pass
        finally:
            cr.cache.pop(DRY_RUN, None)
            cr.cache.pop(HTTP_CLIENTS, None)
            if clients is not None:
                cr.cache[HTTP_CLIENTS] = clients
        self.env.invalidate_all()
        secrets = line.flow_id._secret_values()
        if dry_run.requests:
            request = dry_run.requests[0]
            outcome = _(
                "A replay would send %(method)s %(url)s now.", method=request["method"], url=request["url"]
            )
            return payload_text(request["body"], secrets), outcome
        if "error" in found:
            return False, _("A replay would fail: %s", found["error"])
        result = found.get("result") or {}
        if not isinstance(result, dict):
            result = {}
        sent = result.get("sent")
        message = result.get("message") or ""
        if result.get("state") == "skipped":
            return False, _("A replay would send nothing: %s", message)
        if sent is not None:
            return payload_text(jsonable(sent), secrets), _("A replay would write this. %s", message).strip()
        return False, _("A replay would send nothing new. %s", message).strip()

    @api.model
    def _diff_html(self, before, after):
        """A line-by-line comparison, removed lines in red, added lines in green."""
        before_lines = self._pretty(before).splitlines()
        after_lines = self._pretty(after).splitlines()
        if before_lines == after_lines:
            text = (
                self.env._("Identical to what was last sent.")
                if before
                else self.env._("Nothing to compare.")
            )
            return Markup("<p class='text-muted'>%s</p>") % text
        rows = []
        for row in difflib.unified_diff(before_lines, after_lines, "last sent", "now", n=2, lineterm=""):
            if row.startswith(("---", "+++")):
                continue
            css = (
                "text-bg-success"
                if row.startswith("+")
                else "text-bg-danger"
                if row.startswith("-")
                else "text-muted"
                if row.startswith("@@")
                else ""
            )
            rows.append(Markup("<div class='%s'>%s</div>") % (css, row))
        return Markup("<pre class='o_ml_connector_diff small mb-0'>%s</pre>") % Markup("").join(rows)

    @staticmethod
    def _pretty(text):
        if not text:
            return ""
        try:
            return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
        except ValueError:
            return text

    def action_replay(self):
        self.ensure_one()
        return self.line_id.action_replay()


class MlConnectorAuditLineDryRun(models.Model):
    _inherit = "ml.connector.audit.line"

    def _last_sent_payload(self):
        """What was last sent for this document: the line's, else its latest attempt's."""
        self.ensure_one()
        if self.sent_payload:
            return self.sent_payload
        attempt = self.attempt_ids.filtered("sent_payload")[:1]
        return attempt.sent_payload if attempt else ""

    def action_dry_run(self):
        """Show what a replay would send, next to what was last sent; nothing is sent."""
        self.ensure_one()
        self._check_replay_access()
        if self.state == "pending" and self.in_flight:
            raise UserError(self.env._("This document is being processed right now."))
        line = self.sudo().with_env(self.backend_id._sync_env().env).sudo()
        wizard = self.env["ml.connector.dry.run"].sudo()._for_line(line)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dry run: %s", self.name),
            "res_model": "ml.connector.dry.run",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
