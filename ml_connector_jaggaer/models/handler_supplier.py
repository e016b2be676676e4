"""Suppliers both ways: JAGGAER company profiles <-> Odoo vendors.

One binding per pair (type ``jaggaer_supplier``, external id = JAGGAER ``bravoId``) remembers
both sides as last synchronised (``data["remote"]``, ``data["odoo"]``, see
``tools/suppliers.py``). Each flow sends only what changed on its own side since:

* JAGGAER -> Odoo runs first. A new JAGGAER supplier is matched (binding, supplier number,
  DUNS, VAT, e-mail domain, normalised name; a similar name alone goes to review) and linked,
  or created in Odoo. On a first link Odoo keeps its values and only fills its empty fields.
  Later, fields changed in JAGGAER are written to the Odoo vendor.
* Odoo -> JAGGAER then sends the fields changed in Odoo (all of Odoo's values on a first
  link: Odoo wins there). A vendor without a supplier is looked up in JAGGAER before anything
  is created, so no duplicate appears on either side.

A field changed on both sides between two cycles ends with JAGGAER's value (it runs first).
Our own writes come back from JAGGAER with a new modification time: they equal the remembered
remote side and are ignored, so two cycles converge.
"""

from collections import OrderedDict

from rapidfuzz import fuzz

from odoo import api, models

from odoo.addons.ml_connector.models.ml_connector_matching import PartnerQuery
from odoo.addons.ml_connector.tools.errors import DocumentError, NeedsReviewError, RemoteBusinessError
from odoo.addons.ml_connector.tools.items import SourceItem, content_hash
from odoo.addons.ml_connector.tools.matching import MatchCandidate, MatchResult, duns_key, name_key, vat_keys
from odoo.addons.ml_connector.tools.text import NAME_LENGTH, has_visible_text, identifier_problem

from ..tools.client import dig
from ..tools.suppliers import FIELDS, ODOO_WRITABLE, company_info, push_changes, remote_values
from .handler_common import SUPPLIER_BINDING

# JAGGAER's supplier directory, read once per run when a vendor must be looked up by name:
# (database, connection id, run id) -> list of canonical suppliers. A few runs at most.
_DIRECTORIES = OrderedDict()
_DIRECTORIES_KEPT = 4


class MlConnectorJaggaerSupplierMixin(models.AbstractModel):
    _name = "ml.connector.jaggaer.supplier.mixin"
    _inherit = "ml.connector.jaggaer.handler.mixin"
    _description = "JAGGAER supplier helpers"

    @api.model
    def _supplier_number(self, backend, partner):
        """The vendor's JAGGAER supplier number: its Reference, else <prefix><id> (nothing written)."""
        return (partner.ref or "").strip() or f"{backend.jaggaer_supplier_number_prefix or ''}{partner.id}"

    @api.model
    def _odoo_values(self, backend, partner):
        """Canonical values of an Odoo vendor (the document the push flow sends)."""
        values = {
            "name": partner.name,
            "number": self._supplier_number(backend, partner),
            "duns": partner.duns_number,
            "vat": partner.vat,
            "email": partner.email,
            "phone": partner.phone,
            "website": partner.website,
            "street": ", ".join(filter(None, [partner.street, partner.street2])),
            "zip": partner.zip,
            "city": partner.city,
            "state": partner.state_id.code,
            "country": partner.country_id.code,
            "status": "ACTIVE" if partner.active else "INACTIVE",
        }
        return {field: " ".join(str(values[field] or "").split()) for field in FIELDS}

    @api.model
    def _partner_vals(self, values):
        """res.partner values for canonical ``values`` (only the keys given)."""
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
        for field, odoo_field in simple.items():
            if field in values:
                vals[odoo_field] = values[field] or False
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

    @api.model
    def _bind_supplier(self, backend, partner, bravo_id, remote_now, odoo_synced):
        """Remember both sides; the push flow then sends only what Odoo still has to say."""
        odoo_now = self._odoo_values(backend, partner)
        pending = push_changes(odoo_now, odoo_synced, remote_now)
        return self.env["ml.connector.binding"]._bind(
            backend,
            SUPPLIER_BINDING,
            bravo_id,
            record=partner,
            external_key=remote_now.get("number") or False,
            # equal to the push flow's document hash only when nothing is left to push
            content_hash=False if pending else content_hash(odoo_now),
            data={"remote": remote_now, "odoo": odoo_synced},
        )

    @api.model
    def _remote_record(self, client, record):
        """The company profile inside a supplier list item."""
        key = client.config.wrappers.get("supplier_record")
        info = dig(record, key) if key else record
        return info if isinstance(info, dict) else {}


