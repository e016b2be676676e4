from odoo import api, fields, models
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)

# Field groups of each document type whose owner a flow declares, with the canonical fields in them.
FIELD_GROUPS = {
    "supplier": {
        "name": (_lt("Name"), ("name",)),
        "identifiers": (_lt("Supplier number, DUNS, VAT"), ("number", "duns", "vat")),
        "contact": (_lt("E-mail, phone, website"), ("email", "phone", "website")),
        "address": (_lt("Address"), ("street", "zip", "city", "state", "country")),
        "status": (_lt("Active or inactive"), ("status",)),
    },
    "invoice": {
        "payment_terms": (_lt("Payment terms"), ("payment_terms",)),
    },
}
WINNERS = [("source", "The From end"), ("target", "The To end"), ("latest", "Nobody: latest change")]


class MlConnectorOwnership(models.Model):
    """Which end of a flow owns a group of fields: its value wins when both ends differ, and the
    other end's value is listed as a conflict instead of being written silently."""

    _name = "ml.connector.ownership"
    _description = "Connector field ownership"
    _order = "flow_id, id"

    flow_id = fields.Many2one("ml.connector.flow", required=True, ondelete="cascade", index=True)
    field_group = fields.Selection(selection="_selection_field_group", string="Fields", required=True)
    winner = fields.Selection(WINNERS, "Owner", required=True, default="latest")
    owner_label = fields.Char("On conflicts", compute="_compute_owner_label")

    _flow_group_uniq = models.UniqueIndex("(flow_id, field_group)", "Each group of fields has one owner.")

    @api.model
    def _selection_field_group(self):
        return [
            (group, str(label)) for groups in FIELD_GROUPS.values() for group, (label, _f) in groups.items()
        ]

    @api.depends("winner", "flow_id.source_backend_id", "flow_id.target_backend_id")
    def _compute_owner_label(self):
        for ownership in self:
            flow = ownership.flow_id
            if ownership.winner == "latest":
                ownership.owner_label = self.env._("Whichever end changed it last")
                continue
            end = flow.source_backend_id if ownership.winner == "source" else flow.target_backend_id
            ownership.owner_label = self.env._("%s wins", end._system_label() if end else "Odoo")

    def write(self, vals):
        res = super().write(vals)
        if "winner" in vals:
            self.flow_id._compare_everything_again()
        return res

    @api.model
    def _fields_of(self, document_type, group):
        return FIELD_GROUPS.get(document_type, {}).get(group, ("", ()))[1]


class MlConnectorConflict(models.Model):
    """A value the two ends disagree on, kept as its owner has it: listed for a person to look at."""

    _name = "ml.connector.conflict"
    _description = "Connector conflict"
    _order = "id desc"

    flow_id = fields.Many2one("ml.connector.flow", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="flow_id.backend_id", store=True, index=True, string="Connection")
    company_id = fields.Many2one(related="flow_id.company_id", store=True, index=True)
    line_id = fields.Many2one("ml.connector.audit.line", "Audit line", ondelete="set null")
    document = fields.Char(required=True)
    field_name = fields.Char("Field", required=True)
    kept_value = fields.Char("Kept")
    other_value = fields.Char("Not applied")
    kept_by = fields.Char("Owner")
    state = fields.Selection([("open", "To look at"), ("done", "Seen")], default="open", required=True)

    def action_mark_seen(self):
        self.write({"state": "done"})
        return True

    @api.model
    def _record(self, flow, line, document, conflicts, owner):
        """List ``conflicts`` ({field: (kept, not applied)}) of ``document``, once while open."""
        for field_name, (kept, other) in conflicts.items():
            exists = self.sudo().search_count(
                [
                    ("flow_id", "=", flow.id),
                    ("document", "=", document),
                    ("field_name", "=", field_name),
                    ("other_value", "=", other),
                    ("state", "=", "open"),
                ]
            )
            if not exists:
                self.sudo().create(
                    {
                        "flow_id": flow.id,
                        "line_id": line.id if line else False,
                        "document": document,
                        "field_name": field_name,
                        "kept_value": kept,
                        "other_value": other,
                        "kept_by": owner,
                    }
                )


