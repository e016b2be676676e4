"""The JAGGAER simulator over real HTTP (no Odoo): auth, paging, filters, imports, lifecycles, faults."""

import pytest
import requests

from tests.simulators.jaggaer import (
    RC,
    JaggaerSimulator,
    demo_seed,
    demo_seed_full,
    splittable,
    splittable_entries,
)
from tests.simulators.server import SimulatorServer

TOKEN_FORM = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}


@pytest.fixture(scope="module")
def server():
    sim = JaggaerSimulator()
    with SimulatorServer(sim) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    return server.app


@pytest.fixture
def url(server, sim):
    return server.url


def new_token(token_url):
    return requests.post(token_url, data=TOKEN_FORM, timeout=5).json()["access_token"]


def first_po(response):
    return response.json()["purchaseOrderList"]["purchaseOrder"][0]


class Client:
    """Minimal J1P caller: a bearer token plus GET/POST helpers on the simulator's paths."""

    def __init__(self, url, sim):
        self.url, self.sim = url, sim
        self.token = new_token(url + sim.paths["token"])

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, resource, suffix="", **params):
        return requests.get(
            self.url + self.sim.paths[resource] + suffix, params=params, headers=self.headers, timeout=5
        )

    def post(self, resource, body, suffix=""):
        return requests.post(
            self.url + self.sim.paths[resource] + suffix, json=body, headers=self.headers, timeout=5
        )


@pytest.fixture
def api(url, sim):
    return Client(url, sim)


def items(body, wrapper):
    for key in wrapper.split("."):
        body = body[key]
    return body


def po_body(po_number="PO-1", quantities=(5, 2), prices=(50.0, 10.0), **overrides):
    lines = [
        {
            "lineNumber": str(i),
            "item": {"catalogNumber": f"CAT-{i}", "description": f"Item {i}", "unitOfMeasure": "EA"},
            "quantity": quantity,
            "unitPrice": {"currency": "USD", "value": price},
            "splittableFieldSetGroupList": splittable({"Account": "610000", "CostCenter": "CC-200"}),
        }
        for i, (quantity, price) in enumerate(zip(quantities, prices), start=1)
    ]
    body = {
        "poNumber": po_number,
        "supplier": {"supplierNumber": "006105"},
        "total": {"currency": "USD", "value": sum(q * p for q, p in zip(quantities, prices))},
        "lineList": {"poLine": lines},
    }
    body.update(overrides)
    return body


def ocr_body(supplier_invoice_number="INV-1", batch_id="B-1", quantity=3, price=50.0, **header):
    return {
        "batchId": batch_id,
        "batchInfo": {"batchNumber": "0001", "batchTimestamp": "2024-05-26T10:00:00.000Z"},
        "invoiceOcr": {
            "invoiceOcrHeader": {
                "supplierInvoiceNumber": supplier_invoice_number,
                "invoiceType": "Invoice",
                "invoiceDate": "2024-05-26T00:00:00.000Z",
                "supplier": {"supplierNumber": "006105"},
                **header,
            },
            "invoiceOcrLineList": {
                "invoiceOcrLine": [
                    {
                        "lineNumber": 1,
                        "ocrItem": {
                            "description": "Beaker 500 ml",
                            "unitOfMeasure": "EA",
                            "packagingAmount": 1,
                        },
                        "quantity": quantity,
                        "unitPrice": {"currency": "USD", "money": price},
                    }
                ]
            },
        },
    }


def seed_invoices(sim, count, last_update=None):
    sim.seed({"suppliers": [{"bravoId": 3901, "companyName": "LAB SUPPLY INC", "extCode": "006105"}]})
    for i in range(count):
        sim.add_invoice(
            "006105",
            f"S-{i:03d}",
            [{"po_number": "PO-1", "po_line_number": "1", "quantity": 1, "unit_price": 10 + i}],
            last_update=last_update,
        )


# -- auth (§1.3) ---------------------------------------------------------------------------


def test_token_success_shape(url, sim):
    response = requests.post(url + sim.paths["token"], data=TOKEN_FORM, timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "token_type",
        "not-before-policy",
        "scope",
    }
    assert body["expires_in"] == 300 and body["refresh_expires_in"] == 0 and body["token_type"] == "Bearer"


def test_token_failures(url, sim):
    token_url = url + sim.paths["token"]
    bad = requests.post(token_url, data={**TOKEN_FORM, "client_secret": "nope"}, timeout=5)
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    as_json = requests.post(token_url, json=TOKEN_FORM, timeout=5)
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    grant = requests.post(token_url, data={**TOKEN_FORM, "grant_type": "password"}, timeout=5)
    assert grant.status_code == 400 and grant.json() == {
        "error": "unsupported_grant_type",
        "error_description": "Unsupported grant_type",
    }
    basic = {"grant_type": "client_credentials"}
    refused = requests.post(token_url, data=basic, auth=("demo-client", "demo-secret"), timeout=5)
    assert refused.status_code == 401
    sim.configure(basic_auth_allowed=True)
    accepted = requests.post(token_url, data=basic, auth=("demo-client", "demo-secret"), timeout=5)
    assert accepted.status_code == 200


def test_token_expiry_on_simulated_clock(api, url, sim):
    assert api.get("invoices").status_code == 200
    requests.post(url + "/_sim/clock", json={"advance": 299}, timeout=5)
    assert api.get("invoices").status_code == 200
    sim.clock.advance(2)
    expired = api.get("invoices")
    assert expired.status_code == 401
    assert "WWW-Authenticate" in expired.headers


