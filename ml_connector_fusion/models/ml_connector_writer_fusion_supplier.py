from collections import OrderedDict

from rapidfuzz import fuzz

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import (
    ConnectorError,
    DocumentError,
    DocumentSkipped,
    NeedsReviewError,
)
from odoo.addons.ml_connector.tools.matching import duns_key, name_key, vat_keys

from .ml_connector_fusion_mixin import text

# Written into Fusion from the other end. Not the number (Fusion numbers its suppliers), not the
# status (an inactive remote supplier does not deactivate a Fusion supplier that has open
# documents), not e-mail, phone or website (a Fusion supplier keeps them on contacts).
HEADER_ATTRIBUTES = {"name": "Supplier", "duns": "DUNSNumber", "vat": "TaxpayerId"}
ADDRESS_FIELDS = ("street", "zip", "city", "state", "country")
FUSION_WRITABLE = tuple(HEADER_ATTRIBUTES) + ADDRESS_FIELDS
SITE_NAME_LENGTH = 15  # SupplierSite

# Fusion's supplier directory, read once per run when a supplier must be looked up by name:
# (database, connection id, run id) -> [(normalised name, row)]. A few runs at most.
_DIRECTORIES = OrderedDict()
_DIRECTORIES_KEPT = 4


class MlConnectorWriterFusionSupplier(models.AbstractModel):
    """Suppliers of another connection (JAGGAER) into Oracle Fusion (§6.4).

    One binding per pair, the source connection's supplier binding (external id = the source's
    key, local side = the Fusion SupplierId), remembers both sides as last synchronised
    (``data["remote"]`` the source's values, ``data["local"]`` Fusion's), as the other direction
    keeps it: each direction sends only what changed on its own side since, and recognises its
    own writes coming back, so the two converge without ping-pong.

    A supplier without binding is looked up in Fusion before anything is created: supplier
    number, taxpayer id, DUNS (one filtered call each), then the normalised name over the
    directory. Several candidates, one already linked to another supplier, or only a similar
    name make the document wait with the reason. On a first link Fusion keeps its values (the
    other direction then sends them). A new supplier gets its address and a site in the
    procurement BU; each is looked up before it is added, so a replay or an unanswered create
    never adds one twice.
    """

    _name = "ml.connector.writer.fusion.supplier"
    _inherit = ["ml.connector.writer", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion suppliers"

    _system = "fusion"
    _document_type = "supplier"
    # No binding kind: the pair's binding hash belongs to the documents of the other direction.

    @api.model
    def _write(self, line, supplier):
        flow = line.flow_id
        client = self._client(self._backend(flow))
        binding = self._pair_binding(flow, supplier)
        if binding and (binding.data or {}).get("remote") is not None:
            return self._update(line, client, binding, supplier)
        if supplier.status == "INACTIVE":
            raise DocumentSkipped(self.env._("Inactive and unknown in Fusion: not created."))
        found = self._find_remote(client, line, supplier)
        if found:
            row, why = found
            return self._link(line, client, row, supplier, why)
        return self._create_supplier(line, client, supplier)

    @api.model
    def _resolve_unknown_outcome(self, line, supplier):
        """A create got no answer: if Fusion has the supplier now, it was created then (and the
        other direction may have linked it meanwhile); its address and site are added if the lost
        answer left them out."""
        client = self._client(self._backend(line.flow_id))
        binding = self._pair_binding(line.flow_id, supplier)
        if binding:
            row = self._reread(client, binding.local_ref)
        else:
            found = self._find_remote(client, line, supplier)
            if not found:
                return None
            row = found[0]
        notes = self._ensure_site(client, row, supplier)
        result = self._bind_created(line, client, row, supplier)
        result["message"] = " ".join(
            [self.env._("Found in Fusion after an unanswered create: %s", result["message"]), *notes]
        )
        return result

    # -- the pair's binding ----------------------------------------------------------------
    @api.model
    def _pair_binding(self, flow, supplier):
        source = flow.source_backend_id
        if not source:
            raise DocumentError(self.env._("Suppliers reach Fusion from another connection, not from Odoo."))
        return self.env["ml.connector.binding"]._find(
            source,
            source._binding_type("supplier"),
            external_id=supplier.key,
            local_backend=self._backend(flow),
        )

    @api.model
    def _bind(self, line, row, supplier, local_synced):
        flow = line.flow_id
        source, backend = flow.source_backend_id, self._backend(flow)
        remote_now = supplier.values()
        return self.env["ml.connector.binding"]._bind(
            source,
            source._binding_type("supplier"),
            supplier.key,
            local_ref=str(row["SupplierId"]),
            local_backend=backend,
            external_key=remote_now.get("number") or False,
            data={"remote": remote_now, "local": local_synced},
        )

    @api.model
    def _local_values(self, client, row):
        return self.env["ml.connector.reader.fusion.supplier"]._supplier(client, row).values()

    @api.model
    def _reread(self, client, supplier_id):
        row = client.find_by_key("suppliers", supplier_id)
        if row is None:
            raise DocumentError(self.env._("Fusion supplier %s no longer exists.", supplier_id))
        return row

    @api.model
    def _result(self, row, message, sent=None, response=None):
        supplier_id = str(row["SupplierId"])
        result = {"external_id": supplier_id, "target_key": supplier_id, "message": message}
        if sent is not None:
            result.update(sent=sent, response=response)
        return result

    # -- outcomes ---------------------------------------------------------------------------
    @api.model
    def _update(self, line, client, binding, supplier):
        data = binding.data or {}
        remote_synced, local_synced = data.get("remote") or {}, dict(data.get("local") or {})
        remote_now = supplier.values()
        changed = {f: remote_now[f] for f in FUSION_WRITABLE if remote_now[f] != remote_synced.get(f, "")}
        row = self._reread(client, binding.local_ref)
        sent = self._apply(client, row, changed, supplier) if changed else {}
        if sent:
            row = self._reread(client, binding.local_ref)
        local_after = self._local_values(client, row)
        local_synced.update({name: local_after[name] for name in changed})
        self._bind(line, row, supplier, local_synced)
        number = text(row.get("SupplierNumber"))
        if not changed:
            return self._result(row, self.env._("No change for Fusion supplier %s.", number))
        message = self.env._(
            "Updated Fusion supplier %(number)s: %(fields)s.",
            number=number,
            fields=", ".join(sorted(changed)),
        )
        return self._result(row, message, sent=sent, response=row)

    @api.model
    def _link(self, line, client, row, supplier, why):
        # a first link: Fusion keeps its values, the other direction sends them where they differ
        self._bind(line, row, supplier, {})
        message = self.env._(
            "Linked to Fusion supplier %(number)s %(name)s (%(why)s).",
            number=row.get("SupplierNumber"),
            name=row.get("Supplier"),
            why=why,
        )
        return self._result(row, message)

    @api.model
    def _create_supplier(self, line, client, supplier):
        values = supplier.values()
        body = {
            "Supplier": values["name"],
            "TaxOrganizationType": "CORPORATION",
            "SupplierType": "SUPPLIER",
            "BusinessRelationship": "SPEND_AUTHORIZED",
        }
        body.update(
            {attribute: values[name] for name, attribute in HEADER_ATTRIBUTES.items() if values[name]}
        )
        if values["country"]:
            body["TaxpayerCountry"] = values["country"]
        try:
            row = client.create_item("suppliers", body, upsert=False, what=f"the supplier {values['name']}")
        except ConnectorError as exc:
            exc.sent = body
            raise
        self._remember(line, row)
        notes = self._ensure_site(client, row, supplier)
        result = self._bind_created(line, client, row, supplier)
        result.update(sent=body, response=row)
        result["message"] = " ".join([result["message"], *notes])
        return result

    @api.model
    def _bind_created(self, line, client, row, supplier):
        row = self._reread(client, row["SupplierId"])
        self._bind(line, row, supplier, self._local_values(client, row))
        message = self.env._(
            "Created Fusion supplier %(number)s %(name)s.",
            number=row.get("SupplierNumber"),
            name=row.get("Supplier"),
        )
        return self._result(row, message)

    # -- writing to Fusion -------------------------------------------------------------------
    @api.model
    def _apply(self, client, row, changed, supplier):
        """PATCH the supplier and its main address with ``changed``; returns what was sent."""
        sent = {}
        header = {
            HEADER_ATTRIBUTES[name]: value or None
            for name, value in changed.items()
            if name in HEADER_ATTRIBUTES
        }
        if header:
            client.update_item(row, header, what=f"the supplier {row.get('SupplierNumber')}")
            sent["supplier"] = header
        if any(name in changed for name in ADDRESS_FIELDS):
            address = self._main_address(client, row)
            if address is None:
                sent["notes"] = self._ensure_site(client, row, supplier)
            else:
                patch = self._address_body(supplier.values())
                patch.pop("AddressName")
                client.update_item(
                    address, patch, what=f"the address of supplier {row.get('SupplierNumber')}"
                )
                sent["address"] = patch
        return sent

    @api.model
    def _main_address(self, client, row):
        reader = self.env["ml.connector.reader.fusion.supplier"]
        addresses = {a.get("SupplierAddressId"): a for a in client.children(row, "addresses")}
        for site in sorted(client.children(row, "sites"), key=lambda s: s.get("SupplierSiteId") or 0):
            if reader._site_active(site) and site.get("SupplierAddressId") in addresses:
                return addresses[site["SupplierAddressId"]]
        return addresses[min(addresses, key=lambda k: k or 0)] if addresses else None

    @api.model
    def _address_body(self, values):
        street = values["street"]
        return {
            "AddressName": self._site_name(values),
            "AddressLine1": street[:240] or None,
            "City": values["city"] or None,
            "State": values["state"] or None,
            "PostalCode": values["zip"] or None,
            "Country": values["country"],
        }

    @api.model
    def _site_name(self, values):
        return (values["city"] or "MAIN").upper()[:SITE_NAME_LENGTH]

    @api.model
    def _ensure_site(self, client, row, supplier):
        """The supplier's address and its site in the procurement BU, added when missing (each
        looked up first); returns remarks for the line's message."""
        values = supplier.values()
        config = client.config
        business_unit = config.procurement_bu or (config.business_units[0] if config.business_units else "")
        if not values["country"]:
            return [self.env._("No address added: the supplier has no country.")]
        name = self._site_name(values)
        addresses = client.children(row, "addresses")
        address = next((a for a in addresses if a.get("AddressName") == name), None)
        if address is None:
            address = client.add_child(
                row, "addresses", self._address_body(values), what=f"the address {name}"
            )
        if not business_unit:
            return [self.env._("No site added: set the procurement BU of the Fusion connection.")]
        sites = client.children(row, "sites")
        if any(site.get("ProcurementBU") == business_unit for site in sites):
            return []
        body = {
            "SupplierSite": name,
            "ProcurementBU": business_unit,
            "AddressName": address.get("AddressName"),
        }
        client.add_child(row, "sites", body, what=f"the site {name}")
        return [self.env._("Site %(site)s added in %(bu)s.", site=name, bu=business_unit)]

    # -- finding the supplier in Fusion before creating one ----------------------------------
    @api.model
    def _find_remote(self, client, line, supplier):
        """``(row, why)`` of the Fusion supplier this one already is, or None.

        Identifiers first (number, taxpayer id, DUNS), then the normalised name; never guesses.
        """
        values = supplier.values()
        lookups = []
        if values["number"]:
            lookups.append((self.env._("supplier number %s", values["number"]), {"number": values["number"]}))
        for vat in (
            [values["vat"], *sorted(vat_keys(values["vat"]) - {values["vat"]})] if values["vat"] else []
        ):
            lookups.append((self.env._("taxpayer id %s", vat), {"taxpayer_id": vat}))
        if duns_key(values["duns"]):
            lookups.append((self.env._("DUNS %s", values["duns"]), {"duns": values["duns"]}))
        for why, keys in lookups:
            rows = client.find_supplier(**keys)
            if len(rows) > 1:
                raise NeedsReviewError(
                    self.env._(
                        "Several Fusion suppliers have the %(why)s of %(name)s: %(list)s. Correct the data "
                        "in one of the systems, then replay.",
                        why=why,
                        name=values["name"],
                        list=self._describe(rows),
                    )
                )
            if rows:
                return self._claim(line, rows[0], supplier, why)
        return self._find_by_name(client, line, supplier)

    @api.model
    def _find_by_name(self, client, line, supplier):
        wanted = name_key(supplier.name)
        directory = self._directory(client, line)
        same = [row for key, row in directory if key == wanted]
        if len(same) > 1:
            raise NeedsReviewError(
                self.env._(
                    "Several Fusion suppliers are named like %(name)s: %(list)s. Set the supplier number of "
                    "the right one on the other side, then replay.",
                    name=supplier.name,
                    list=self._describe(same),
                )
            )
        if same:
            return self._claim(line, same[0], supplier, self.env._("same normalised name"))
        threshold = self._backend(line.flow_id).match_fuzzy_threshold or 85
        similar = [
            row for key, row in directory if wanted and fuzz.token_sort_ratio(wanted, key) >= threshold
        ]
        if similar:
            raise NeedsReviewError(
                self.env._(
                    "%(name)s is not created in Fusion while its name is only similar to Fusion supplier(s) "
                    "%(list)s: a similar name alone never decides. Set the same supplier number on both "
                    "sides if it is one of them, or make the names differ; then replay.",
                    name=supplier.name,
                    list=self._describe(similar),
                )
            )
        return None

    @api.model
    def _claim(self, line, row, supplier, why):
        flow = line.flow_id
        source = flow.source_backend_id
        other = self.env["ml.connector.binding"]._find(
            source,
            source._binding_type("supplier"),
            local_ref=str(row.get("SupplierId")),
            local_backend=self._backend(flow),
        )
        if other and other.external_id != supplier.key:
            raise NeedsReviewError(
                self.env._(
                    "Fusion supplier %(number)s %(name)s has the %(why)s of %(supplier)s but is already "
                    "linked to %(system)s supplier %(other)s. Merge the two or correct the data, then "
                    "replay.",
                    number=row.get("SupplierNumber"),
                    name=row.get("Supplier"),
                    why=why,
                    supplier=supplier.name,
                    system=source._system_label(),
                    other=other.external_id,
                )
            )
        return self._reread(self._client(self._backend(flow)), row["SupplierId"]), why

    @api.model
    def _directory(self, client, line):
        backend = self._backend(line.flow_id)
        key = (self.env.cr.dbname, backend.id, line.run_id.id)
        if key not in _DIRECTORIES:
            rows = client.items("suppliers", fields="SupplierId,SupplierNumber,Supplier", expand="")
            _DIRECTORIES[key] = [
                (name_key(row.get("Supplier")), row) for row in rows if row.get("SupplierId")
            ]
            while len(_DIRECTORIES) > _DIRECTORIES_KEPT:
                _DIRECTORIES.popitem(last=False)
        return _DIRECTORIES[key]

    @api.model
    def _remember(self, line, row):
        """A supplier created in this run joins the directory the next ones are compared with."""
        entries = _DIRECTORIES.get((self.env.cr.dbname, self._backend(line.flow_id).id, line.run_id.id))
        if entries is not None:
            entries.append((name_key(row.get("Supplier")), row))

    @api.model
    def _describe(self, rows):
        return ", ".join(f"{row.get('SupplierNumber')} {row.get('Supplier')}" for row in rows[:10])
