"""The Oracle Fusion simulator over real HTTP (no Odoo): every point of fusion-api.md §11."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from tests.simulators.fusion import (
    DEFAULT_CLIENT,
    TOKEN_PATH,
    TRUST_SCOPE,
    FusionSimulator,
    demo_seed,
)
from tests.simulators.jaggaer import DEMO_SUPPLIERS as JAGGAER_SUPPLIERS
from tests.simulators.server import SimulatorServer

CLIENT = (DEFAULT_CLIENT["client_id"], DEFAULT_CLIENT["client_secret"])
FORM = {"grant_type": "client_credentials", "scope": TRUST_SCOPE}


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(FusionSimulator()) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    return server.app


@pytest.fixture
def url(server, sim):
    return server.url


def token(url, auth=CLIENT, **form):
    response = requests.post(url + TOKEN_PATH, data={**FORM, **form}, auth=auth, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


class Api:
    """A Fusion caller: bearer token, framework version header, JSON parsed with Decimal."""

    def __init__(self, url, sim, version=4, auth=CLIENT):
        self.base = url + sim.prefix
        self.version = version
        self.token = token(url, auth)

    def headers(self, **extra):
        headers = {"Authorization": f"Bearer {self.token}", **extra}
        if self.version is not None:
            headers["REST-Framework-Version"] = str(self.version)
        return headers

    def url(self, path):
        return path if path.startswith("http") else f"{self.base}/{path.lstrip('/')}"

    def get(self, path, **params):
        return requests.get(self.url(path), params=params, headers=self.headers(), timeout=10)

    def post(self, path, body, content_type="application/vnd.oracle.adf.resourceitem+json", **headers):
        return requests.post(
            self.url(path),
            data=_dumps(body),
            headers=self.headers(**{"Content-Type": content_type, **headers}),
            timeout=10,
        )

    def patch(self, path, body, **headers):
        return requests.patch(
            self.url(path),
            data=_dumps(body),
            headers=self.headers(**{"Content-Type": "application/json", **headers}),
            timeout=10,
        )

    def action(self, path, body):
        return self.post(path, body, content_type="application/vnd.oracle.adf.action+json")


def _dumps(body):
    return json.dumps(body, default=str)


def decimal_json(response):
    return json.loads(response.text, parse_float=Decimal)


def link(item, rel, name=None):
    return next(
        entry["href"]
        for entry in item["links"]
        if entry["rel"] == rel and (name is None or entry["name"] == name)
    )


@pytest.fixture
def api(url, sim):
    demo_seed(sim)
    return Api(url, sim)


def seed_pos(sim, count, stamp=None, supplier="Lab Supply Inc"):
    """``count`` one-line purchase orders, all stamped ``stamp`` when given."""
    if not sim.data["suppliers"]:
        demo_seed(sim)
    orders = []
    for i in range(count):
        orders.append(
            sim.add_purchase_order(
                {
                    "OrderNumber": f"2{i:06d}",
                    "Supplier": supplier,
                    "LastUpdateDate": stamp,
                    "lines": [{"Description": f"Item {i}", "Quantity": 1, "Price": "10.00"}],
                }
            )
        )
    return orders


def invoice_body(number="INV-1", amount="250.00", **header):
    return {
        "InvoiceNumber": number,
        "InvoiceCurrency": "USD",
        "InvoiceAmount": amount,
        "InvoiceDate": "2024-05-02",
        "BusinessUnit": "Vision Operations",
        "Supplier": "Lab Supply Inc",
        "SupplierSite": "RALEIGH",
        "invoiceLines": [
            {
                "LineNumber": 1,
                "LineType": "Item",
                "Quantity": "10",
                "UnitPrice": "12.50",
                "LineAmount": "125.00",
                "PurchaseOrderNumber": "1004123",
                "PurchaseOrderLineNumber": "1",
                "PurchaseOrderScheduleLineNumber": "1",
            },
            {"LineNumber": 2, "LineType": "Freight", "LineAmount": "125.00",
             "DistributionCombination": "01-100-6200-0000-000"},
        ],
        **header,
    }  # fmt: skip


# -- §11.1-§11.2 identity domain ---------------------------------------------------------------


def test_token_shape_is_a_jwt_with_the_configured_lifetime(url, sim):
    response = requests.post(url + TOKEN_PATH, data=FORM, auth=CLIENT, timeout=5)
    body = response.json()
    assert response.status_code == 200 and set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2
    sim.configure(token_lifetime=600)
    assert requests.post(url + TOKEN_PATH, data=FORM, auth=CLIENT, timeout=5).json()["expires_in"] == 600


def test_token_refusals(url, sim):
    def ask(data=FORM, auth=CLIENT, **kw):
        return requests.post(url + TOKEN_PATH, data=data, auth=auth, timeout=5, **kw)

    bad_secret = ask(auth=(CLIENT[0], "nope"))
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    assert ask(auth=("SOMEONE", "x")).json()["error"] == "invalid_client"
    as_json = requests.post(url + TOKEN_PATH, json=FORM, auth=CLIENT, timeout=5)
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    grant = ask(data={**FORM, "grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    assert ask(data={"scope": TRUST_SCOPE}).json()["error"] == "invalid_request"
    scope = ask(data={**FORM, "scope": "urn:opc:resource:consumer::all openid"})
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    assert ask(data={"grant_type": "client_credentials"}).json()["error"] == "invalid_scope"


def test_scope_with_the_pod_audience_and_configured_list(url, sim):
    origin = url if url.count(":") == 2 else url + ":80"
    assert token(url, scope=f"{origin}{TRUST_SCOPE}")
    sim.configure(accepted_scopes=[f"https://pod.example.com:443{TRUST_SCOPE}"])
    refused = requests.post(url + TOKEN_PATH, data=FORM, auth=CLIENT, timeout=5)
    assert refused.json()["error"] == "invalid_scope"
    assert token(url, scope=f"https://pod.example.com:443{TRUST_SCOPE}")


def test_client_auth_basic_or_body(url, sim):
    body_form = {**FORM, "client_id": CLIENT[0], "client_secret": CLIENT[1]}
    refused = requests.post(url + TOKEN_PATH, data=body_form, timeout=5)
    assert refused.status_code == 401, "body credentials are off by default: Basic only"
    sim.configure(client_auth_methods=["basic", "body"])
    assert requests.post(url + TOKEN_PATH, data=body_form, timeout=5).status_code == 200
    sim.configure(client_auth_methods=["body"])
    assert requests.post(url + TOKEN_PATH, data=FORM, auth=CLIENT, timeout=5).status_code == 401
    assert requests.post(url + TOKEN_PATH, data=body_form, timeout=5).status_code == 200


def test_bearer_missing_invalid_expired_and_expire_all(url, sim):
    api = Api(url, sim)
    assert api.get("invoices").status_code == 200
    assert requests.get(api.url("invoices"), timeout=5).status_code == 401
    wrong = requests.get(api.url("invoices"), headers={"Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401 and "WWW-Authenticate" in wrong.headers
    requests.post(url + "/_sim/clock", json={"advance": 3599}, timeout=5)
    assert api.get("invoices").status_code == 200
    sim.clock.advance(2)
    assert api.get("invoices").status_code == 401
    fresh = Api(url, sim)
    assert fresh.get("invoices").status_code == 200
    assert requests.post(url + "/_sim/tokens/expire", timeout=5).status_code == 200
    assert fresh.get("invoices").status_code == 401


def test_http_basic_user_only_when_enabled(url, sim):
    sim.set_client("DEV_USER", "dev-secret", roles=["Buyer"], password="Welcome1")
    target = url + sim.prefix + "/purchaseOrders"
    assert requests.get(target, auth=("DEV_USER", "Welcome1"), timeout=5).status_code == 401
    sim.configure(basic_user_auth=True)
    assert requests.get(target, auth=("DEV_USER", "Welcome1"), timeout=5).status_code == 200
    assert requests.get(target, auth=("DEV_USER", "wrong"), timeout=5).status_code == 401


# -- §11.3 roles --------------------------------------------------------------------------------


def test_roles_decide_resources_and_methods(url, sim):
    demo_seed(sim)
    requests.post(
        url + "/_sim/fusion/users",
        json={"client_id": "AP_ONLY", "client_secret": "s", "roles": ["Accounts Payable Specialist"]},
        timeout=5,
    )
    ap = Api(url, sim, auth=("AP_ONLY", "s"))
    assert ap.get("invoices").status_code == 200
    assert ap.get("purchaseOrders").status_code == 200
    denied = ap.get("accountCombinationsLOV")
    assert denied.status_code == 403 and denied.json()["o:errorDetails"][0]["detail"]
    assert ap.post("suppliers", {"Supplier": "X", "TaxOrganizationType": "CORPORATION"}).status_code == 403
    assert ap.get("suppliers").status_code == 200, "viewing is granted where maintaining is not"
    sim.set_client("BUYER", "s", roles=["Buyer"])
    buyer = Api(url, sim, auth=("BUYER", "s"))
    assert buyer.get("invoices").status_code == 403
    assert buyer.get("purchaseOrderAcknowledgments").status_code == 200
    assert buyer.action("invoices/action/validateInvoice", {"InvoiceNumber": "LS-88120"}).status_code == 403
    unknown_role = {"client_id": "X", "client_secret": "s", "roles": ["Janitor"]}
    assert requests.post(url + "/_sim/fusion/users", json=unknown_role, timeout=5).status_code == 400


# -- §11.4 root --------------------------------------------------------------------------------


def test_root_lists_resources_and_framework_versions(url, sim):
    api = Api(url, sim)
    body = api.get("/").json()
    assert {item["name"] for item in body["items"]} >= {
        "purchaseOrders", "invoices", "suppliers", "accountCombinationsLOV", "valueSets",
        "purchaseOrderAcknowledgments", "receivingReceiptRequests",
    }  # fmt: skip
    assert body["adf:extension"] == {
        "defaultFrameworkVersion": "1",
        "allowedFrameworkVersions": ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
    }
    sim.configure(default_framework_version=4, allowed_framework_versions=[1, 2, 3, 4])
    assert api.get("/").json()["adf:extension"]["defaultFrameworkVersion"] == "4"
    api.version = 6
    refused = api.get("invoices")
    assert refused.status_code == 400 and "framework version 6" in refused.text


# -- §11.5-§11.6 collections and paging -----------------------------------------------------------


def test_collection_shape_and_total_results_on_request(api, sim):
    body = api.get("purchaseOrders").json()
    assert set(body) == {"items", "count", "hasMore", "limit", "offset", "links"}
    assert body["count"] == 5 and body["hasMore"] is False and body["limit"] == 25 and body["offset"] == 0
    assert body["links"][0]["rel"] == "self" and body["links"][0]["kind"] == "collection"
    with_total = api.get("purchaseOrders", totalResults="true", limit=2).json()
    assert with_total["totalResults"] == 5 and with_total["count"] == 2 and with_total["hasMore"] is True


@pytest.mark.parametrize(
    "resource",
    ["purchaseOrders", "invoices", "suppliers", "accountCombinationsLOV", "valueSets",
     "purchaseOrderAcknowledgments", "receivingReceiptRequests"],
)  # fmt: skip
def test_every_collection_answers(api, sim, resource):
    response = api.get(resource)
    assert response.status_code == 200, response.text
    assert {"items", "count", "hasMore", "limit", "offset", "links"} <= set(response.json())


def test_limit_default_cap_and_exact_500_boundary(api, sim):
    seed_pos(sim, 495)  # exactly 500 purchase orders with the demo's five
    exact = api.get("purchaseOrders", limit=500, orderBy="POHeaderId").json()
    assert exact["count"] == 500 and exact["hasMore"] is False, "500 rows fit one page of 500"
    seed_pos(sim, 1)
    first = api.get("purchaseOrders", limit=500, orderBy="POHeaderId").json()
    assert first["count"] == 500 and first["hasMore"] is True
    second = api.get("purchaseOrders", limit=500, offset=500, orderBy="POHeaderId").json()
    assert second["count"] == 1 and second["hasMore"] is False
    assert len({i["POHeaderId"] for i in first["items"] + second["items"]}) == 501
    capped = api.get("purchaseOrders", limit=1000).json()
    assert capped["limit"] == 500 and capped["count"] == 500 and capped["hasMore"] is True
    beyond = api.get("purchaseOrders", offset=501).json()
    assert beyond["items"] == [] and beyond["count"] == 0 and beyond["hasMore"] is False
    default = api.get("purchaseOrders").json()
    assert default["count"] == 25 and default["limit"] == 25
    assert api.get("purchaseOrders", limit=0).status_code == 400
    assert api.get("purchaseOrders", offset=-1).status_code == 400
    assert api.get("purchaseOrders", limit="ten").status_code == 400


# -- §11.7 q grammar ------------------------------------------------------------------------------


def test_v1_takes_query_by_example_only(api, sim):
    api.version = None  # no header: the pod's default, 1
    ok = api.get("invoices", q="InvoiceNumber=LS-88120;BusinessUnit=Vision Operations").json()
    assert [i["InvoiceNumber"] for i in ok["items"]] == ["LS-88120"]
    for expression in ("InvoiceAmount>1", "InvoiceNumber='A' or InvoiceNumber='B'",
                       "LastUpdateDate>='2024-01-01T00:00:00Z'"):  # fmt: skip
        refused = api.get("invoices", q=expression)
        assert refused.status_code == 400 and refused.headers["Content-Type"].startswith("text/plain")
        assert "framework version 1" in refused.text


def test_v2_expressions(api, sim):
    api.version = 2

    def numbers(q, resource="invoices", key="InvoiceNumber"):
        response = api.get(resource, q=q, orderBy=f"{key}:asc")
        assert response.status_code == 200, response.text
        return [i[key] for i in response.json()["items"]]

    assert numbers("InvoiceAmount>=305 and InvoiceAmount<2212.75") == ["LS-88120"]
    assert numbers("InvoiceAmount<=85 or InvoiceNumber='LS-88120'") == ["LS-88120", "PF-2024-0091"]
    assert numbers("(InvoiceAmount>=85 and <= 305) and (InvoiceNumber!='PF-2024-0091')") == ["LS-88120"]
    assert numbers("InvoiceNumber LIKE 'AND%'") == ["AND_Unmatched_Invoice"]
    assert numbers("InvoiceNumber IN ('LS-88120', 'PF-2024-0091')") == ["LS-88120", "PF-2024-0091"]
    assert numbers("DUNSNumber IS NULL", "suppliers", "SupplierNumber") == ["1254", "1255", "1256"]
    assert numbers("DUNSNumber is not null", "suppliers", "SupplierNumber") == ["1013", "1252", "1253"]
    assert numbers("Supplier NOT LIKE '%Lab%' and DUNSNumber IS NULL", "suppliers", "SupplierNumber") == [
        "1255",
        "1256",
    ]
    assert numbers("InvoiceDate='2000-01-01'") == []
    assert numbers("Supplier='ACME Lab Equipment Inc'", "suppliers", "SupplierNumber") == ["1254"]
    api.version = 4
    assert numbers("Supplier='O''Brien'", "suppliers", "SupplierNumber") == []


@pytest.mark.parametrize(("version", "json_error"), [(2, False), (3, False), (4, True), (9, True)])
def test_query_errors_text_below_v4_json_from_v4(api, sim, version, json_error):
    api.version = version
    for q in ("InvoiceAmount >>= 3", "Colour='red'", "InvoiceAmount>'lots'", "(InvoiceAmount>1", "and"):
        response = api.get("invoices", q=q)
        assert response.status_code == 400, q
        if json_error:
            body = response.json()
            assert response.headers["Content-Type"] == "application/vnd.oracle.adf.error+json"
            assert body["status"] == "400" and body["o:errorDetails"][0]["detail"]
        else:
            assert response.headers["Content-Type"].startswith("text/plain") and response.text


def test_error_format_switch(api, sim):
    api.version = 4
    sim.configure(error_format="text")
    assert api.get("invoices", q="Colour='red'").headers["Content-Type"].startswith("text/plain")
    sim.configure(error_format="json")
    api.version = 2
    assert "o:errorDetails" in api.get("invoices", q="Colour='red'").json()


# -- §11.8 timestamps, orderBy, fields, expand, onlyData, finder --------------------------------


def test_last_update_date_compared_in_utc_to_the_millisecond(api, sim):
    moment = datetime(2024, 5, 2, 14, 3, 11, 120456, tzinfo=UTC)
    (po,) = seed_pos(sim, 1, stamp=moment)
    api.version = 4

    def hit(q):
        return po["POHeaderId"] in [i["POHeaderId"] for i in api.get("purchaseOrders", q=q).json()["items"]]

    assert hit("LastUpdateDate='2024-05-02T14:03:11.120+00:00'")
    assert hit("LastUpdateDate='2024-05-02T14:03:11.120Z'")
    assert hit("LastUpdateDate='2024-05-02T16:03:11.120+02:00'")
    assert hit("LastUpdateDate='2024-05-02T14:03:11.120999+00:00'"), "microseconds are cut to milliseconds"
    assert not hit("LastUpdateDate>'2024-05-02T14:03:11.120+00:00'")
    assert hit("LastUpdateDate>='2024-05-02T14:03:11.120+00:00'")
    assert not hit("LastUpdateDate>='2024-05-02T14:03:11.121+00:00'")
    assert hit("LastUpdateDate>='2024-05-02T14:03:11+00:00'")
    assert hit("LastUpdateDate='2024-05-02 14:03:11.120'"), "a literal without offset is the user's zone: UTC"
    sim.configure(user_time_zone="America/Los_Angeles")
    assert not hit("LastUpdateDate='2024-05-02 14:03:11.120'")
    assert hit("LastUpdateDate='2024-05-02T07:03:11.120'"), "PDT is UTC-7 in May"


@pytest.mark.parametrize(
    ("options", "rendered"),
    [
        ({}, "2024-05-02T14:03:11.120+00:00"),
        ({"timestamp_suffix": "Z"}, "2024-05-02T14:03:11.120Z"),
        ({"timestamp_fraction_digits": 0}, "2024-05-02T14:03:11+00:00"),
        ({"timestamp_fraction_digits": 6, "timestamp_suffix": "Z"}, "2024-05-02T14:03:11.120456Z"),
        ({"render_time_zone": "America/Los_Angeles"}, "2024-05-02T07:03:11.120-07:00"),
    ],
)
def test_timestamp_rendering_switches(api, sim, options, rendered):
    (po,) = seed_pos(sim, 1, stamp=datetime(2024, 5, 2, 14, 3, 11, 120456, tzinfo=UTC))
    sim.configure(**options)
    body = api.get("purchaseOrders", finder=f"PrimaryKey;POHeaderId={po['POHeaderId']}").json()
    assert body["items"][0]["LastUpdateDate"] == rendered


def test_amounts_as_numbers_or_strings(api, sim):
    item = decimal_json(api.get("invoices", q="InvoiceNumber='AND_Unmatched_Invoice'"))["items"][0]
    assert item["InvoiceAmount"] == Decimal("2212.75") and isinstance(item["InvoiceAmount"], Decimal)
    assert api.get("invoices", q="InvoiceNumber='LS-88120'").json()["items"][0]["InvoiceAmount"] == 305
    sim.configure(amounts_as_numbers=False)
    item = api.get("invoices", q="InvoiceNumber='LS-88120'").json()["items"][0]
    assert item["InvoiceAmount"] == "305.00" and item["AmountPaid"] == "0"


def test_order_by_several_keys_and_directions(api, sim):
    body = api.get("suppliers", orderBy="TaxpayerCountry:desc,Supplier:asc", fields="Supplier").json()
    names = [i["Supplier"] for i in body["items"]]
    assert names[:5] == ["ACME Lab Equipment Inc", "Advanced Network Devices", "Lab Supply Inc",
                         "Pinnacle Freight LLC", "Summit Office Supplies"]  # fmt: skip
    assert names[-1] == "Northwind Lab Services GmbH"
    assert api.get("suppliers", orderBy="Colour:asc").status_code == 400
    assert api.get("suppliers", orderBy="Supplier:sideways").status_code == 400


def test_ties_come_in_any_order_unless_a_key_breaks_them(api, sim):
    stamp = datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC)
    seed_pos(sim, 60, stamp=stamp)
    q = "LastUpdateDate='2024-05-02T14:03:11.000Z'"

    def read(order_by):
        seen = []
        for offset in range(0, 60, 10):
            page = api.get(
                "purchaseOrders", q=q, orderBy=order_by, limit=10, offset=offset, fields="POHeaderId"
            )
            seen += [i["POHeaderId"] for i in page.json()["items"]]
        return seen

    unstable = read("LastUpdateDate:asc")
    assert len(unstable) == 60 and len(set(unstable)) < 60, "paging on a non-unique order skips and repeats"
    stable = read("LastUpdateDate:asc,POHeaderId:asc")
    assert stable == sorted(stable) and len(set(stable)) == 60
    sim.configure(shuffle_ties=False)
    assert len(set(read("LastUpdateDate:asc"))) == 60


def test_fields_per_level_expand_and_only_data(api, sim):
    body = api.get(
        "purchaseOrders",
        q="OrderNumber='1004123'",
        fields="POHeaderId,OrderNumber;lines:LineNumber,Price;lines.schedules:Quantity",
        onlyData="true",
    ).json()
    (po,) = body["items"]
    assert set(po) == {"POHeaderId", "OrderNumber", "lines"}, "fields naming a child includes it"
    line = po["lines"]["items"][0]
    assert set(line) == {"LineNumber", "Price", "schedules"} and set(line["schedules"]["items"][0]) == {
        "Quantity"
    }
    full = api.get("purchaseOrders", q="OrderNumber='1004123'", expand="all").json()["items"][0]
    assert "lines" in full and "links" in full and "schedules" not in full["lines"]["items"][0]
    nested = api.get("purchaseOrders", q="OrderNumber='1004123'", expand="lines.schedules.distributions")
    schedule = nested.json()["items"][0]["lines"]["items"][0]["schedules"]["items"][0]
    assert schedule["distributions"]["items"][0]["POChargeAccount"] == "01-200-6100-0000-000"
    for bad in ({"fields": "POHeaderId,Colour"}, {"fields": "lines:Colour"}, {"expand": "widgets"},
                {"fields": "widgets:Id"}):  # fmt: skip
        assert api.get("purchaseOrders", **bad).status_code == 400, bad


def test_children_as_arrays_below_v3_and_paged_collections_from_v3(api, sim):
    lines = [{"Description": f"Part {i}", "Quantity": 1, "Price": "1.00"} for i in range(30)]
    sim.add_purchase_order({"OrderNumber": "3000001", "Supplier": "Lab Supply Inc", "lines": lines})
    api.version = 2
    item = api.get("purchaseOrders", q="OrderNumber='3000001'", expand="lines").json()["items"][0]
    assert isinstance(item["lines"], list) and len(item["lines"]) == 30
    api.version = 3
    nested = api.get("purchaseOrders", q="OrderNumber='3000001'", expand="lines").json()["items"][0]["lines"]
    assert nested["count"] == 25 and nested["hasMore"] is True, "a client must follow the link for the rest"
    rest = api.get(nested["links"][0]["href"], offset=25).json()
    assert rest["count"] == 5 and rest["hasMore"] is False


def test_finder_primary_key(api, sim):
    po = sim.find_po("1004127")
    body = api.get("purchaseOrders", finder=f"PrimaryKey;POHeaderId={po['POHeaderId']}").json()
    assert [i["OrderNumber"] for i in body["items"]] == ["1004127"]
    assert api.get("purchaseOrders", finder="PrimaryKey;OrderNumber=1004127").status_code == 400
    assert api.get("purchaseOrders", finder="findByIntent;Intent=X").status_code == 400


# -- §11.14 opaque keys and links -----------------------------------------------------------------


def test_children_only_through_returned_links(api, sim):
    invoice = api.get("invoices", q="InvoiceNumber='LS-88120'").json()["items"][0]
    self_href = link(invoice, "self")
    uniq = self_href.rsplit("/", 1)[1]
    assert uniq != str(invoice["InvoiceId"]) and len(uniq) > 20
    assert api.get(self_href).json()["InvoiceId"] == invoice["InvoiceId"]
    assert api.get(f"invoices/{invoice['InvoiceId']}").status_code == 404, "a guessed key is not a UniqID"
    lines = api.get(link(invoice, "child", "invoiceLines")).json()["items"]
    assert [ln["LineNumber"] for ln in lines] == [1, 2]
    assert api.get(f"{self_href}/child/invoiceLines/1").status_code == 404
    assert api.get(link(lines[0], "child", "invoiceDistributions")).status_code == 200
    assert api.get(f"{self_href}/child/widgets").status_code == 404


def test_numeric_ids_where_fusion_documents_them(api, sim):
    po = sim.find_po("1004123")
    by_id = api.get(f"purchaseOrders/{po['POHeaderId']}")
    assert by_id.status_code == 200 and by_id.json()["OrderNumber"] == "1004123"
    assert api.get(link(by_id.json(), "self")).status_code == 200, "the opaque link works too"
    line_href = link(by_id.json(), "child", "lines") + f"/{po['lines'][0]['POLineId']}"
    line = api.get(line_href)
    assert line.status_code == 200, "lines/{POLineId} is numeric in Oracle's paths"
    schedule_id = po["lines"][0]["schedules"][0]["LineLocationId"]
    assert api.get(link(line.json(), "child", "schedules") + f"/{schedule_id}").status_code == 404
    supplier = next(iter(sim.data["suppliers"].values()))
    assert api.get(f"suppliers/{supplier['SupplierId']}").json()["Supplier"] == supplier["Supplier"]
    assert api.get("suppliers/1").status_code == 404
    assert api.get("widgets").status_code == 404


def test_uniq_ids_change_with_a_new_pod_state(url, sim):
    demo_seed(sim)
    api = Api(url, sim)
    first = link(api.get("invoices", limit=1).json()["items"][0], "self")
    sim.reset()
    demo_seed(sim)
    api = Api(url, sim)
    assert api.get(first).status_code == 404


# -- §11.9 stamps and the between-pages hook --------------------------------------------------------


def test_every_write_stamps_last_update_date_from_the_clock(api, sim):
    sim.clock.advance(1800)
    now = sim.now()
    created = decimal_json(api.post("invoices", invoice_body()))
    stamp = datetime.fromisoformat(created["LastUpdateDate"])
    assert abs((stamp - now).total_seconds()) < 5
    sim.clock.advance(60)
    patched = api.patch(link(created, "self"), {"Description": "changed"}).json()
    assert datetime.fromisoformat(patched["LastUpdateDate"]) - stamp >= timedelta(seconds=60)
    supplier = api.get("suppliers", q="Supplier='Pinnacle Freight LLC'").json()["items"][0]
    sim.clock.advance(60)
    touched = requests.post(
        api.base.split("/fscmRestApi")[0] + "/_sim/fusion/touch",
        json={"resource": "suppliers", "id": supplier["SupplierId"], "changes": {"Status": "INACTIVE"}},
        timeout=5,
    ).json()
    assert touched["LastUpdateDate"] > supplier["LastUpdateDate"]
    assert api.get(f"suppliers/{supplier['SupplierId']}").json()["Status"] == "INACTIVE"


def test_a_child_change_moves_the_header_unless_switched_off(api, sim):
    po = sim.find_po("1004123")
    before = po["LastUpdateDate"]
    sim.clock.advance(10)
    _receive(api, sim, "1004123", 1, 1, 2)
    assert po["LastUpdateDate"] > before
    sim.configure(child_changes_touch_parent=False)
    stamp = po["LastUpdateDate"]
    sim.clock.advance(10)
    _receive(api, sim, "1004123", 1, 1, 2)
    assert po["LastUpdateDate"] == stamp
    assert po["lines"][0]["schedules"][0]["LastUpdateDate"] > stamp


def test_between_pages_hook_changes_rows_mid_paging(api, sim):
    seed_pos(sim, 20, stamp=datetime(2024, 1, 1, tzinfo=UTC))
    calls = []

    def hook(resource, offset, count):
        calls.append((resource, offset, count))
        if offset == 0:
            first = sorted(
                sim.data["purchaseOrders"].values(), key=lambda r: (r["LastUpdateDate"], r["POHeaderId"])
            )
            sim.touch("purchaseOrders", first[0]["POHeaderId"])

    sim.between_pages = hook
    q = "LastUpdateDate>='2023-12-31T00:00:00Z'"
    order = "LastUpdateDate:asc,POHeaderId:asc"
    page1 = api.get("purchaseOrders", q=q, orderBy=order, limit=10, fields="POHeaderId").json()["items"]
    page2 = api.get("purchaseOrders", q=q, orderBy=order, limit=10, offset=10, fields="POHeaderId").json()[
        "items"
    ]
    page3 = api.get("purchaseOrders", q=q, orderBy=order, limit=10, offset=20, fields="POHeaderId").json()[
        "items"
    ]
    seen = [i["POHeaderId"] for i in page1 + page2 + page3]
    assert calls[0] == ("purchaseOrders", 0, 10)
    missed = set(sim.data["purchaseOrders"]) - set(seen)
    assert len(seen) == 25 and len(set(seen)) == 24 and len(missed) == 1, (
        "offset paging over rows that change skips one row and repeats the changed one"
    )


# -- §11.10 invoices ----------------------------------------------------------------------------------


def test_post_invoice_201_with_id_and_numbers(api, sim):
    response = api.post("invoices", invoice_body())
    assert response.status_code == 201, response.text
    body = decimal_json(response)
    assert isinstance(body["InvoiceId"], int) and len(str(body["InvoiceId"])) == 15
    assert body["InvoiceAmount"] == Decimal("250") and not isinstance(response.json()["InvoiceAmount"], str)
    assert body["SupplierNumber"] == "1252" and body["ValidationStatus"] == "Not validated"
    assert [ln["LineAmount"] for ln in body["invoiceLines"]["items"]] == [125, 125]
    assert response.headers["Location"] == link(body, "self")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Supplier": "Nobody Ltd"}, "supplier Nobody Ltd does not exist"),
        ({"SupplierSite": "NOWHERE"}, "site NOWHERE does not exist"),
        ({"BusinessUnit": "Atlantis"}, "business unit Atlantis does not exist"),
        ({"InvoiceAmount": "251.00"}, "does not equal the invoice amount"),
        ({"SupplierNumber": "1013"}, "does not belong to the supplier Lab Supply Inc"),
        ({"InvoiceNumber": None}, "InvoiceNumber is required"),
        ({"Colour": "red"}, "Colour is not valid"),
    ],
)
def test_post_invoice_checks(api, sim, change, message):
    body = {k: v for k, v in {**invoice_body(), **change}.items() if v is not None}
    response = api.post("invoices", body)
    assert response.status_code == 400 and message in response.json()["o:errorDetails"][0]["detail"]


def test_invoice_line_checks(api, sim):
    body = invoice_body()
    body["invoiceLines"][0]["PurchaseOrderNumber"] = "1004127"  # another supplier's PO
    assert "1004127 does not exist for the supplier" in api.post("invoices", body).text
    body = invoice_body()
    body["invoiceLines"][1]["DistributionCombination"] = "01-000-7699-0000-000"
    assert "is disabled" in api.post("invoices", body).text
    body = invoice_body()
    body["invoiceLines"][1]["invoiceDistributions"] = [
        {"DistributionAmount": "100.00", "DistributionCombination": "01-100-6200-0000-000"}
    ]
    assert "do not add up" in api.post("invoices", body).text
    body["invoiceLines"][1]["invoiceDistributions"].append(
        {"DistributionAmount": "25.00", "DistributionCombination": "01-200-6200-0000-000"}
    )
    created = api.post("invoices", body)
    assert created.status_code == 201
    distributions = created.json()["invoiceLines"]["items"][1]["invoiceDistributions"]["items"]
    assert [d["DistributionLineNumber"] for d in distributions] == [1, 2]


def test_duplicate_invoice_number_per_supplier_and_business_unit(api, sim):
    assert api.post("invoices", invoice_body("A-77810")).status_code == 201
    again = api.post("invoices", invoice_body("A-77810"))
    assert again.status_code == 400
    detail = again.json()["o:errorDetails"][0]
    assert "already exists" in detail["detail"] and detail["o:errorCode"] == "AP-DUPLICATE-INVOICE"
    other_supplier = invoice_body(
        "A-77810", amount="125.00", Supplier="Pinnacle Freight LLC", SupplierSite="CHICAGO"
    )
    other_supplier["invoiceLines"] = other_supplier["invoiceLines"][1:]
    assert api.post("invoices", other_supplier).status_code == 201, (
        "the same number for another supplier is fine"
    )
    api.version = 2
    assert api.post("invoices", invoice_body("A-77810")).text.startswith("The invoice number A-77810")


def test_upsert_mode_on_post_and_patch_collection(api, sim):
    created = api.post("invoices", invoice_body("UP-1")).json()
    replay = api.post("invoices", invoice_body("UP-1", Description="second"), **{"Upsert-Mode": "true"})
    assert replay.status_code == 200 and replay.json()["InvoiceId"] == created["InvoiceId"]
    assert replay.json()["Description"] == "second"
    freight = {"LineNumber": 3, "LineType": "Freight", "LineAmount": "10.00",
               "DistributionCombination": "01-100-6200-0000-000"}  # fmt: skip
    body = {"InvoiceId": created["InvoiceId"], "InvoiceAmount": "260.00", "invoiceLines": [freight]}
    assert api.patch("invoices", body).status_code == 405, "PATCH on the collection needs Upsert-Mode"
    patched = api.patch("invoices", body, **{"Upsert-Mode": "true"})
    assert patched.status_code == 200, patched.text
    assert [ln["LineNumber"] for ln in patched.json()["invoiceLines"]["items"]] == [1, 2, 3]
    body = {"InvoiceId": created["InvoiceId"], "invoiceLines": [{"LineNumber": 3, "LineAmount": "20.00"}]}
    assert "does not equal" in api.patch("invoices", body, **{"Upsert-Mode": "true"}).text
    body["InvoiceAmount"] = "270.00"
    assert api.patch("invoices", body, **{"Upsert-Mode": "true"}).json()["InvoiceAmount"] == 270
    assert (
        api.patch("invoices", {"InvoiceId": 1, "Description": "x"}, **{"Upsert-Mode": "true"}).status_code
        == 404
    )
    assert "can't be updated" in api.patch(link(created, "self"), {"InvoiceNumber": "OTHER"}).text
    on_collection = [
        r for r in sim.requests_to(sim.prefix + "/invoices", "PATCH") if r["path"].endswith("/invoices")
    ]
    assert [r["headers"].get("Upsert-Mode") for r in on_collection] == [None, "true", "true", "true", "true"]


def test_validate_invoice_by_configurable_rules(api, sim):
    created = api.post("invoices", invoice_body("V-1")).json()
    action = {"InvoiceNumber": "V-1", "BusinessUnit": "Vision Operations", "Supplier": "Lab Supply Inc"}
    result = api.action("invoices/action/validateInvoice", action)
    assert result.status_code == 200 and result.json() == {"result": "Validated"}
    sim.configure(validation_rules={"require_receipt": True})
    assert api.action("invoices/action/validateInvoice", {"InvoiceId": created["InvoiceId"]}).json() == {
        "result": "Needs revalidation"
    }
    assert sim.invoice_holds[created["InvoiceId"]] == ["Qty rec: line 1"]
    _receive(api, sim, "1004123", 1, 1, 10)
    assert api.action("invoices/action/validateInvoice", action).json()["result"] == "Validated"
    sim.configure(validation_rules={"max_amount": 100})
    assert api.action("invoices/action/validateInvoice", action).json()["result"] == "Needs revalidation"
    expensive = invoice_body("V-2")
    expensive["invoiceLines"][0].update(UnitPrice="13.00", LineAmount="130.00")
    expensive["InvoiceAmount"] = "255.00"
    api.post("invoices", expensive)
    sim.configure(validation_rules={"price_tolerance_pct": 0})
    assert api.action("invoices/action/validateInvoice", {"InvoiceNumber": "V-2"}).json()["result"] == (
        "Needs revalidation"
    )
    sim.configure(validation_rules={"price_tolerance_pct": 5})
    assert (
        api.action("invoices/action/validateInvoice", {"InvoiceNumber": "V-2"}).json()["result"]
        == "Validated"
    )
    assert api.action("invoices/action/validateInvoice", {"InvoiceNumber": "NOPE"}).status_code == 400
    assert api.action("invoices/action/frobnicate", {}).status_code == 404
    changed = api.patch(link(created, "self"), {"Description": "edited"}).json()
    assert changed["ValidationStatus"] == "Needs revalidation", "a validated invoice changed needs validating"


def test_write_media_types(api, sim):
    refused = api.post("invoices", invoice_body(), content_type="text/plain")
    assert refused.status_code == 415
    assert api.post("invoices", invoice_body(), content_type="application/json").status_code == 201
    assert api.post("purchaseOrders", {}).status_code == 405
    assert "Invalid operation create" in api.post("purchaseOrders", {}).json()["o:errorDetails"][0]["detail"]


# -- §11.11 receipts ----------------------------------------------------------------------------------


def receipt_body(order="1004123", line=1, schedule=1, quantity=5, **header):
    return {
        "ReceiptSourceCode": "VENDOR",
        "OrganizationCode": "M1",
        "VendorName": "Lab Supply Inc",
        "BusinessUnit": "Vision Operations",
        "EmployeeId": 100010026863783,
        "ShipmentNumber": "JAG-RCPT-1",
        "lines": [
            {"ReceiptSourceCode": "VENDOR", "SourceDocumentCode": "PO", "TransactionType": "RECEIVE",
             "AutoTransactCode": "DELIVER", "DocumentNumber": order, "DocumentLineNumber": line,
             "DocumentScheduleNumber": schedule, "Quantity": quantity, "UnitOfMeasure": "Each"}
        ],
        **header,
    }  # fmt: skip


def _receive(api, sim, order, line, schedule, quantity):
    created = api.post("receivingReceiptRequests", receipt_body(order, line, schedule, quantity))
    assert created.status_code == 201, created.text
    sim.process_receipts(created.json()["HeaderInterfaceId"])
    return created.json()


def test_receipt_request_pending_then_success_updates_the_schedule(api, sim, url):
    created = api.post("receivingReceiptRequests", receipt_body(quantity=5))
    assert created.status_code == 201
    body = created.json()
    assert body["ProcessingStatusCode"] == "PENDING" and isinstance(body["HeaderInterfaceId"], int)
    assert body["lines"]["items"][0]["ProcessingStatusCode"] == "PENDING"
    processed = requests.post(url + "/_sim/fusion/receipts/process", json={}, timeout=5).json()["processed"]
    assert processed == [{"HeaderInterfaceId": body["HeaderInterfaceId"], "ProcessingStatusCode": "SUCCESS"}]
    status = api.get(f"receivingReceiptRequests/{body['HeaderInterfaceId']}").json()
    assert status["ProcessingStatusCode"] == "SUCCESS" and status["ReceiptNumber"]
    po = api.get("purchaseOrders", q="OrderNumber='1004123'", expand="lines.schedules").json()["items"][0]
    assert po["lines"]["items"][0]["schedules"]["items"][0]["QuantityReceived"] == 5
    assert api.get(link(status, "child", "processingErrors")).json()["count"] == 0


@pytest.mark.parametrize(
    ("order", "line", "schedule", "quantity", "column", "message"),
    [
        ("9999999", 1, 1, 1, "DocumentNumber", "does not exist"),
        ("1004123", 7, 1, 1, "DocumentScheduleNumber", "has no line 7"),
        ("1004123", 1, 3, 1, "DocumentScheduleNumber", "schedule 3"),
        ("1004123", 1, 1, 16, "Quantity", "over-receipt tolerance"),
        ("1004125", 1, 1, 1, "DocumentNumber", "not open for receiving"),
    ],
)
def test_receipt_request_errors(api, sim, order, line, schedule, quantity, column, message):
    body = api.post("receivingReceiptRequests", receipt_body(order, line, schedule, quantity)).json()
    sim.process_receipts()
    status = api.get(f"receivingReceiptRequests/{body['HeaderInterfaceId']}").json()
    assert status["ProcessingStatusCode"] == "ERROR" and not status["ReceiptNumber"]
    (error,) = api.get(link(status, "child", "processingErrors")).json()["items"]
    assert error["ColumnName"] == column and message in error["ErrorMessage"]
    assert error["InterfaceTransactionId"] == body["lines"]["items"][0]["InterfaceTransactionId"]
    assert sim.find_po("1004123")["lines"][0]["schedules"][0]["QuantityReceived"] == 0, "all or nothing"


def test_receipt_tolerance_counts_earlier_receipts_and_configured_tolerance(api, sim):
    _receive(api, sim, "1004123", 1, 1, 10)
    body = _receive(api, sim, "1004123", 1, 1, 6)
    assert sim.data["receivingReceiptRequests"][body["HeaderInterfaceId"]]["ProcessingStatusCode"] == "ERROR"
    sim.configure(receipt_over_tolerance_pct=10)
    body = _receive(api, sim, "1004123", 1, 1, 6)
    assert (
        sim.data["receivingReceiptRequests"][body["HeaderInterfaceId"]]["ProcessingStatusCode"] == "SUCCESS"
    )


def test_receipt_processing_after_a_delay(api, sim):
    sim.configure(receipt_processing_delay=120)
    body = api.post("receivingReceiptRequests", receipt_body()).json()
    assert api.get(f"receivingReceiptRequests/{body['HeaderInterfaceId']}").json()[
        "ProcessingStatusCode"
    ] == ("PENDING")
    sim.clock.advance(121)
    assert api.get(f"receivingReceiptRequests/{body['HeaderInterfaceId']}").json()[
        "ProcessingStatusCode"
    ] == ("SUCCESS")


def test_receipt_request_synchronous_checks(api, sim):
    no_org = api.post("receivingReceiptRequests", receipt_body(OrganizationCode=None))
    assert "OrganizationCode is required" in no_org.text
    unknown_org = api.post("receivingReceiptRequests", receipt_body(OrganizationCode="Z9"))
    assert "organization Z9 does not exist" in unknown_org.text
    assert "at least one line" in api.post("receivingReceiptRequests", receipt_body(lines=[])).text
    no_quantity = receipt_body()
    del no_quantity["lines"][0]["Quantity"]
    assert "needs a Quantity" in api.post("receivingReceiptRequests", no_quantity).text
    service = receipt_body()
    service["lines"][0].pop("Quantity")
    service["lines"][0]["Amount"] = "300.00"
    assert api.post("receivingReceiptRequests", service).status_code == 201, (
        "fixed-price services send Amount"
    )


# -- §11.12 acknowledgments ----------------------------------------------------------------------------


def test_acknowledgments_list_accept_reject(api, sim):
    pending = api.get("purchaseOrderAcknowledgments", orderBy="OrderNumber").json()["items"]
    assert [p["OrderNumber"] for p in pending] == ["1004125", "1004126"]
    northwind, acme = pending
    assert api.get(link(northwind, "child", "schedules")).json()["count"] == 1
    accepted = api.patch(
        f"purchaseOrderAcknowledgments/{northwind['POHeaderId']}",
        {"AcknowledgmentResponse": "ACCEPT", "AcknowledgmentNote": "Accepted in JAGGAER by supplier"},
    )
    assert accepted.status_code == 200 and accepted.json()["AcknowledgmentResponse"] == "ACCEPT"
    assert sim.find_po("1004125")["DocumentStatusCode"] == "OPEN"
    no_note = api.patch(
        f"purchaseOrderAcknowledgments/{acme['POHeaderId']}", {"AcknowledgmentResponse": "REJECT"}
    )
    assert no_note.status_code == 400 and "AcknowledgmentNote" in no_note.text
    long_note = api.patch(
        f"purchaseOrderAcknowledgments/{acme['POHeaderId']}",
        {"AcknowledgmentResponse": "R", "AcknowledgmentNote": "x" * 4001},
    )
    assert long_note.status_code == 400
    rejected = api.patch(
        f"purchaseOrderAcknowledgments/{acme['POHeaderId']}",
        {"AcknowledgmentResponse": "R", "AcknowledgmentNote": "Lead time too short"},
    )
    assert rejected.status_code == 200 and sim.find_po("1004126")["DocumentStatusCode"] == "REJECTED"
    assert api.get("purchaseOrderAcknowledgments").json()["count"] == 0
    assert api.get(f"purchaseOrderAcknowledgments/{northwind['POHeaderId']}").status_code == 404
    again = api.patch(
        f"purchaseOrderAcknowledgments/{northwind['POHeaderId']}", {"AcknowledgmentResponse": "ACCEPT"}
    )
    assert again.status_code == 400 and "isn't pending acknowledgment" in again.text
    never = sim.find_po("1004123")["POHeaderId"]
    assert (
        api.patch(f"purchaseOrderAcknowledgments/{never}", {"AcknowledgmentResponse": "ACCEPT"}).status_code
        == 400
    )
    assert (
        api.patch("purchaseOrderAcknowledgments/42", {"AcknowledgmentResponse": "ACCEPT"}).status_code == 404
    )


def test_acknowledgment_bad_response_and_schedule_level(api, sim):
    (pending,) = api.get("purchaseOrderAcknowledgments", q="OrderNumber='1004126'").json()["items"]
    bad = api.patch(
        f"purchaseOrderAcknowledgments/{pending['POHeaderId']}", {"AcknowledgmentResponse": "MAYBE"}
    )
    assert bad.status_code == 400
    schedules_href = link(pending, "child", "schedules")
    schedule = api.get(schedules_href).json()["items"][0]
    refused = api.patch(link(schedule, "self"), {"Response": "REJECT"})
    assert refused.status_code == 400 and "RejectionReason" in refused.text
    done = api.patch(link(schedule, "self"), {"Response": "REJECT", "RejectionReason": "Discontinued"})
    assert done.status_code == 200 and done.json()["Response"] == "REJECT"
    assert api.get(schedules_href).json()["items"][0]["RejectionReason"] == "Discontinued"


def test_acknowledge_action_only_behind_the_feature_flag(api, sim):
    po = api.get("purchaseOrders", q="OrderNumber='1004125'").json()["items"][0]
    assert not any(entry["rel"] == "action" for entry in po["links"])
    target = link(po, "self") + "/action/acknowledge"
    off = api.action(target, {"AcknowledgmentResponse": "ACCEPT"})
    assert off.status_code == 400 and "Allow Delivery on Purchase Orders" in off.text
    sim.configure(ack_action_enabled=True)
    po = api.get("purchaseOrders", q="OrderNumber='1004125'").json()["items"][0]
    assert link(po, "action", "acknowledge") == target
    on = api.action(target, {"AcknowledgmentResponse": "ACCEPT"})
    assert on.status_code == 200 and on.json() == {"result": "SUCCESS"}
    assert sim.find_po("1004125")["DocumentStatusCode"] == "OPEN"
    assert api.action(target, {"AcknowledgmentResponse": "ACCEPT"}).status_code == 400, "not pending any more"


# -- §11.13 suppliers ---------------------------------------------------------------------------------


def supplier_body(name="Acme Supply Co", taxpayer="12-3456789", **extra):
    return {"Supplier": name, "TaxOrganizationType": "CORPORATION", "SupplierType": "SUPPLIER",
            "BusinessRelationship": "SPEND_AUTHORIZED", "TaxpayerId": taxpayer, **extra}  # fmt: skip


def test_supplier_create_patch_and_duplicates(api, sim):
    created = api.post("suppliers", supplier_body())
    assert created.status_code == 201
    supplier = created.json()
    assert supplier["SupplierNumber"] and isinstance(supplier["SupplierId"], int)
    assert "already exists" in api.post("suppliers", supplier_body("ACME SUPPLY CO", "99-1")).text
    assert (
        "taxpayer ID 12-3456789 is already used"
        in api.post("suppliers", supplier_body("Other", "12-3456789")).text
    )
    assert api.post("suppliers", {"Supplier": "No type"}).status_code == 400
    patched = api.patch(f"suppliers/{supplier['SupplierId']}", {"DUNSNumber": "555555555"})
    assert patched.status_code == 200 and patched.json()["DUNSNumber"] == "555555555"
    assert (
        "already exists"
        in api.patch(f"suppliers/{supplier['SupplierId']}", {"Supplier": "Lab Supply Inc"}).text
    )
    assert api.patch(f"suppliers/{supplier['SupplierId']}", {"SupplierNumber": "1"}).status_code == 400
    assert api.patch("suppliers/42", {"DUNSNumber": "1"}).status_code == 404
    upserted = api.post("suppliers", supplier_body(DUNSNumber="777"), **{"Upsert-Mode": "true"})
    assert upserted.status_code == 200 and upserted.json()["SupplierId"] == supplier["SupplierId"]


def test_supplier_numbering_switch(api, sim):
    sim.configure(supplier_numbering="manual")
    assert "numbering is manual" in api.post("suppliers", supplier_body()).text
    assert api.post("suppliers", supplier_body(SupplierNumber="ACME-1")).json()["SupplierNumber"] == "ACME-1"


def test_supplier_sites_and_addresses(api, sim):
    supplier = api.post("suppliers", supplier_body()).json()
    sites_href = link(supplier, "child", "sites")
    addresses_href = link(supplier, "child", "addresses")
    no_address = api.post(sites_href, {"SupplierSite": "MAIN", "ProcurementBU": "Vision Operations"})
    assert no_address.status_code == 400 and "address" in no_address.text
    address = api.post(addresses_href, {"AddressName": "HQ", "AddressLine1": "1 Elm", "Country": "US"})
    assert address.status_code == 201
    site = api.post(
        sites_href, {"SupplierSite": "MAIN", "ProcurementBU": "Vision Operations", "AddressName": "HQ"}
    )
    assert site.status_code == 201 and site.json()["SupplierAddressId"] == address.json()["SupplierAddressId"]
    dup = api.post(
        sites_href, {"SupplierSite": "MAIN", "ProcurementBU": "Vision Operations", "AddressName": "HQ"}
    )
    assert dup.status_code == 400
    assert (
        api.post(
            sites_href, {"SupplierSite": "X", "ProcurementBU": "Atlantis", "AddressName": "HQ"}
        ).status_code
        == 400
    )
    renamed = api.patch(link(site.json(), "self"), {"SupplierSite": "MAIN-2"})
    assert renamed.status_code == 200 and renamed.json()["SupplierSite"] == "MAIN-2"
    assert [s["SupplierSite"] for s in api.get(sites_href).json()["items"]] == ["MAIN-2"]


def test_batch_at_most_500_parts_and_all_or_nothing(api, sim, url):
    def part(i, name=None):
        return {"id": f"p{i}", "path": "/suppliers", "operation": "create",
                "payload": supplier_body(name or f"Batch Supplier {i}", f"BT-{i}")}  # fmt: skip

    batch_type = "application/vnd.oracle.adf.batch+json"
    too_many = api.post("/", {"parts": [part(i) for i in range(501)]}, content_type=batch_type)
    assert too_many.status_code == 400 and "at most 500" in too_many.text
    full = api.post("/", {"parts": [part(i) for i in range(500)]}, content_type=batch_type)
    assert full.status_code == 200 and len(full.json()["parts"]) == 500
    assert api.get("suppliers", totalResults="true", limit=1).json()["totalResults"] == 506
    broken = api.post("/", {"parts": [part(900), part(901, "Batch Supplier 3")]}, content_type=batch_type)
    assert broken.status_code == 400 and "already exists" in str(broken.json()["parts"][-1]["payload"])
    assert api.get("suppliers", q="Supplier='Batch Supplier 900'").json()["count"] == 0, "nothing of it stays"


# -- §5.4 accounts and cost centres --------------------------------------------------------------------


def test_account_combinations_and_cost_centre_values(api, sim):
    combos = api.get("accountCombinationsLOV", q="EnabledFlag='Y' and ChartOfAccountsId=101", limit=50).json()
    assert combos["count"] == 7 and all(c["ConcatenatedSegments"].startswith("01-") for c in combos["items"])
    value_set = api.get("valueSets", q="ValueSetCode='VISION_COST_CENTER'").json()["items"][0]
    assert api.get(f"valueSets/{value_set['ValueSetId']}").status_code == 404, "valueSetsUniqID is opaque"
    values_href = link(value_set, "child", "values")
    values = [v["Value"] for v in api.get(values_href, orderBy="Value").json()["items"]]
    assert values == ["000", "100", "200", "300"]
    added = api.post(values_href, {"Value": "400", "Description": "Logistics"})
    assert added.status_code == 201
    assert api.post(values_href, {"Value": "400", "Description": "Again"}).status_code == 400
    upsert = api.post(values_href, {"Value": "400", "Description": "Shipping"}, **{"Upsert-Mode": "true"})
    assert upsert.status_code == 200 and upsert.json()["Description"] == "Shipping"


# -- §11.15 faults ----------------------------------------------------------------------------------------


def test_query_cost_over_five_minutes_gives_504(api, sim):
    seed_pos(sim, 40, stamp=datetime(2024, 1, 1, tzinfo=UTC))
    sim.configure(query_cost_per_row=10)  # 45 rows x 10 s > 300 s
    slow = api.get("purchaseOrders")
    assert slow.status_code == 504 and slow.headers["Content-Type"].startswith("text/html")
    assert api.get("purchaseOrders", q="LastUpdateDate>'2024-01-02T00:00:00Z'").status_code == 200
    sim.configure(query_cost_per_row=0, query_cost_per_day=10)  # a year of window > 300 s
    assert api.get("purchaseOrders", q="LastUpdateDate>='2023-01-01T00:00:00Z'").status_code == 504
    narrow = "LastUpdateDate>='2023-12-31T00:00:00Z' and LastUpdateDate<'2024-01-02T00:00:00Z'"
    assert api.get("purchaseOrders", q=narrow, limit=100).json()["count"] == 40
    assert api.get("purchaseOrders").status_code == 504, "no lower bound: the window starts at the oldest row"


def test_rate_limit_and_server_errors_from_the_fault_plan(api, sim, url):
    requests.post(url + "/_sim/faults", json={"kind": "status", "status": 429, "retry_after": "7"}, timeout=5)
    throttled = api.get("invoices")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    requests.post(url + "/_sim/faults", json={"kind": "status", "status": 503, "count": 2}, timeout=5)
    sim.inject("status", status=500, count=1, path=sim.prefix + "/suppliers")
    assert [api.get("invoices").status_code for _ in range(3)] == [503, 503, 200]
    assert api.get("suppliers").status_code == 500 and api.get("suppliers").status_code == 200
    sim.inject("delay", delay=0.3)
    started = datetime.now()
    assert api.get("invoices").status_code == 200
    assert datetime.now() - started >= timedelta(seconds=0.3)
    sim.configure(request_rate_limit=2)
    statuses = [api.get("invoices").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429


# -- §11.16 control and request log ---------------------------------------------------------------------


def test_request_log_keeps_headers_without_credentials(api, sim):
    api.post("invoices", invoice_body(), **{"Upsert-Mode": "true"})
    entry = sim.requests_to(sim.prefix + "/invoices", "POST")[-1]
    assert entry["headers"]["REST-Framework-Version"] == "4" and entry["headers"]["Upsert-Mode"] == "true"
    assert entry["headers"]["Authorization"].startswith("Bearer #")
    assert api.token not in str(sim.request_log)
    state = requests.get(api.base.split("/fscmRestApi")[0] + "/_sim/state", timeout=5).json()
    assert state["counts"]["invoices"] == 4 and state["tokens_issued"] == 1


def test_demo_world_is_coherent_and_meets_the_jaggaer_demo(url, sim):
    assert requests.post(url + "/_sim/fusion/demo-seed", timeout=5).json()["counts"] == {
        "purchaseOrders": 5, "invoices": 3, "suppliers": 6, "accountCombinationsLOV": 8, "valueSets": 2,
        "receivingReceiptRequests": 0,
    }  # fmt: skip
    demo_seed(sim)  # idempotent
    assert sim.state()["counts"]["suppliers"] == 6
    fusion_duns = {
        s["DUNSNumber"]: s["Supplier"] for s in sim.data["suppliers"].values() if s.get("DUNSNumber")
    }
    jaggaer_duns = {s["dAndBCode"]: s["companyName"] for s in JAGGAER_SUPPLIERS if s["dAndBCode"]}
    shared = set(fusion_duns) & set(jaggaer_duns)
    assert {fusion_duns[d] for d in shared} == {"Lab Supply Inc", "Northwind Lab Services GmbH"}
    assert len({s["TaxpayerId"] for s in sim.data["suppliers"].values()}) == 6
    for po in sim.data["purchaseOrders"].values():
        assert po["Total"] == sum(line["Amount"] for line in po["lines"])
        for line in po["lines"]:
            for schedule in line["schedules"]:
                assert schedule["distributions"][0]["CodeCombinationId"] in sim.data["accountCombinationsLOV"]
    api = Api(url, sim)
    invoice = api.get("invoices", q="InvoiceNumber='LS-88120'", expand="invoiceLines").json()["items"][0]
    assert [ln["PurchaseOrderNumber"] for ln in invoice["invoiceLines"]["items"]] == ["1004123", "1004123"]


def test_seed_over_http_in_wire_shapes(url, sim):
    supplier = {
        "Supplier": "Seeded Supply",
        "TaxpayerId": "11-1111111",
        "LastUpdateDate": "2024-03-01T10:00:00Z",
        "addresses": [{"AddressName": "HQ", "Country": "US"}],
        "sites": [{"SupplierSite": "HQ", "AddressName": "HQ", "ProcurementBU": "Vision Services"}],
    }
    order = {
        "OrderNumber": "5000001",
        "Supplier": "Seeded Supply",
        "LastUpdateDate": "2024-03-02T10:00:00.250Z",
        "lines": [{"Description": "Widget", "Quantity": 3, "Price": "2.50"}],
    }
    seeded = requests.post(
        url + "/_sim/seed",
        json={
            "clients": [{"client_id": "RO", "client_secret": "ro", "roles": ["Buyer"]}],
            "business_units": {"Vision Services": 300100000000999},
            "suppliers": [supplier],
            "purchase_orders": [order],
        },
        timeout=5,
    )
    assert seeded.status_code == 200 and seeded.json()["counts"]["purchaseOrders"] == 1
    api = Api(url, sim, auth=("RO", "ro"))
    (po,) = api.get("purchaseOrders", expand="lines").json()["items"]
    assert po["Total"] == 7.5 and po["LastUpdateDate"] == "2024-03-02T10:00:00.250+00:00"
    assert po["ProcurementBU"] == "Vision Services" and po["lines"]["items"][0]["Amount"] == 7.5
