import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.ahead import ReadAhead
from ..tools.db import drop_transaction_caches, is_concurrency_error, retry_on_conflict
from ..tools.documents import DOCUMENT_TYPES
from ..tools.errors import AuthError, ConnectorError, DocumentSkipped
from ..tools.items import Deferred
from ..tools.text import bounded_key, storable
from .ml_connector_backend import commit_keeping_clients
from .ml_connector_reader import ODOO

_logger = logging.getLogger(__name__)

# Several transient failures in a row mean the remote is down: stop the flow for this run
# instead of burning every record's attempts.
CIRCUIT_BREAKER_THRESHOLD = 3
READER_PREFIX = "ml.connector.reader."
STAMP_KEYS = ("write_date", "updated", "modified", "last_update", "since", "stamp", "read")
WRITER_PREFIX = "ml.connector.writer."


class PendingCreates:
    """The deferred documents of a batch (see ``tools.items.Deferred``), created together on demand."""

    def __init__(self, env):
        self.env = env
        self.entries = []
        self.keys = set()
        self.finished = []  # (line, outcome) of documents created, not yet counted by the caller
        self.attempts = {}  # line -> when its attempt ended, kept at the end of the batch

    def attempted(self, line):
        self.attempts[line] = fields.Datetime.now()

    def log_attempts(self):
        """Keep the attempts of the batch's documents processed so far, in one insert."""
        if not self.attempts:
            return
        attempts, self.attempts = self.attempts, {}
        lines = self.env["ml.connector.audit.line"].union(*attempts)
        lines._log_attempt(dates={line.id: date for line, date in attempts.items()})

    def conflicts(self, deferred):
        return not self.keys.isdisjoint(deferred.keys)

    def add(self, line, deferred):
        self.entries.append((line, deferred))
        self.keys |= deferred.keys

    def create_all(self):
        if not self.entries:
            return
        entries, self.entries, self.keys = self.entries, [], set()
        self.finished += self.env["ml.connector.audit.line"]._create_deferred(entries)

    def take_finished(self):
        finished, self.finished = self.finished, []
        return finished


