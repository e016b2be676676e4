from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Address, Supplier, SupplierSite
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import NAME_LENGTH, has_visible_text, identifier_problem

from .ml_connector_fusion_mixin import text


class MlConnectorReaderFusionSupplier(models.AbstractModel):
    """Oracle Fusion suppliers (with their addresses and sites, §5.3) as canonical suppliers.

    The address of a supplier is the one of its first active site (else its first address).
    Suppliers whose values equal what the pair's binding remembers of Fusion's side are not
    passed on: our own writes coming back with a new LastUpdateDate are recognised that way, so
    that both directions converge.
    """

    _name = "ml.connector.reader.fusion.supplier"
    _inherit = ["ml.connector.reader", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion suppliers"

    _system = "fusion"
    _document_type = "supplier"

    @api.model
    def _collect(self, flow, run):
        client = self._client(self._backend(flow))

        def make_item(row):
            key = str(row.get("SupplierId") or "")
            name = text(row.get("Supplier")) or key
            if key:
                known = self._synced_values(flow, key, "supplier")
                if known is not None and known == self._supplier(client, row).values():
                    return None
            return SourceItem(
                source_key=key or f"unidentified:{name}",
                payload=row,
                name=self.env._("Supplier %s", name),
                document_key=text(row.get("SupplierNumber")) or key,
                error=None if key else DocumentError(self.env._("This supplier row has no SupplierId.")),
            )

        yield from self._collect_changed(flow, run, "suppliers", make_item)

    @api.model
    def _document(self, line):
        row = self._payload(line) or {}
        self._check_texts(row, self.env._("Fusion supplier %s", row.get("SupplierId")))
        key, name = str(row.get("SupplierId") or ""), str(row.get("Supplier") or "")
        if not key or not name.strip():
            raise DocumentError(self.env._("A Fusion supplier needs a SupplierId and a Supplier name."))
        if not has_visible_text(name) or len(name) > NAME_LENGTH:
            raise DocumentError(
                self.env._(
                    "The name of Fusion supplier %(id)s is empty or longer than %(max)s characters.",
                    id=key,
                    max=NAME_LENGTH,
                )
            )
        problem = identifier_problem(str(row.get("SupplierNumber") or ""))
        if problem:
            raise DocumentError(
                self.env._("The SupplierNumber of supplier %(id)s %(problem)s.", id=key, problem=problem)
            )
        return self._supplier(self._client(self._backend(line.flow_id)), row)

    # -- the canonical supplier -----------------------------------------------------------
    @api.model
    def _supplier(self, client, row):
        sites = sorted(client.children(row, "sites"), key=lambda s: s.get("SupplierSiteId") or 0)
        addresses = {a.get("SupplierAddressId"): a for a in client.children(row, "addresses")}
        main = next(
            (
                addresses[s["SupplierAddressId"]]
                for s in sites
                if self._site_active(s) and s.get("SupplierAddressId") in addresses
            ),
            None,
        )
        if main is None and addresses:
            main = addresses[min(addresses, key=lambda k: k or 0)]
        values = {
            "name": row.get("Supplier"),
            "number": row.get("SupplierNumber"),
            "duns": row.get("DUNSNumber"),
            "vat": row.get("TaxpayerId"),
            "status": "INACTIVE" if text(row.get("Status")).upper() == "INACTIVE" else "ACTIVE",
            **self._address_values(main or {}),
        }
        return Supplier(
            key=str(row.get("SupplierId") or ""),
            **{name: text(value) for name, value in values.items()},
            sites=[
                SupplierSite(
                    key=str(site.get("SupplierSiteId") or ""),
                    code=text(site.get("SupplierSite")),
                    purpose=text(site.get("ProcurementBU")),
                    address=self._address(addresses.get(site.get("SupplierAddressId"))),
                )
                for site in sites
            ],
        )

    @api.model
    def _site_active(self, site):
        return text(site.get("Status")).upper() in ("", "ACTIVE")

    @api.model
    def _address_values(self, address):
        return {
            "street": ", ".join(
                filter(None, [text(address.get("AddressLine1")), text(address.get("AddressLine2"))])
            ),
            "zip": address.get("PostalCode"),
            "city": address.get("City"),
            "state": address.get("State"),
            "country": text(address.get("Country")).upper(),
        }

    @api.model
    def _address(self, address):
        if not address:
            return None
        values = {k: text(v) for k, v in self._address_values(address).items()}
        return Address(name=text(address.get("AddressName")), code=text(address.get("AddressName")), **values)
