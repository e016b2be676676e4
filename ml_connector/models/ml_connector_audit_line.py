import logging
import random
import time
from datetime import timedelta

from psycopg2 import IntegrityError, OperationalError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.db import database_error_kind
from ..tools.errors import AuthError, ConnectorError, DependencyError, NeedsReviewError, TransientError
from ..tools.items import Deferred, bind_all
from ..tools.payload import content_hash, payload_text
from ..tools.redact import redact_text
from ..tools.text import bounded_key, storable

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("needs_review", "Needs review"),
    ("skipped", "Skipped"),
]
RETRY_BASE_MINUTES = 2  # a transient failure waits ~2, 4, 8, 16… minutes (with jitter)
RETRY_CAP_MINUTES = 120
# A writer may wait for evidence without spending attempts (see ConnectorError), not forever.
FREE_WAIT_LIMIT = timedelta(days=1)
# A document that needs another one not processed yet goes again after the rest of its flow's run
# this many times at most; then it waits like a temporary failure (see DependencyError).
DEPENDENCY_ROUNDS = 3


class MlConnectorAuditLine(models.Model):
    """One version of one document moved by a flow: what came in, what went out, the outcome.

    Created before any work is done, with the source payload; processing only changes its
    state. Replaying a line re-runs the same document; the writers' bindings make that
    idempotent, so a document that already reached the other side is not duplicated.
    """

    _name = "ml.connector.audit.line"
    _description = "Connector audit line"
    _order = "id desc"
    _rec_name = "name"

    name = fields.Char("Document", required=True)
    flow_id = fields.Many2one("ml.connector.flow", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="flow_id.backend_id", store=True, index=True, string="Connection")
    company_id = fields.Many2one(related="flow_id.company_id", store=True, index=True)
    direction = fields.Selection(related="flow_id.direction", store=True)
    document_type = fields.Char()
    run_id = fields.Many2one("ml.connector.run", "Last run", index="btree_not_null", ondelete="set null")
    source_key = fields.Char(required=True, help="Identity of the document on the source side.")
    document_key = fields.Char(
        "Reference", index="trigram", help="Business key (PO number, invoice number…)."
    )
    external_id = fields.Char("External ID", index="btree_not_null")
    target_key = fields.Char(help="Identity of the document on the target side once written.")
    res_model = fields.Char("Odoo model")
    res_id = fields.Many2oneReference("Odoo record ID", model_field="res_model")
    record_name = fields.Char("Odoo record", compute="_compute_record_name")
    state = fields.Selection(STATES, default="pending", required=True, index=True)
    error_kind = fields.Selection(
        string="Problem",
        selection=[
            ("transient", "Temporary"),
            ("unknown_outcome", "Outcome unknown"),
            ("permanent", "Rejected"),
            ("review", "Waiting (vendor, mapping or decision)"),
            ("config", "Configuration"),
            ("auth", "Credentials"),
            ("bug", "Unexpected"),
        ],
    )
    error_message = fields.Text("Message")
    blocking_key = fields.Char(index="btree_not_null", help="What this line waits for (mapping, review).")
    attempts = fields.Integer(default=0, readonly=True)
    in_flight = fields.Boolean(readonly=True, help="Set while a worker processes the line.")
    outcome_unknown = fields.Boolean(
        readonly=True, help="The last send got no clear answer: the next attempt first looks the document up."
    )
    outcome_unknown_since = fields.Datetime(
        readonly=True, help="When the send whose outcome is unknown happened (or was interrupted)."
    )
    next_attempt_at = fields.Datetime("Next attempt", readonly=True)
    waiting_run_id = fields.Many2one(
        "ml.connector.run",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The run in which this document waits for another one of its flow (it goes again after them).",
    )
    waiting_rounds = fields.Integer(readonly=True)
    last_attempt_date = fields.Datetime("Last attempt", readonly=True)
    date_done = fields.Datetime("Finished", readonly=True)
    replay_count = fields.Integer("Replays", readonly=True)
    content_hash = fields.Char(index=True)
    # the source's own version mark of what was read (an Odoo record's write date, to the
    # microsecond): a record read again with the same mark is the same version
    source_stamp = fields.Char(readonly=True)
    request_payload = fields.Text("Payload", help="The document as read from the source (secrets removed).")
    sent_payload = fields.Text("Sent", help="The document as written to the target (secrets removed).")
    response_payload = fields.Text("Answer", help="What the target answered or what was created.")
    payload_size = fields.Integer(compute="_compute_payload_size")
    can_replay = fields.Boolean(compute="_compute_can_replay")
    attempt_ids = fields.One2many("ml.connector.audit.attempt", "line_id", string="Attempt history")
    payloads_purged = fields.Boolean(
        readonly=True, help="Retention removed the payloads of this finished line; their digests remain."
    )

    _flow_source_idx = models.Index("(flow_id, source_key)")
    _flow_pending_idx = models.Index("(flow_id, id) WHERE state = 'pending'")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for line in self:
            record = line._record()
            line.record_name = record.display_name if record else False

    @api.depends("request_payload")
    def _compute_payload_size(self):
        for line in self:
            line.payload_size = len(line.request_payload or "")

    @api.depends("state")
    def _compute_can_replay(self):
        for line in self:
            line.can_replay = line.state in ("failed", "needs_review", "skipped", "done")

    def _record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists() or None

    # ------------------------------------------------------------------ creation
    @api.model
    def _vals_from_item(self, flow, run, item):
        secrets = flow._secret_values()
        # keys and names come from the document: whatever it holds, its line must be storable
        # (no NUL, no unpaired surrogate) and its keys indexable (a hash stands for a long tail)
        vals = {
            "name": storable(item.name or item.document_key or item.source_key)[:250],
            "flow_id": flow.id,
            "run_id": run.id,
            "document_type": flow.document_type,
            "source_key": bounded_key(item.source_key),
            "document_key": storable(item.document_key or "")[:250] or False,
            "external_id": bounded_key(
                item.external_id or (item.source_key if flow.direction == "inbound" else False)
            ),
            "res_model": item.res_model or False,
            "res_id": item.res_id or False,
            "content_hash": item.hash,
            "source_stamp": item.stamp.isoformat(sep=" ") if item.stamp and item.error is None else False,
            "request_payload": payload_text(item.payload, secrets),
            "state": "pending",
        }
        if item.error is not None:
            vals.update(self._error_vals(item.error, attempts=0, max_attempts=0, secrets=secrets))
        return vals

    def _error_vals(self, exc, attempts, max_attempts, secrets=()):
        """State and message for an exception raised while preparing or processing a line."""
        message = storable(redact_text(str(exc), secrets))
        if isinstance(exc, NeedsReviewError):
            return {
                "state": "needs_review",
                "error_kind": "review",
                "error_message": message,
                "blocking_key": bounded_key(exc.blocking_key) or False,
            }
        if isinstance(exc, ConnectorError):
            kind = exc.kind
            vals = {"error_kind": kind, "error_message": message}
            if exc.body:
                vals["response_payload"] = payload_text(exc.body, secrets)
            if exc.transient:
                now = fields.Datetime.now()
                since = (self.outcome_unknown_since if len(self) == 1 else False) or now
                free = not exc.counts_as_attempt and now - since < FREE_WAIT_LIMIT
                if free:
                    attempts = max(attempts - 1, 0)
                    vals["attempts"] = attempts
                if attempts >= max_attempts and not free:
                    vals.update(
                        state="failed",
                        error_message=self.env._(
                            "Gave up after %(n)s attempts. Last error: %(error)s", n=attempts, error=message
                        ),
                    )
                else:
                    minutes = min(RETRY_CAP_MINUTES, RETRY_BASE_MINUTES * 2 ** max(attempts - 1, 0))
                    next_at = now + timedelta(minutes=minutes * (0.5 + random.random() / 2))
                    if exc.retry_at:
                        next_at = exc.retry_at if free else max(next_at, exc.retry_at)
                    vals.update(state="pending", next_attempt_at=next_at)
                if kind == "unknown_outcome":
                    vals.update(outcome_unknown=True, outcome_unknown_since=since)
                return vals
            vals["state"] = "failed"
            return vals
        if isinstance(exc, UserError | ValidationError):
            return {"state": "failed", "error_kind": "permanent", "error_message": message}
        return {
            "state": "failed",
            "error_kind": "bug",
            "error_message": self.env._(
                "Unexpected error %(type)s: %(error)s", type=type(exc).__name__, error=message
            ),
        }

    # ------------------------------------------------------------------ processing
    def _start_attempt(self, run):
        """Mark the batch in flight and count the attempt, before any work (committed by the caller).

        Lines that were already in flight ``record_max_attempts`` times without an outcome
        crashed their worker that often: they fail instead of being tried again.
        """
        if not self:
            return
        exhausted = self.filtered(
            lambda line: line.in_flight and line.attempts >= line.backend_id.record_max_attempts
        )
        exhausted.write(
            {
                "state": "failed",
                "in_flight": False,
                "error_kind": "bug",
                "error_message": self.env._(
                    "Processing of this document was interrupted %(n)s times (the worker stopped or timed "
                    "out while handling it); it is no longer retried automatically.",
                    n=exhausted[:1].attempts,
                ),
            }
        )
        for line in exhausted:
            line._log_attempt()
        todo = self - exhausted
        todo._mark_interrupted()
        self.env.cr.execute(
            """UPDATE ml_connector_audit_line
               SET attempts = attempts + 1, in_flight = TRUE, run_id = %s,
                   last_attempt_date = (now() AT TIME ZONE 'UTC')
               WHERE id IN %s""",
            (run.id, tuple(todo.ids or [0])),
        )
        self.invalidate_recordset(["attempts", "in_flight", "run_id", "last_attempt_date"])

    def _log_attempt(self, trigger=None, dates=None):
        """Keep the attempt that just ended as it happened (see ``ml.connector.audit.attempt``);
        ``dates``: when each line's attempt ended ({line id: datetime}), if not now."""
        if self:
            self.env["ml.connector.audit.attempt"]._record(self, trigger, dates)

    def _mark_interrupted(self):
        """Lines still in flight were interrupted after their attempt began (a worker stopped, or a
        conflict rolled their batch back): what they sent may have arrived. Like a send without an
        answer, their next attempt first asks the writer to look the document up on the target."""
        if not self:
            return
        self.env.cr.execute(
            """UPDATE ml_connector_audit_line
               SET outcome_unknown = TRUE,
                   outcome_unknown_since = COALESCE(
                       outcome_unknown_since, last_attempt_date, (now() AT TIME ZONE 'UTC'))
               WHERE id IN %s AND in_flight""",
            (tuple(self.ids),),
        )
        self.invalidate_recordset(["outcome_unknown", "outcome_unknown_since"])

    def _abandon_attempt(self):
        """The batch stopped before these lines were tried: do not count the attempt."""
        if self:
            self.env.cr.execute(
                """UPDATE ml_connector_audit_line SET attempts = GREATEST(attempts - 1, 0), in_flight = FALSE
                   WHERE id IN %s AND in_flight""",
                (tuple(self.ids),),
            )
            self.invalidate_recordset(["attempts", "in_flight"])

    def _process_one(self, pipe, pending=None):
        """Process this line through its flow's ``pipe`` (reader, then writer); record the outcome
        on it. Return 'done', 'skipped', 'failed', 'needs_review' or 'transient'; 'waiting' for a wait
        that does not count against the document (remote evidence that lags, or a document it needs
        that is still not processed); 'parked' for a document that needs another one not processed
        yet (it goes again after the rest of this run). Concurrency errors propagate (the batch is
        retried).

        With ``pending`` (the batch's ``PendingCreates``), a writer may leave the creation of its
        record to the engine: the line is then 'deferred' until ``pending.create_all()`` creates
        the records of the batch together.
        """
        self.ensure_one()
        if self.state != "pending":
            return self.state
        if pending is not None:
            pipe = pipe.with_context(ml_connector_batch_create=True)
        try:
            with self.env.cr.savepoint():
                result = pipe.process(self)
        except AuthError:
            raise
        except (OperationalError, IntegrityError) as exc:
            return self._database_refused(exc)
        except DependencyError as exc:
            return self._wait_for_dependency(exc)
        except Exception as exc:
            return self._attempt_failed(exc)
        if isinstance(result, Deferred):
            if pending.conflicts(result):
                # what this document's checks read may change with the records waiting to be
                # created: create those first, then check this one again
                pending.create_all()
                return self._process_one(pipe, pending)
            pending.add(self, result)
            return "deferred"
        if pending is None:
            return self._attempt_done(result)
        # the batch keeps the attempts of its documents together (one insert at its end)
        pending.attempted(self)
        return self._attempt_done(result, log=False)

    def _wait_for_dependency(self, exc):
        """The document needs another one not processed yet: it goes again after the other pending
        documents of its flow in this run ('parked', the attempt not counted), a few rounds at most;
        then it waits like a temporary failure ('waiting', the attempt counted)."""
        rounds = self.waiting_rounds if self.waiting_run_id and self.waiting_run_id == self.run_id else 0
        if rounds >= DEPENDENCY_ROUNDS or not self.run_id:
            self._attempt_failed(exc)
            self.write({"waiting_run_id": False, "waiting_rounds": 0})
            return "waiting" if self.state == "pending" else self.state
        secrets = self.flow_id._secret_values()
        self.write(
            {
                "in_flight": False,
                "state": "pending",
                "attempts": max(self.attempts - 1, 0),
                "next_attempt_at": False,
                "waiting_run_id": self.run_id.id,
                "waiting_rounds": rounds + 1,
                "error_kind": "transient",
                "error_message": self.env._(
                    "%s It goes again after the other documents of this run.",
                    storable(redact_text(str(exc), secrets)),
                ),
                **self._read_payload_vals(exc, secrets),
            }
        )
        return "parked"

    def _attempt_done(self, result, log=True):
        """Record a processed document (``result`` as returned by the writer); return its state.
        ``log=False``: the caller keeps the attempt (``_log_attempt``), with those of other lines."""
        secrets = self.flow_id._secret_values()
        vals = {
            "in_flight": False,
            "state": result.get("state", "done"),
            "error_kind": False,
            "error_message": result.get("message") or False,
            "blocking_key": False,
            "outcome_unknown": False,
            "outcome_unknown_since": False,
            "next_attempt_at": False,
            "waiting_run_id": False,
            "waiting_rounds": 0,
            "date_done": fields.Datetime.now(),
        }
        for key in ("external_id", "target_key", "res_model", "res_id", "document_key"):
            if result.get(key):
                vals[key] = result[key]
        if "response" in result:
            vals["response_payload"] = payload_text(result["response"], secrets)
        vals.update(self._read_payload_vals(result, secrets))
        self.write(vals)
        if log:
            self._log_attempt()
        return vals["state"]

    def _database_refused(self, exc):
        """Record a database error raised by this document's savepoint; return the outcome.

        A concurrency error propagates: the transaction is unusable and the whole batch is
        redone (retry_on_conflict).
        """
        kind = database_error_kind(exc)
        if kind == "concurrent":
            raise exc
        if kind == "unique":
            # A unique key taken by a concurrent insert resolves on the next attempt (the binding
            # is found then); a lasting clash fails after the usual attempts.
            return self._attempt_failed(
                TransientError(
                    self.env._(
                        "This document conflicts with an existing record (%(detail)s); it is tried again.",
                        detail=storable(
                            exc.diag.message_detail or exc.diag.constraint_name or str(exc)
                        ).strip(),
                    )
                )
            )
        # The database refused what this document would write (a value beyond an index's limit, a
        # constraint): the savepoint is rolled back, the document fails on its own.
        self.write(
            {
                "in_flight": False,
                "state": "failed",
                "error_kind": "permanent",
                "error_message": self.env._(
                    "The database refused to store this document: %s",
                    storable(exc.diag.message_primary or str(exc)),
                ),
            }
        )
        self._log_attempt()
        return "failed"

    def _attempt_failed(self, exc):
        """Record why processing failed (rolled back by the caller); return the outcome."""
        secrets = self.flow_id._secret_values()
        vals = {"in_flight": False}
        vals.update(self._error_vals(exc, self.attempts, self.backend_id.record_max_attempts, secrets))
        vals.update(self._read_payload_vals(exc, secrets))
        if isinstance(exc, NeedsReviewError):
            outcome = "needs_review"
            try:
                # what the line waits for is recorded in its own savepoint: a value the database
                # refuses there fails this document, it does not abort the batch's transaction
                with self.env.cr.savepoint():
                    for callback in exc.after_rollback:
                        callback()
                    if exc.review:
                        self.env["ml.connector.review"]._create_for_line(self, exc)
            except (OperationalError, IntegrityError) as review_exc:
                kind = database_error_kind(review_exc)
                if kind == "concurrent":
                    raise
                # "unique": another worker opened the same review or mapping meanwhile, the line
                # waits on that one; a refusal fails this document
                if kind == "refused":
                    vals.update(
                        state="failed",
                        error_kind="permanent",
                        blocking_key=False,
                        error_message=self.env._(
                            "%(reason)s The database refused to record what this document waits "
                            "for: %(error)s",
                            reason=vals["error_message"],
                            error=storable(review_exc.diag.message_primary or str(review_exc)),
                        ),
                    )
                    outcome = "failed"
        else:
            if not isinstance(exc, ConnectorError | UserError | ValidationError):
                _logger.exception("Unexpected error while processing audit line %s", self.id)
            if vals.get("state") != "pending":
                outcome = "failed"
            elif isinstance(exc, ConnectorError) and not exc.counts_as_attempt and "attempts" in vals:
                # a free wait for remote evidence: the remote answers, nothing failed (no circuit breaker)
                outcome = "waiting"
            else:
                outcome = "transient"
        self.write(vals)
        self._log_attempt()
        return outcome

    @api.model
    def _create_deferred(self, entries):
        """Create the records of deferred documents, one ``create()`` per model.

        ``entries`` are ``(line, Deferred)`` pairs; returns ``(line, outcome)`` pairs. Like
        Odoo's ``load()``: when the call for all of them fails, each is created alone, so a
        document that cannot be created fails by itself and the others go through.
        """
        groups = []
        for line, deferred in entries:
            if groups and groups[-1][0] is deferred.model.env and groups[-1][1] == deferred.model._name:
                groups[-1][2].append((line, deferred))
            else:
                groups.append((deferred.model.env, deferred.model._name, [(line, deferred)]))
        outcomes = []
        for _env, _model, group in groups:
            try:
                with self.env.cr.savepoint():
                    records = group[0][1].model.create([deferred.vals for _line, deferred in group])
                    bind_all(
                        self.env,
                        [(record, deferred.bind) for (_line, deferred), record in zip(group, records)],
                    )
                    results = [deferred.finish(record) for (_line, deferred), record in zip(group, records)]
            except AuthError:
                raise
            except OperationalError as exc:
                if database_error_kind(exc) == "concurrent":
                    raise  # the whole batch is tried again
                outcomes += [(line, line._create_one(deferred)) for line, deferred in group]
                continue
            except Exception:  # each document is tried alone below, its error recorded there
                outcomes += [(line, line._create_one(deferred)) for line, deferred in group]
                continue
            done = [
                (line, line._attempt_done(result, log=False)) for (line, _d), result in zip(group, results)
            ]
            self.browse([line.id for line, _outcome in done])._log_attempt()
            outcomes += done
        return outcomes

    def _create_one(self, deferred):
        """Create the record of one deferred document in its own savepoint; return the outcome."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                result = deferred.complete(deferred.model.create(deferred.vals))
        except AuthError:
            raise
        except (OperationalError, IntegrityError) as exc:
            return self._database_refused(exc)
        except Exception as exc:
            if deferred.payload is not None and getattr(exc, "payload", None) is None:
                exc.payload = deferred.payload
            return self._attempt_failed(exc)
        return self._attempt_done(result)

    @api.model
    def _read_payload_vals(self, outcome, secrets):
        """The document as read and as sent while processing, whatever the outcome.

        A reader that fetches more of a document while processing it (an invoice's lines from
        a detail endpoint) hands it back as ``result["payload"]`` or ``exc.payload``, and a
        writer the document it sent (or refused to send) as ``result["sent"]`` or ``exc.sent``:
        the line then keeps what was actually processed, also when processing failed on it.
        """
        vals = {}
        for key, field_name in (("payload", "request_payload"), ("sent", "sent_payload")):
            value = outcome.get(key) if isinstance(outcome, dict) else getattr(outcome, key, None)
            if value is not None:
                vals[field_name] = payload_text(value, secrets)
        return vals

    def _store_rebuilt_payload(self, document):
        """Keep the document built now for a line parked before it could be built."""
        self.ensure_one()
        self.write(
            {
                "request_payload": payload_text(document, self.flow_id._secret_values()),
                "content_hash": content_hash(document),
            }
        )

    # ------------------------------------------------------------------ replay
    def _check_replay_access(self):
        if not self.env.user.has_group("ml_connector.group_ml_connector_user"):
            raise AccessError(self.env._("Only connector users can replay records."))
        self.check_access("read")

    def action_replay(self):
        """Process the selected lines again: one line at once, on its own (never the rest of its
        connection); several by their connection's next run, triggered now. Each replay is a new
        attempt of the line: the earlier attempts stay as they were. Returns a notification."""
        self._check_replay_access()
        lines = self.sudo().filtered(lambda line: line.state != "pending" or not line.in_flight)
        for line in lines:
            line._requeue_for_replay()
        if len(self) == 1 and len(lines) == 1 and lines.state == "pending":
            return lines._replay_now()
        return self._notify_queued(lines)

    def _requeue_for_replay(self):
        """Make this line pending again, with the source's current version when the reader has one."""
        self.ensure_one()
        rebuilt = self.flow_id._reader()._rebuild(self)
        vals = {
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": False,
            "in_flight": False,
            "error_kind": False,
            "error_message": False,
            "blocking_key": False,
            "replay_count": self.replay_count + 1,
        }
        if rebuilt is not None:
            secrets = self.flow_id._secret_values()
            if rebuilt.error is not None:
                vals.update(self._error_vals(rebuilt.error, 0, 0, secrets))
            vals.update(request_payload=payload_text(rebuilt.payload, secrets), content_hash=rebuilt.hash)
        self.write(vals)

    def _replay_now(self, trigger="replay"):
        """Process this one line now, in a run of its own (trigger Replay, or Review decision);
        say how it ended."""
        self.ensure_one()
        backend = self.backend_id._sync_env()
        line = self.with_env(backend.env).sudo()
        backend._check_runnable()
        run = self.env["ml.connector.run"].sudo()._current_run(backend, trigger)
        started = time.monotonic()
        line._start_attempt(run)
        line._process_one(line.flow_id._pipe())
        run._count_lines(line)
        run._log_flow(line.flow_id, {"collected": 0, line.state: 1}, time.monotonic() - started)
        run._finish(elapsed=time.monotonic() - started)
        self.env["ml.connector.audit.attempt"]._seal(self.backend_id)
        state_label = dict(self._fields["state"]._description_selection(self.env))[line.state]
        kind = {"done": "success", "skipped": "info", "pending": "warning"}.get(line.state, "danger")
        message = line.error_message or self.env._("Processed again without remark.")
        return self.backend_id._notify(
            self.env._("Replay of %(document)s: %(state)s", document=line.name, state=state_label),
            message,
            kind,
            sticky=kind == "danger",
            reload=True,
        )

    def _notify_queued(self, lines):
        """Say how many lines were queued, and when their connections run."""
        backends = lines.backend_id
        backends._trigger_run("replay")
        when = ", ".join(
            self.env._("%(connection)s: %(when)s", connection=backend.name, when=backend._next_run_text())
            for backend in backends
        )
        skipped = len(self) - len(lines)
        message = self.env._(
            "%(n)s document(s) queued for replay. They run with the next run of %(when)s.",
            n=len(lines),
            when=when or "-",
        )
        if skipped:
            message += " " + self.env._("%s document(s) being processed right now were left alone.", skipped)
        return self.env["ml.connector.backend"]._notify(
            self.env._("Replay queued"), message, "info", reload=True
        )

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

    @api.model
    def _release(self, blocking_key, backend=None, reason="review"):
        """Lines waiting for ``blocking_key`` (a mapping, a review) can go: requeue them."""
        domain = [("state", "=", "needs_review"), ("blocking_key", "=", bounded_key(blocking_key))]
        if backend:
            domain += [
                "|",
                "|",
                ("backend_id", "=", backend.id),
                ("flow_id.source_backend_id", "=", backend.id),
                ("flow_id.target_backend_id", "=", backend.id),
            ]
        lines = self.sudo().search(domain)
        if lines:
            lines.write(
                {
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": False,
                    "blocking_key": False,
                    "error_kind": False,
                    "error_message": self.env._("Released: %s is now resolved.", blocking_key),
                }
            )
            lines.backend_id._trigger_run(reason)
        return lines

    def action_open_record(self):
        self.ensure_one()
        record = self._record()
        if not record:
            raise UserError(self.env._("No Odoo record is linked to this line."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }
