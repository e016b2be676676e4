import contextlib
import difflib
import json

from markupsafe import Markup

from odoo import api, fields, models

from ..models.ml_connector_backend import DRY_RUN, HTTP_CLIENTS
from ..tools.dry_run import DryRun, DryRunStop
from ..tools.payload import jsonable, payload_text


class _RollBack(Exception):
    """Leaves the dry run's savepoint, undoing whatever the writer did."""


class MlConnectorDryRun(models.TransientModel):
    """What replaying an audit line would send now, next to what was last sent, before anything
    is sent: the line goes through its reader and writer in a savepoint that is rolled back, with
    every request that would change the target captured instead of sent."""

    _name = "ml.connector.dry.run"
    _description = "Connector dry run"

    line_id = fields.Many2one("ml.connector.audit.line", ondelete="cascade")
    flow_id = fields.Many2one("ml.connector.flow", ondelete="cascade")
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
    def _undone(self, work):
        """Run ``work(dry_run)`` with every request that would change a target held back, then
        undo whatever it wrote; return the ``DryRun`` (what was held back)."""
        cr = self.env.cr
        dry_run = DryRun()
        clients = cr.cache.pop(HTTP_CLIENTS, None)
        cr.cache[DRY_RUN] = dry_run
        try:
            with contextlib.suppress(_RollBack), cr.savepoint():
                work(dry_run)
                raise _RollBack()
        finally:
            cr.cache.pop(DRY_RUN, None)
            cr.cache.pop(HTTP_CLIENTS, None)
            if clients is not None:
                cr.cache[HTTP_CLIENTS] = clients
        self.env.invalidate_all()
        return dry_run

    @api.model
    def _simulate(self, line):
        """(what would be sent, what would happen), everything undone afterwards."""
        found = {}

        def replay(_dry_run):
            try:
                line._requeue_for_replay()
                line.write({"outcome_unknown": False})
                found["result"] = line.flow_id._pipe().process(line)
            except DryRunStop:
                found["held_back"] = True
            except Exception as exc:  # the dry run reports what a replay would meet
                found["error"] = exc

        dry_run = self._undone(replay)
        secrets = line.flow_id._secret_values()
        if dry_run.requests:
            request = dry_run.requests[0]
            outcome = self.env._(
                "A replay would send %(method)s %(url)s now.", method=request["method"], url=request["url"]
            )
            return payload_text(request["body"], secrets), outcome
        if "error" in found:
            return False, self.env._("A replay would fail: %s", found["error"])
        result = found.get("result") or {}
        if not isinstance(result, dict):
            result = {}
        sent = result.get("sent")
        message = result.get("message") or ""
        if result.get("state") == "skipped":
            return False, self.env._("A replay would send nothing: %s", message)
        if sent is not None:
            return payload_text(jsonable(sent), secrets), self.env._(
                "A replay would write this. %s", message
            ).strip()
        return False, self.env._("A replay would send nothing new. %s", message).strip()

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

    # ------------------------------------------------------------------ a whole flow
    @api.model
    def _for_flow(self, flow, limit=200):
        """What the flow's next run would send, document by document, before anything is sent (e.g.
        which remote suppliers a first push would change)."""
        rows = self._flow_rows(flow, limit)
        changing = [row for row in rows if row[2]]
        summary = self.env._(
            "%(n)s document(s) would be processed; %(changing)s would change or create records on "
            "%(target)s.",
            n=len(rows),
            changing=len(changing),
            target=flow._end_label("target"),
        )
        if len(rows) >= limit:
            summary += " " + self.env._("Only the first %s documents were tried.", limit)
        table = Markup("").join(
            Markup("<tr class='%s'><td>%s</td><td>%s</td></tr>") % ("" if sends else "text-muted", name, what)
            for name, what, sends in rows
        )
        return self.create(
            {
                "flow_id": flow.id,
                "outcome": summary,
                "diff_html": Markup(
                    "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th></tr></thead>"
                    "<tbody>%s</tbody></table>"
                )
                % (self.env._("Document"), self.env._("What the next run would do"), table),
            }
        )

    @api.model
    def _flow_rows(self, flow, limit):
        """(document, what would happen, whether it would write to the target) for each document."""
        rows = []

        def next_run(_dry_run):
            run = (
                self.env["ml.connector.run"]
                .sudo()
                .create({"backend_id": flow.backend_id.id, "trigger": "manual"})
            )
            Line = self.env["ml.connector.audit.line"].sudo()
            pipe = flow._pipe()
            for page in flow._reader()._collect(flow, run):
                for item in page.items:
                    if len(rows) >= limit:
                        return
                    line = Line.create(Line._vals_from_item(flow, run, item))
                    rows.append(self._flow_row(pipe, line))

        self._undone(next_run)
        return rows

    @api.model
    def _flow_row(self, pipe, line):
        dry_run = self.env.cr.cache[DRY_RUN]
        held, notes = len(dry_run.requests), len(dry_run.notes)
        name = line.name
        if line.state != "pending":
            return name, line.error_message or "", False
        try:
            result = pipe.process(line)
        except DryRunStop:
            request = dry_run.requests[held]
            what = " ".join(dry_run.notes[notes:]) or self.env._(
                "Would send %(method)s %(url)s.", method=request["method"], url=request["url"]
            )
            return name, what, True
        except Exception as exc:  # the preview reports what the run would meet
            return name, self.env._("Would not go: %s", exc), False
        message = result.get("message") if isinstance(result, dict) else ""
        return name, message or self.env._("Nothing to send."), False
