import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.db import is_concurrency_error

# pg_try_advisory_xact_lock(int, int) namespace for "the audit chain of this connection is being sealed"
SEAL_LOCK_NAMESPACE = 0x6D6C64  # "mld"
GENESIS = "0" * 64
# content digest key -> field, for the facts kept as text
CONTENT_KEYS = {
    "document": "document",
    "trigger": "trigger",
    "state": "state",
    "error_kind": "error_kind",
    "message": "message",
    "request": "request_digest",
    "sent": "sent_digest",
    "response": "response_digest",
}
CONTENT_FIELDS = (*CONTENT_KEYS.values(), "line_ref", "number", "date")
TRIGGERS = [
    ("cron", "Schedule"),
    ("manual", "Manual run"),
    ("replay", "Replay"),
    ("review", "Review decision"),
    ("mapping", "Mapping"),
]


def digest(text):
    """SHA-256 of a stored text ('' for none): what the chain keeps once the text is purged."""
    if not text:
        return ""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class MlConnectorAuditAttempt(models.Model):
    """One attempt at processing one audit line, kept as it happened: what was read, what was
    sent, what the target answered and the outcome. A replay adds an attempt, it never
    overwrites one.

    Attempts are append-only and hash-chained per connection: each link's hash covers its
    content digest and the previous link's hash, so an attempt edited or removed afterwards
    breaks the chain at that point (``ml.connector.backend.action_verify_audit_chain``).
    Retention may purge the texts (their digests stay) or the details of old attempts (their
    content digest stays): the chain still verifies.
    """

    _name = "ml.connector.audit.attempt"
    _description = "Connector audit attempt"
    _order = "id desc"
    _rec_name = "line_id"

    line_id = fields.Many2one("ml.connector.audit.line", "Audit line", index=True, ondelete="set null")
    line_ref = fields.Integer("Line ID", help="The audit line's id, kept when retention removes the line.")
    document = fields.Char(help="The audit line's document, kept when retention removes the line.")
    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    flow_id = fields.Many2one("ml.connector.flow", ondelete="set null")
    run_id = fields.Many2one("ml.connector.run", index="btree_not_null", ondelete="set null")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    number = fields.Integer("Attempt", help="The line's attempt counter when this attempt ended.")
    trigger = fields.Selection(TRIGGERS, help="What started this attempt.")
    state = fields.Selection(
        [
            ("pending", "To retry"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("needs_review", "Needs review"),
            ("skipped", "Skipped"),
        ],
        "Outcome",
    )
    error_kind = fields.Char()
    message = fields.Text()
    request_payload = fields.Text("Payload")
    sent_payload = fields.Text("Sent")
    response_payload = fields.Text("Answer")
    request_digest = fields.Char()
    sent_digest = fields.Char()
    response_digest = fields.Char()
    payloads_purged = fields.Boolean(help="Retention removed the texts; their digests remain in the chain.")
    details_purged = fields.Boolean(help="Retention removed this attempt's details; its link remains.")
    content_digest = fields.Char(readonly=True)
    sequence = fields.Integer("Link", readonly=True, index="btree_not_null", help="Position in the chain.")
    chain_hash = fields.Char(readonly=True)

    _chain_idx = models.Index("(backend_id, sequence) WHERE sequence IS NOT NULL")
    # what the next seal links: found without reading every attempt of the connection
    _unsealed_idx = models.Index("(backend_id, id) WHERE sequence IS NULL")

    # ------------------------------------------------------------------ content
    def _content(self):
        """What the content digest covers: every fact of the attempt, payloads by their digest."""
        self.ensure_one()
        return self._content_of({name: self[name] for name in CONTENT_FIELDS})

    @staticmethod
    def _content_of(values):
        """The facts of an attempt given as field values (a record's, or those it is created with)."""
        content = {key: values.get(name) or "" for key, name in CONTENT_KEYS.items()}
        content["line"] = values.get("line_ref") or 0
        content["number"] = values.get("number") or 0
        content["date"] = fields.Datetime.to_string(values.get("date"))
        return content

    def _compute_content_digest(self):
        self.ensure_one()
        return self._digest_of(self._content())

    @staticmethod
    def _digest_of(content):
        data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()

    @staticmethod
    def _link_hash(previous, sequence, content_digest):
        return hashlib.sha256(f"{previous}|{sequence}|{content_digest}".encode()).hexdigest()

    @api.model
    def _record(self, lines, trigger=None, dates=None):
        """Keep the attempt that just ended on each of ``lines`` (its current state, message and
        payloads), in one insert; ``dates`` ({line id: datetime}) says when, if not now."""
        dates = dates or {}
        return self.sudo().create([self._attempt_vals(line, trigger, dates.get(line.id)) for line in lines])

    @api.model
    def _attempt_vals(self, line, trigger=None, date=None):
        vals = {
            "line_id": line.id,
            "line_ref": line.id,
            "document": line.name,
            "backend_id": line.backend_id.id,
            "flow_id": line.flow_id.id,
            "run_id": line.run_id.id,
            "number": line.attempts,
            "trigger": trigger or line.run_id.trigger or "cron",
            "state": line.state,
            "error_kind": line.error_kind or False,
            "message": line.error_message or False,
            "request_payload": line.request_payload or False,
            "sent_payload": line.sent_payload or False,
            "response_payload": line.response_payload or False,
            "request_digest": digest(line.request_payload),
            "sent_digest": digest(line.sent_payload),
            "response_digest": digest(line.response_payload),
        }
        vals["date"] = date or fields.Datetime.now()
        vals["content_digest"] = self._digest_of(self._content_of(vals))
        return vals

    # ------------------------------------------------------------------ chain
    @api.model
    def _seal(self, backend):
        """Give the unsealed attempts of ``backend`` their place and hash in its chain.

        One sealer per connection at a time (a transaction lock that is only tried: whoever does
        not get it leaves the work to the next one). Return the number of links added.
        """
        cr = self.env.cr
        cr.execute(
            "SELECT 1 FROM ml_connector_audit_attempt WHERE backend_id = %s AND sequence IS NULL LIMIT 1",
            (backend.id,),
        )
        if not cr.fetchone():
            return 0  # an idle cycle: nothing to link, no lock to take
        try:
            with cr.savepoint():
                cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (SEAL_LOCK_NAMESPACE, backend.id))
                if not cr.fetchone()[0]:
                    return 0
                return self._seal_locked(backend)
        except Exception as exc:
            if is_concurrency_error(exc):
                return 0  # another sealer went first; the next seal continues its chain
            raise

    @api.model
    def _seal_locked(self, backend):
        cr = self.env.cr
        cr.execute(
            """SELECT sequence, chain_hash FROM ml_connector_audit_attempt
               WHERE backend_id = %s AND sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1""",
            (backend.id,),
        )
        row = cr.fetchone()
        sequence, previous = row if row else (0, GENESIS)
        cr.execute(
            """SELECT id, content_digest FROM ml_connector_audit_attempt
               WHERE backend_id = %s AND sequence IS NULL ORDER BY id""",
            (backend.id,),
        )
        rows = cr.fetchall()
        updates = []
        for attempt_id, content_digest in rows:
            sequence += 1
            previous = self._link_hash(previous, sequence, content_digest or "")
            updates.append((attempt_id, sequence, previous))
        for chunk_start in range(0, len(updates), 1000):
            chunk = updates[chunk_start : chunk_start + 1000]
            cr.execute(
                SQL(
                    """UPDATE ml_connector_audit_attempt AS a SET sequence = v.seq, chain_hash = v.hash
                       FROM (VALUES %s) AS v(id, seq, hash) WHERE a.id = v.id""",
                    SQL(", ").join(SQL("(%s, %s, %s)", *values) for values in chunk),
                )
            )
        if updates:
            self.invalidate_model(["sequence", "chain_hash"])
        return len(updates)

    @api.model
    def _verify(self, backend):
        """Check the chain of ``backend`` from its first link: (links checked, first problem or None)."""
        previous, expected = GENESIS, 1
        while True:
            attempts = self.sudo().search(
                [("backend_id", "=", backend.id), ("sequence", ">=", expected)], order="sequence", limit=2000
            )
            for attempt in attempts:
                problem = attempt._check_link(previous, expected)
                if problem:
                    return expected - 1, problem
                previous, expected = attempt.chain_hash, expected + 1
            if len(attempts) < 2000:
                return expected - 1, None
            attempts.invalidate_recordset()

    def _check_link(self, previous, expected):
        """The problem with this link (a text), or None."""
        self.ensure_one()
        where = self.env._(
            "link %(n)s (attempt %(attempt)s of %(document)s)",
            n=self.sequence,
            attempt=self.number,
            document=self.document or self.line_ref,
        )
        if self.sequence != expected:
            return self.env._(
                "Link %(n)s is missing: the chain jumps from %(previous)s to %(next)s.",
                n=expected,
                previous=expected - 1,
                next=self.sequence,
            )
        if not self.payloads_purged and not self.details_purged:
            for field_name, digest_name, label in (
                ("request_payload", "request_digest", self.env._("payload")),
                ("sent_payload", "sent_digest", self.env._("sent document")),
                ("response_payload", "response_digest", self.env._("answer")),
            ):
                if digest(self[field_name]) != (self[digest_name] or ""):
                    return self.env._(
                        "The %(what)s of %(where)s was changed after it was recorded.",
                        what=label,
                        where=where,
                    )
        if not self.details_purged and self._compute_content_digest() != self.content_digest:
            return self.env._("The details of %(where)s were changed after they were recorded.", where=where)
        if self._link_hash(previous, self.sequence, self.content_digest or "") != self.chain_hash:
            return self.env._(
                "The hash of %(where)s does not follow from the previous link: a link was changed, "
                "removed or inserted.",
                where=where,
            )
        return None

    def write(self, vals):
        allowed = {
            "sequence",
            "chain_hash",
            "content_digest",
            "payloads_purged",
            "details_purged",
            "request_payload",
            "sent_payload",
            "response_payload",
            "line_id",
            "run_id",
            "flow_id",
            "message",
            "error_kind",
        }
        if not self.env.su or set(vals) - allowed:
            raise UserError(self.env._("Audit attempts are kept as they were recorded."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_by_retention(self):
        raise UserError(self.env._("Audit attempts are only removed by the retention the admin set."))
