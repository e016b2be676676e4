from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Supplier
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import NAME_LENGTH, has_visible_text, identifier_problem

from ..tools.client import dig
from ..tools.suppliers import remote_values
from .ml_connector_jaggaer_mixin import SUPPLIER_BINDING


class MlConnectorReaderJaggaerSupplier(models.AbstractModel):
    """JAGGAER company profiles (sellers) as canonical suppliers.

    Suppliers whose values equal what their binding remembers of JAGGAER's side are not passed
    on: our own writes echoed back with a new modification time are recognised that way, so two
    cycles converge.
    """

    _name = "ml.connector.reader.jaggaer.supplier"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER suppliers"

    _system = "jaggaer"
    _document_type = "supplier"

    @api.model
    def _remote_record(self, client, record):
        """The company profile inside a supplier list item."""
        key = client.config.wrappers.get("supplier_record")
        info = dig(record, key) if key else record
        return info if isinstance(info, dict) else {}

    @api.model
    def _collect(self, flow, run):
        backend = self._backend(flow)
        client = self._client(backend)
        Binding = self.env["ml.connector.binding"]
        other_end = flow.target_backend_id
        bindings = {}

        def bravo_id_of(record):
            return str(self._remote_record(client, record).get("bravoId") or "")

        def prefetch(records):
            """The bindings of a page's suppliers, in one query."""
            bindings.clear()
            bravo_ids = list(filter(None, map(bravo_id_of, records)))
            bindings.update(Binding._find_many(backend, SUPPLIER_BINDING, bravo_ids, local_backend=other_end))

        def make_item(record):
            info = self._remote_record(client, record)
            bravo_id = bravo_id_of(record)
            if bravo_id:
                binding = bindings.get(bravo_id)
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
            prefetch=prefetch,
            key_of=lambda record: bravo_id_of(record) or str(id(record)),
            unwrap=lambda record: self._remote_record(client, record),
        )

    @api.model
    def _document(self, line):
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
        return Supplier(key=bravo_id, **remote_values(info))
