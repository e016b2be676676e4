from collections import OrderedDict

from rapidfuzz import fuzz

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import supplier_changes
from odoo.addons.ml_connector.tools.errors import DocumentSkipped, NeedsReviewError, OutcomeUnknownError
from odoo.addons.ml_connector.tools.matching import MatchCandidate, MatchResult, duns_key, name_key, vat_keys

from ..tools.client import find_records
from ..tools.suppliers import company_info, remote_values
from .ml_connector_jaggaer_mixin import SUPPLIER_BINDING

# JAGGAER's supplier directory, read once per run when a supplier must be looked up by name:
# (database, connection id, run id) -> list of canonical suppliers. A few runs at most.
_DIRECTORIES = OrderedDict()
_DIRECTORIES_KEPT = 4


class MlConnectorWriterJaggaerSupplier(models.AbstractModel):
    """Suppliers of another end (Odoo vendors, JD Edwards or Fusion suppliers) to JAGGAER.

    The binding (``jaggaer_supplier``, external id = ``bravoId``, local side = the supplier's key
    on the other end) remembers both sides as last synchronised; only what changed on the other
    end since is sent (all of its values on a first link: it wins there). A supplier without a
    binding is looked up in JAGGAER before anything is created, so no duplicate appears on either
    side: supplier number, DUNS, VAT (one filtered call each), then the normalised name over the
    directory. A similar name alone never decides.
    """

    _name = "ml.connector.writer.jaggaer.supplier"
    _inherit = ["ml.connector.writer", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER suppliers"

    _system = "jaggaer"
    _document_type = "supplier"
    _binding_kind = "supplier"

    @api.model
    def _number(self, backend, supplier):
        """The supplier number sent to JAGGAER: the supplier's own, else <prefix><its id>."""
        return (
            supplier.number
            or f"{backend.jaggaer_supplier_number_prefix or ''}{supplier.key.rsplit(',', 1)[-1]}"
        )

    @api.model
    def _values(self, backend, supplier):
        values = supplier.values()
        values["number"] = self._number(backend, supplier)
        return values

    @api.model
    def _changes_to_send(self, backend, supplier, local_synced, remote_known, flow=None):
        """What this writer would send for ``supplier`` given both sides as last synchronised,
        and the values JAGGAER keeps because it owns them ({field: (JAGGAER's, not sent)})."""
        synced = dict(local_synced)
        if synced:
            synced["number"] = synced.get("number") or self._number(backend, supplier)
        values = self._values(backend, supplier)
        changes = supplier_changes(values, synced, remote_known)
        flow = flow or self.env["ml.connector.flow"]._between(None, backend, "supplier")
        if not flow:
            return changes, {}
        for name in flow._owned_fields("source"):
            if values.get(name) and values[name] != remote_known.get(name, ""):
                changes[name] = values[name]
        conflicts = {}
        for name in flow._owned_fields("target"):
            if name in changes and remote_known.get(name):
                conflicts[name] = (remote_known[name], changes[name])
            changes.pop(name, None)
        return changes, conflicts

    @api.model
    def _write(self, line, supplier):
        flow = line.flow_id
        backend, source = self._backend(flow), flow.source_backend_id
        client = self._client(backend)
        binding = self.env["ml.connector.binding"]._find(
            backend, SUPPLIER_BINDING, local_ref=supplier.key, local_backend=source
        )
        if binding:
            bravo_id, why = binding.external_id, None
            data = binding.data or {}
            remote_known, local_synced = data.get("remote") or {}, data.get("local") or {}
        else:
            if supplier.status == "INACTIVE":
                raise DocumentSkipped(self.env._("Archived suppliers are not created in JAGGAER."))
            found = self._find_remote(client, line, supplier)
            bravo_id, remote_known, why = found or (None, {}, None)
            local_synced = {}
        changes, conflicts = self._changes_to_send(backend, supplier, local_synced, remote_known, flow)
        if conflicts:
            self.env["ml.connector.conflict"]._record(
                flow, line, supplier.name, conflicts, flow._end_label("target")
            )
        if bravo_id and not changes:
            self._bind_supplier(line, supplier, bravo_id, remote_known)
            message = self.env._("Already up to date in JAGGAER (supplier %s).", bravo_id)
            if why:
                message = self.env._(
                    "Linked to JAGGAER supplier %(id)s (%(why)s); already up to date.", id=bravo_id, why=why
                )
            return {"external_id": bravo_id, "target_key": bravo_id, "message": message}

        values = self._values(backend, supplier)
        if bravo_id:
            info = company_info({**remote_known, **changes})
            info["bravoId"] = bravo_id
            body = {"operationCode": "UPDATE", "sendEMail": "0", "companyInfo": info}
        else:
            # CREATEUPDATE: should an earlier attempt have created it after all, JAGGAER finds
            # it by extCode and updates it instead of creating it twice.
            info = company_info({name: value for name, value in values.items() if value})
            body = {"operationCode": "CREATEUPDATE", "sendEMail": "0", "companyInfo": info}
        what = self.env._("supplier %s", values["name"])
        self._note_send(bravo_id, remote_known, changes, values)
        answer, warning = client.post("suppliers_upsert", body, what)
        bravo_id = bravo_id or self._answered_id(client, answer, values["number"])
        if not bravo_id:
            # accepted: never a failure; CREATEUPDATE finds the supplier by its number next time
            raise OutcomeUnknownError(
                self.env._(
                    "JAGGAER accepted %(what)s but did not say which bravoId it has, and no supplier with "
                    "number %(number)s shows yet; it is looked up again.",
                    what=what,
                    number=values["number"],
                ),
                body=answer,
            )
        stored = self._read_supplier(client, bravo_id) or {**remote_known, **changes}
        self._bind_supplier(line, supplier, bravo_id, stored)
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
                    number=values["number"],
                )
            )
        else:
            message = self.env._(
                "Updated JAGGAER supplier %(id)s: %(fields)s.", id=bravo_id, fields=", ".join(sorted(changes))
            )
        return {
            "external_id": bravo_id,
            "target_key": bravo_id,
            "sent": body,
            "response": answer,
            "message": " ".join(filter(None, [message, self._warned(warning)])),
        }

    @api.model
    def _answered_id(self, client, answer, number):
        """The ``bravoId`` of an upsert's answer, wherever the server put it (the reference fixes no
        shape), else the supplier JAGGAER shows under the number sent."""
        found = find_records(answer, "bravoId")
        if found:
            return str(found[0]["bravoId"])
        records = client.find(
            "suppliers_list",
            "suppliers",
            self.env._("supplier number %s", number),
            flt=client.config.flt("suppliers", None, f"extCode=={number}"),
        )
        infos = [self._remote_record(client, record) for record in records]
        ids = {
            str(info["bravoId"]) for info in infos if info.get("bravoId") and info.get("extCode") == number
        }
        return ids.pop() if len(ids) == 1 else None

    @api.model
    def _note_send(self, bravo_id, remote_known, changes, values):
        """For dry runs: which JAGGAER supplier a send would change, and how."""
        if not bravo_id:
            self._dry_run_note(self.env._("Would create JAGGAER supplier %s.", values["name"]))
            return
        details = "; ".join(
            f"{name}: {remote_known.get(name) or '-'} → {value or '-'}"
            for name, value in sorted(changes.items())
        )
        self._dry_run_note(
            self.env._(
                "Would change JAGGAER supplier %(id)s (%(name)s): %(details)s",
                id=bravo_id,
                name=remote_known.get("name") or values["name"],
                details=details,
            )
        )

    @api.model
    def _bind_supplier(self, line, supplier, bravo_id, remote_now):
        flow = line.flow_id
        return self.env["ml.connector.binding"]._bind(
            self._backend(flow),
            SUPPLIER_BINDING,
            bravo_id,
            **self._local_side(flow, supplier.key),
            external_key=remote_now.get("number") or False,
            content_hash=line.content_hash,
            data={"remote": remote_now, "local": supplier.values()},
        )

    # -- finding a supplier in JAGGAER before creating one ---------------------------
    @api.model
    def _remote_record(self, client, record):
        return self.env["ml.connector.reader.jaggaer.supplier"]._remote_record(client, record)

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
    def _find_remote(self, client, line, supplier):
        """``(bravoId, canonical values, why)`` of the JAGGAER supplier this one already is, or None.

        Identifiers first (supplier number, DUNS, VAT: one filtered call each), then the
        normalised name over JAGGAER's directory. Never guesses: several suppliers, one that is
        linked to another supplier, or only a similar name make the document wait with the reason.
        """
        config = client.config
        lookups = []
        if supplier.number:
            lookups.append((self.env._("supplier number %s", supplier.number), f"extCode=={supplier.number}"))
        if duns_key(supplier.duns):
            lookups.append((self.env._("DUNS %s", supplier.duns), f"extUniqueCode=={supplier.duns}"))
        vats = sorted(vat_keys(supplier.vat))
        if vats:
            lookups.append((self.env._("VAT %s", supplier.vat), f"fiscalCode=in=({','.join(vats)})"))
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
                        vendor=supplier.name,
                        list=self._describe(infos),
                    )
                )
            if infos:
                return self._claim(line, supplier, infos[0], why)

        wanted = name_key(supplier.name)
        directory = self._directory(client, self._backend(line.flow_id), line)
        same = [entry for entry in directory if entry["key"] == wanted]
        if len(same) > 1:
            raise NeedsReviewError(
                self.env._(
                    "Several JAGGAER suppliers are named like %(vendor)s: %(list)s. Set the vendor's "
                    "Reference to the right JAGGAER supplier number, then replay.",
                    vendor=supplier.name,
                    list=self._describe([entry["info"] for entry in same]),
                )
            )
        if same:
            return self._claim(line, supplier, same[0]["info"], self.env._("same normalised name"))
        self._check_similar_names(line, supplier, wanted, directory)
        return None

    @api.model
    def _claim(self, line, supplier, info, why):
        flow = line.flow_id
        bravo_id = str(info.get("bravoId"))
        other = self.env["ml.connector.binding"]._find(
            self._backend(flow), SUPPLIER_BINDING, external_id=bravo_id, local_backend=flow.source_backend_id
        )
        if other and other.local_ref != supplier.key:
            raise NeedsReviewError(
                self.env._(
                    "JAGGAER supplier %(id)s (%(name)s) has the %(why)s of %(vendor)s but is already linked "
                    "to %(other)s. Merge the two suppliers or correct the data, then replay.",
                    id=bravo_id,
                    name=info.get("companyName"),
                    why=why,
                    vendor=supplier.name,
                    other=other.record_name or other.local_ref,
                )
            )
        return bravo_id, remote_values(info), why

    @api.model
    def _check_similar_names(self, line, supplier, wanted, directory):
        """A JAGGAER supplier with a similar name, not yet linked nor decided: the supplier waits on
        that JAGGAER supplier's review item (the one the JAGGAER -> Odoo flow opens, or opened here).

        Choosing this vendor links them; *Create new* or *Reject* says they differ, and the
        vendor is then created in JAGGAER.
        """
        if not wanted:
            return
        flow = line.flow_id
        backend = self._backend(flow)
        Binding, Review = self.env["ml.connector.binding"], self.env["ml.connector.review"]
        threshold = backend.match_fuzzy_threshold or 85
        similar = []
        for entry in directory:
            score = fuzz.token_sort_ratio(wanted, entry["key"])
            bravo_id = str(entry["info"].get("bravoId"))
            if (
                score >= threshold
                and not Binding._find(
                    backend, SUPPLIER_BINDING, external_id=bravo_id, local_backend=flow.source_backend_id
                )
                and not Review._decision(backend, SUPPLIER_BINDING, bravo_id)
            ):
                similar.append((score, entry["info"]))
        if not similar:
            return
        similar.sort(key=lambda pair: -pair[0])
        reason = self.env._(
            "%(vendor)s is not created in JAGGAER while its name is only similar to JAGGAER supplier(s) "
            "%(list)s: a similar name alone never decides. Choose the vendor here if it is this supplier, "
            "or Create new if they differ; the vendor then goes on by itself.",
            vendor=supplier.name,
            list=self._describe([info for _score, info in similar]),
        )
        local = self._local_side(flow, supplier.key).get("record")
        if local is None:
            # a supplier of another connection is no Odoo record a review could offer: set its number
            raise NeedsReviewError(
                reason + " " + self.env._("Set the supplier number to the JAGGAER supplier's, then replay.")
            )
        score, info = self._reviewed_first(backend, similar)
        candidate = MatchCandidate(
            local,
            round(score, 1),
            "fuzzy_name",
            self.env._(
                "Odoo vendor '%(ours)s' is %(score)s%% similar; it has no supplier in JAGGAER yet.",
                ours=supplier.name,
                score=round(score),
            ),
        )
        raise MatchResult(None, "fuzzy_name", candidates=[candidate], reason=reason).review_error(
            binding_type=SUPPLIER_BINDING,
            external_id=str(info.get("bravoId")),
            label=self.env._(
                "JAGGAER supplier %(name)s (%(id)s)", name=info.get("companyName"), id=info.get("bravoId")
            ),
            kind="partner",
            res_model="res.partner",
            allow_create=True,
            key=info.get("extCode") or False,
        )

    @api.model
    def _reviewed_first(self, backend, similar):
        """The most similar supplier, unless one is already in review: both flows then wait on it."""
        bravo_ids = [str(info.get("bravoId")) for _score, info in similar]
        open_review = (
            self.env["ml.connector.review"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("binding_type", "=", SUPPLIER_BINDING),
                    ("external_id", "in", bravo_ids),
                    ("state", "=", "open"),
                ],
                limit=1,
            )
        )
        return next(
            ((score, info) for score, info in similar if str(info.get("bravoId")) == open_review.external_id),
            similar[0],
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