def test_expire_all_tokens(api, url):
    assert api.get("invoices").status_code == 200
    assert requests.post(url + "/_sim/tokens/expire", timeout=5).status_code == 200
    assert api.get("invoices").status_code == 401


def test_token_rate_limit(url, sim):
    sim.configure(token_rate_limit=3)
    statuses = [requests.post(url + sim.paths["token"], data=TOKEN_FORM, timeout=5) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    sim.clock.advance(61)
    assert requests.post(url + sim.paths["token"], data=TOKEN_FORM, timeout=5).status_code == 200


def test_legacy_token_mode_and_401_quirk(url, sim):
    sim.configure(legacy_token_mode=True, legacy_401_quirk=True, token_lifetime=120)
    body = requests.post(url + sim.paths["token"], data=TOKEN_FORM, timeout=5).json()
    assert set(body) == {"token", "expire_in"} and body["expire_in"] == 120_000
    response = requests.get(url + sim.paths["invoices"], headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers
    assert response.headers["Content-Type"] == "; charset=UTF-8"


def test_resources_need_a_token(url, sim):
    for resource in ("invoices", "suppliers", "purchase_orders", "contracts", "custom_fields"):
        response = requests.get(url + sim.paths[resource], timeout=5)
        assert response.status_code == 401, resource
        assert response.json()["error"] == "invalid_token"


# -- paging (§1.6) -------------------------------------------------------------------------


def test_paging_with_start_arithmetic(api, sim):
    seed_invoices(sim, 7)
    sim.configure(page_size=3)
    start, seen, pages = 1, [], []
    while True:
        body = api.get("invoices", start=start).json()
        assert body["returnCode"] == 0 and body["totRecords"] == 7 and body["startAt"] == start
        page = items(body, "jiinvoiceList.jiinvoice")
        assert body["returnedRecords"] == len(page)
        if not page:
            break
        pages.append(len(page))
        seen += [(item["header"]["lastUpdate"], item["header"]["invoiceId"]) for item in page]
        start += body["returnedRecords"]
    assert pages == [3, 3, 1]
    assert start - 1 == 7
    assert seen == sorted(seen) and len(set(seen)) == 7


def test_page_cap_and_no_page_size_parameter(api, sim):
    sim.seed({"suppliers": [{"companyName": f"Supplier {i}", "extCode": f"V{i:04d}"} for i in range(120)]})
    body = api.get("suppliers", limit=500, pageSize=500).json()
    assert body["totRecords"] == 120 and body["returnedRecords"] == 100
    beyond = api.get("suppliers", start=121)
    assert beyond.status_code == 200
    assert beyond.json()["returnedRecords"] == 0 and beyond.json()["returnCompanyData"] == []


def test_invalid_start_is_a_business_error(api):
    body = api.get("invoices", start=0).json()
    assert body["returnCode"] == RC.INVALID_REQUEST


def test_between_pages_hook_sees_changes(api, sim):
    seed_invoices(sim, 4)
    sim.configure(page_size=2)
    first_id = min(sim.invoices)
    calls = []

    def touch_first_invoice(resource, start, returned):
        calls.append((resource, start, returned))
        if start == 1:
            sim.clock.advance(1)
            sim.set_invoice_status(first_id, paymentStatus="Paid")

    sim.between_pages = touch_first_invoice
    page1 = items(api.get("invoices").json(), "jiinvoiceList.jiinvoice")
    page2_body = api.get("invoices", start=3).json()
    page2 = items(page2_body, "jiinvoiceList.jiinvoice")
    assert calls == [("invoices", 1, 2), ("invoices", 3, 2)]
    assert page1[0]["header"]["invoiceId"] == first_id
    # The updated invoice moved to the end of the (lastUpdate, id) order: served twice, one skipped.
    assert page2[-1]["header"]["invoiceId"] == first_id
    assert page2[-1]["header"]["paymentStatus"] == "Paid"


# -- filters (§1.7) ------------------------------------------------------------------------


def test_flt_last_update_same_millisecond(api, sim):
    seed_invoices(sim, 2, last_update="2024-05-27T09:14:03.118Z")
    seed_invoices_later = "2024-05-27T09:14:03.119Z"
    sim.add_invoice("006105", "S-LATE", [{"quantity": 1, "unit_price": 1}], last_update=seed_invoices_later)
    same = api.get("invoices", flt="lastUpdate>=2024-05-27T09:14:03.118Z").json()
    assert same["totRecords"] == 3
    after = api.get("invoices", flt="lastUpdate>2024-05-27T09:14:03.118Z").json()
    assert [i["header"]["supplierInvoiceNumber"] for i in items(after, "jiinvoiceList.jiinvoice")] == [
        "S-LATE"
    ]
    exact = api.get("invoices", flt="LASTUPDATE==2024-05-27T09:14:03.118Z;paymentStatus==Payable").json()
    assert exact["totRecords"] == 2
    bad = api.get("invoices", flt="lastUpdate>=yesterday").json()
    assert bad["returnCode"] == RC.INVALID_FILTER


def test_unknown_flt_field_and_strict_mode(api, sim):
    response = api.get("invoices", flt="colour==red")
    assert response.status_code == 200
    assert response.json()["returnCode"] != 0 and "colour" in response.json()["returnMessage"]
    syntax = api.get("invoices", flt="paymentStatus=Payable")
    assert syntax.status_code == 200 and syntax.json()["returnCode"] == RC.INVALID_FILTER
    sim.configure(strict_mode=True)
    strict = api.get("invoices", flt="colour==red")
    assert strict.status_code == 400 and strict.json()["returnCode"] == RC.INVALID_FILTER


def test_supplier_filters(api, sim):
    demo_seed(sim)
    seller = api.get("suppliers", flt="TYPE==SELLER;BRAVOID==3901").json()
    assert [c["returnCompanyInfo"]["companyName"] for c in seller["returnCompanyData"]] == ["LAB SUPPLY INC"]
    duns = api.get("suppliers", flt="extUniqueCode==314159265").json()
    assert duns["returnCompanyData"][0]["returnCompanyInfo"]["bravoId"] == "3902"
    several = api.get("suppliers", flt="bravoId=in=(3903,3904);status!=INACTIVE").json()
    assert several["totRecords"] == 2
    stamp = sim.get_supplier(3901)["lastModTime"]
    assert len(stamp) == 14 and api.get("suppliers", flt=f"LASTMODTIME>={stamp}").json()["totRecords"] == 5
    sim.clock.advance(5)
    sim.update_supplier(3904, city="Oxford")
    later = api.get("suppliers", flt=f"lastModTime>{stamp}").json()
    assert [c["returnCompanyInfo"]["bravoId"] for c in later["returnCompanyData"]] == ["3904"]
    iso = api.get("suppliers", flt="LASTMODTIME>=2024-01-01T00:00:00Z").json()
    assert iso["returnCode"] == RC.INVALID_FILTER
    with_users = api.get("suppliers", flt="BRAVOID==3901", comp="USER;SSO_CODE").json()
    assert with_users["returnCompanyData"][0]["returnSubUser"]["subUser"][0]["email"].startswith("dana")
    assert api.get("suppliers", comp="BANANAS").json()["returnCode"] == RC.INVALID_REQUEST


def test_contracts_and_deflt(api, sim):
    demo_seed(sim)
    flag = {
        "customFieldValueSet": [
            {"name": "CTR_FLAG_INVIO", "customFieldValueList": {"customFieldValue": [{"value": "1"}]}}
        ]
    }
    sim.seed({"contracts": [{"contractReferenceCode": "CTR-FLAGGED", "customFieldValueSetList": flag}]})
    body = api.get("contracts", flt="deletedStatus==NOT-DELETED").json()
    assert body["totRecords"] == 3 and "item" in body["contractList"]
    flagged = api.get("contracts", deFlt="CTR_FLAG_INVIO==1").json()
    assert [c["contractReferenceCode"] for c in flagged["contractList"]["item"]] == ["CTR-FLAGGED"]


def test_gl_segments(api):
    fields = api.get("custom_fields").json()
    assert {f["name"] for f in fields["customFieldList"]["customField"]} >= {"Account", "CostCenter"}
    values = api.get("custom_fields", "/Account/values").json()
    listed = values["customFieldValueList"]["customFieldValue"]
    assert [v["value"] for v in listed] == ["600000", "610000", "620000"]
    assert listed[0] == {
        "internalName": "Account",
        "value": "600000",
        "description": "Purchases",
        "active": "true",
    }
    unknown = api.get("custom_fields", "/Nope/values")
    assert unknown.status_code == 404 and unknown.json()["returnCode"] == RC.NOT_FOUND


# -- suppliers (§1.11, S2 create/update) ----------------------------------------------------


def test_supplier_upsert(api, sim):
    info = {
        "companyName": "Bench Tools Ltd",
        "extCode": "V-900",
        "extUniqueCode": "555000111",
        "type": "SELLER",
    }
    created = api.post("suppliers", {"operationCode": "CREATE", "sendEMail": "0", "companyInfo": info}).json()
    assert created["returnCode"] == "0" and created["returnMessage"] == "OK"
    bravo_id = created["bravoId"]
    assert isinstance(bravo_id, int)
    stamp = sim.get_supplier(bravo_id)["lastModTime"]

    sim.clock.advance(2)
    body = {
        "operationCode": "UPDATE",
        "sendEMail": "0",
        "companyInfo": {"bravoId": bravo_id, "city": "Leeds"},
    }
    assert api.post("suppliers", body).json() == {
        "returnCode": "0",
        "returnMessage": "OK",
        "bravoId": bravo_id,
    }
    listed = api.get("suppliers", flt=f"bravoId=={bravo_id}").json()["returnCompanyData"]
    updated = listed[0]["returnCompanyInfo"]
    assert updated["city"] == "Leeds" and updated["companyName"] == "Bench Tools Ltd"
    assert updated["lastModTime"] > stamp

    sim.clock.advance(2)
    assert api.post("suppliers", body).json()["returnCode"] == "0"
    assert sim.get_supplier(bravo_id)["lastModTime"] == updated["lastModTime"], "no change, no bump"

    duplicate = api.post(
        "suppliers", {"operationCode": "CREATE", "companyInfo": {**info, "companyName": "Other"}}
    )
    assert duplicate.status_code == 200
    assert (
        duplicate.json()["returnCode"] == str(RC.DUPLICATE_COMPANY)
        and "V-900" in duplicate.json()["returnMessage"]
    )
    unknown = api.post(
        "suppliers", {"operationCode": "UPDATE", "companyInfo": {"bravoId": 99999, "city": "X"}}
    ).json()
    assert unknown["returnCode"] not in ("0", "1")
    upsert = {
        "operationCode": "CREATEUPDATE",
        "companyInfo": {"extCode": "V-900", "companyName": "Bench Tools Limited"},
    }
    assert api.post("suppliers", upsert).json()["bravoId"] == bravo_id
    assert sim.get_supplier(bravo_id)["companyName"] == "Bench Tools Limited"


def test_supplier_warning_return_code(api, sim):
    sim.seed(
        {
            "suppliers": [
                {"bravoId": 4100, "companyName": "Warn Co", "extCode": "W1", "simWarning": "Check VAT"}
            ]
        }
    )
    body = {"operationCode": "UPDATE", "companyInfo": {"bravoId": 4100, "city": "Rome"}}
    assert api.post("suppliers", body).json() == {
        "returnCode": "1",
        "returnMessage": "Check VAT",
        "bravoId": 4100,
    }


# -- purchase orders (§2.2 PROPOSED) ---------------------------------------------------------


def test_po_import_create_idempotent_and_revision(api, sim):
    demo_seed(sim)
    first = api.post("purchase_orders", po_body()).json()
    assert first["returnCode"] == 0 and first["totRecords"] == 1
    po = first["purchaseOrderList"]["purchaseOrder"][0]
    assert po["poNumber"] == "PO-1" and po["revisionNumber"] == 0 and po["status"] == "Approved"
    assert po["supplier"] == {
        "id": 3901,
        "name": "LAB SUPPLY INC",
        "supplierNumber": "006105",
        "duns": "123456789",
    }
    assert po["total"] == {"currency": "USD", "value": 270}

    sim.clock.advance(1)
    again = first_po(api.post("purchase_orders", po_body(quantities=(5.0, 2.0))))
    assert (
        again["poId"] == po["poId"]
        and again["revisionNumber"] == 0
        and again["lastUpdate"] == po["lastUpdate"]
    )

    changed = first_po(api.post("purchase_orders", po_body(quantities=(6, 2))))
    assert (
        changed["poId"] == po["poId"]
        and changed["revisionNumber"] == 1
        and changed["lastUpdate"] > po["lastUpdate"]
    )
    assert len(sim.purchase_orders) == 1

    detail = first_po(api.get("purchase_orders", f"/{po['poId']}"))
    assert detail["lineList"]["poLine"][0]["quantity"] == 6
    listed = api.get("purchase_orders", flt="poNumber==PO-1;status==Approved;supplierNumber==006105").json()
    assert listed["totRecords"] == 1 and api.get("purchase_orders", "/424242").status_code == 404


@pytest.mark.parametrize(
    ("change", "code", "needle"),
    [
        (lambda b: b.pop("poNumber"), RC.MISSING_FIELD, "poNumber"),
        (lambda b: b.update(supplier={"supplierNumber": "999999"}), RC.UNKNOWN_SUPPLIER, "999999"),
        (lambda b: b.update(lineList={"poLine": []}), RC.NO_LINES, "no lines"),
        (lambda b: b["lineList"]["poLine"][0].update(quantity=0), RC.INVALID_QUANTITY, "quantity"),
        (lambda b: b["lineList"]["poLine"][1].update(quantity=-1), RC.INVALID_QUANTITY, "quantity"),
        (lambda b: b.update(total={"currency": "XXX", "value": 270}), RC.UNKNOWN_CURRENCY, "XXX"),
        (lambda b: b.update(total={"currency": "USD", "value": 270.02}), RC.TOTAL_MISMATCH, "270.02"),
        (
            lambda b: b["lineList"]["poLine"][0].update(
                splittableFieldSetGroupList=splittable({"Account": "999"})
            ),
            RC.UNKNOWN_GL_VALUE,
            "999",
        ),
        (
            lambda b: b["lineList"]["poLine"][0].update(
                splittableFieldSetGroupList=splittable({"Fund": "1"})
            ),
            RC.UNKNOWN_GL_VALUE,
            "Fund",
        ),
    ],
)
def test_po_import_validation(api, sim, change, code, needle):
    demo_seed(sim)
    body = po_body()
    change(body)
    response = api.post("purchase_orders", body)
    assert response.status_code == 200
    assert response.json()["returnCode"] == code and needle in response.json()["returnMessage"]
    assert not sim.purchase_orders


def test_po_total_tolerance_and_business_units(api, sim):
    demo_seed(sim)
    assert (
        api.post("purchase_orders", po_body(total={"currency": "USD", "value": 270.01})).json()["returnCode"]
        == 0
    )
    sim.configure(business_units=["0004"], strict_mode=True)
    missing = api.post("purchase_orders", po_body("PO-2"))
    assert missing.status_code == 400 and missing.json()["returnCode"] == RC.MISSING_FIELD
    wrong = api.post("purchase_orders", po_body("PO-2", businessUnit={"internalName": "0009"}))
    assert wrong.json()["returnCode"] == RC.UNKNOWN_BUSINESS_UNIT
    ok = api.post("purchase_orders", po_body("PO-2", businessUnit={"internalName": "0004"}))
    assert ok.status_code == 200 and ok.json()["returnCode"] == 0


def test_po_lifecycle_receipts_and_cancel_rules(api, url, sim):
    demo_seed(sim)
    api.post("purchase_orders", po_body("PO-A"))
    po_b = first_po(api.post("purchase_orders", po_body("PO-B")))

    with pytest.raises(ValueError):
        sim.set_po_status("PO-A", "Received")  # Approved -> Received skips distribution
    control = url + "/_sim/jaggaer/purchase-orders/PO-A"
    assert (
        requests.post(control + "/status", json={"status": "Distributed"}, timeout=5).json()["status"]
        == "Distributed"
    )
    received = requests.post(control + "/receive", json={"lines": {"1": 2}}, timeout=5).json()
    assert received["status"] == "Partially Received"
    assert received["lineList"]["poLine"][0]["quantityReceived"] == 2
    assert requests.post(control + "/receive", json={"lines": {"1": 99}}, timeout=5).status_code == 400

    refused = api.post("purchase_orders", {**po_body("PO-A"), "status": "Canceled"}).json()
    assert refused["returnCode"] == RC.ILLEGAL_TRANSITION
    assert sim.get_po("PO-A")["status"] == "Partially Received"
    shrink = api.post("purchase_orders", po_body("PO-A", quantities=(1, 2))).json()
    assert shrink["returnCode"] == RC.INVALID_QUANTITY

    done = sim.receive("PO-A", {"1": 3, 2: 2})
    assert done["status"] == "Received"
    assert sim.set_po_status("PO-A", "Closed")["status"] == "Closed"
    frozen = api.post("purchase_orders", po_body("PO-A", quantities=(9, 9))).json()
    assert frozen["returnCode"] == RC.ILLEGAL_TRANSITION

    canceled = api.post("purchase_orders", {"status": "Canceled"}, suffix=f"/{po_b['poId']}/status").json()
    assert canceled["returnCode"] == 0
    assert canceled["purchaseOrderList"]["purchaseOrder"][0]["status"] == "Canceled"
    again = api.post("purchase_orders", {"status": "Approved"}, suffix=f"/{po_b['poId']}/status").json()
    assert again["returnCode"] == RC.ILLEGAL_TRANSITION


def test_po_cancel_by_import(api, sim):
    demo_seed(sim)
    api.post("purchase_orders", po_body("PO-C"))
    sim.set_po_status("PO-C", "Distributed")
    mixed = api.post("purchase_orders", po_body("PO-C", quantities=(7, 2), status="Draft")).json()
    assert mixed["returnCode"] == RC.ILLEGAL_TRANSITION
    assert sim.get_po("PO-C")["revisionNumber"] == 0, "a refused import changes nothing"
    body = api.post("purchase_orders", {"poNumber": "PO-C", "status": "Canceled"}).json()
    assert body["returnCode"] == 0 and body["purchaseOrderList"]["purchaseOrder"][0]["status"] == "Canceled"
    unknown = api.post("purchase_orders", {"poNumber": "PO-NEW", "status": "Canceled"}).json()
    assert unknown["returnCode"] != 0 and not sim.get_po("PO-NEW")


def test_seeded_wire_shapes(api, sim):
    demo_seed(sim)
    seeded = po_body("PO-SEED")
    seeded.update(poId=990001, status="Acknowledged", lastUpdate="2024-05-20T10:02:11.512Z")
    sim.seed({"purchase_orders": [seeded]})
    listed = first_po(api.get("purchase_orders", flt="lastUpdate<=2024-05-20T10:02:11.512Z"))
    assert listed["poId"] == 990001 and listed["supplier"]["id"] == 3901
    assert listed["lineList"]["poLine"][0]["quantityReceived"] == 0
    same = first_po(api.post("purchase_orders", po_body("PO-SEED")))
    assert same["revisionNumber"] == 0 and same["status"] == "Acknowledged"
    header = {"invoiceId": 42, "supplierInvoiceNumber": "W-1", "supplier": {"supplierNumber": "006105"}}
    sim.seed({"invoices": [{"header": {**header, "workflowStatus": "Pending", "paymentStatus": "Payable"}}]})
    paid = api.post("invoices", {"paymentStatus": "Paid"}, suffix="/42/status").json()
    assert paid["returnCode"] == 0 and paid["header"]["supplier"]["id"] == 3901
    duplicate = api.post("invoices", ocr_body("W-1", "B-W"), suffix="/ocr").json()
    assert duplicate["returnCode"] == RC.DUPLICATE_INVOICE


def test_auto_advance_po(api, sim):
    demo_seed(sim)
    sim.configure(auto_advance_po=True)
    imported = first_po(api.post("purchase_orders", po_body("PO-D")))
    assert imported["status"] == "Distributed"
    sim.clock.advance(1)
    listed = first_po(api.get("purchase_orders"))
    assert listed["status"] == "Acknowledged" and listed["lastUpdate"] > imported["lastUpdate"]


# -- invoices (§1.5, §1.9) -------------------------------------------------------------------


def test_invoice_list_has_headers_only_and_detail_has_lines(api, sim):
    demo_seed(sim)
    body = api.get("invoices").json()
    assert body["totRecords"] == 3
    listed = items(body, "jiinvoiceList.jiinvoice")
    assert all(set(item) == {"header"} for item in listed)
    header = listed[0]["header"]
    assert isinstance(header["invoiceId"], int) and header["supplier"]["supplierNumber"] == "006105"

    detail = api.get("invoices", f"/{header['invoiceId']}").json()
    assert detail["returnCode"] == 0 and detail["header"] == header
    line = detail["lineList"]["invoiceLine"][0]
    assert line["poNumber"] == "PO-DEMO-0001" and line["poLineNumber"] == "1"
    assert isinstance(line["unitPrice"], float | int) and line["item"]["unitOfMeasure"] == {"dimension": "EA"}
    values = splittable_entries(line["splittableFieldSetGroupList"])
    assert {v["internalName"]: v["value"] for v in values} == {"Account": "610000", "CostCenter": "CC-200"}

    with_lines = api.get("invoices", comp="LINES").json()
    assert all("lineList" in item for item in items(with_lines, "jiinvoiceList.jiinvoice"))
    missing = api.get("invoices", "/1")
    assert missing.status_code == 404 and missing.json()["returnCode"] == RC.NOT_FOUND


def test_ocr_import_duplicates_and_batch_idempotency(api, sim):
    demo_seed(sim)
    first = api.post("invoices", ocr_body(), suffix="/ocr").json()
    assert first["returnCode"] == 0
    header = first["jiinvoiceList"]["jiinvoice"][0]["header"]
    assert header["workflowStatus"] == "Pending" and header["paymentStatus"] == "InProcess"
    assert header["total"] == {"currency": "USD", "value": 150.0}

    again = api.post("invoices", ocr_body(), suffix="/ocr/").json()
    assert again == first and len(sim.invoices) == 4

    duplicate = api.post("invoices", ocr_body(batch_id="B-2"), suffix="/ocr").json()
    assert duplicate["returnCode"] == RC.DUPLICATE_INVOICE and "INV-1" in duplicate["returnMessage"]
    other_supplier = ocr_body(batch_id="B-3", supplier={"supplierNumber": "V-2"})
    sim.seed({"suppliers": [{"companyName": "Second", "extCode": "V-2"}]})
    assert api.post("invoices", other_supplier, suffix="/ocr").json()["returnCode"] == 0

    no_number = api.post("invoices", ocr_body("", batch_id="B-4"), suffix="/ocr").json()
    assert no_number["returnCode"] == RC.MISSING_FIELD
    unknown = api.post(
        "invoices", ocr_body("INV-9", "B-5", supplier={"supplierNumber": "nope"}), suffix="/ocr"
    ).json()
    assert unknown["returnCode"] == RC.UNKNOWN_SUPPLIER
    mismatch = ocr_body("INV-10", "B-6", total={"currency": "USD", "value": 99})
    assert api.post("invoices", mismatch, suffix="/ocr").json()["returnCode"] == RC.TOTAL_MISMATCH
    with_tax = ocr_body("INV-11", "B-7", taxCharge1=10.5, total={"currency": "USD", "value": 160.5})
    assert api.post("invoices", with_tax, suffix="/ocr").json()["returnCode"] == 0


def test_ocr_casing_and_warning(api, sim):
    demo_seed(sim)
    body = ocr_body("INV-OCR", "B-OCR")
    ocr = body.pop("invoiceOcr")
    body["invoiceOCR"] = {"invoiceOCRHeader": ocr["invoiceOcrHeader"], "invoiceOCRLineList": {
        "invoiceOCRLine": ocr["invoiceOcrLineList"]["invoiceOcrLine"]}}  # fmt: skip
    body["invoiceOCR"]["invoiceOCRLineList"]["invoiceOCRLine"][0]["poNumber"] = "PO-UNKNOWN"
    answer = api.post("invoices", body, suffix="/ocr").json()
    assert answer["returnCode"] == RC.WARNING and "PO-UNKNOWN" in answer["returnMessage"]
    sim.configure(ocr_key_casing="invoiceOcr")
    body["batchId"] = "B-OCR-2"
    assert api.post("invoices", body, suffix="/ocr").json()["returnCode"] == RC.MISSING_FIELD


def test_invoice_status_transitions(api, sim):
    demo_seed(sim)
    pending = 5100233
    before = sim.get_invoice(pending)["header"]["lastUpdate"]
    illegal = api.post("invoices", {"paymentStatus": "Paid"}, suffix=f"/{pending}/status").json()
    assert illegal["returnCode"] == RC.ILLEGAL_TRANSITION
    too_early = api.post("invoices", {"paymentStatus": "Payable"}, suffix=f"/{pending}/status").json()
    assert too_early["returnCode"] == RC.ILLEGAL_TRANSITION
    sim.clock.advance(1)
    changes = {"workflowStatus": "Completed", "matchStatus": "Matched", "paymentStatus": "Payable"}
    ok = api.post("invoices", changes, suffix=f"/{pending}/status").json()
    assert ok["returnCode"] == 0 and ok["header"]["paymentStatus"] == "Payable"
    assert ok["header"]["lastUpdate"] > before
    paid = api.post("invoices", {"paymentStatus": "Paid"}, suffix=f"/{pending}/status").json()
    assert paid["header"]["paymentStatus"] == "Paid"
    back = api.post("invoices", {"paymentStatus": "Payable"}, suffix=f"/{pending}/status").json()
    assert back["returnCode"] == RC.ILLEGAL_TRANSITION
    assert api.get("invoices", flt="paymentStatus==Paid").json()["totRecords"] == 1


# -- rate limits and faults (§4) -------------------------------------------------------------


def test_request_rate_limit_keeps_the_token(api, sim):
    sim.configure(request_rate_limit=5)
    statuses = [api.get("invoices") for _ in range(6)]
    assert [r.status_code for r in statuses] == [200] * 5 + [429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    assert sim.tokens.issued_count == 1
    sim.clock.advance(61)
    assert api.get("invoices").status_code == 200, "the same token still works after a 429"
    sim.configure(rate_limit_retry_after=False)
    for _ in range(5):
        api.get("invoices")
    assert "Retry-After" not in api.get("invoices").headers


def test_injected_503_and_lost_response(api, url, sim):
    demo_seed(sim)
    requests.post(url + "/_sim/faults", json={"kind": "status", "status": 503, "retry_after": "2"}, timeout=5)
    unavailable = api.get("invoices")
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "2"
    assert api.get("invoices").status_code == 200

    sim.inject("lost", path=sim.paths["invoices"] + "/ocr", method="POST")
    with pytest.raises(requests.ConnectionError):
        api.post("invoices", ocr_body("INV-LOST", "B-LOST"), suffix="/ocr")
    assert len(sim.invoices) == 4, "the handler ran before the response was lost"
    retry = api.post("invoices", ocr_body("INV-LOST", "B-LOST"), suffix="/ocr").json()
    assert retry["returnCode"] == 0 and len(sim.invoices) == 4


# -- configuration and control --------------------------------------------------------------


def test_paths_are_configuration():
    custom = {"invoices": "/tenant/x/invoices", "token": "/tenant/x/token"}
    sim = JaggaerSimulator(paths=custom)
    with SimulatorServer(sim) as running:
        token = new_token(running.url + "/tenant/x/token")
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(running.url + "/tenant/x/invoices", headers=headers, timeout=5).status_code == 200
        assert (
            requests.get(
                running.url + "/j1p/api/public/ji/v1/invoices", headers=headers, timeout=5
            ).status_code
            == 404
        )
        sim.configure(paths={"suppliers": "/tenant/x/companies"})
        assert (
            requests.get(running.url + "/tenant/x/companies", headers=headers, timeout=5).status_code == 200
        )
        assert requests.post(running.url + "/_sim/reset", timeout=5).status_code == 200


def test_http_control_routes(url, sim):
    assert requests.post(url + "/_sim/jaggaer/demo-seed", timeout=5).json()["counts"]["invoices"] == 3
    added = requests.post(
        url + "/_sim/jaggaer/invoices",
        json={
            "supplier_number": "006105",
            "supplier_invoice_number": "LS-9",
            "lines": [{"po_number": "PO-DEMO-0002", "po_line_number": "2", "quantity": 1, "unit_price": 85}],
        },
        timeout=5,
    ).json()
    invoice_id = added["header"]["invoiceId"]
    assert added["lineList"]["invoiceLine"][0]["poLineNumber"] == "2"
    paid = requests.post(
        url + f"/_sim/jaggaer/invoices/{invoice_id}/status", json={"paymentStatus": "Paid"}, timeout=5
    )
    assert paid.status_code == 200 and paid.json()["paymentStatus"] == "Paid"
    assert (
        requests.post(
            url + "/_sim/jaggaer/invoices/1/status", json={"paymentStatus": "Paid"}, timeout=5
        ).status_code
        == 404
    )
    bad = requests.post(
        url + "/_sim/jaggaer/invoices",
        json={"supplier_number": "x", "supplier_invoice_number": "y", "lines": []},
        timeout=5,
    )
    assert bad.status_code == 400
    renamed = requests.post(
        url + "/_sim/jaggaer/suppliers", json={"bravoId": 3904, "companyName": "Helix Ltd"}, timeout=5
    )
    assert renamed.json()["companyName"] == "Helix Ltd"
    assert requests.get(url + "/_sim/jaggaer/purchase-orders/PO-NONE", timeout=5).status_code == 404
    state = requests.get(url + "/_sim/state", timeout=5).json()
    assert state["counts"]["invoices"] == 4 and state["gl_values"]["CostCenter"] == ["CC-100", "CC-200"]


def test_demo_seed_matches_its_docstring(sim):
    demo_seed(sim)
    demo_seed(sim)  # idempotent
    suppliers = {s["bravoId"]: s for s in sim.state()["suppliers"]}
    assert sorted(suppliers) == [3901, 3902, 3903, 3904, 3905]
    assert suppliers[3901]["extCode"] == "006105" and suppliers[3902]["extUniqueCode"] == "314159265"
    invoices = {i["invoiceNumber"]: i for i in sim.state()["invoices"]}
    assert sorted(invoices) == ["I00101", "I00102", "I00103"]
    references = {
        (line["poNumber"], line["poLineNumber"])
        for invoice in sim.invoices.values()
        for line in invoice["lineList"]["invoiceLine"]
    }
    assert references == {
        ("PO-DEMO-0001", "1"),
        ("PO-DEMO-0001", "2"),
        ("PO-DEMO-0002", "1"),
        ("PO-DEMO-0002", "2"),
    }
    totals = {
        i["header"]["supplierInvoiceNumber"]: i["header"]["total"]["value"] for i in sim.invoices.values()
    }
    assert totals == {"LS-88120": 305.0, "LS-88121": 705.0, "LS-88122": 62.5}


# -- choices the reference leaves open (§1.5, §1.6, §1.9, §2) ------------------------------


def test_list_order_is_a_choice(api, sim):
    seed_invoices(sim, 3)
    for index, invoice in enumerate(
        sorted(sim.invoices.values(), key=lambda inv: inv["header"]["invoiceId"])
    ):
        invoice["header"]["lastUpdate"] = f"2024-05-2{index}T10:00:00.000Z"
    ids = sorted(sim.invoices)
    listed = [i["header"]["invoiceId"] for i in items(api.get("invoices").json(), "jiinvoiceList.jiinvoice")]
    assert listed == ids, "oldest first by default"
    sim.configure(list_order="newest_first", page_size=2)
    first = api.get("invoices").json()
    second = api.get("invoices", start=3).json()
    newest = [
        i["header"]["invoiceId"] for page in (first, second) for i in items(page, "jiinvoiceList.jiinvoice")
    ]
    assert newest == ids[::-1] and first["totRecords"] == 3 and second["startAt"] == 3
    filtered = api.get("invoices", flt="lastUpdate>=2024-05-21T00:00:00.000Z").json()
    assert [i["header"]["invoiceId"] for i in items(filtered, "jiinvoiceList.jiinvoice")] == ids[:0:-1]
    with pytest.raises(ValueError, match="list_order must be one of"):
        sim.configure(list_order="random")


@pytest.mark.parametrize("shape", ["list", "top", "id_only", "none"])
def test_po_import_answer_shapes(api, sim, shape):
    demo_seed(sim)
    sim.configure(po_import_answer=shape)
    answer = api.post("purchase_orders", po_body()).json()
    stored = sim.get_po("PO-1")
    assert stored and answer["returnCode"] == 0, "accepted whatever the answer says"
    if shape == "list":
        assert first_po_of(answer)["poId"] == stored["poId"]
    elif shape == "top":
        assert (answer["poId"], answer["poNumber"], answer["status"]) == (stored["poId"], "PO-1", "Approved")
        assert "purchaseOrderList" not in answer
    elif shape == "id_only":
        assert answer == {"returnCode": 0, "returnMessage": "", "poId": stored["poId"]}
    else:
        assert answer == {"returnCode": 0, "returnMessage": ""}
    # the list and the detail keep their shape
    assert first_po(api.get("purchase_orders", f"/{stored['poId']}"))["poNumber"] == "PO-1"


def first_po_of(body):
    return body["purchaseOrderList"]["purchaseOrder"][0]


def test_wrappers_are_a_choice(api, sim):
    demo_seed(sim)
    sim.configure(wrappers={"invoices": "bills.bill", "purchase_orders": "orders"})
    body = api.get("invoices").json()
    assert "jiinvoiceList" not in body and len(items(body, "bills.bill")) == 3
    api.post("purchase_orders", po_body())
    assert items(api.get("purchase_orders").json(), "orders")[0]["poNumber"] == "PO-1"


@pytest.mark.parametrize(
    ("fmt", "stamp", "date"),
    [
        ("iso_ms", "2024-05-27T09:14:03.118Z", "2024-05-26T00:00:00.000Z"),
        ("iso_seconds", "2024-05-27T09:14:03Z", "2024-05-26T00:00:00Z"),
        ("iso_offset", "2024-05-27T11:14:03.118+02:00", "2024-05-26T00:00:00.000+02:00"),
        ("compact", "20240527091403", "20240526000000"),
    ],
)
def test_timestamp_formats(api, sim, fmt, stamp, date):
    seed_invoices(sim, 1)
    invoice = next(iter(sim.invoices.values()))
    invoice["header"].update(lastUpdate="2024-05-27T09:14:03.118Z", invoiceDate="2024-05-26T00:00:00.000Z")
    sim.configure(timestamp_format=fmt)
    header = items(api.get("invoices").json(), "jiinvoiceList.jiinvoice")[0]["header"]
    assert (header["lastUpdate"], header["invoiceDate"]) == (stamp, date)
    detail = api.get("invoices", f"/{header['invoiceId']}").json()["header"]
    assert detail["lastUpdate"] == stamp
    # filters are read in the reference's ISO format whatever the server writes
    assert api.get("invoices", flt="lastUpdate>=2024-05-27T09:14:03.118Z").json()["totRecords"] == 1
    assert api.get("invoices", flt="lastUpdate>=2024-05-27T09:14:03.119Z").json()["totRecords"] == 0


def test_amounts_and_return_codes_as_text(api, sim):
    demo_seed(sim)
    sim.configure(amount_format="string", return_code_type="string")
    body = api.get("invoices").json()
    header = items(body, "jiinvoiceList.jiinvoice")[0]["header"]
    assert body["returnCode"] == "0" and header["total"]["value"] == "305.0"
    line = api.get("invoices", f"/{header['invoiceId']}").json()["lineList"]["invoiceLine"][0]
    assert (line["quantity"], line["unitPrice"]) == ("10", "12.5")
    refused = api.get("invoices", flt="nope==1").json()
    assert refused["returnCode"] == str(RC.INVALID_FILTER)
    assert body["totRecords"] == 3, "the envelope's counts stay numbers"


def test_full_demo_seed_adds_a_paid_invoice_and_an_order_created_in_jaggaer(sim):
    demo_seed_full(sim)
    demo_seed_full(sim)  # idempotent
    invoices = {i["invoiceNumber"]: i for i in sim.state()["invoices"]}
    assert sorted(invoices) == ["I00100", "I00101", "I00102", "I00103"]
    earlier = sim.get_invoice(5100230)["header"]
    assert (earlier["supplierInvoiceNumber"], earlier["nonPOInvoice"], earlier["paymentStatus"]) == (
        "LS-88001",
        "true",
        "Payable",
    )
    assert earlier["total"]["value"] == 240.0
    created_there = sim.get_po("P0007001")
    assert (created_there["poId"], created_there["status"], created_there["supplier"]["id"]) == (
        880100,
        "Approved",
        3901,
    )
    assert created_there["lineList"]["poLine"][0]["item"]["catalogNumber"] == "LAB-GLV-100"


def test_a_buyer_edits_an_order_in_jaggaer(sim):
    demo_seed_full(sim)
    before = sim.get_po("P0007001")
    sim.clock.advance(1)
    after = sim.edit_po("P0007001", {"1": 30})
    assert (after["revisionNumber"], after["total"]["value"]) == (1, 375)
    assert after["lineList"]["poLine"][0]["quantity"] == 30 and after["requestor"] == before["requestor"]
    assert after["lastUpdate"] > before["lastUpdate"]
    assert sim.edit_po("P0007001", {"1": 30})["revisionNumber"] == 1, "the same again is no change"
    sim.set_po_status("P0007001", "Canceled")
    with pytest.raises(ValueError, match="Canceled: changes are not accepted"):
        sim.edit_po("P0007001", {"1": 31})
