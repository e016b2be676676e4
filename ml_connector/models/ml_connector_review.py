from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import LazyTranslate

from ..tools.errors import ConfigurationError
from ..tools.text import bounded_key

_lt = LazyTranslate(__name__)

REVIEW_MODELS = [
    ("res.partner", "Partner"),
    ("product.product", "Product"),
    ("account.tax", "Tax"),
    ("account.account", "Account"),
    ("account.analytic.account", "Analytic account"),
    ("purchase.order", "Purchase order"),
    ("purchase.order.line", "Purchase order line"),
]


RULE_LABELS = {
    "binding": _lt("Already linked"),
    "reference": _lt("Same supplier number"),
    "duns": _lt("Same DUNS number"),
    "vat": _lt("Same VAT number"),
    "email_domain": _lt("Same e-mail domain"),
    "company_registry": _lt("Same company ID"),
    "name": _lt("Same name"),
    "fuzzy_name": _lt("Similar name"),
    "vendor_code": _lt("Vendor's product code"),
    "internal_reference": _lt("Same internal reference"),
    "barcode": _lt("Same barcode"),
}


PROCESSED_ON_DECISION = 20  # documents a decision releases that are processed at once


class MlConnectorReview(models.Model):
    """A decision the connector will not take alone: which Odoo record a remote value is.

    One review per remote value (e.g. JAGGAER supplier 3903, SPS item NW-999999); every
    audit line that needs that value waits on it. Approving creates the binding, so the
    same value never asks again, and releases the waiting lines.
    """

    _name = "ml.connector.review"
    _description = "Connector review item"
    _inherit = ["mail.thread"]
    _order = "state, id desc"

    name = fields.Char(required=True)
    backend_id = fields.Many2one(
        "ml.connector.backend", "Connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [("partner", "Partner"), ("product", "Product"), ("tax", "Tax"), ("other", "Other")],
        required=True,
        default="other",
    )
    binding_type = fields.Char(required=True, help="Binding created on approval.")
    external_id = fields.Char("External value", required=True)
    external_key = fields.Char()
    external_label = fields.Char("Remote description")
    reason = fields.Text(help="Why the connector did not decide alone.")
    res_model = fields.Char("Candidate model", required=True)
    state = fields.Selection(
        [("open", "To review"), ("approved", "Approved"), ("create", "Create new"), ("rejected", "Rejected")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    candidate_ids = fields.One2many("ml.connector.review.candidate", "review_id", string="Candidates")
    chosen_id = fields.Many2oneReference(
        "Chosen record",
        model_field="res_model",
        help="Pick a candidate, or any other existing record of this kind, then approve.",
    )
    chosen_ref = fields.Reference(
        selection=REVIEW_MODELS,
        string="Chosen record (reference)",
        compute="_compute_chosen_ref",
        inverse="_inverse_chosen_ref",
    )
    model_label = fields.Char("Decides", compute="_compute_model_label")
    allow_create = fields.Boolean(help="The flow may create a new record when no candidate is right.")
    line_ids = fields.Many2many("ml.connector.audit.line", string="Waiting documents")
    waiting_count = fields.Integer(compute="_compute_waiting_count")
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_date = fields.Datetime(readonly=True)

    _open_value_uniq = models.UniqueIndex(
        "(backend_id, binding_type, external_id) WHERE state = 'open'",
        "This value is already waiting for review.",
    )

    @api.depends("res_model", "chosen_id")
    def _compute_chosen_ref(self):
        for review in self:
            review.chosen_ref = f"{review.res_model},{review.chosen_id}" if review.chosen_id else False

    def _inverse_chosen_ref(self):
        for review in self:
            record = review.chosen_ref
            if record and record._name != review.res_model:
                raise UserError(self.env._("The chosen record must be a %s.", review.model_label))
            review.chosen_id = record.id if record else False

    @api.depends("res_model")
    def _compute_model_label(self):
        for review in self:
            model = self.env["ir.model"]._get(review.res_model) if review.res_model else None
            review.model_label = model.name if model else review.res_model

    @api.depends("line_ids.state")
    def _compute_waiting_count(self):
        for review in self:
            review.waiting_count = len(review.line_ids.filtered(lambda line: line.state == "needs_review"))

    @api.model
    def _blocking_key(self, binding_type, external_id):
        return f"review:{binding_type}:{external_id}"

    @api.model
    def _open(self, backend, spec, reason):
        """The open review of the remote value ``spec`` describes (see ``MatchResult.review_error``),
        created if there is none yet. Every review item is opened here."""
        review = self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("binding_type", "=", spec["binding_type"]),
                ("external_id", "=", str(spec["external_id"])),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        if review:
            return review
        return self.sudo().create(
            {
                "name": spec.get("name") or spec.get("external_label") or spec["external_id"],
                "backend_id": backend.id,
                "kind": spec.get("kind", "other"),
                "binding_type": spec["binding_type"],
                "external_id": str(spec["external_id"]),
                "external_key": spec.get("external_key"),
                "external_label": spec.get("external_label"),
                "reason": spec.get("reason") or reason,
                "res_model": spec["res_model"],
                "allow_create": spec.get("allow_create", False),
                "candidate_ids": [
                    Command.create(
                        {
                            "record_ref": f"{candidate.record._name},{candidate.record.id}",
                            "score": candidate.score,
                            "rule": candidate.rule,
                            "explanation": candidate.explanation,
                        }
                    )
                    for candidate in spec.get("candidates", [])
                ],
            }
        )

    @api.model
    def _create_for_line(self, line, exc):
        """Open (or reuse) the review described by ``exc.review`` and attach ``line`` to it.

        The review belongs to the connection whose value it is (``exc.review["backend_id"]``, by
        default the line's connection)."""
        spec = exc.review
        backend = self.env["ml.connector.backend"].browse(spec.get("backend_id") or line.backend_id.id)
        review = self._open(backend, spec, str(exc))
        review.line_ids = [Command.link(line.id)]
        line.blocking_key = bounded_key(self._blocking_key(review.binding_type, review.external_id))
        return review

    @api.model
    def _decision(self, backend, binding_type, external_id):
        """The latest closed review for a remote value (``create`` or ``rejected`` matter to flows)."""
        return self.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("binding_type", "=", binding_type),
                ("external_id", "=", str(external_id)),
                ("state", "in", ("create", "rejected")),
            ],
            order="id desc",
            limit=1,
        )

    def _check_reviewer(self):
        if not self.env.user.has_group("ml_connector.group_ml_connector_manager"):
            raise AccessError(self.env._("Only connector managers can decide review items."))
        self.check_access("write")

    def _close(self, state):
        """Close the reviews and release their documents; return the released lines."""
        self.write({"state": state, "decided_by_id": self.env.uid, "decided_date": fields.Datetime.now()})
        released = self.env["ml.connector.audit.line"]
        for review in self:
            released |= self.env["ml.connector.audit.line"]._release(
                self._blocking_key(review.binding_type, review.external_id), review.backend_id
            )
        return released

    def _process_released(self, lines):
        """Process the documents a decision released right away (a few; the run takes the rest),
        and say how they ended."""
        now, later = lines[:PROCESSED_ON_DECISION], lines[PROCESSED_ON_DECISION:]
        outcomes = {}
        for line in now:
            try:
                line._replay_now(trigger="review")
            except ConfigurationError:
                later |= line
                continue
            label = dict(line._fields["state"]._description_selection(self.env))[line.state]
            outcomes.setdefault(label, []).append(line.name)
        parts = [
            self.env._("%(state)s: %(documents)s", state=state, documents=", ".join(names))
            for state, names in outcomes.items()
        ]
        if later:
            parts.append(self.env._("%s more go with the next run.", len(later)))
        if not lines:
            parts.append(self.env._("No document was waiting for this decision."))
        return "; ".join(parts)

    def action_approve(self):
        """Bind the remote value to the chosen record and release the waiting documents."""
        self._check_reviewer()
        for review in self:
            record = (
                self.env[review.res_model].browse(review.chosen_id).exists() if review.chosen_id else None
            )
            if not record:
                selected = review.candidate_ids.filtered("selected")
                if len(selected) != 1:
                    raise UserError(
                        self.env._("Select exactly one candidate, or pick a record, before approving.")
                    )
                record = selected.record_ref
            if record._name != review.res_model:
                raise UserError(self.env._("The chosen record must be a %s.", review.model_label))
            self.env["ml.connector.binding"]._bind(
                review.backend_id,
                review.binding_type,
                review.external_id,
                record=record,
                external_key=review.external_key,
            )
            review.chosen_id = record.id
            review.message_post(
                body=self.env._(
                    "Approved: %(value)s is %(record)s.", value=review.external_id, record=record.display_name
                )
            )
        released = self._close("approved")
        message = self._process_released(released)
        return self.env["ml.connector.backend"]._notify(
            self.env._("Approved"), message, "success" if released else "info", reload=True
        )

    def action_create_new(self):
        self._check_reviewer()
        if self.filtered(lambda r: not r.allow_create):
            raise UserError(
                self.env._("This flow never creates such records automatically; choose an existing one.")
            )
        self._close("create")
        return True

    def action_reject(self):
        """None of the candidates, and nothing should be created: the waiting documents fail."""
        self._check_reviewer()
        for review in self:
            waiting = review.line_ids.filtered(lambda line: line.state == "needs_review")
            waiting.write(
                {
                    "state": "failed",
                    "error_kind": "review",
                    "error_message": self.env._("Rejected in review by %s.", self.env.user.name),
                    "blocking_key": False,
                }
            )
            waiting.sudo()._log_attempt("review")
        self.write(
            {"state": "rejected", "decided_by_id": self.env.uid, "decided_date": fields.Datetime.now()}
        )
        return True


class MlConnectorReviewCandidate(models.Model):
    _name = "ml.connector.review.candidate"
    _description = "Connector review candidate"
    _order = "score desc, id"

    review_id = fields.Many2one("ml.connector.review", required=True, ondelete="cascade", index=True)
    record_ref = fields.Reference(selection=REVIEW_MODELS, string="Record", required=True)
    score = fields.Float(digits=(5, 1), help="0-100: how close the match is.")
    rule = fields.Char(help="Which rule of the matching cascade proposed this candidate.")
    rule_label = fields.Char("Found by", compute="_compute_rule_label")
    explanation = fields.Text(help="What matched and what did not.")
    selected = fields.Boolean()

    @api.depends("rule")
    def _compute_rule_label(self):
        for candidate in self:
            label = RULE_LABELS.get(candidate.rule)
            candidate.rule_label = (
                str(label) if label else (candidate.rule or "").replace("_", " ").capitalize()
            )

    def action_choose(self):
        """Choose this candidate and approve the review."""
        self.ensure_one()
        self.review_id._check_reviewer()
        self.review_id.candidate_ids.selected = False
        self.selected = True
        self.review_id.chosen_id = self.record_ref.id
        return self.review_id.action_approve()