class MlConnectorHandlerJaggaerSupplierIn(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.supplier.in"
    _inherit = ["ml.connector.handler", "ml.connector.jaggaer.supplier.mixin"]
    _description = "Flow: JAGGAER suppliers to Odoo vendors"

    _flow_label = "Suppliers: JAGGAER → Odoo"
    _document_type = "supplier"
    _source_system = "jaggaer"
    _target_system = "odoo"
    _systems = ("jaggaer",)
    _master_data = True
    _default_sequence = 10
    # No _binding_type: the supplier binding's hash belongs to the push flow's documents.
    # Unchanged suppliers (including our own writes echoed back) are dropped in _collect.

    @api.model
    def _collect(self, flow, run):
        backend = flow.backend_id
        client = self._client(backend)
        Binding = self.env["ml.connector.binding"]

        def make_item(record):
            info = self._remote_record(client, record)
            bravo_id = str(info.get("bravoId") or "")
            if bravo_id:
                binding = Binding._find(backend, SUPPLIER_BINDING, external_id=bravo_id)
                if binding and (binding.data or {}).get("remote") == remote_values(info):
                    return None
            name = info.get("companyName") or bravo_id
            return SourceItem(
                source_key=bravo_id or f"unidentified:{name}",
                payload=info,
                name=self.env._("Supplier %s", name),
                document_key=info.get("extCode") or bravo_id,
                error=None if bravo_id else DocumentError(self.env._("This company profile has no bravoId.")),
            )

        yield from self._collect_changed(
            flow,
            run,
            "suppliers",
            path_key="suppliers_list",
            wrapper_key="suppliers",
            what=self.env._("the supplier list"),
            make_item=make_item,
            key_of=lambda record: str(self._remote_record(client, record).get("bravoId") or id(record)),
            unwrap=lambda record: self._remote_record(client, record),
        )

    @api.model
    def _process(self, line):
        backend = line.backend_id
        info = self._payload(line) or {}
        self._check_texts(info)
        bravo_id = str(info.get("bravoId") or "")
        name = str(info.get("companyName") or "")
        if not bravo_id or not name.strip():
            raise DocumentError(self.env._("A JAGGAER supplier needs a bravoId and a companyName."))
        if not has_visible_text(name):
            raise DocumentError(
                self.env._("The companyName of supplier %s has no visible character.", bravo_id)
            )
        if len(name) > NAME_LENGTH:
            raise DocumentError(
                self.env._(
                    "The companyName of supplier %(id)s is %(length)s characters long (at most %(max)s).",
                    id=bravo_id,
                    length=len(name),
                    max=NAME_LENGTH,
                )
            )
        problem = identifier_problem(str(info.get("extCode") or ""))
        if problem:  # the supplier number becomes the vendor's Reference, matched as it is
            raise DocumentError(
                self.env._("The extCode of supplier %(id)s %(problem)s.", id=bravo_id, problem=problem)
            )
        remote_now = remote_values(info)
        binding = self.env["ml.connector.binding"]._find(backend, SUPPLIER_BINDING, external_id=bravo_id)
        partner = binding._record() if binding else None
        data = (binding.data or {}) if binding else {}
        if partner and data.get("remote") is not None:
            return self._update_vendor(backend, partner, bravo_id, remote_now, data)
        if partner:  # linked by a review decision: a first link
            return self._link_vendor(backend, partner, bravo_id, remote_now, self.env._("chosen in review"))

        decision = self.env["ml.connector.review"]._decision(backend, SUPPLIER_BINDING, bravo_id)
        if decision.state == "rejected":
            return {"state": "skipped", "message": self.env._("Rejected in review: not imported.")}
        if decision.state != "create":
            match = self.env["ml.connector.matching"]._match_partner(
                backend,
                PartnerQuery(
                    name=remote_now["name"],
                    vat=remote_now["vat"],
                    email=remote_now["email"],
                    duns=remote_now["duns"],
                    reference=remote_now["number"],
                    bindings={SUPPLIER_BINDING: bravo_id},
                ),
            )
            if match.record:
                self._check_not_linked_elsewhere(backend, match, bravo_id, remote_now)
                return self._link_vendor(backend, match.record, bravo_id, remote_now, match.explanation)
            if match.candidates:
                self._annotate_linked(backend, match.candidates)
                raise self._review_error(match, bravo_id, remote_now)
        if remote_now["status"] == "INACTIVE":
            return {
                "state": "skipped",
                "message": self.env._("Inactive in JAGGAER and unknown in Odoo: not created."),
            }
        return self._create_vendor(backend, bravo_id, remote_now)

    # -- outcomes ----------------------------------------------------------------------
    @api.model
    def _update_vendor(self, backend, partner, bravo_id, remote_now, data):
        remote_synced, odoo_synced = data.get("remote") or {}, dict(data.get("odoo") or {})
        changed = {f: remote_now[f] for f in ODOO_WRITABLE if remote_now[f] != remote_synced.get(f, "")}
        vals = self._partner_vals(changed)
        if vals:
            partner.write(vals)
        odoo_after = self._odoo_values(backend, partner)
        odoo_synced.update({field: odoo_after[field] for field in changed})
        self._bind_supplier(backend, partner, bravo_id, remote_now, odoo_synced)
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
    def _link_vendor(self, backend, partner, bravo_id, remote_now, why):
        odoo_now = self._odoo_values(backend, partner)
        # Odoo keeps what it has; JAGGAER only fills the gaps (a generated number is no value).
        gaps = {
            field: remote_now[field]
            for field in ODOO_WRITABLE
            if remote_now[field] and (not odoo_now[field] or (field == "number" and not partner.ref))
        }
        vals = self._partner_vals(gaps)
        if vals:
            partner.write(vals)
        self._bind_supplier(backend, partner, bravo_id, remote_now, {})
        message = self.env._(
            "Linked to %(vendor)s: %(why)s.", vendor=partner.display_name, why=why.rstrip(".")
        )
        if gaps:
            message += " " + self.env._("Filled from JAGGAER: %s.", ", ".join(sorted(gaps)))
        return {"res_model": "res.partner", "res_id": partner.id, "message": message}

    @api.model
    def _create_vendor(self, backend, bravo_id, remote_now):
        vals = self._partner_vals({f: v for f, v in remote_now.items() if f in ODOO_WRITABLE and v})
        vals.update(is_company=True, supplier_rank=1, company_id=backend.company_id.id)
        partner = self.env["res.partner"].create(vals)
        self._bind_supplier(backend, partner, bravo_id, remote_now, self._odoo_values(backend, partner))
        return {
            "res_model": "res.partner",
            "res_id": partner.id,
            "message": self.env._("Created vendor %s.", partner.display_name),
        }

    # -- undecided matches -----------------------------------------------------------
    @api.model
    def _check_not_linked_elsewhere(self, backend, match, bravo_id, remote_now):
        other = self.env["ml.connector.binding"]._find(backend, SUPPLIER_BINDING, record=match.record)
        if not other or other.external_id == bravo_id:
            return
        reason = self.env._(
            "%(vendor)s matches (%(why)s) but is already linked to JAGGAER supplier %(other)s: JAGGAER "
            "seems to hold this company twice. Merge the two suppliers in JAGGAER, or create a separate "
            "vendor.",
            vendor=match.record.display_name,
            why=match.explanation,
            other=other.external_id,
        )
        candidate = MatchCandidate(match.record, 100.0, match.rule, reason)
        raise self._review_error(
            MatchResult(None, match.rule, candidates=[candidate], reason=reason), bravo_id, remote_now
        )

    @api.model
    def _annotate_linked(self, backend, candidates):
        Binding = self.env["ml.connector.binding"]
        for candidate in candidates:
            other = Binding._find(backend, SUPPLIER_BINDING, record=candidate.record)
            if other:
                candidate.explanation += " " + self.env._(
                    "Already linked to JAGGAER supplier %s.", other.external_id
                )

    @api.model
    def _review_error(self, match, bravo_id, remote_now):
        return match.review_error(
            binding_type=SUPPLIER_BINDING,
            external_id=bravo_id,
            label=self.env._("JAGGAER supplier %(name)s (%(id)s)", name=remote_now["name"], id=bravo_id),
            kind="partner",
            res_model="res.partner",
            allow_create=True,
            key=remote_now["number"] or False,
        )


class MlConnectorHandlerJaggaerSupplierOut(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.supplier.out"
    _inherit = ["ml.connector.handler.odoo.source", "ml.connector.jaggaer.supplier.mixin"]
    _description = "Flow: Odoo vendors to JAGGAER suppliers"

    _flow_label = "Suppliers: Odoo → JAGGAER"
    _document_type = "supplier"
    _target_system = "jaggaer"
    _systems = ("jaggaer",)
    _master_data = True
    _default_sequence = 20
    _binding_type = SUPPLIER_BINDING
    _source_model = "res.partner"

    @api.model
    def _source_domain(self, flow):
        return [
            ("supplier_rank", ">", 0),
            ("parent_id", "=", False),
            ("company_id", "in", (False, flow.company_id.id)),
        ]

    @api.model
    def _build(self, flow, partner):
        return self._odoo_values(flow.backend_id, partner)

    @api.model
    def _process(self, line):
        backend = line.backend_id
        partner = self.env["res.partner"].browse(line.res_id).exists()
        if not partner:
            return {"state": "skipped", "message": self.env._("The vendor no longer exists.")}
        odoo_now = self._built_document(line, partner)
        client = self._client(backend)
        binding = self.env["ml.connector.binding"]._find(backend, SUPPLIER_BINDING, record=partner)
        if binding:
            bravo_id, why = binding.external_id, None
            data = binding.data or {}
            remote_known, odoo_synced = data.get("remote") or {}, data.get("odoo") or {}
        else:
            if odoo_now["status"] == "INACTIVE":
                return {
                    "state": "skipped",
                    "message": self.env._("Archived vendors are not created in JAGGAER."),
                }
            found = self._find_remote(client, backend, partner, line)
            bravo_id, remote_known, why = found or (None, {}, None)
            odoo_synced = {}
        changes = push_changes(odoo_now, odoo_synced, remote_known)
        if bravo_id and not changes:
            self._bind_supplier(backend, partner, bravo_id, remote_known, odoo_now)
            message = self.env._("Already up to date in JAGGAER (supplier %s).", bravo_id)
            if why:
                message = self.env._(
                    "Linked to JAGGAER supplier %(id)s (%(why)s); already up to date.", id=bravo_id, why=why
                )
            return {"external_id": bravo_id, "target_key": bravo_id, "message": message}

        if bravo_id:
            info = company_info({**remote_known, **changes})
            info["bravoId"] = bravo_id
            body = {"operationCode": "UPDATE", "sendEMail": "0", "companyInfo": info}
        else:
            # CREATEUPDATE: should an earlier attempt have created it after all, JAGGAER finds
            # it by extCode and updates it instead of creating it twice.
            info = company_info({field: value for field, value in odoo_now.items() if value})
            body = {"operationCode": "CREATEUPDATE", "sendEMail": "0", "companyInfo": info}
        what = self.env._("supplier %s", odoo_now["name"])
        answer, warning = client.post("suppliers_upsert", body, what)
        bravo_id = str(answer.get("bravoId") or bravo_id or "")
        if not bravo_id:
            raise RemoteBusinessError(
                self.env._("JAGGAER accepted %s but returned no bravoId.", what), body=answer
            )
        stored = self._read_supplier(client, bravo_id) or {**remote_known, **changes}
        self._bind_supplier(backend, partner, bravo_id, stored, odoo_now)
        self._remember_in_directory(backend, line, bravo_id, stored)
        if not binding:
            message = (
                self.env._(
                    "Linked to JAGGAER supplier %(id)s (%(why)s) and updated it.", id=bravo_id, why=why
                )
                if why
                else self.env._(
                    "Created JAGGAER supplier %(id)s, number %(number)s.",
                    id=bravo_id,
                    number=odoo_now["number"],
                )
            )
        else:
            message = self.env._(
                "Updated JAGGAER supplier %(id)s: %(fields)s.", id=bravo_id, fields=", ".join(sorted(changes))
            )
        if warning:
            message += " " + self.env._("JAGGAER warned: %s", warning)
        return {
            "external_id": bravo_id,
            "target_key": bravo_id,
            "response": {"sent": body, "answer": answer},
            "message": message,
        }

    # -- finding a vendor's supplier in JAGGAER before creating one ---------------------
    @api.model
    def _read_supplier(self, client, bravo_id):
        """What JAGGAER now holds for ``bravo_id`` (canonical), or None if it cannot say."""
        records = client.find(
            "suppliers_list", "suppliers", self.env._("supplier %s", bravo_id), flt=f"bravoId=={bravo_id}"
        )
        infos = [self._remote_record(client, record) for record in records]
        infos = [info for info in infos if str(info.get("bravoId")) == str(bravo_id)]
        return remote_values(infos[0]) if infos else None

    @api.model
    def _find_remote(self, client, backend, partner, line):
        """``(bravoId, canonical values, why)`` of the JAGGAER supplier this vendor already is, or None.

        Identifiers first (supplier number, DUNS, VAT: one filtered call each), then the
        normalised name over JAGGAER's directory. Never guesses: several suppliers, one that is
        linked to another vendor, or only a similar name make the vendor wait with the reason.
        """
        config = client.config
        lookups = []
        if partner.ref:
            lookups.append((self.env._("supplier number %s", partner.ref), f"extCode=={partner.ref.strip()}"))
        if duns_key(partner.duns_number):
            lookups.append(
                (self.env._("DUNS %s", partner.duns_number), f"extUniqueCode=={partner.duns_number.strip()}")
            )
        vats = sorted(vat_keys(partner.vat))
        if vats:
            lookups.append((self.env._("VAT %s", partner.vat), f"fiscalCode=in=({','.join(vats)})"))
        for why, clause in lookups:
            records = client.find(
                "suppliers_list",
                "suppliers",
                self.env._("the supplier lookup"),
                flt=config.flt("suppliers", None, clause),
            )
            infos = [self._remote_record(client, record) for record in records]
            if len(infos) > 1:
                raise NeedsReviewError(
                    self.env._(
                        "Several JAGGAER suppliers have the %(why)s of %(vendor)s: %(list)s. Set the "
                        "vendor's Reference to the right JAGGAER supplier number, then replay.",
                        why=why,
                        vendor=partner.display_name,
                        list=self._describe(infos),
                    )
                )
            if infos:
                return self._claim(backend, partner, infos[0], why)

        wanted = name_key(partner.name)
        directory = self._directory(client, backend, line)
        same = [entry for entry in directory if entry["key"] == wanted]
        if len(same) > 1:
            raise NeedsReviewError(
                self.env._(
                    "Several JAGGAER suppliers are named like %(vendor)s: %(list)s. Set the vendor's "
                    "Reference to the right JAGGAER supplier number, then replay.",
                    vendor=partner.display_name,
                    list=self._describe([entry["info"] for entry in same]),
                )
            )
        if same:
            return self._claim(backend, partner, same[0]["info"], self.env._("same normalised name"))
        self._check_similar_names(backend, partner, wanted, directory)
        return None

    @api.model
    def _claim(self, backend, partner, info, why):
        bravo_id = str(info.get("bravoId"))
        other = self.env["ml.connector.binding"]._find(backend, SUPPLIER_BINDING, external_id=bravo_id)
        if other and other.res_id != partner.id:
            raise NeedsReviewError(
                self.env._(
                    "JAGGAER supplier %(id)s (%(name)s) has the %(why)s of %(vendor)s but is already linked "
                    "to Odoo vendor %(other)s. Merge the two Odoo vendors or correct the data, then replay.",
                    id=bravo_id,
                    name=info.get("companyName"),
                    why=why,
                    vendor=partner.display_name,
                    other=other.record_name or other.local_ref,
                )
            )
        return bravo_id, remote_values(info), why

    @api.model
    def _check_similar_names(self, backend, partner, wanted, directory):
        """A JAGGAER supplier with a similar name, not yet linked nor decided: the vendor waits on
        that supplier's review item (the one the JAGGAER -> Odoo flow opens, or opened here).

        Choosing this vendor links them; *Create new* or *Reject* says they differ, and the
        vendor is then created in JAGGAER.
        """
        if not wanted:
            return
        Binding, Review = self.env["ml.connector.binding"], self.env["ml.connector.review"]
        threshold = backend.match_fuzzy_threshold or 85
        similar = []
        for entry in directory:
            score = fuzz.token_sort_ratio(wanted, entry["key"])
            bravo_id = str(entry["info"].get("bravoId"))
            if (
                score >= threshold
                and not Binding._find(backend, SUPPLIER_BINDING, external_id=bravo_id)
                and not Review._decision(backend, SUPPLIER_BINDING, bravo_id)
            ):
                similar.append((score, entry["info"]))
        if not similar:
            return
        similar.sort(key=lambda pair: -pair[0])
        bravo_ids = [str(info.get("bravoId")) for _score, info in similar]
        # a supplier already in review wins: both flows then wait on the same decision
        open_review = Review.sudo().search(
            [
                ("backend_id", "=", backend.id),
                ("binding_type", "=", SUPPLIER_BINDING),
                ("external_id", "in", bravo_ids),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        score, info = next(
            ((score, info) for score, info in similar if str(info.get("bravoId")) == open_review.external_id),
            similar[0],
        )
        candidate = MatchCandidate(
            partner,
            round(score, 1),
            "fuzzy_name",
            self.env._(
                "Odoo vendor '%(ours)s' is %(score)s%% similar; it has no supplier in JAGGAER yet.",
                ours=partner.name,
                score=round(score),
            ),
        )
        reason = self.env._(
            "%(vendor)s is not created in JAGGAER while its name is only similar to JAGGAER supplier(s) "
            "%(list)s: a similar name alone never decides. Choose the vendor here if it is this supplier, "
            "or Create new if they differ; the vendor then goes on by itself.",
            vendor=partner.display_name,
            list=self._describe([info for _score, info in similar]),
        )
        name = info.get("companyName")
        raise MatchResult(None, "fuzzy_name", candidates=[candidate], reason=reason).review_error(
            binding_type=SUPPLIER_BINDING,
            external_id=str(info.get("bravoId")),
            label=self.env._("JAGGAER supplier %(name)s (%(id)s)", name=name, id=info.get("bravoId")),
            kind="partner",
            res_model="res.partner",
            allow_create=True,
            key=info.get("extCode") or False,
        )

    @api.model
    def _describe(self, infos):
        return ", ".join(f"{info.get('bravoId')} {info.get('companyName')}" for info in infos[:10])

    @api.model
    def _directory(self, client, backend, line):
        key = (self.env.cr.dbname, backend.id, line.run_id.id)
        if key not in _DIRECTORIES:
            records = client.find(
                "suppliers_list",
                "suppliers",
                self.env._("the supplier directory"),
                flt=client.config.flt("suppliers"),
            )
            entries = []
            for record in records:
                info = self._remote_record(client, record)
                if info.get("bravoId"):
                    entries.append({"info": info, "key": name_key(info.get("companyName"))})
            _DIRECTORIES[key] = entries
            while len(_DIRECTORIES) > _DIRECTORIES_KEPT:
                _DIRECTORIES.popitem(last=False)
        return _DIRECTORIES[key]

    @api.model
    def _remember_in_directory(self, backend, line, bravo_id, values):
        entries = _DIRECTORIES.get((self.env.cr.dbname, backend.id, line.run_id.id))
        if entries is None:
            return
        entries[:] = [entry for entry in entries if str(entry["info"].get("bravoId")) != str(bravo_id)]
        entries.append(
            {
                "info": {"bravoId": bravo_id, "companyName": values.get("name")},
                "key": name_key(values.get("name")),
            }
        )
