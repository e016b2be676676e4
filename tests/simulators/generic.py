"""A minimal OAuth2-protected REST API, the remote of the core engine's tests.

It speaks the common dialect of such APIs (client-credentials token endpoint with expiry,
bearer tokens, a timestamp-filtered paged list, an upsert keyed by a business key and a
lookup by that key) so that the engine can be tested without either real system.
"""

import threading
from datetime import timedelta
from urllib.parse import parse_qs

from werkzeug.routing import Rule

from .base import SimulatorApp, TokenBucket, TokenIssuer, iso_ms, json_response, parse_iso


class GenericRestSimulator(SimulatorApp):
    name = "generic"

    def __init__(self, client_id="engine-client", client_secret="engine-secret"):
        self.default_clients = {client_id: client_secret}
        self.clients = dict(self.default_clients)
        self.token_lifetime = 300
        self.token_rate_limit = 0
        self.page_size = 50
        self.items = {}  # key -> item: what the remote publishes (read by inbound flows)
        self.contacts = {}  # key -> contact: what clients push (written by outbound flows)
        self.suppliers = {}  # code -> supplier of the remote ERP
        self.orders = {}  # number -> purchase order of the remote ERP
        self.order_statuses = {}  # number -> statuses pushed by clients, oldest first
        self._next_id = 1
        self._data_lock = threading.Lock()
        super().__init__()
        self.tokens = TokenIssuer(self.clock, self.token_lifetime)
        self.token_limiter = TokenBucket(self.clock, self.token_rate_limit)

    def rules(self):
        return [
            Rule("/oauth/token", endpoint="token", methods=["POST"]),
            Rule("/api/ping", endpoint="api_ping", methods=["GET"]),
            Rule("/api/items", endpoint="api_items", methods=["GET"]),
            Rule("/api/contacts", endpoint="api_contacts", methods=["POST"]),
            Rule("/api/contacts/by-key/<path:key>", endpoint="contact_by_key", methods=["GET"]),
            Rule("/api/suppliers", endpoint="api_suppliers", methods=["GET"]),
            Rule("/api/orders", endpoint="api_orders", methods=["GET"]),
            Rule("/api/orders/<path:number>/status", endpoint="api_order_status", methods=["POST"]),
        ]

    def configure(self, **options):
        result = super().configure(**options)
        self.tokens.lifetime = self.token_lifetime
        self.token_limiter.rate = self.token_rate_limit
        return result

    def token_issuers(self):
        return [self.tokens]

    def reset(self):
        super().reset()
        self.tokens.reset()
        self.token_limiter.reset()
        self.clients = dict(self.default_clients)
        with self._data_lock:
            self.items.clear()
            self.contacts.clear()
            self.suppliers.clear()
            self.orders.clear()
            self.order_statuses.clear()
            self._next_id = 1

    # -- auth -------------------------------------------------------------------------
    def token(self, request):
        if not request.content_type or not request.content_type.startswith(
            "application/x-www-form-urlencoded"
        ):
            return json_response({"error": "invalid_request", "error_description": "form body expected"}, 400)
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        if form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        client_id = form.get("client_id", "")
        if self.clients.get(client_id) != form.get("client_secret") or not client_id:
            return json_response({"error": "invalid_client", "error_description": "bad credentials"}, 401)
        wait = self.token_limiter.hit(client_id)
        if wait:
            return json_response({"error": "too_many_requests"}, 429, {"Retry-After": str(int(wait) + 1)})
        token = self.tokens.issue(client_id)
        return json_response(
            {"access_token": token.value, "token_type": "Bearer", "expires_in": self.tokens.lifetime}
        )

    def _authorized(self, request):
        return self.tokens.check(request.headers.get("Authorization"))

    def _unauthorized(self):
        return json_response(
            {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )

    # -- API --------------------------------------------------------------------------
    def api_ping(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        return json_response({"ok": True, "now": iso_ms(self.clock.now())})

    def api_items(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        since = request.args.get("updated_since")
        start = int(request.args.get("start", 1))
        with self._data_lock:
            rows = sorted(self.items.values(), key=lambda i: (i["updated"], i["id"]))
        if since:
            bound = parse_iso(since)
            rows = [r for r in rows if parse_iso(r["updated"]) >= bound]
        page = rows[start - 1 : start - 1 + self.page_size]
        return json_response({"total": len(rows), "start": start, "items": page})

    def _changed_page(self, request, records):
        """A page of ``records`` changed since ``updated_since``, oldest first."""
        since = request.args.get("updated_since")
        start = int(request.args.get("start", 1))
        with self._data_lock:
            rows = sorted(records.values(), key=lambda r: (r["updated"], r["id"]))
        if since:
            bound = parse_iso(since)
            rows = [r for r in rows if parse_iso(r["updated"]) >= bound]
        return {"total": len(rows), "start": start, "items": rows[start - 1 : start - 1 + self.page_size]}

    def api_suppliers(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        return json_response(self._changed_page(request, self.suppliers))

    def api_orders(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        return json_response(self._changed_page(request, self.orders))

    def api_order_status(self, request, number):
        if not self._authorized(request):
            return self._unauthorized()
        payload = request.get_json(silent=True)
        if number not in self.orders:
            return json_response({"error": "not found", "message": f"no order {number}"}, 404)
        if not isinstance(payload, dict) or not payload.get("status"):
            return json_response({"error": "validation", "message": "'status' is required"}, 422)
        with self._data_lock:
            self.order_statuses.setdefault(number, []).append(payload)
        return json_response({"number": number, "statuses": len(self.order_statuses[number])})

    def api_contacts(self, request):
        if not self._authorized(request):
            return self._unauthorized()
        return self._upsert(request.get_json(silent=True))

    def _upsert(self, payload):
        if not isinstance(payload, dict) or not payload.get("key"):
            return json_response({"error": "validation", "message": "'key' is required"}, 422)
        if not str(payload.get("name") or "").strip():
            return json_response({"error": "validation", "message": "'name' is required"}, 422)
        with self._data_lock:
            item = self.contacts.get(payload["key"])
            fields = {k: v for k, v in payload.items() if k not in ("id", "version", "updated")}
            if item is None:
                item = {"id": self._next_id, "version": 1, **fields}
                self._next_id += 1
                self.contacts[payload["key"]] = item
                status = 201
            else:
                if any(item.get(k) != v for k, v in fields.items()):
                    item.update(fields)
                    item["version"] += 1
                status = 200
            item["updated"] = iso_ms(self.clock.now())
            return json_response(dict(item), status)

    def contact_by_key(self, request, key):
        if not self._authorized(request):
            return self._unauthorized()
        item = self.contacts.get(key)
        if not item:
            return json_response({"error": "not found"}, 404)
        return json_response(dict(item))

    # -- control ----------------------------------------------------------------------
    def seed(self, data):
        for item in data.get("items", []):
            self.add_item(**item)
        return {"items": len(self.items)}

    def add_item(self, key, name, updated=None, **extra):
        with self._data_lock:
            item = {"id": self._next_id, "key": key, "name": name, "version": 1, **extra}
            self._next_id += 1
            item["updated"] = updated or iso_ms(self.clock.now())
            self.items[key] = item
            return item

    def add_supplier(self, code, name, **extra):
        with self._data_lock:
            supplier = {"id": self._next_id, "code": code, "name": name, **extra}
            self._next_id += 1
            supplier["updated"] = iso_ms(self.clock.now())
            self.suppliers[code] = supplier
            return supplier

    def add_order(self, number, supplier, lines, currency="USD", **extra):
        """``lines``: dicts with item, quantity, price, account and cost_center."""
        with self._data_lock:
            order = {
                "id": self._next_id,
                "number": number,
                "supplier": supplier,
                "currency": currency,
                "status": "open",
                "lines": [{"line": str(i), **line} for i, line in enumerate(lines, start=1)],
                **extra,
            }
            self._next_id += 1
            order["updated"] = iso_ms(self.clock.now())
            self.orders[number] = order
            return order

    def touch_order(self, number, **changes):
        with self._data_lock:
            order = self.orders[number]
            order.update(changes)
            order["updated"] = iso_ms(self.clock.now())
            return order

    def touch(self, key, seconds_ahead=0, **changes):
        with self._data_lock:
            item = self.items[key]
            item.update(changes)
            item["version"] += 1
            item["updated"] = iso_ms(self.clock.now() + timedelta(seconds=seconds_ahead))
            return item

    def state(self):
        return {
            "items": len(self.items),
            "contacts": len(self.contacts),
            "orders": len(self.orders),
            "tokens_issued": self.tokens.issued_count,
        }