class FlowPipe:
    """What the engine runs for each line of a flow: its reader makes the canonical document of
    the line, its writer writes it to the target (or first looks up a send of unknown outcome).

    In a batch, the documents are all read first (``prepare_batch``), so that the writer looks up
    what they need together; each document is then written in its turn."""

    def __init__(self, reader, writer, documents=None):
        self.reader, self.writer = reader, writer
        self.documents = {} if documents is None else documents  # line id -> document or error

    def with_context(self, **values):
        return FlowPipe(
            self.reader.with_context(**values), self.writer.with_context(**values), self.documents
        )

    def reading_ahead(self, ahead):
        """This pipe, its reader reading documents ahead through ``ahead`` (a ``ReadAhead``)."""
        return FlowPipe(self.reader.with_context(ml_connector_read_ahead=ahead), self.writer, self.documents)

    def read_ahead(self, lines):
        """Start reading ``lines``' documents from the source in the background."""
        ahead = self.reader.env.context.get("ml_connector_read_ahead")
        if ahead is not None and lines:
            ahead.retain(lines.ids + list(self.documents))
            self.reader._read_ahead(lines)

    def prepare_batch(self, lines):
        self.documents.clear()
        drop_transaction_caches(self.writer.env.cr)
        self.read_ahead(lines)
        self.reader._prepare_batch(lines)
        self.writer._prepare_batch(lines)
        self.writer._prepare_documents(self._read_documents(lines))

    def _read_documents(self, lines):
        """Read the documents of ``lines``; return the ``(line, document)`` pairs read.

        A document that cannot be read keeps its error for its turn, where it is recorded as
        always. Reading stops at an error that may concern the others too (credentials, an
        unreachable source): those are read in their turn, where the engine stops the batch.
        """
        read = []
        for line in lines:
            if line.state != "pending":
                continue
            try:
                with line.env.cr.savepoint():
                    document = self.reader._document(line)
            except Exception as exc:
                if is_concurrency_error(exc):
                    raise  # the batch is tried again
                self.documents[line.id] = exc
                if isinstance(exc, AuthError) or (isinstance(exc, ConnectorError) and exc.transient):
                    break
                continue
            self.documents[line.id] = document
            if document is not None:
                read.append((line, document))
        return read

    def _document(self, line):
        if line.id not in self.documents:
            return self.reader._document(line)
        document = self.documents[line.id]
        if isinstance(document, Exception):
            raise document
        return document

    def process(self, line):
        """The result of ``line`` (a dict or a ``Deferred``); errors carry what the reader read."""
        document = None
        try:
            document = self._document(line)
            result = self.writer._resolve_unknown_outcome(line, document) if line.outcome_unknown else None
            if result is None:
                result = self.writer._write(line, document) or {}
        except DocumentSkipped as skipped:
            result = {"state": "skipped", "message": str(skipped)}
            if skipped.record:
                result.update(res_model=skipped.record._name, res_id=skipped.record.id)
        except Exception as exc:
            read = getattr(document, "source_payload", None)
            if read is not None and getattr(exc, "payload", None) is None:
                exc.payload = read
            raise
        if isinstance(result, Deferred):
            completed = result.then(lambda done: self._complete(done, document))
            if completed.payload is None:
                completed.payload = getattr(document, "source_payload", None)
            return completed
        return self._complete(result, document)

    @staticmethod
    def _complete(result, document):
        """The line's result with what the reader read and what the source said about it."""
        read = getattr(document, "source_payload", None)
        if read is not None:
            result.setdefault("payload", read)
        note = getattr(document, "source_note", "")
        if note:
            result["message"] = " ".join(filter(None, [result.get("message"), note]))
        return result