class MlConnectorFlowOwnership(models.Model):
    _inherit = "ml.connector.flow"

    ownership_ids = fields.One2many("ml.connector.ownership", "flow_id", string="Who owns what")
    conflict_ids = fields.One2many("ml.connector.conflict", "flow_id", string="Conflicts")
    conflict_count = fields.Integer(compute="_compute_conflict_count")

    def _compute_conflict_count(self):
        counts = dict(
            self.env["ml.connector.conflict"]._read_group(
                [("flow_id", "in", self.ids), ("state", "=", "open")], ["flow_id"], ["__count"]
            )
        )
        for flow in self:
            flow.conflict_count = counts.get(flow, 0)

    @api.model_create_multi
    def create(self, vals_list):
        flows = super().create(vals_list)
        flows._create_default_ownership()
        return flows

    def _create_default_ownership(self):
        """Owners proposed by the systems of both ends (e.g. JAGGAER owns supplier names)."""
        vals = []
        for flow in self:
            groups = FIELD_GROUPS.get(flow.document_type, {})
            proposed = {}
            source, target = flow.source_backend_id, flow.target_backend_id
            for end, other, side in ((target, source, "target"), (source, target, "source")):
                system = end._system() if end else self.env["ml.connector.system"]
                for group in system._owned_fields(flow.document_type, end or None, other or None):
                    proposed[group] = side
            for group in groups:
                if group not in flow.ownership_ids.mapped("field_group"):
                    vals.append(
                        {"flow_id": flow.id, "field_group": group, "winner": proposed.get(group, "latest")}
                    )
        self.env["ml.connector.ownership"].create(vals)

    def _owned_fields(self, side):
        """Canonical fields whose owner is this flow's ``side`` ('source' or 'target')."""
        self.ensure_one()
        Ownership = self.env["ml.connector.ownership"]
        owned = set()
        for ownership in self.ownership_ids.filtered(lambda o: o.winner == side):
            owned |= set(Ownership._fields_of(self.document_type, ownership.field_group))
        return owned

    def _compare_everything_again(self):
        """After a change of owners, the next run reads every document again and compares it
        with the other end, instead of skipping those unchanged since they were last moved."""
        for flow in self:
            contract = flow._writer()._flow_binding(flow)
            if contract:
                backend, object_type, _column, local_end = contract
                self.env.cr.execute(
                    # a hash no document has: every bound document counts as changed once
                    """UPDATE ml_connector_binding SET content_hash = 'owners-changed'
                       WHERE backend_id = %s AND object_type = %s AND COALESCE(local_backend_id, 0) = %s""",
                    (backend.id, object_type, local_end.id if local_end else 0),
                )
            flow.write({"cursor": False, "last_collect_run_id": False})
        self.env["ml.connector.binding"].invalidate_model(["content_hash"])

    def _end_label(self, side):
        self.ensure_one()
        end = self.source_backend_id if side == "source" else self.target_backend_id
        return end._system_label() if end else "Odoo"

    @api.model
    def _between(self, source, target, document_type):
        """The flow moving ``document_type`` from end ``source`` to end ``target`` (None: Odoo)."""
        return self.with_context(active_test=False).search(
            [
                ("source_backend_id", "=", source.id if source else False),
                ("target_backend_id", "=", target.id if target else False),
                ("document_type", "=", document_type),
            ],
            limit=1,
        )

    def action_open_conflicts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Conflicts: %s", self.name),
            "res_model": "ml.connector.conflict",
            "view_mode": "list",
            "domain": [("flow_id", "=", self.id)],
            "context": {"search_default_filter_open": 1},
        }
