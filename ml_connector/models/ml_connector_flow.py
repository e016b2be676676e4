import logging
import random
import time
from datetime import timedelta

from psycopg2 import OperationalError, errorcodes

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL

from ..tools.errors import AuthError, ConnectorError
from ..tools.text import bounded_key, storable
from .ml_connector_audit_line import PendingCreates

_logger = logging.getLogger(__name__)


def retry_on_conflict(env, func, what):
    """Call ``func`` again when another transaction changed the same rows meanwhile.

    Two flows may update one purchase order at the same time, and Odoo's own crons touch the
    same records: PostgreSQL then cancels one transaction. Like Odoo's RPC layer, roll back
    and try again after a random, growing wait (5 tries); other errors propagate.
    """
    for tryno in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE + 1):
        try:
            return func()
        except OperationalError as exc:
            if exc.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY or tryno == MAX_TRIES_ON_CONCURRENCY_FAILURE:
                raise
            env.cr.rollback()
            env.transaction.reset()
            wait = random.uniform(0.0, 2**tryno)
            _logger.info("%s: %s, tried again in %.2f s", what, errorcodes.lookup(exc.pgcode), wait)
            time.sleep(wait)
    raise RuntimeError("unreachable")


# Several transient failures in a row mean the remote is down: stop the flow for this run
# instead of burning every record's attempts.
CIRCUIT_BREAKER_THRESHOLD = 3