class MlConnectorFlow(models.Model):
    """One document type moving in one direction between two ends.

    Each end is this Odoo database or a connection: JAGGAER → Odoo, Odoo → SPS, or between two
    connections (JD Edwards → JAGGAER) with no Odoo business record involved. A flow is a reader
    of its source end plus a writer of its target end for one canonical document type
    (``tools/documents.py``). It runs in the cycle of its connection (``backend_id``, one of its
    two ends), which also takes the run lock of the other end while the flow runs.

    The engine lives here. A run of a flow has two phases, each in committed batches:

    1. *collect*: the reader reads the source from the flow's cursor (high-water mark); every
       new version of a document becomes a pending audit line holding its payload, stored in
       the same transaction as the cursor that covers it. Only after that commit is the source
       acknowledged (e.g. a remote file deleted).
    2. *process*: pending lines are written to the target one by one, each inside a savepoint,
       so a failing record is recorded on its line and never blocks the batch.
    """

    _name = "ml.connector.flow"
    _description = "Connector flow"
    _order = "backend_id, master_data desc, sequence, id"

    name = fields.Char(required=True)
    backend_id = fields.Many2one(
        "ml.connector.backend",
        "Connection",
        required=True,
        ondelete="cascade",
        index=True,
        help="The connection whose schedule runs this flow: one of its two ends.",
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    source_backend_id = fields.Many2one(
        "ml.connector.backend",
        "From",
        ondelete="cascade",
        index="btree_not_null",
        help="Empty: this database.",
    )
    target_backend_id = fields.Many2one(
        "ml.connector.backend", "To", ondelete="cascade", index="btree_not_null", help="Empty: this database."
    )
    document_type = fields.Selection(
        selection="_selection_document_type", string="Documents", required=True, help="What this flow moves."
    )
    reader_model = fields.Selection(
        selection="_selection_reader_model",
        compute="_compute_reader_model",
        store=True,
        readonly=False,
        string="Reader",
        help="How the documents are read from the source end.",
    )
    writer_model = fields.Selection(
        selection="_selection_writer_model",
        compute="_compute_writer_model",
        store=True,
        readonly=False,
        string="Writer",
        help="How the documents are written to the target end.",
    )
    source_system = fields.Char(compute="_compute_ends", store=True)
    target_system = fields.Char(compute="_compute_ends", store=True)
    code = fields.Char(
        compute="_compute_ends",
        store=True,
        index=True,
        help="Document type and systems, e.g. invoice:jaggaer>odoo.",
    )
    sequence = fields.Integer(default=50)
    active = fields.Boolean(default=True)
    master_data = fields.Boolean(help="Master-data flows run before transaction flows in every cycle.")
    direction = fields.Selection(
        [("inbound", "Into Odoo"), ("outbound", "Out of Odoo"), ("external", "Between connections")],
        compute="_compute_ends",
        store=True,
    )
    cursor = fields.Json(copy=False, help="Where the next run starts reading the source (high-water mark).")
    cursor_display = fields.Char("Read up to", compute="_compute_cursor_display")
    overlap_seconds = fields.Integer(
        "Re-read window (s)",
        default=300,
        help="Each run re-reads this many seconds before the high-water mark: changes committed late or "
        "in the same second are never missed; unchanged documents are skipped by their content hash.",
    )
    batch_size = fields.Integer("Batch size", help="Records per batch; 0: the connection's batch size.")
    last_collect_run_id = fields.Many2one("ml.connector.run", copy=False, readonly=True)
    last_run_date = fields.Datetime("Last run", readonly=True, copy=False)
    last_success_date = fields.Datetime("Last success", readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    line_ids = fields.One2many("ml.connector.audit.line", "flow_id")
    pending_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")
    review_count = fields.Integer(compute="_compute_counts")

    # ------------------------------------------------------------------ what moves where
    @api.model
    def _components(self, prefix):
        return [
            name
            for name in sorted(self.env.registry)
            if name.startswith(prefix) and self.env[name]._abstract and self.env[name]._document_type
        ]

    @api.model
    def _selection_reader_model(self):
        return [(name, self.env[name]._description) for name in self._components(READER_PREFIX)]

    @api.model
    def _selection_writer_model(self):
        return [(name, self.env[name]._description) for name in self._components(WRITER_PREFIX)]

    @api.model
    def _selection_document_type(self):
        types = [(code, spec.label) for code, spec in DOCUMENT_TYPES.items()]
        known = set(DOCUMENT_TYPES)
        for name in self._components(READER_PREFIX) + self._components(WRITER_PREFIX):
            code = self.env[name]._document_type
            if code not in known:
                known.add(code)
                types.append((code, code))
        return types

    @api.depends("source_backend_id.system_type", "target_backend_id.system_type")
    def _compute_ends(self):
        for flow in self:
            flow.source_system = flow.source_backend_id.system_type or ODOO
            flow.target_system = flow.target_backend_id.system_type or ODOO
            flow.code = f"{flow.document_type}:{flow.source_system}>{flow.target_system}"
            if flow.target_system == ODOO and not flow.target_backend_id:
                flow.direction = "inbound"
            elif not flow.source_backend_id:
                flow.direction = "outbound"
            else:
                flow.direction = "external"

    @api.depends("source_backend_id.system_type", "document_type")
    def _compute_reader_model(self):
        # separate computes: a flow created with an explicit writer still gets its reader
        for flow in self:
            name = f"{READER_PREFIX}{flow.source_backend_id.system_type or ODOO}.{flow.document_type}"
            flow.reader_model = name if name in self.env else False

    @api.depends("target_backend_id.system_type", "document_type")
    def _compute_writer_model(self):
        for flow in self:
            name = f"{WRITER_PREFIX}{flow.target_backend_id.system_type or ODOO}.{flow.document_type}"
            flow.writer_model = name if name in self.env else False

    @api.depends("cursor", "last_collect_run_id")
    def _compute_cursor_display(self):
        for flow in self:
            flow.cursor_display = flow._cursor_text(flow.cursor or {})

    def _cursor_text(self, cursor):
        """The high-water mark as people read it: up to when changes were read, and whether the
        window re-read for late commits has settled."""
        if not cursor:
            if self.last_collect_run_id:
                return self.env._("No mark kept: each run takes what the source holds for it.")
            return self.env._("Nothing read yet: the next run reads everything.")
        stamp = next((cursor[k] for k in STAMP_KEYS if cursor.get(k)), None)
        parts = []
        if stamp:
            parts.append(self.env._("Changes read up to %s", self._stamp_text(stamp)))
        if cursor.get("id"):
            parts.append(self.env._("last record %s", cursor["id"]))
        if "settled" in cursor:
            parts.append(
                self.env._("settled")
                if cursor["settled"]
                else self.env._("re-reading the last %s s for late changes", self.overlap_seconds)
            )
        others = [
            f"{key.replace('_', ' ')}: {value}"
            for key, value in cursor.items()
            if key not in (*STAMP_KEYS, "id", "settled") and not isinstance(value, list | dict)
        ]
        return ", ".join(parts + others) or self.env._("Position kept by the source")

    def _stamp_text(self, stamp):
        """A stored UTC time in the user's time zone, else the text as the source gave it."""
        try:
            value = fields.Datetime.to_datetime(str(stamp).replace("T", " ")[:19])
        except ValueError:
            return str(stamp)
        return fields.Datetime.context_timestamp(self, value).strftime("%Y-%m-%d %H:%M:%S")

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

    @api.constrains("backend_id", "source_backend_id", "target_backend_id", "reader_model", "writer_model")
    def _check_ends(self):
        for flow in self:
            ends = flow.source_backend_id | flow.target_backend_id
            if not ends or flow.source_backend_id == flow.target_backend_id:
                raise ValidationError(
                    self.env._("A flow joins two different ends: a connection and Odoo, or two connections.")
                )
            if flow.backend_id not in ends:
                raise ValidationError(
                    self.env._("Flow %s must run with one of its own ends (From or To).", flow.name)
                )
            if ends.company_id != flow.backend_id.company_id:
                raise ValidationError(
                    self.env._("Both ends of flow %s must belong to the same company.", flow.name)
                )
            flow._check_component(flow.reader_model, flow.source_system, self.env._("read from"))
            flow._check_component(flow.writer_model, flow.target_system, self.env._("written to"))

    def _system_label(self, system):
        """A system code (jaggaer, odoo) as people name it (JAGGAER, Odoo)."""
        if system == ODOO:
            return "Odoo"
        field = self.env["ml.connector.backend"]._fields["system_type"]
        return dict(field._description_selection(self.env)).get(system, system)

    def _check_component(self, name, system, verb):
        label = dict(self._fields["document_type"]._description_selection(self.env)).get(self.document_type)
        if not name:
            raise ValidationError(
                self.env._(
                    "%(documents)s cannot be %(verb)s %(system)s: no such flow exists.",
                    documents=label or self.document_type,
                    verb=verb,
                    system=self._system_label(system),
                )
            )
        component = self.env[name]
        if component._system not in (system, "any") or component._document_type != self.document_type:
            raise ValidationError(
                self.env._(
                    "%(component)s does not move %(documents)s %(verb)s %(system)s.",
                    component=component._description,
                    documents=label or self.document_type,
                    verb=verb,
                    system=self._system_label(system),
                )
            )

    @api.onchange("document_type", "source_backend_id", "target_backend_id")
    def _onchange_ends(self):
        """A new flow runs with one of its connections and is named after what it moves."""
        ends = self.source_backend_id | self.target_backend_id
        if ends and self.backend_id not in ends:
            self.backend_id = ends[0]
        if self.document_type and ends and not self._origin.id:
            self.name = self._default_name(self.document_type, self.source_backend_id, self.target_backend_id)

    def _reader(self):
        self.ensure_one()
        return self.env[self.reader_model]

    def _writer(self):
        self.ensure_one()
        return self.env[self.writer_model]

    def _pipe(self):
        return FlowPipe(self._reader(), self._writer())

    def _other_backends(self):
        """The flow's connections other than the one it runs with (the lock to take as well)."""
        self.ensure_one()
        return (self.source_backend_id | self.target_backend_id) - self.backend_id

    def _has_odoo_end(self):
        """Whether this database is one of the flow's ends (its records are read or written)."""
        self.ensure_one()
        return not (self.source_backend_id and self.target_backend_id)

    def _secret_values(self):
        """Secrets of both ends, scrubbed from whatever the flow stores."""
        self.ensure_one()
        secrets = []
        for backend in self.source_backend_id | self.target_backend_id:
            secrets += backend._secret_values()
        return secrets

    @api.model
    def _default_name(self, document_type, source, target):
        label = DOCUMENT_TYPES[document_type].label if document_type in DOCUMENT_TYPES else document_type
        external = bool(source and target)

        def end_name(end):
            if not end:
                return "Odoo"
            return (
                end.name
                if external
                else dict(end._fields["system_type"]._description_selection(self.env))[end.system_type]
            )

        return f"{label}: {end_name(source)} → {end_name(target)}"

    @api.model
    def _create_default_flows(self, backend, other=None):
        """The flows ``backend``'s system proposes, with Odoo or with connection ``other``, that it
        does not have yet (archived ones count: a manager archived them on purpose)."""
        existing = {
            (flow.document_type, flow.source_backend_id.id, flow.target_backend_id.id)
            for flow in self.with_context(active_test=False).search([("backend_id", "=", backend.id)])
        }
        vals = []
        for spec in backend._system()._default_flows(other):
            # "in": from this connection into the other end (Odoo by default); "out": the other way
            source, target = (backend, other) if spec["direction"] == "in" else (other, backend)
            document_type = spec["document_type"]
            if (document_type, source.id if source else False, target.id if target else False) in existing:
                continue
            doc_spec = DOCUMENT_TYPES.get(document_type)
            vals.append(
                {
                    "name": spec.get("name") or self._default_name(document_type, source, target),
                    "backend_id": backend.id,
                    "source_backend_id": source.id if source else False,
                    "target_backend_id": target.id if target else False,
                    "document_type": document_type,
                    "master_data": spec.get("master_data", doc_spec.master_data if doc_spec else False),
                    "sequence": spec.get("sequence", doc_spec.sequence if doc_spec else 50),
                    "active": spec.get("active", True),
                    "batch_size": spec.get("batch_size", 0),
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

    def action_dry_run(self):
        """What the next run of this flow would send, document by document; nothing is sent."""
        self.ensure_one()
        if not self.env.user.has_group("ml_connector.group_ml_connector_user"):
            raise UserError(self.env._("Only connector users can preview a flow."))
        flow = self.with_env(self.backend_id._sync_env().env).sudo()
        wizard = self.env["ml.connector.dry.run"].sudo()._for_flow(flow)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dry run: %s", self.name),
            "res_model": "ml.connector.dry.run",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------ engine
    def _commit(self, processed=0):
        """Commit a batch; return the seconds left in this cron call (inf outside crons)."""
        return commit_keeping_clients(self.env, processed)

    def _run_step(self, run):
        """Advance this flow within ``run``; return how much work is left (0 = none)."""
        self.ensure_one()
        self.last_run_date = fields.Datetime.now()
        try:
            if self.last_collect_run_id != run:
                if self._collect(run):
                    return 1
                # committed with the first batch or at the flow's end: were it lost, the next
                # step would only read the source again (known versions are skipped)
                self.last_collect_run_id = run
            remaining = self._process_pending(run)
        except AuthError:
            raise
        except ConnectorError as exc:
            # The source or target is unreachable as a whole: keep the cursor, retry next run.
            message = self._scrub(str(exc))
            self.last_error = message
            run._log(self.env._("%(flow)s: %(error)s", flow=self.name, error=message), error=True)
            self._commit()
            return 0
        except Exception as exc:
            if is_concurrency_error(exc):
                raise  # retry_on_conflict runs the step again
            # Whatever else this flow did not expect stops this flow for this run, logged; the other
            # flows of the cycle go on, and the cursor stays where the last committed page left it.
            _logger.exception("Flow %s stopped by an unexpected error", self.name)
            self.env.cr.rollback()
            self.env.transaction.reset()
            message = self._scrub(storable(f"{type(exc).__name__}: {exc}"))
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

    def _scrub(self, text):
        for backend in self.source_backend_id | self.target_backend_id:
            text = backend._scrub(text)
        return text

    def _collect(self, run):
        """Read the source into pending audit lines; return True if interrupted with more to read."""
        reader = self._reader()
        for page in reader._collect(self, run):
            created = self._store_page(page, run)
            if page.cursor is not None:
                self.cursor = page.cursor
            if created or page.cursor is not None or page.acknowledge:
                time_left = self._commit(created)
            else:  # nothing to keep yet (a poll with nothing new): committed with the flow's end
                time_left = self.backend_id._time_left()
            if page.acknowledge:
                reader._acknowledge(self, page.acknowledge)
                time_left = self._commit()
            if page.more and time_left <= 0:
                return True
        return False

    def _store_page(self, page, run):
        """Create audit lines for the new versions among ``page.items``; return how many."""
        Line = self.env["ml.connector.audit.line"].sudo()
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
        bound_hashes = self._bound_hashes(keys)
        vals_list, superseded, unchanged_count = [], [], page.unchanged
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
                unchanged_count += 1
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
            Line.browse(superseded)._log_attempt()
        lines = Line.create(vals_list) if vals_list else Line
        run._count(collected=len(lines), unchanged=unchanged_count, skipped=len(superseded))
        refused = lines.filtered(lambda line: line.state != "pending")
        run._count_lines(refused)
        refused._log_attempt()  # refused as read: their first and only attempt
        return len(lines)

    def _bound_hashes(self, keys):
        """Content hash of the binding of each source key, where the writer keeps bindings."""
        contract = self._writer()._flow_binding(self) if keys else None
        if not contract:
            return {}
        backend, object_type, column, local_end = contract
        local_filter = SQL(" AND COALESCE(local_backend_id, 0) = %s", local_end.id if local_end else 0)
        self.env.cr.execute(
            SQL(
                """SELECT %(column)s, content_hash FROM ml_connector_binding
                   WHERE backend_id = %(backend)s AND object_type = %(type)s
                     AND %(column)s IN %(keys)s%(local)s""",
                column=SQL.identifier(column),
                backend=backend.id,
                type=object_type,
                keys=tuple(keys),
                local=local_filter,
            )
        )
        return dict(self.env.cr.fetchall())

    def _due_count(self, limit=None):
        """Pending lines that are due (counted up to ``limit``)."""
        self.env.cr.execute(
            """SELECT count(*) FROM (SELECT 1 FROM ml_connector_audit_line
               WHERE flow_id = %s AND state = 'pending'
                 AND (next_attempt_at IS NULL OR next_attempt_at <= (now() AT TIME ZONE 'UTC'))
               LIMIT %s) AS due""",
            (self.id, limit),
        )
        return self.env.cr.fetchone()[0]

    def _next_batch(self, run):
        """Pending lines that are due, locked for this runner (FIFO); those that wait in this run for
        another document of the flow (see ``DependencyError``) once no other line is due."""
        # one query: the lines that wait come last, and are kept only when no other line came
        self.env.cr.execute(
            """SELECT id, in_flight, waiting_run_id IS NOT DISTINCT FROM %s AS waits
                 FROM ml_connector_audit_line
                WHERE flow_id = %s AND state = 'pending'
                  AND (next_attempt_at IS NULL OR next_attempt_at <= (now() AT TIME ZONE 'UTC'))
                ORDER BY waits, id LIMIT %s FOR UPDATE SKIP LOCKED""",
            (run.id, self.id, self._batch_size()),
        )
        rows = self.env.cr.fetchall()
        rows = [row[:2] for row in rows if row[2] == rows[0][2]] if rows else rows
        # A line still marked in flight was being processed when a worker died: process such
        # lines alone, so that a document that crashes the worker only ever takes itself down.
        suspects = [line_id for line_id, in_flight in rows if in_flight]
        ids = suspects[:1] if suspects else [line_id for line_id, _in_flight in rows]
        return self.env["ml.connector.audit.line"].sudo().browse(ids)

    def _peek_next_batch(self, lines):
        """The pending lines the next batch will most likely take (not locked: a guess to read ahead)."""
        self.env.cr.execute(
            """SELECT id FROM ml_connector_audit_line
               WHERE flow_id = %s AND state = 'pending' AND in_flight IS NOT TRUE AND id > %s
                 AND (next_attempt_at IS NULL OR next_attempt_at <= (now() AT TIME ZONE 'UTC'))
               ORDER BY id LIMIT %s""",
            (self.id, max(lines.ids), self._batch_size()),
        )
        return self.env["ml.connector.audit.line"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _process_batch(self, pipe, lines, run):
        """Process ``lines``; return (processed lines, whether the flow stopped for this run).

        Records a writer defers (see ``_create_or_defer``) are created together at the end of
        the batch, or earlier when a document depends on them.
        """
        processed = self.env["ml.connector.audit.line"]
        pending = PendingCreates(self.env)
        transient_streak = 0
        pipe.prepare_batch(lines)
        for line in lines:
            try:
                outcome = line._process_one(pipe, pending)
            except AuthError:
                processed |= self._close_batch(pipe, pending)
                (lines - processed)._abandon_attempt()
                raise
            outcomes = pending.take_finished()
            if outcome not in ("deferred", "parked"):
                outcomes.append((line, outcome))
            for done_line, done_outcome in outcomes:
                processed |= done_line
                transient_streak = transient_streak + 1 if done_outcome == "transient" else 0
            if transient_streak >= CIRCUIT_BREAKER_THRESHOLD:
                pending.create_all()
                processed |= self._close_batch(pipe, pending)
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
        # the next batch's documents are read from the source while this one's records are created
        pipe.read_ahead(self._peek_next_batch(lines))
        pending.create_all()
        processed |= self._close_batch(pipe, pending)
        return processed, False

    def _close_batch(self, pipe, pending):
        """What waits for the end of the batch: the writer's (``_finish_batch``), the attempts;
        return the lines whose records were created since the caller last counted."""
        pipe.writer._finish_batch()
        pending.log_attempts()
        lines = self.env["ml.connector.audit.line"]
        for line, _outcome in pending.take_finished():
            lines |= line
        return lines

    def _batch_attempt(self, pipe, lines, run):
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
            processed, stopped = self._process_batch(pipe, lines, run)
            if stopped:
                return True, 0
            run._count_lines(processed)
            # the batch's writes reach the database here: a conflict can still surface
            return False, self._commit(len(processed))

        return attempt

    def _process_pending(self, run):
        """Process due pending lines in committed batches; return the number left."""
        if not self._due_count(limit=1):
            return 0  # nothing to do: no reader, writer or batch size to set up
        with ReadAhead() as ahead:
            pipe = self._pipe().reading_ahead(ahead)
            while True:
                lines = self._next_batch(run)
                if not lines:
                    return 0
                lines._start_attempt(run)
                self._commit()

                attempt = self._batch_attempt(pipe, lines, run)
                stopped, time_left = retry_on_conflict(self.env, attempt, self.name)
                if stopped:
                    return 0
                if time_left <= 0:
                    return self._due_count()
