from odoo import api, models

from ..tools.documents import SUPPLIER_FIELDS, supplier_changes
from ..tools.errors import DependencyError, DocumentSkipped
from ..tools.matching import MatchCandidate, MatchResult
from ..tools.payload import content_hash
from .ml_connector_matching import PartnerQuery

# Written into Odoo from another end. ``status`` is not: an inactive remote supplier does not
# archive an Odoo vendor that may still have open bills.
ODOO_WRITABLE = tuple(name for name in SUPPLIER_FIELDS if name != "status")


class MlConnectorWriterOdooSupplier(models.AbstractModel):
    """Remote suppliers into Odoo vendors.

    One binding per pair (the source connection's supplier binding, external id = the remote
    supplier's key) remembers both sides as last synchronised (``data["remote"]``,
    ``data["local"]``). A new remote supplier is matched (binding, supplier number, DUNS, VAT,
    e-mail domain, normalised name; a similar name alone goes to review) and linked, or created
    in Odoo. On a first link Odoo keeps its values and only fills its empty fields; later, fields
    changed remotely are written to the Odoo vendor. The binding's hash is the one of the vendor's
    document as the Odoo reader builds it when the other direction has nothing left to send, so
    that an Odoo -> remote flow does not send it back.
    """

    _name = "ml.connector.writer.odoo.supplier"
    _inherit = "ml.connector.writer"
    _description = "Odoo vendors"

    _document_type = "supplier"
    # No binding kind: the supplier binding's hash belongs to the documents of the Odoo -> remote
    # flow. Unchanged suppliers (including our own writes echoed back) are dropped by the reader.

    @api.model
    def _write(self, line, supplier):
        source = line.flow_id.source_backend_id
        binding_type = source._binding_type("supplier")
        remote_now = supplier.values()
        binding = self.env["ml.connector.binding"]._find(source, binding_type, external_id=supplier.key)
        partner = binding._record() if binding else None
        data = (binding.data or {}) if binding else {}
        if partner and data.get("remote") is not None:
            return self._update_vendor(source, partner, supplier, data)
        if partner:  # linked by a review decision: a first link
            return self._link_vendor(source, partner, supplier, self.env._("chosen in review"))

        decision = self.env["ml.connector.review"]._decision(source, binding_type, supplier.key)
        if decision.state == "rejected":
            raise DocumentSkipped(self.env._("Rejected in review: not imported."))
        if decision.state != "create":
            match = self.env["ml.connector.matching"]._match_partner(
                source,
                PartnerQuery(
                    name=remote_now["name"],
                    vat=remote_now["vat"],
                    email=remote_now["email"],
                    duns=remote_now["duns"],
                    reference=remote_now["number"],
                    bindings={binding_type: supplier.key},
                ),
            )
            if match.record:
                self._wait_for_stronger_match(line, match.record, match.rule)
                self._check_not_linked_elsewhere(source, match, supplier)
                return self._link_vendor(source, match.record, supplier, match.explanation)
            if match.candidates:
                partners = self.env["res.partner"].union(*(c.record for c in match.candidates))
                self._wait_for_stronger_match(line, partners, match.rule)
                self._annotate_linked(source, match.candidates)
                raise self._review_error(source, match, supplier)
        if remote_now["status"] == "INACTIVE":
            raise DocumentSkipped(
                self.env._("Inactive in %s and unknown in Odoo: not created.", source._system_label())
            )
        return self._create_vendor(source, supplier)

    # -- outcomes ----------------------------------------------------------------------
    @api.model
    def _update_vendor(self, source, partner, supplier, data):
        remote_now = supplier.values()
        remote_synced, local_synced = data.get("remote") or {}, dict(data.get("local") or {})
        changed = {f: remote_now[f] for f in ODOO_WRITABLE if remote_now[f] != remote_synced.get(f, "")}
        changed = self._apply_ownership(source, partner, changed)
        vals = self._partner_vals(changed)
        if vals:
            partner.write(vals)
        local_after = self._local_values(partner)
        local_synced.update({name: local_after[name] for name in changed})
        self._bind_supplier(source, partner, supplier, local_synced)
        message = (
            self.env._(
                "Updated %(vendor)s: %(fields)s.",
                vendor=partner.display_name,
                fields=", ".join(sorted(changed)),
            )
            if changed
            else self.env._("No change for %s.", partner.display_name)
        )
        return {"res_model": "res.partner", "res_id": partner.id, "message": message}

    @api.model
    def _apply_ownership(self, source, partner, changed):
        """Leave out the changes of fields Odoo owns (listed as conflicts when the values differ)."""
        flow = self.env["ml.connector.flow"]._between(source, None, "supplier")
        if not flow:
            return changed
        local_now = self._local_values(partner)
        conflicts = {}
        for name in flow._owned_fields("target") & set(changed):
            if local_now.get(name) and local_now[name] != changed[name]:
                conflicts[name] = (local_now[name], changed[name])
            del changed[name]
        if conflicts:
            self.env["ml.connector.conflict"]._record(flow, None, partner.display_name, conflicts, "Odoo")
        return changed

    @api.model
    def _link_vendor(self, source, partner, supplier, why):
        remote_now, local_now = supplier.values(), self._local_values(partner)
        # Odoo keeps what it has; the remote side only fills the gaps (a generated number is no value).
        flow = self.env["ml.connector.flow"]._between(source, None, "supplier")
        remote_owns = flow._owned_fields("source") if flow else set()
        gaps = {
            name: remote_now[name]
            for name in ODOO_WRITABLE
            if remote_now[name]
            and (
                not local_now[name]
                or (name == "number" and not partner.ref)
                or (name in remote_owns and remote_now[name] != local_now[name])
            )
        }
        vals = self._partner_vals(gaps)
        if vals:
            partner.write(vals)
        self._bind_supplier(source, partner, supplier, {})
        message = self.env._(
            "Linked to %(vendor)s: %(why)s.", vendor=partner.display_name, why=why.rstrip(".")
        )
        if gaps:
            message += " " + self.env._(
                "Filled from %(system)s: %(fields)s.",
                system=source._system_label(),
                fields=", ".join(sorted(gaps)),
            )
        return {"res_model": "res.partner", "res_id": partner.id, "message": message}

    @api.model
    def _create_vendor(self, source, supplier):
        vals = self._partner_vals({f: v for f, v in supplier.values().items() if f in ODOO_WRITABLE and v})
        vals.update(is_company=True, supplier_rank=1, company_id=source.company_id.id)
        partner = self.env["res.partner"].create(vals)
        self._bind_supplier(source, partner, supplier, self._local_values(partner))
        return {
            "res_model": "res.partner",
            "res_id": partner.id,
            "message": self.env._("Created vendor %s.", partner.display_name),
        }

    # -- both sides remembered -----------------------------------------------------------
    @api.model
    def _local_values(self, partner):
        return self.env["ml.connector.reader.odoo.supplier"]._supplier(partner).values()

    @api.model
    def _bind_supplier(self, source, partner, supplier, local_synced):
        """Remember both sides; the other direction then sends only what Odoo still has to say."""
        document = self.env["ml.connector.reader.odoo.supplier"]._supplier(partner)
        remote_now = supplier.values()
        pending = self._pending_push(source, document, local_synced, remote_now)
        return self.env["ml.connector.binding"]._bind(
            source,
            source._binding_type("supplier"),
            supplier.key,
            record=partner,
            external_key=remote_now.get("number") or False,
            # equal to the other direction's document hash only when nothing is left to send
            content_hash=False if pending else content_hash(document),
            data={"remote": remote_now, "local": local_synced},
        )

    @api.model
    def _pending_push(self, source, document, local_synced, remote_now):
        """What the Odoo -> source flow would still send for this vendor (its writer decides)."""
        writer = f"ml.connector.writer.{source.system_type}.supplier"
        if writer in self.env:
            return self.env[writer]._changes_to_send(source, document, local_synced, remote_now)[0]
        return supplier_changes(document.values(), local_synced, remote_now)

    @api.model
    def _partner_vals(self, values):
        """res.partner values for canonical supplier ``values`` (only the keys given)."""
        vals = {}
        simple = {
            "name": "name",
            "number": "ref",
            "duns": "duns_number",
            "vat": "vat",
            "email": "email",
            "phone": "phone",
            "website": "website",
            "zip": "zip",
            "city": "city",
        }
        for name, odoo_field in simple.items():
            if name in values:
                vals[odoo_field] = values[name] or False
        if "street" in values:
            vals.update(street=values["street"] or False, street2=False)
        # A country or province Odoo does not know is left as it is in Odoo; the two remembered
        # sides keep such a difference from bouncing between the systems.
        country = self.env["res.country"]
        if "country" in values:
            country = (
                country.search([("code", "=", values["country"])], limit=1) if values["country"] else country
            )
            if country or not values["country"]:
                vals["country_id"] = country.id
        if "state" in values:
            State = self.env["res.country.state"]
            state = State
            if values["state"] and country:
                state = State.search(
                    [("country_id", "=", country.id), ("code", "=ilike", values["state"])], limit=1
                ) or State.search(
                    [("country_id", "=", country.id), ("name", "=ilike", values["state"])], limit=1
                )
            if state or not values["state"]:
                vals["state_id"] = state.id
        return vals

    # -- undecided matches -----------------------------------------------------------
    @api.model
    def _wait_for_stronger_match(self, line, partners, rule):
        """Vendors found on a weaker key (DUNS, VAT, name…) whose supplier number is the number of
        another supplier still pending in this flow: that one is theirs by number and goes first,
        whatever the order the source listed them in (it may then link the vendor, and this one
        goes to review as a second account of the same company)."""
        if rule in ("binding", "reference"):
            return
        numbers = {partner.ref.strip() for partner in partners if partner.ref and partner.ref.strip()}
        if not numbers:
            return
        stronger = (
            self.env["ml.connector.audit.line"]
            .sudo()
            .search(
                [
                    ("flow_id", "=", line.flow_id.id),
                    ("state", "=", "pending"),
                    ("id", "!=", line.id),
                    ("document_key", "in", sorted(numbers)),
                ],
                limit=1,
            )
        )
        if stronger:
            raise DependencyError(
                self.env._(
                    "%(vendors)s also match(es) %(document)s, supplier number %(number)s, not processed yet: "
                    "it goes first.",
                    vendors=", ".join(partners.mapped("display_name")),
                    document=stronger.name,
                    number=stronger.document_key,
                ),
                waits_for=f"ml.connector.audit.line,{stronger.id}",
            )

    @api.model
    def _check_not_linked_elsewhere(self, source, match, supplier):
        binding_type = source._binding_type("supplier")
        other = self.env["ml.connector.binding"]._find(source, binding_type, record=match.record)
        if not other or other.external_id == supplier.key:
            return
        system = source._system_label()
        reason = self.env._(
            "%(vendor)s matches (%(why)s) but is already linked to %(system)s supplier %(other)s: %(system)s "
            "seems to hold this company twice. Merge the two suppliers in %(system)s, or create a separate "
            "vendor.",
            vendor=match.record.display_name,
            why=match.explanation,
            system=system,
            other=other.external_id,
        )
        candidate = MatchCandidate(match.record, 100.0, match.rule, reason)
        raise self._review_error(
            source, MatchResult(None, match.rule, candidates=[candidate], reason=reason), supplier
        )

    @api.model
    def _annotate_linked(self, source, candidates):
        Binding = self.env["ml.connector.binding"]
        binding_type = source._binding_type("supplier")
        for candidate in candidates:
            other = Binding._find(source, binding_type, record=candidate.record)
            if other:
                candidate.explanation += " " + self.env._(
                    "Already linked to %(system)s supplier %(id)s.",
                    system=source._system_label(),
                    id=other.external_id,
                )

    @api.model
    def _review_error(self, source, match, supplier):
        return match.review_error(
            binding_type=source._binding_type("supplier"),
            external_id=supplier.key,
            label=self.env._(
                "%(system)s supplier %(name)s (%(id)s)",
                system=source._system_label(),
                name=supplier.name,
                id=supplier.key,
            ),
            kind="partner",
            res_model="res.partner",
            backend=source,
            allow_create=True,
            key=supplier.number or False,
        )
