"""Shared test tooling: simulators on loopback, connections to them, engine test flows."""

from datetime import datetime, timedelta
from urllib.parse import quote

from odoo import api, models
from odoo.orm.model_classes import add_to_registry
from odoo.tests import TransactionCase, tagged

from odoo.addons.ml_connector.models.ml_connector_secret import BackendTokenStore
from odoo.addons.ml_connector.tools.errors import DependencyError, DocumentError
from odoo.addons.ml_connector.tools.http import parse_json
from odoo.addons.ml_connector.tools.items import Page, SourceItem

from tests.simulators.base import iso_ms, parse_iso
from tests.simulators.generic import GenericRestSimulator
from tests.simulators.server import SimulatorServer


def changed_pages(http, path, flow, make_item):
    """Pages of the generic simulator's list at ``path`` changed since the flow's mark (minus its
    overlap), oldest first; the mark moves to the last record of each page."""
    params = {}
    if (flow.cursor or {}).get("updated"):
        params["updated_since"] = iso_ms(parse_iso(flow.cursor["updated"]) - flow._overlap())
    start = 1
    while True:
        data = http.get_json(path, params={**params, "start": start})
        rows = data["items"]
        if not rows:
            return
        start += len(rows)
        more = start <= data["total"]
        yield Page(items=[make_item(row) for row in rows], cursor={"updated": rows[-1]["updated"]}, more=more)
        if not more:
            return


class PartnerTestReader(models.AbstractModel):
    """Engine test flow, source: Odoo partners whose ref starts with MLCT-."""

    _name = "ml.connector.reader.odoo.test_partner"
    _inherit = "ml.connector.reader.odoo"
    _description = "Test reader: partners"
    _module = None
    _document_type = "test_partner"
    _source_model = "res.partner"

    @api.model
    def _source_domain(self, flow):
        return [("ref", "=like", "MLCT-%"), ("company_id", "in", (False, flow.company_id.id))]

    @api.model
    def _read_record(self, flow, partner):
        if partner.comment and "BROKEN" in partner.comment:
            raise DocumentError(f"Partner {partner.ref} is marked broken")
        return {"key": partner.ref, "name": partner.name, "email": partner.email or ""}


class ContactTestWriter(models.AbstractModel):
    """Engine test flow, target: contacts of the generic REST simulator."""

    _name = "ml.connector.writer.generic.test_partner"
    _inherit = "ml.connector.writer"
    _description = "Test writer: REST contacts"
    _module = None
    _system = "generic"
    _document_type = "test_partner"
    _binding_type = "test_partner"

    @api.model
    def _write(self, line, document):
        data = parse_json(self._backend(line.flow_id)._http().request("POST", "/api/contacts", json=document))
        return {**self._bind_result(line, data), "sent": document}

    @api.model
    def _bind_result(self, line, data):
        partner = self.env["res.partner"].browse(line.res_id)
        self.env["ml.connector.binding"]._bind(
            self._backend(line.flow_id),
            "test_partner",
            data["id"],
            record=partner,
            content_hash=line.content_hash,
        )
        return {"external_id": str(data["id"]), "target_key": str(data["id"]), "response": data}

    @api.model
    def _resolve_unknown_outcome(self, line, document):
        http = self._backend(line.flow_id)._http()
        response = http.request("GET", f"/api/contacts/by-key/{quote(document['key'])}", expect=(200, 404))
        if response.status_code == 404:
            return None
        return self._bind_result(line, response.json())


class ItemTestReader(models.AbstractModel):
    """Engine test flow, source: items of the generic REST simulator."""

    _name = "ml.connector.reader.generic.test_item"
    _inherit = "ml.connector.reader"
    _description = "Test reader: REST items"
    _module = None
    _system = "generic"
    _document_type = "test_item"

    @api.model
    def _collect(self, flow, run):
        yield from changed_pages(
            self._backend(flow)._http(),
            "/api/items",
            flow,
            lambda row: SourceItem(
                source_key=str(row["id"]),
                payload=row,
                name=f"Item {row.get('key')}",
                document_key=row.get("key"),
            ),
        )