class MlConnectorFlow(models.Model):
    """One document type moving in one direction between two endpoints.

    The engine lives here. A run of a flow has two phases, each in committed batches:

    1. *collect*: the handler reads the source from the flow's cursor (high-water mark);
       every new version of a document becomes a pending audit line holding its payload,
       stored in the same transaction as the cursor that covers it. Only after that commit
       is the source acknowledged (e.g. a remote file deleted).
    2. *process*: pending lines are written to the target one by one, each inside a
       savepoint, so a failing record is recorded on its line and never blocks the batch.
    """

    _name = "ml.connector.flow"
    _description = "Connector flow"
    _order = "backend_id, master_data desc, sequence, id"

    name = fields.Char(required=True)
    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    handler_model = fields.Selection(
        selection="_selection_handler_model", string="Flow type", required=True, help="What this flow moves."
    )
    sequence = fields.Integer(default=50)
    active = fields.Boolean(default=True)
    master_data = fields.Boolean(help="Master-data flows run before transaction flows in every cycle.")
    document_type = fields.Char(compute="_compute_handler_info")
    source_system = fields.Char(compute="_compute_handler_info")
    target_system = fields.Char(compute="_compute_handler_info")
    direction = fields.Selection(
        [("inbound", "Into Odoo"), ("outbound", "Out of Odoo"), ("external", "Between remote systems")],
        compute="_compute_direction",
        store=True,
    )
    cursor = fields.Json(copy=False, help="Where the next run starts reading the source (high-water mark).")
    cursor_display = fields.Char("High-water mark", compute="_compute_cursor_display")
    overlap_seconds = fields.Integer(
        default=300,
        help="Each run re-reads this many seconds before the high-water mark: changes committed late or "
        "in the same second are never missed; unchanged documents are skipped by their content hash.",
    )
    batch_size = fields.Integer(help="Records per batch; empty: the connection's batch size.")
    last_collect_run_id = fields.Many2one("ml.connector.run", copy=False, readonly=True)
    last_run_date = fields.Datetime(readonly=True, copy=False)
    last_success_date = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    line_ids = fields.One2many("ml.connector.audit.line", "flow_id")
    pending_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    review_count = fields.Integer(compute="_compute_counts")

    @api.model
    def _selection_handler_model(self):
        return [
            (name, self.env[name]._flow_label)
            for name in sorted(self.env.registry)
            if name.startswith("ml.connector.handler.")
            and self.env[name]._abstract
            and self.env[name]._document_type
        ]

    @api.depends("handler_model")
    def _compute_handler_info(self):
        for flow in self:
            handler = flow._handler() if flow.handler_model else None
            flow.document_type = handler._document_type if handler is not None else False
            flow.source_system = handler._source_system if handler is not None else False
            flow.target_system = handler._target_system if handler is not None else False

    @api.depends("handler_model")
    def _compute_direction(self):
        for flow in self:
            flow.direction = flow._handler()._direction() if flow.handler_model else False

    @api.depends("cursor")
    def _compute_cursor_display(self):
        for flow in self:
            cursor = flow.cursor or {}
            flow.cursor_display = ", ".join(
                f"{k}: {v}" for k, v in cursor.items() if not isinstance(v, list | dict)
            )

    def _compute_counts(self):
        counts = {
            (flow.id, state): count
            for flow, state, count in self.env["ml.connector.audit.line"]._read_group(
                [("flow_id", "in", self.ids), ("state", "in", ("pending", "failed", "needs_review"))],
                ["flow_id", "state"],
                ["__count"],
            )
        }
        for flow in self:
            flow.pending_count = counts.get((flow.id, "pending"), 0)
            flow.failed_count = counts.get((flow.id, "failed"), 0)
            flow.review_count = counts.get((flow.id, "needs_review"), 0)

    @api.constrains("handler_model", "backend_id")
    def _check_handler_system(self):
        for flow in self:
            systems = flow._handler()._systems
            if systems and flow.backend_id.system_type not in systems:
                raise ValidationError(
                    self.env._(
                        "Flow type %(flow)s is not available for %(system)s connections.",
                        flow=flow._handler()._flow_label,
                        system=flow.backend_id.system_type,
                    )
                )

    def _handler(self):
        self.ensure_one()
        return self.env[self.handler_model]

    @api.model
    def _create_default_flows(self, backend):
        names = backend._system()._default_flow_handlers()
        vals = []
        for name in names:
            handler = self.env[name]
            vals.append(
                {
                    "name": handler._flow_label,
                    "backend_id": backend.id,
                    "handler_model": name,
                    "master_data": handler._master_data,
                    "sequence": handler._default_sequence,
                    "active": handler._default_active,
                }
            )
        return self.create(vals)

    def _batch_size(self):
        return self.batch_size or self.backend_id.batch_size or 100

    def _overlap(self):
        return timedelta(seconds=self.overlap_seconds or 0)

    def action_reset_cursor(self):
        """Rewind: the next run reads the whole source again (unchanged documents are skipped)."""
        self.backend_id._check_manager()
        self.write({"cursor": False, "last_collect_run_id": False})
        return True

    # ------------------------------------------------------------------ engine
    def _commit(self, processed=0):
        """Commit a batch; return the seconds left in this cron call (inf outside crons)."""
        return self.env["ir.cron"]._commit_progress(processed)

    def _run_step(self, run):
        """Advance this flow within ``run``; return how much work is left (0 = none)."""
        self.ensure_one()
        self.last_run_date = fields.Datetime.now()
        try:
            if self.last_collect_run_id != run:
                if self._collect(run):
                    return 1
                self.last_collect_run_id = run
                self._commit()
            remaining = self._process_pending(run)
        except AuthError:
            raise
        except ConnectorError as exc:
            # The source or target is unreachable as a whole: keep the cursor, retry next run.
            message = self.backend_id._scrub(str(exc))
            self.last_error = message
            run._log(self.env._("%(flow)s: %(error)s", flow=self.name, error=message), error=True)
            self._commit()
            return 0
        except Exception as exc:
            if isinstance(exc, OperationalError) and exc.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise  # retry_on_conflict runs the step again
            # Whatever else this flow did not expect stops this flow for this run, logged; the other
            # flows of the cycle go on, and the cursor stays where the last committed page left it.
            _logger.exception("Flow %s stopped by an unexpected error", self.name)
            self.env.cr.rollback()
            self.env.transaction.reset()
            message = self.backend_id._scrub(storable(f"{type(exc).__name__}: {exc}"))
            self.last_error = message
            run._log(
                self.env._(
                    "%(flow)s stopped by an unexpected error: %(error)s", flow=self.name, error=message
                ),
                error=True,
            )
            self._commit()
            return 0
        if not remaining:
            self.write({"last_success_date": fields.Datetime.now(), "last_error": False})
        return remaining

    def _collect(self, run):
        """Read the source into pending audit lines; return True if interrupted with more to read."""
        handler = self._handler()
        for page in handler._collect(self, run):
            created = self._store_page(page, run)
            if page.cursor is not None:
                self.cursor = page.cursor
            time_left = self._commit(created)
            if page.acknowledge:
                handler._acknowledge(self, page.acknowledge)
                time_left = self._commit()
            if page.more and time_left <= 0:
                return True
        return False

    def _store_page(self, page, run):
        """Create audit lines for the new versions among ``page.items``; return how many."""
        Line = self.env["ml.connector.audit.line"].sudo()
        handler = self._handler()
        items = [item for item in page.items if item.source_key]
        for item in items:
            item.source_key = bounded_key(item.source_key)  # as stored on the line (see _vals_from_item)
        keys = list({item.source_key for item in items})
        # A version is new unless it is already waiting (open line), or it is what the other
        # side last received: the binding's hash when there is one, else the latest line's.
        # Older lines do not count: a document changed back to an earlier version must go again.
        latest_hashes, open_hashes, open_lines = {}, set(), {}
        if keys:
            self.env.cr.execute(
                """SELECT id, source_key, content_hash, state FROM ml_connector_audit_line
                   WHERE flow_id = %s AND source_key IN %s ORDER BY id""",
                (self.id, tuple(keys)),
            )
            for line_id, key, content_hash, state in self.env.cr.fetchall():
                latest_hashes[key] = content_hash
                if state in ("pending", "failed", "needs_review"):
                    open_hashes.add((key, content_hash))
                    open_lines.setdefault(key, []).append(line_id)
        bound_hashes = self._bound_hashes(handler, keys)
        vals_list, superseded, skipped = [], [], page.unchanged
        seen = set()
        for item in items:
            marker = (item.source_key, item.hash)
            bound = bound_hashes.get(item.source_key)
            if marker in open_hashes:
                unchanged = True
            elif bound:
                unchanged = bound == item.hash
            else:
                unchanged = latest_hashes.get(item.source_key) == item.hash
            if item.error is None and (unchanged or marker in seen):
                skipped += 1
                continue
            seen.add(marker)
            superseded += open_lines.pop(item.source_key, [])
            vals_list.append(Line._vals_from_item(self, run, item))
        if superseded:
            Line.browse(superseded).write(
                {
                    "state": "skipped",
                    "error_message": self.env._("Superseded by a newer version of the document."),
                    "in_flight": False,
                }
            )
        lines = Line.create(vals_list) if vals_list else Line
        run._count(collected=len(lines), skipped=skipped)
        run._count_lines(lines.filtered(lambda line: line.state != "pending"))
        return len(lines)

    def _bound_hashes(self, handler, keys):
        if not handler._binding_type or not keys:
            return {}
        column = SQL.identifier("local_ref" if handler._binding_source_side == "local_ref" else "external_id")
        self.env.cr.execute(
            SQL(
                """SELECT %(column)s, content_hash FROM ml_connector_binding
                   WHERE backend_id = %(backend)s AND object_type = %(type)s AND %(column)s IN %(keys)s""",
                column=column,
                backend=self.backend_id.id,
                type=handler._binding_type,
                keys=tuple(keys),
            )
        )
        return dict(self.env.cr.fetchall())

    def _due_count(self):
        self.env.cr.execute(
            """SELECT count(*) FROM ml_connector_audit_line
               WHERE flow_id = %s AND state = 'pending'
                 AND (next_attempt_at IS NULL OR next_attempt_at <= (now() AT TIME ZONE 'UTC'))""",
            (self.id,),
        )
        return self.env.cr.fetchone()[0]

    def _next_batch(self):
        """Pending lines that are due, locked for this runner (FIFO)."""
        self.env.cr.execute(
            """SELECT id, in_flight FROM ml_connector_audit_line
               WHERE flow_id = %s AND state = 'pending'
                 AND (next_attempt_at IS NULL OR next_attempt_at <= (now() AT TIME ZONE 'UTC'))
               ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
            (self.id, self._batch_size()),
        )
        rows = self.env.cr.fetchall()
        # A line still marked in flight was being processed when a worker died: process such
        # lines alone, so that a document that crashes the worker only ever takes itself down.
        suspects = [line_id for line_id, in_flight in rows if in_flight]
        ids = suspects[:1] if suspects else [line_id for line_id, _in_flight in rows]
        return self.env["ml.connector.audit.line"].sudo().browse(ids)

    def _process_batch(self, handler, lines, run):
        """Process ``lines``; return (processed lines, whether the flow stopped for this run).

        Records a handler defers (see ``_create_or_defer``) are created together at the end of
        the batch, or earlier when a document depends on them.
        """
        processed = self.env["ml.connector.audit.line"]
        pending = PendingCreates(self.env)
        transient_streak = 0
        handler._prepare_batch(lines)
        for line in lines:
            try:
                outcome = line._process_one(handler, pending)
            except AuthError:
                processed |= self._settle(pending.take_finished())
                (lines - processed)._abandon_attempt()
                raise
            outcomes = pending.take_finished()
            if outcome != "deferred":
                outcomes.append((line, outcome))
            for done_line, done_outcome in outcomes:
                processed |= done_line
                transient_streak = transient_streak + 1 if done_outcome == "transient" else 0
            if transient_streak >= CIRCUIT_BREAKER_THRESHOLD:
                pending.create_all()
                processed |= self._settle(pending.take_finished())
                (lines - processed)._abandon_attempt()
                run._log(
                    self.env._(
                        "%(flow)s: stopped after %(n)s failures in a row; the rest waits for the next run.",
                        flow=self.name,
                        n=transient_streak,
                    ),
                    error=True,
                )
                run._count_lines(processed)
                self._commit(len(processed))
                return processed, True
        pending.create_all()
        processed |= self._settle(pending.take_finished())
        return processed, False

    def _settle(self, outcomes):
        lines = self.env["ml.connector.audit.line"]
        for line, _outcome in outcomes:
            lines |= line
        return lines

    def _batch_attempt(self, handler, lines, run):
        """The work of one batch, as ``retry_on_conflict`` calls it: returns (stopped, time left)."""
        tries = 0

        def attempt():
            nonlocal tries
            if tries:
                # a conflict rolled the batch back after some of its documents may have
                # reached the target: each one is looked up before it is sent again
                lines._mark_interrupted()
                self._commit()
            tries += 1
            processed, stopped = self._process_batch(handler, lines, run)
            if stopped:
                return True, 0
            run._count_lines(processed)
            # the batch's writes reach the database here: a conflict can still surface
            return False, self._commit(len(processed))

        return attempt

    def _process_pending(self, run):
        """Process due pending lines in committed batches; return the number left."""
        handler = self._handler()
        while True:
            lines = self._next_batch()
            if not lines:
                return 0
            lines._start_attempt(run)
            self._commit()

            stopped, time_left = retry_on_conflict(
                self.env, self._batch_attempt(handler, lines, run), self.name
            )
            if stopped:
                return 0
            if time_left <= 0:
                return self._due_count()