class ItemPartnerTestWriter(models.AbstractModel):
    """Engine test flow, target: remote items become Odoo partners (ref = item key); an item whose
    ``parent`` key names another item becomes a contact of that item's partner, once it exists."""

    _name = "ml.connector.writer.odoo.test_item"
    _inherit = "ml.connector.writer"
    _description = "Test writer: partners from items"
    _module = None
    _document_type = "test_item"
    _binding_type = "test_item"

    @api.model
    def _write(self, line, item):
        if not str(item.get("name") or "").strip():
            raise DocumentError(f"Item {item.get('key')} has no name")
        backend = line.flow_id.source_backend_id
        binding = self.env["ml.connector.binding"]._find(backend, self._binding_type, external_id=item["id"])
        partner = binding._record() if binding else None
        parent = self._parent(backend, item)
        if partner:
            partner.write({"name": item["name"]})
        else:
            partner = self.env["res.partner"].create(
                {
                    "name": item["name"],
                    "ref": item["key"],
                    "company_id": backend.company_id.id,
                    "parent_id": parent.id if parent else False,
                }
            )
        self.env["ml.connector.binding"]._bind(
            backend, self._binding_type, item["id"], record=partner, content_hash=line.content_hash
        )
        return {"res_model": "res.partner", "res_id": partner.id}

    @api.model
    def _parent(self, backend, item):
        if not item.get("parent"):
            return None
        parent = self.env["res.partner"].search(
            [("ref", "=", item["parent"]), ("company_id", "=", backend.company_id.id)], limit=1
        )
        if not parent:
            raise DependencyError(f"Item {item['key']} belongs to {item['parent']}, not imported yet.")
        return parent


TEST_HANDLERS = (PartnerTestReader, ContactTestWriter, ItemTestReader, ItemPartnerTestWriter)


def register_models(test_class, model_classes):
    """Add model classes to the registry for the duration of a test class."""
    registry = test_class.registry
    for model_class in model_classes:
        add_to_registry(registry, model_class)
    registry._setup_models__(test_class.cr, [m._name for m in model_classes])

    def unregister():
        for model_class in model_classes:
            if model_class._name in registry:
                del registry[model_class._name]
        registry._setup_models__(test_class.cr, ["ml.connector.flow"])

    test_class.addClassCleanup(unregister)


class SimulatorCase(TransactionCase):
    """Starts a simulator on loopback for the class; ``cls.sim`` is the app, ``cls.sim_url`` its URL."""

    simulator_class = GenericRestSimulator

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.sim = cls.simulator_class()
        cls.sim_server = SimulatorServer(cls.sim).start()
        cls.addClassCleanup(cls.sim_server.stop)
        cls.sim_url = cls.sim_server.url

    def setUp(self):
        super().setUp()
        self.sim.reset()
        # tokens cached in this process belong to the simulator state just reset
        BackendTokenStore._memory.clear()

    def run_backend(self, backend):
        """Run the connection exactly like the scheduler does (its cron, committed batches)."""
        with self.enter_registry_test_mode():
            backend.cron_id.method_direct_trigger()
        backend.invalidate_recordset()
        return self.env["ml.connector.run"].search([("backend_id", "=", backend.id)], limit=1)


@tagged("post_install", "-at_install")
class EngineCase(SimulatorCase):
    """A generic connection to the generic REST simulator with the two engine test flows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_models(cls, TEST_HANDLERS)
        cls.backend = cls.make_backend()
        cls.flow_out = cls.backend.flow_ids.filtered(lambda f: f.document_type == "test_partner")
        cls.flow_in = cls.backend.flow_ids.filtered(lambda f: f.document_type == "test_item")

    @classmethod
    def make_backend(cls, company=None, name="Engine test"):
        backend = cls.env["ml.connector.backend"].create(
            {
                "name": name,
                "system_type": "generic",
                "company_id": (company or cls.env.company).id,
                "test_mode": True,
                "base_url": cls.sim_url,
                "token_url": f"{cls.sim_url}/oauth/token",
                "ping_path": "/api/ping",
                "client_id": "engine-client",
                "client_secret": "engine-secret",
                "batch_size": 3,
            }
        )
        cls.env["ml.connector.flow"].create(
            [
                {
                    "name": "Partners out",
                    "backend_id": backend.id,
                    "target_backend_id": backend.id,
                    "document_type": "test_partner",
                    "sequence": 10,
                },
                {
                    "name": "Items in",
                    "backend_id": backend.id,
                    "source_backend_id": backend.id,
                    "document_type": "test_item",
                    "sequence": 20,
                },
            ]
        )
        backend.action_activate()
        return backend

    def make_partners(self, count, prefix="MLCT-", same_write_date=None):
        partners = self.env["res.partner"].create(
            [{"name": f"Partner {prefix}{i:03d}", "ref": f"{prefix}{i:03d}"} for i in range(count)]
        )
        if same_write_date:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE res_partner SET write_date = %s WHERE id IN %s",
                (same_write_date, tuple(partners.ids)),
            )
            partners.invalidate_recordset(["write_date"])
        return partners

    def lines(self, flow, **domain):
        return self.env["ml.connector.audit.line"].search(
            [("flow_id", "=", flow.id), *[(k, "=", v) for k, v in domain.items()]]
        )

    @staticmethod
    def utc_now():
        return datetime.utcnow().replace(microsecond=0)

    @staticmethod
    def seconds(n):
        return timedelta(seconds=n)
