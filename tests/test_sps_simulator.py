"""The SPS Commerce simulator over real HTTP, and the RSX 7.7 helpers (no Odoo).

Run (``-p no:odoo`` keeps pytest-odoo out of these pure tests):
PYTHONPATH=/opt/odoo-19.0:. python -m pytest -p no:cacheprovider -p no:odoo -q tests/test_sps_simulator.py
"""

import base64
import copy
import json
from pathlib import Path

import pytest
import requests

from tests.simulators import rsx
from tests.simulators.server import SimulatorServer
from tests.simulators.sps import AUDIENCE, LEGACY_AUDIENCE, SpsSimulator

CLIENT_ID, SECRET = "supplier-m2m", "supplier-secret"
ACME, NORTHWIND = "7ZQALLACMEWIDGT", "NWDALLNORTHWND"
DATA = "/transactions/v5/data/"
SEED = {
    "accounts": [
        {
            "id": "supplier",
            "test_folders": True,
            "foreign_folders": ["shared/"],
            "clients": [
                {"client_id": CLIENT_ID, "client_secret": SECRET},
                {"client_id": "supplier-web", "client_secret": "web-secret", "app_type": "web"},
            ],
            "trading_partners": [
                {"tpid": ACME, "name": "Acme Widgets LLC"},
                {"tpid": NORTHWIND, "name": "Northwind Stores"},
            ],
        },
        {"id": "fresh", "provisioned": False, "clients": [{"client_id": "fresh-m2m", "client_secret": "s1"}]},
        {
            "id": "unrouted",
            "routing": False,
            "clients": [{"client_id": "unrouted-m2m", "client_secret": "s2"}],
        },
    ]
}
BLUE = {
    "vendor_part": "WID-100-BLU",
    "buyer_part": "NW-778812",
    "upc": "012345678905",
    "qty": 24,
    "price": 4.75,
}
RED = {
    "vendor_part": "WID-200-RED",
    "buyer_part": "NW-778813",
    "qty": 5,
    "uom": "CA",
    "price": 54.0,
    "pack": 12,
}


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(SpsSimulator()) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    server.app.seed(SEED)
    return server.app


@pytest.fixture
def url(server, sim):
    return server.url


def request_token(url, client_id=CLIENT_ID, secret=SECRET, audience=AUDIENCE, form=False):
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if audience is not None:
        body["audience"] = audience
    return requests.post(
        url + "/oauth/token", data=body if form else None, json=None if form else body, timeout=5
    )


def bearer(url, client_id=CLIENT_ID, secret=SECRET):
    response = request_token(url, client_id, secret)
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["access_token"]}


def upload(url, headers, path, data, content_type="application/octet-stream", **extra):
    body = data if isinstance(data, bytes) else rsx.dumps(data)
    all_headers = headers | {"Content-Type": content_type} | extra
    return requests.post(url + DATA + path, data=body, headers=all_headers, timeout=5)


def listing(url, headers, folder, **params):
    return requests.get(url + DATA + folder, params=params, headers=headers, timeout=5)


def names(response) -> list[str]:
    return [entry["path"].rsplit("/", 2)[-1] or entry["path"] for entry in response.json()["results"]]


def download_json(url, headers, path):
    response = requests.get(url + DATA + path, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return rsx.parse(response.content)


# -- auth host ---------------------------------------------------------------------------------------
def test_token_with_json_body_looks_like_a_jwt(url):
    response = request_token(url)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    parts = body["access_token"].split(".")
    assert len(parts) == 3
    claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    assert claims["aud"] == AUDIENCE and claims["azp"] == CLIENT_ID
    assert response.headers["Cache-Control"] == "no-store"


def test_token_with_form_body_and_configured_lifetime(url, sim):
    sim.configure(token_lifetime=120)
    response = request_token(url, form=True)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 120


def test_legacy_audience_only_when_allowed(url, sim):
    refused = request_token(url, audience=LEGACY_AUDIENCE)
    assert refused.status_code == 403
    assert refused.json()["error"] == "access_denied"
    sim.configure(allow_legacy_audience=True)
    assert request_token(url, audience=LEGACY_AUDIENCE).status_code == 200


@pytest.mark.parametrize("audience", ["https://api.spscommerce.com", "", None])
def test_other_audiences_are_refused(url, audience):
    response = request_token(url, audience=audience)
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert response.json()["error_description"]


def test_bad_credentials_401(url):
    for client_id, secret in ((CLIENT_ID, "wrong"), ("nobody", SECRET)):
        response = request_token(url, client_id, secret)
        assert response.status_code == 401
        assert set(response.json()) == {"error", "error_description"}


def test_web_service_app_gets_unauthorized_client(url):
    response = request_token(url, "supplier-web", "web-secret")
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'client_credentials' not allowed for the client.",
    }


def test_token_requests_are_rate_limited_per_client(url, sim):
    for _ in range(10):
        assert request_token(url).status_code == 200
    limited = request_token(url)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert request_token(url, "fresh-m2m", "s1").status_code == 200  # another client is not affected
    sim.configure(token_rate_limit_retry_after=False)
    limited = request_token(url)
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    sim.clock.advance(61)
    assert request_token(url).status_code == 200
    assert sim.state()["tokens_issued"] == 12


def test_auth_check(url):
    assert requests.get(url + "/auth-check", headers=bearer(url), timeout=5).status_code == 204
    missing = requests.get(url + "/auth-check", timeout=5)
    assert missing.status_code == 401
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert missing.json()["title"] == "Invalid Request" and missing.json()["requestId"]
    bogus_token = {"Authorization": "Bearer abc.def.ghi", "X-Request-ID": "req-42"}
    bogus = requests.get(url + "/auth-check", headers=bogus_token, timeout=5)
    assert bogus.status_code == 401 and bogus.json()["title"] == "Invalid Token"
    assert bogus.json()["requestId"] == "req-42"


def test_expired_token_mid_pagination(url, sim):
    for n in range(25):
        sim.drop_raw(f"out/PO/PO{n:04d}.json", b"{}")
    headers = bearer(url)
    first = listing(url, headers, "out/PO/", limit=10)
    assert first.status_code == 200
    cursor = first.json()["paging"]["next"]["cursor"]
    sim.clock.advance(3601)
    expired = listing(url, headers, "out/PO/", limit=10, cursor=cursor)
    assert expired.status_code == 401
    assert expired.json() | {"requestId": None} == {
        "title": "Invalid Token",
        "status": 401,
        "detail": "The access token provided is invalid or expired.",
        "instance": DATA + "out/PO/",
        "requestId": None,
    }
    resumed = listing(url, bearer(url), "out/PO/", limit=10, cursor=cursor)
    assert resumed.status_code == 200
    assert names(resumed) == [f"PO{n:04d}.json" for n in range(10, 20)]


def test_expire_tokens_control_route(url, sim):
    headers = bearer(url)
    assert requests.post(url + "/_sim/tokens/expire", timeout=5).status_code == 200
    assert requests.get(url + "/auth-check", headers=headers, timeout=5).status_code == 401


# -- Transaction API: accounts, folders ---------------------------------------------------------------
def test_root_and_out_listings_show_directories(url):
    headers = bearer(url)
    root = listing(url, headers, "")
    assert root.status_code == 200
    assert [(e["path"], e["type"]) for e in root.json()["results"]] == [
        ("/in/", "directory"),
        ("/out/", "directory"),
        ("/shared/", "directory"),
        ("/testin/", "directory"),
        ("/testout/", "directory"),
    ]
    out = listing(url, headers, "out/").json()
    assert [e["path"] for e in out["results"]] == ["/out/PO/", "/out/PR/", "/out/RC/", "/out/SH/"]
    assert out["results"][0]["url"] == url + DATA + "out/PO/"
    assert out["paging"] == {"limit": 1000, "next": None}


def test_missing_folder_and_file_are_404(url):
    headers = bearer(url)
    missing = listing(url, headers, "out/XX/")
    assert missing.status_code == 404 and missing.json()["detail"] == "Directory not found"
    assert listing(url, headers, "OUT/PO/").status_code == 404  # case-sensitive
    assert requests.get(url + DATA + "out/PO/nothing.json", headers=headers, timeout=5).status_code == 404
    assert requests.delete(url + DATA + "out/PO/nothing.json", headers=headers, timeout=5).status_code == 404


def test_not_provisioned_account(url):
    headers = bearer(url, "fresh-m2m", "s1")
    root = listing(url, headers, "")
    assert root.status_code == 200 and root.json()["results"] == []
    po = listing(url, headers, "out/PO/")
    assert po.status_code == 404 and po.json()["detail"] == "Directory not found"


def test_account_without_routing_and_foreign_folder_are_403(url):
    unrouted = bearer(url, "unrouted-m2m", "s2")
    assert requests.get(url + "/auth-check", headers=unrouted, timeout=5).status_code == 204
    assert listing(url, unrouted, "out/PO/").status_code == 403
    assert requests.get(url + "/transactions/v5/history", headers=unrouted, timeout=5).status_code == 403
    headers = bearer(url)
    assert listing(url, headers, "shared/").status_code == 403
    assert upload(url, headers, "shared/x.json", b"{}").status_code == 403


# -- upload, download, delete ------------------------------------------------------------------------
def test_upload_requires_octet_stream(url, sim):
    response = upload(url, bearer(url), "testin/x.json", b"{}", content_type="application/json")
    assert response.status_code == 415
    assert response.json()["context"][0]["source"] == "header"
    assert sim.state()["accounts"]["supplier"]["counts"]["uploads"] == 0


def test_upload_answers_201_and_records_meta_headers(url, sim):
    sim.configure(process_uploads_immediately=False)
    response = upload(
        url, bearer(url), "in/SH123.json", b"\xef\xbb\xbf{}", **{"sps-meta-description": "ASN 123"}
    )
    assert response.status_code == 201
    assert response.json() == {"path": "/in/SH123.json", "url": url + DATA + "in/SH123.json"}
    stored = sim.accounts["supplier"].files["in/SH123.json"]
    assert stored.data == b"\xef\xbb\xbf{}"
    assert stored.meta == {"description": "ASN 123"}


def test_upload_same_path_overwrites(url, sim):
    headers = bearer(url)
    assert upload(url, headers, "testout/PO/a.json", b"first").status_code == 201
    assert upload(url, headers, "testout/PO/a.json", b"second").status_code == 201
    assert names(listing(url, headers, "testout/PO/")) == ["a.json"]
    assert requests.get(url + DATA + "testout/PO/a.json", headers=headers, timeout=5).content == b"second"


def test_upload_to_missing_folder_or_directory_path(url):
    headers = bearer(url)
    assert upload(url, headers, "nowhere/a.json", b"{}").status_code == 404
    assert upload(url, headers, "in/", b"{}").status_code == 400


def test_download_raw_bytes_with_bom_and_delete(url, sim):
    raw = rsx.dumps(rsx.order(NORTHWIND, "4500012345", [BLUE]), bom=True)
    sim.drop_raw("out/PO/PO4500012345.json", raw)
    headers = bearer(url)
    response = requests.get(url + DATA + "out/PO/PO4500012345.json", headers=headers, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.content == raw and response.content.startswith(b"\xef\xbb\xbf")
    assert rsx.validate(response.content) == []
    head = requests.head(url + DATA + "out/PO/PO4500012345.json", headers=headers, timeout=5)
    assert head.status_code == 200
    assert "out/PO/PO4500012345.json" in sim.files("supplier"), "a HEAD never deletes"
    deleted = requests.delete(url + DATA + "out/PO/PO4500012345.json", headers=headers, timeout=5)
    assert deleted.status_code == 204
    assert (
        requests.get(url + DATA + "out/PO/PO4500012345.json", headers=headers, timeout=5).status_code == 404
    )
    assert sim.state()["accounts"]["supplier"]["deleted_by_client"] == ["out/PO/PO4500012345.json"]


# -- listing -----------------------------------------------------------------------------------------
def test_cursor_paging_with_files_added_and_deleted_between_pages(url, sim):
    for n in range(0, 50, 2):  # 25 files: PO0000, PO0002 … PO0048
        sim.drop_raw(f"out/PO/PO{n:04d}.json", b"{}")
    headers = bearer(url)
    seen, pages = [], 0
    response = listing(url, headers, "out/PO/", limit=10)
    while True:
        assert response.status_code == 200
        body = response.json()
        assert body["paging"]["limit"] == 10 and len(body["results"]) <= 10
        seen.extend(names(response))
        pages += 1
        if pages == 1:
            cursor = body["paging"]["next"]["cursor"]
            assert not cursor.isdigit() and "10" not in cursor  # opaque, not an offset
            for name in ("PO0004.json", "PO0020.json"):  # one already listed, one not yet
                assert (
                    requests.delete(url + DATA + "out/PO/" + name, headers=headers, timeout=5).status_code
                    == 204
                )
            sim.drop_raw("out/PO/PO0001.json", b"{}")  # sorts before the cursor
            sim.drop_raw("out/PO/PO0031.json", b"{}")  # sorts after it
        if body["paging"]["next"] is None:
            break
        response = requests.get(body["paging"]["next"]["url"], headers=headers, timeout=5)
    stayed = {f"PO{n:04d}.json" for n in range(0, 50, 2)} - {"PO0004.json", "PO0020.json"}
    assert len(seen) == len(set(seen))
    assert stayed <= set(seen)
    assert "PO0031.json" in seen and "PO0020.json" not in seen
    assert pages == 3


def test_last_full_page_has_no_next(url, sim):
    for n in range(10):
        sim.drop_raw(f"out/SH/SH{n}.json", b"{}")
    body = listing(url, bearer(url), "out/SH/", limit=10).json()
    assert len(body["results"]) == 10 and body["paging"]["next"] is None


def test_entry_name_prefix_is_case_sensitive(url, sim):
    for name in ("PO1.json", "PO2.json", "po3.json", "PR1.json"):
        sim.drop_raw("out/PO/" + name, b"{}")
    headers = bearer(url)
    assert names(listing(url, headers, "out/PO/", entryNamePrefix="PO")) == ["PO1.json", "PO2.json"]
    assert names(listing(url, headers, "out/PO/", entryNamePrefix="po")) == ["po3.json"]
    paged = listing(url, headers, "out/PO/", entryNamePrefix="PO", limit=1).json()
    assert "entryNamePrefix=PO" in paged["paging"]["next"]["url"]


@pytest.mark.parametrize(
    ("limit", "code"), [("0", "INPUT_MIN_VALUE"), ("1001", "INPUT_MAX_VALUE"), ("ten", "INPUT_INVALID")]
)
def test_limit_bounds(url, limit, code):
    response = listing(url, bearer(url), "out/PO/", limit=limit)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["context"][0] | {"message": None} == {
        "code": code,
        "message": None,
        "field": "limit",
        "source": "query",
        "value": limit,
    }


def test_unknown_cursor_is_400(url):
    response = listing(url, bearer(url), "out/PO/", cursor="1iV7qUkBbZVTXiHkle")
    assert response.status_code == 400 and response.json()["context"][0]["field"] == "cursor"


# -- history -----------------------------------------------------------------------------------------
def history(url, headers, **params):
    response = requests.get(url + "/transactions/v5/history", params=params, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_history_events_and_offset_paging(url, sim):
    headers = bearer(url)
    sim.drop_raw("out/PO/PO1.json", b"{}")
    requests.get(url + DATA + "out/PO/PO1.json", headers=headers, timeout=5)
    requests.delete(url + DATA + "out/PO/PO1.json", headers=headers, timeout=5)
    ack = rsx.order_ack(NORTHWIND, "4500012345", [BLUE])
    assert upload(url, headers, "in/PR4500012345.json", ack).status_code == 201
    for n in range(3):
        sim.drop_raw(f"out/SH/SH{n}.json", b"{}")
    body = history(url, headers)
    assert body["paging"] | {"next": None} == {
        "offset": 0,
        "limit": 100,
        "total_count": 5,
        "next": None,
        "previous": None,
    }
    first, second = body["results"][:2]
    assert first["path"] == "/out/PO/PO1.json" and first["direction"] == "out"
    assert [e["status"] for e in first["status_log"]] == ["uploaded", "downloaded", "deleted"]
    assert first["status_log"][0]["timestamp"].endswith("Z")
    assert second["path"] == "/in/PR4500012345.json" and second["direction"] == "in"
    assert [e["status"] for e in second["status_log"]] == ["uploaded", "deleted"]
    assert second["status_log"][1]["message"]
    page = history(url, headers, limit=2)
    collected = [item["id"] for item in page["results"]]
    assert page["paging"]["previous"] is None
    while page["paging"]["next"]:
        page = requests.get(page["paging"]["next"]["url"], headers=headers, timeout=5).json()
        assert page["paging"]["previous"] is not None
        collected.extend(item["id"] for item in page["results"])
    assert collected == [item["id"] for item in body["results"]]


def test_history_lag_and_time_window(url, sim):
    headers = bearer(url)
    sim.drop_raw("out/PO/PO1.json", b"{}")
    sim.clock.advance(600)
    cut = sim.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    sim.clock.advance(10)
    sim.drop_raw("out/PO/PO2.json", b"{}")
    assert [r["path"] for r in history(url, headers, after=cut)["results"]] == ["/out/PO/PO2.json"]
    assert [r["path"] for r in history(url, headers, until=cut)["results"]] == ["/out/PO/PO1.json"]
    sim.configure(history_lag_seconds=300)
    assert [r["path"] for r in history(url, headers)["results"]] == ["/out/PO/PO1.json"]
    sim.clock.advance(301)
    assert history(url, headers)["paging"]["total_count"] == 2
    bad = requests.get(
        url + "/transactions/v5/history", params={"after": "yesterday"}, headers=headers, timeout=5
    )
    assert bad.status_code == 400


# -- SPS inbound processing ----------------------------------------------------------------------------
@pytest.fixture
def northwind_po(sim):
    """Northwind has sent us PO 4500012345 (so SPS knows its POs)."""
    sim.drop_order(NORTHWIND, "4500012345", [BLUE, RED])
    return "4500012345"


def invoice_doc(number="INV-1", po="4500012345", **kw):
    return rsx.invoice(NORTHWIND, number, po, [dict(BLUE), dict(RED, qty=4, backordered=1)], **kw)


def test_valid_upload_is_accepted_and_consumed(url, sim, northwind_po):
    headers = bearer(url)
    ack = rsx.order_ack(NORTHWIND, northwind_po, [BLUE, dict(RED, acks=[("IQ", 4), ("IB", 1)])])
    assert upload(url, headers, "in/PR4500012345-1.json", ack).status_code == 201
    assert names(listing(url, headers, "in/")) == []
    [document] = sim.documents(doc_type="855")
    assert document["status"] == "Accepted" and document["reasons"] == []
    assert (document["tpid"], document["identifier"]) == (NORTHWIND, northwind_po)
    assert [entry["status"] for entry in document["log"]] == ["In Transit", "Accepted"]
    # the business status never shows through the Transaction API
    assert "Accepted" not in json.dumps(history(url, headers))


def test_unknown_key_is_an_error_with_its_path(url, sim, northwind_po):
    ack = rsx.order_ack(NORTHWIND, northwind_po, [BLUE])
    ack["LineItem"][0]["OrderLine"]["Colour"] = "blue"
    upload(url, bearer(url), "in/PR1.json", ack)
    [document] = sim.documents()
    assert document["status"] == "Error"
    assert document["reasons"] == [
        "$.LineItem[0].OrderLine.Colour: unknown key (additionalProperties: false)"
    ]


def test_unknown_tpid_is_an_error(url, sim):
    upload(url, bearer(url), "in/IN1.json", rsx.invoice("ZZZALLNOBODY", "INV-1", "1", [BLUE]))
    [document] = sim.documents()
    assert document["status"] == "Error"
    assert "Unknown Trading Partner ID ZZZALLNOBODY" in document["reasons"][0]


def test_duplicate_invoice_number_is_an_error(url, sim, northwind_po):
    headers = bearer(url)
    upload(url, headers, "in/IN-1.json", invoice_doc())
    upload(url, headers, "in/IN-1-again.json", invoice_doc())
    upload(url, headers, "in/IN-1-replace.json", invoice_doc(purpose="05"))
    statuses = [(d["identifier"], d["status"]) for d in sim.documents(doc_type="810")]
    assert statuses == [("INV-1", "Accepted"), ("INV-1", "Error"), ("INV-1", "Accepted")]
    assert sim.documents(status="Error")[0]["reasons"] == [
        f"Duplicate InvoiceNumber INV-1 for trading partner {NORTHWIND}"
    ]


def test_invoice_rules_unknown_po_and_wrong_total(url, sim, northwind_po):
    headers = bearer(url)
    upload(url, headers, "in/IN-2.json", invoice_doc("INV-2", po="9999"))
    upload(url, headers, "in/IN-3.json", invoice_doc("INV-3", total=999.0))
    unknown_po, wrong_total = sim.documents()
    assert (
        unknown_po["status"] == "Error" and "PurchaseOrderNumber 9999 is unknown" in unknown_po["reasons"][0]
    )
    assert wrong_total["reasons"] == ["Summary.TotalAmount 999.0 does not match the lines (330.0)"]


def test_asn_quantity_above_remaining_is_an_error(url, sim, northwind_po):
    headers = bearer(url)

    def asn(number, qty):
        items = [dict(RED, seq="2", ordered=5, qty=qty)]
        return rsx.shipment(
            NORTHWIND, number, [{"po_number": northwind_po, "packs": [{"sscc": rsx.sscc(9), "items": items}]}]
        )

    upload(url, headers, "in/SH1.json", asn("ASN-1", 4))
    upload(url, headers, "in/SH2.json", asn("ASN-2", 2))
    upload(url, headers, "in/SH3.json", asn("ASN-1", 1))
    first, over, duplicate = sim.documents(doc_type="856")
    assert first["status"] == "Accepted"
    assert over["reasons"] == ["ShipQty 2 for PO 4500012345 line 2 exceeds the quantity left (1)"]
    assert duplicate["reasons"] == [f"Duplicate ShipmentIdentification ASN-1 for trading partner {NORTHWIND}"]


def test_invalid_json_bom_and_batch_uploads(url, sim, northwind_po):
    headers = bearer(url)
    upload(url, headers, "in/broken.json", b'{"Header": ')
    ack = rsx.order_ack(NORTHWIND, northwind_po, [BLUE])
    upload(url, headers, "in/bom.json", rsx.dumps(ack, bom=True))
    upload(url, headers, "in/batch.json", [invoice_doc("INV-7"), invoice_doc("INV-8", total=1.0)])
    broken, bom, batch_ok, batch_bad = sim.documents()
    assert broken["status"] == "Error" and broken["reasons"][0].startswith("not valid JSON")
    assert bom["status"] == "Accepted"
    assert (batch_ok["index"], batch_ok["status"], batch_bad["index"], batch_bad["status"]) == (
        0,
        "Accepted",
        1,
        "Error",
    )


def test_deferred_processing(url, sim, northwind_po):
    sim.configure(process_uploads_immediately=False)
    headers = bearer(url)
    upload(url, headers, "in/IN-9.json", invoice_doc("INV-9"))
    assert names(listing(url, headers, "in/")) == ["IN-9.json"]
    assert sim.documents() == []
    processed = requests.post(url + "/_sim/sps/process_inbound", json={}, timeout=5).json()
    assert [(d["identifier"], d["status"]) for d in processed] == [("INV-9", "Accepted")]
    assert names(listing(url, headers, "in/")) == []
    statuses = requests.get(url + "/_sim/sps/documents", params={"doc_type": "810"}, timeout=5).json()
    assert [d["status"] for d in statuses] == ["Accepted"]


def test_partner_acceptance_and_late_verdict(url, sim, northwind_po):
    sim.seed(
        {"accounts": [{"id": "supplier", "trading_partners": [{"tpid": NORTHWIND, "acceptance": "hold"}]}]}
    )
    upload(url, bearer(url), "in/IN-4.json", invoice_doc("INV-4"))
    [held] = sim.documents()
    assert held["status"] == "In Transit"
    verdict = requests.post(
        url + "/_sim/sps/set_document_status",
        json={"document_id": held["id"], "status": "Not Accepted", "reason": "Price mismatch"},
        timeout=5,
    ).json()
    assert verdict["status"] == "Not Accepted" and verdict["reasons"] == ["Price mismatch"]
    sim.seed(
        {"accounts": [{"id": "supplier", "trading_partners": [{"tpid": NORTHWIND, "acceptance": "reject"}]}]}
    )
    upload(url, bearer(url), "in/IN-5.json", invoice_doc("INV-5"))
    assert sim.documents(identifier="INV-5")[0]["status"] == "Not Accepted"


def test_document_type_not_set_up_for_partner(url, sim):
    sim.seed({"accounts": [{"id": "supplier", "trading_partners": [{"tpid": ACME, "documents": ["850"]}]}]})
    upload(url, bearer(url), "in/IN-6.json", rsx.invoice(ACME, "INV-6", "PO-1", [BLUE]))
    assert "Document type 810 is not set up" in sim.documents()[0]["reasons"][0]


def test_our_purchase_orders_replace_and_cancel(url, sim):
    headers = bearer(url)
    lines = [dict(BLUE, buyer_part=None), dict(RED, buyer_part=None)]
    upload(url, headers, "in/PO-7-05.json", rsx.order(ACME, "PO-7", lines, purpose="05"))
    upload(url, headers, "in/PO-7.json", rsx.order(ACME, "PO-7", lines))
    upload(url, headers, "in/PO-7-01.json", rsx.order(ACME, "PO-7", lines, purpose="01"))
    replace_unknown, original, cancel = sim.documents()
    assert replace_unknown["reasons"] == ["Replacement of unknown PO PO-7"]
    assert (original["status"], cancel["status"]) == ("Accepted", "Accepted")
    [order] = [o for o in sim.state()["accounts"]["supplier"]["orders"] if o["po_number"] == "PO-7"]
    assert order["status"] == "cancelled" and order["source"] == "connector"


def test_auto_partner_responses(url, sim):
    sim.configure(auto_partner_responses=True, auto_partner_ships=True)
    headers = bearer(url)
    upload(url, headers, "in/PO-8.json", rsx.order(ACME, "PO-8", [dict(BLUE, buyer_part=None), RED]))
    [ack_path] = [e["path"][1:] for e in listing(url, headers, "out/PR/").json()["results"]]
    [asn_path] = [e["path"][1:] for e in listing(url, headers, "out/SH/").json()["results"]]
    ack, asn = download_json(url, headers, ack_path), download_json(url, headers, asn_path)
    assert rsx.validate(ack) == [] and rsx.validate(asn) == []
    assert ack["Header"]["OrderHeader"]["AcknowledgementType"] == "AD"
    assert [li["LineItemAcknowledgement"][0]["ItemStatusCode"] for li in ack["LineItem"]] == ["IA", "IA"]
    assert [line["ShipQty"] for _po, line in rsx.shipment_lines(asn)] == [24, 5]
    state = requests.get(url + "/_sim/state", timeout=5).json()["accounts"]["supplier"]
    [order] = [o for o in state["orders"] if o["po_number"] == "PO-8"]
    assert order["acknowledged"] and order["shipped"] == {"1": 24, "2": 5}
    assert state["files"]["out/PR/"] == [ack_path.rsplit("/", 1)[1]]


def test_test_folders_are_processed_and_answered_in_testout(url, sim):
    sim.configure(auto_partner_responses=True)
    headers = bearer(url)
    advice = reference("846")
    advice["Header"]["HeaderReport"]["TradingPartnerId"] = NORTHWIND
    assert upload(url, headers, "testin/IB-1.json", advice).status_code == 201
    assert upload(url, headers, "testin/PO-9.json", rsx.order(ACME, "PO-9", [RED])).status_code == 201
    assert [(d["doc_type"], d["status"]) for d in sim.documents()] == [
        ("846", "Accepted"),
        ("850", "Accepted"),
    ]
    assert names(listing(url, headers, "testin/")) == []
    assert names(listing(url, headers, "testout/PR/")) == ["PRPO-9-1-v7.7.json"]
    assert names(listing(url, headers, "out/PR/")) == []


# -- partner side: drops ------------------------------------------------------------------------------
def test_order_drops_land_in_out_po_and_validate(url, sim):
    sim.drop_order(NORTHWIND, "100", [BLUE, RED], department="0042", vendor="100482", ship_date="2025-03-10")
    sim.drop_order(NORTHWIND, "100", purpose="07")
    sim.drop_order(NORTHWIND, "100", [dict(BLUE, qty=30)], purpose="05")
    sim.drop_order(NORTHWIND, "100", purpose="01")
    sim.drop_order(NORTHWIND, "200", [dict(BLUE, locations={"0010": 10, "0020": 14})], po_type="KN")
    consumer = {
        "name": "Pat Doe",
        "address1": "1 Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
    }
    sim.drop_order(NORTHWIND, "300", [BLUE], drop_ship_to=consumer, customer_order="C-77", bom=True)
    sim.drop_batch([rsx.order(NORTHWIND, "400", [BLUE]), rsx.order(NORTHWIND, "401", [RED])])
    headers = bearer(url)
    entries = listing(url, headers, "out/PO/").json()["results"]
    paths = [entry["path"][1:] for entry in entries]
    assert paths == [
        "out/PO/PO100-1-v7.7.json",
        "out/PO/PO100-2-v7.7.json",
        "out/PO/PO100-3-v7.7.json",
        "out/PO/PO100-4-v7.7.json",
        "out/PO/PO200-1-v7.7.json",
        "out/PO/PO300-1-v7.7.json",
        "out/PO/PO400-1-v7.7-Batch.json",
    ]
    docs = {path: download_json(url, headers, path) for path in paths}
    assert all(rsx.validate(doc) == [] for doc in docs.values())
    purposes = [docs[p]["Header"]["OrderHeader"]["TsetPurposeCode"] for p in paths[:4]]
    assert purposes == ["00", "07", "05", "01"]
    assert docs[paths[3]]["LineItem"][0]["OrderLine"]["OrderQty"] == 30  # the cancel repeats the replacement
    split = docs[paths[4]]["LineItem"][0]["QuantitiesSchedulesLocations"][0]
    assert split["TotalQty"] == 24 and split["LocationQuantity"] == [
        {"Location": "0010", "Qty": 10},
        {"Location": "0020", "Qty": 14},
    ]
    drop_ship = docs[paths[5]]["Header"]
    assert drop_ship["OrderHeader"]["PrimaryPOTypeCode"] == "DS"
    assert drop_ship["OrderHeader"]["CustomerOrderNumber"] == "C-77"
    assert (
        drop_ship["Address"][0]["AddressTypeCode"] == "ST"
        and drop_ship["Address"][0]["City"] == "Springfield"
    )
    raw = requests.get(url + DATA + paths[5], headers=headers, timeout=5).content
    assert raw.startswith(rsx.BOM)
    batch = docs[paths[6]]
    assert isinstance(batch, list) and rsx.detect_type(batch) == "850" and len(batch) == 2
    orders = {o["po_number"]: o["status"] for o in sim.state()["accounts"]["supplier"]["orders"]}
    assert orders == {"100": "cancelled", "200": "open", "300": "open", "400": "open", "401": "open"}


def test_acknowledge_ship_and_receipt(url, sim):
    sim.seed(
        {
            "accounts": [
                {"id": "supplier", "orders": [{"tpid": ACME, "po_number": "PO-5", "lines": [BLUE, RED]}]}
            ]
        }
    )
    ack_path = sim.acknowledge("PO-5", {"2": [("IQ", 4, "2025-03-10"), ("IB", 1, "2025-03-21")]})
    first_asn = sim.ship("PO-5", packs=[{"1": 12}, {"1": 12, "2": 4}], lots={"1": "LOT-A"})
    second_asn = sim.ship("PO-5")
    receipt_path = sim.receipt(po_number="PO-5", damaged={"2": 1})
    early_receipt = sim.receipt("ASN-PO-5-1", received={"1": 20})
    assert (
        ack_path.startswith("out/PR/")
        and first_asn.startswith("out/SH/")
        and receipt_path.startswith("out/RC/")
    )
    headers = bearer(url)
    ack = download_json(url, headers, ack_path)
    assert rsx.validate(ack) == [] and ack["Header"]["OrderHeader"]["AcknowledgementType"] == "AC"
    assert [a["ItemStatusCode"] for a in ack["LineItem"][1]["LineItemAcknowledgement"]] == ["IQ", "IB"]
    asn = download_json(url, headers, first_asn)
    assert rsx.validate(asn) == []
    packs = asn["OrderLevel"][0]["PackLevel"]
    assert len(packs) == 2 and all(rsx.is_valid_sscc(p["Pack"]["ShippingSerialID"]) for p in packs)
    assert asn["Header"]["QuantityAndWeight"][0]["LadingQuantity"] == 2
    lines = [item["ShipmentLine"] for pack in packs for item in pack["ItemLevel"]]
    items = [(line["LineSequenceNumber"], line["ShipQty"], line["ItemStatusCode"]) for line in lines]
    assert items == [("1", 12, "IA"), ("1", 12, "IA"), ("2", 4, "IB")]
    assert packs[0]["ItemLevel"][0]["References"] == [{"ReferenceQual": "LT", "ReferenceID": "LOT-A"}]
    backorder = download_json(url, headers, second_asn)
    assert [(line["LineSequenceNumber"], line["ShipQty"]) for _po, line in rsx.shipment_lines(backorder)] == [
        ("2", 1)
    ]
    receipt = download_json(url, headers, receipt_path)
    assert rsx.validate(receipt) == [] and rsx.detect_type(receipt) == "944"
    assert receipt["Header"]["HeaderDetail"]["ShipmentIdentification"] == "ASN-PO-5-2"
    assert receipt["OrderLevel"]["LineItem"][0]["DetailResponse"] == [
        {"Qty": 0, "QtyUOM": "CA", "ReceivingConditionCode": "07"},
        {"Qty": 1, "QtyUOM": "CA", "ReceivingConditionCode": "01", "DamageReasonCode": "CC"},
    ]
    short = download_json(url, headers, early_receipt)
    assert short["OrderLevel"]["LineItem"][0]["DetailResponse"][1] == {
        "Qty": 4,
        "QtyUOM": "EA",
        "ReceivingConditionCode": "02",
    }
    assert short["Summary"] == {"QtyReceived": 24, "UnitsShipped": 28, "QtyDamageOrOnHold": 0}


def test_partner_side_over_http_control_routes(url, sim):
    def control(action, **body):
        response = requests.post(url + "/_sim/sps/" + action, json=body, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    order_path = control("drop_order", tpid=NORTHWIND, po_number="777", lines=[BLUE], ship_date="2025-04-01")[
        "path"
    ]
    raw_path = control("drop_raw", path="out/PO/garbage.json", base64=base64.b64encode(b"\x00\x01").decode())[
        "path"
    ]
    sim.seed(
        {"accounts": [{"id": "supplier", "orders": [{"tpid": ACME, "po_number": "PO-6", "lines": [RED]}]}]}
    )
    ack_path = control("acknowledge", po_number="PO-6", lines={"1": "IB"})["path"]
    asn_path = control("ship", po_number="PO-6", lines={"1": 2})["path"]
    assert control("receipt", shipment_id="ASN-PO-6-1")["path"].startswith("out/RC/")
    files = requests.get(url + "/_sim/sps/files", timeout=5).json()
    assert {order_path, raw_path, ack_path, asn_path} <= set(files)
    assert requests.post(url + "/_sim/sps/ship", json={"po_number": "nope"}, timeout=5).status_code == 400
    assert requests.post(url + "/_sim/sps/unknown", json={}, timeout=5).status_code == 404
    headers = bearer(url)
    assert requests.get(url + DATA + raw_path, headers=headers, timeout=5).content == b"\x00\x01"
    assert rsx.parse(files[ack_path])["LineItem"][0]["LineItemAcknowledgement"][0]["ItemStatusCode"] == "IB"


def test_demo_seed(url, server):
    server.app.reset()
    result = requests.post(url + "/_sim/sps/demo_seed", json={}, timeout=5).json()
    assert result["account"] == "demo"
    headers = bearer(url, "demo-sps-client", "demo-sps-secret")
    out = {entry["path"][1:] for folder in ("out/PO/", "out/PR/", "out/SH/", "out/RC/")
           for entry in listing(url, headers, folder).json()["results"]}  # fmt: skip
    assert out == {
        "out/PO/PONW-4500012345-1-v7.7.json",
        "out/PO/PONW-4500012346-1-v7.7.json",
        "out/PR/PRPO-DEMO-0003-1-v7.7.json",
        "out/SH/SHASN-ACME-0003-1-1-v7.7.json",
        "out/RC/RCRCV-DEMO-0003-1-1-v7.7.json",
    }
    docs = {path: download_json(url, headers, path) for path in out}
    assert all(rsx.validate(doc) == [] for doc in docs.values())
    second = docs["out/PO/PONW-4500012346-1-v7.7.json"]
    assert [li["OrderLine"].get("VendorPartNumber") for li in second["LineItem"]] == [
        "WID-100-BLU",
        "WID-200-RED",
        None,
    ]
    assert second["LineItem"][2]["OrderLine"]["BuyerPartNumber"] == "NW-999999"
    asn = docs["out/SH/SHASN-ACME-0003-1-1-v7.7.json"]
    assert [
        (line["VendorPartNumber"], line["ShipQty"], line["ShipQtyUOM"])
        for _po, line in rsx.shipment_lines(asn)
    ] == [
        ("WID-100-BLU", 24, "EA"),
        ("WID-200-RED", 4, "CA"),
    ]
    # a later PO to Acme is answered automatically
    lines = [{"vendor_part": "WID-100-BLU", "qty": 10, "price": 4.75}]
    assert (
        upload(url, headers, "in/PO-DEMO-0004.json", rsx.order(ACME, "PO-DEMO-0004", lines)).status_code
        == 201
    )
    responses = names(listing(url, headers, "out/PR/")) + names(listing(url, headers, "out/SH/"))
    assert "PRPO-DEMO-0004-1-v7.7.json" in responses and "SHASN-PO-DEMO-0004-1-1-v7.7.json" in responses


# -- faults --------------------------------------------------------------------------------------------
def test_injected_503_then_recovery(url, sim):
    headers = bearer(url)
    sim.inject("status", status=503, path=DATA, method="GET")
    assert listing(url, headers, "out/PO/").status_code == 503
    assert listing(url, headers, "out/PO/").status_code == 200


def test_injected_429_with_and_without_retry_after(url, sim):
    headers = bearer(url)
    sim.inject("status", status=429, retry_after="7", path=DATA)
    sim.inject("status", status=429, path=DATA)
    with_header, without_header = listing(url, headers, "out/"), listing(url, headers, "out/")
    assert with_header.status_code == 429 and with_header.headers["Retry-After"] == "7"
    assert without_header.status_code == 429 and "Retry-After" not in without_header.headers


def test_request_rate_limit(url, sim):
    headers = bearer(url)
    sim.configure(request_rate_limit=2)
    assert [listing(url, headers, "out/").status_code for _ in range(3)] == [200, 200, 429]
    assert listing(url, bearer(url), "out/").status_code == 429  # per client, not per token
    sim.configure(rate_limit_retry_after=False)
    limited = listing(url, headers, "out/")
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    assert limited.headers["Content-Type"] == "application/problem+json"


def test_lost_response_on_upload_still_stores_the_file(url, sim):
    sim.configure(process_uploads_immediately=False)
    headers = bearer(url)
    sim.inject("lost", path=DATA + "in/", method="POST")
    with pytest.raises(requests.ConnectionError):
        upload(url, headers, "in/SH-lost.json", b"{}")
    assert names(listing(url, headers, "in/")) == ["SH-lost.json"]
    sim.configure(process_uploads_immediately=True)
    sim.inject("lost", path=DATA + "in/", method="POST")
    with pytest.raises(requests.ConnectionError):
        upload(url, headers, "in/IN-lost.json", rsx.invoice(ACME, "INV-L", "1", [BLUE]))
    assert [d["identifier"] for d in sim.documents()] == ["INV-L"]
    assert "/in/IN-lost.json" in [r["path"] for r in history(url, headers)["results"]]


# -- RSX helpers ---------------------------------------------------------------------------------------
# The examples of the reference (sps-api.md §4.3-§4.8), verbatim.
REFERENCE_EXAMPLES = json.loads((Path(__file__).parent / "data" / "rsx_reference_examples.json").read_text())


def reference(doc_type):
    return copy.deepcopy(REFERENCE_EXAMPLES[doc_type])


@pytest.mark.parametrize("doc_type", sorted(REFERENCE_EXAMPLES))
def test_reference_examples_detect_and_validate(doc_type):
    doc = reference(doc_type)
    assert rsx.detect_type(doc) == doc_type
    assert rsx.validate(doc) == []
    assert rsx.validate(rsx.dumps(doc, bom=True)) == []


def test_builders_reproduce_the_reference_examples():
    tpid, po = "7ZQALLACMEWIDGT", "4500012345"
    ship_to = rsx.address(
        "ST", "Northwind DC 815", "1200 Commerce Pkwy", "Columbus", "OH", "43215", location="0815"
    )
    bill_to = rsx.address("BT", "Northwind Stores Inc - AP", "PO Box 4400", "Dayton", "OH", "45401")
    acme = ("Acme Widgets LLC", "77 Foundry Rd", "Akron", "OH", "44308")
    carrier = {"CarrierTransMethodCode": "M", "CarrierAlphaCode": "FXFE", "CarrierRouting": "FedEx Freight"}
    blue = dict(BLUE, description="Widget 100, blue")
    red = dict(RED, description="Widget 200, red, case of 12")
    agreement = {"ReferenceQual": "CT", "ReferenceID": "NW-2025-VA-17", "Description": "Vendor agreement"}
    order = rsx.order(
        tpid, po, [blue, red], department="0042", vendor="100482", ship_date="2025-03-10",
        cancel_date="2025-03-24", ship_to=ship_to, bill_to=bill_to, carrier=carrier, net_days=30,
        notes=["Deliver to dock 4, appointment required"], references=[agreement],
    )  # fmt: skip
    assert order == reference("850")
    ack_lines = [
        dict(BLUE, upc=None, acks=[("IA", 24, "2025-03-10")]),
        dict(RED, acks=[("IQ", 4, "2025-03-10"), ("IB", 1, "2025-03-21")]),
    ]
    assert rsx.order_ack(tpid, po, ack_lines, vendor="100482") == reference("855")
    packs = [
        {"sscc": rsx.sscc(1), "items": [dict(BLUE, seq="1", ordered=24, qty=24, uom="EA", status="IA")]},
        {"sscc": rsx.sscc(2), "items": [dict(RED, seq="2", ordered=5, qty=4, status="IB")]},
    ]
    orders = [
        {"po_number": po, "po_date": "2025-03-03", "department": "0042", "vendor": "100482", "packs": packs}
    ]
    asn = rsx.shipment(
        tpid, "ASN-2025-000311", orders, bol="BOL8812001", ship_from=rsx.address("SF", *acme),
        ship_to=ship_to, carrier=carrier, weight=61.5,
    )  # fmt: skip
    assert asn == reference("856")
    invoice_lines = [dict(BLUE), dict(RED, qty=4, backordered=1)]
    invoice = rsx.invoice(
        tpid, "INV-2025-000187", po, invoice_lines, po_date="2025-03-03", department="0042", vendor="100482",
        bol="BOL8812001", ship_date="2025-03-10", ship_to=ship_to, remit_to=rsx.address("RI", *acme),
    )  # fmt: skip
    assert invoice == reference("810")
    receipt_lines = [
        {"vendor_part": "WID-100-BLU", "ship_qty": 24},
        {"vendor_part": "WID-200-RED", "ship_qty": 4, "uom": "CA", "received": [(3, "07"), (1, "01", "CC")]},
    ]
    receipt = rsx.warehouse_receipt(
        tpid, "RCV-2025-00077", receipt_lines, shipment_id="ASN-2025-000311", depositor_order=po
    )
    assert receipt == reference("944")


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda d: d["Header"]["OrderHeader"].update(Colour="x"), "$.Header.OrderHeader.Colour: unknown key"),
        (lambda d: d.update(Extra=1), "$.Extra: unknown key"),
        (
            lambda d: d["LineItem"][0]["OrderLine"].update(OrderQty="24"),
            "$.LineItem[0].OrderLine.OrderQty: expected a number",
        ),
        (
            lambda d: d["LineItem"][0]["OrderLine"].update(LineSequenceNumber=1),
            "LineSequenceNumber: expected a string",
        ),
        (
            lambda d: d["LineItem"][1]["OrderLine"].update(OrderQtyUOM="CASE"),
            "'CASE' is not an allowed code (uom)",
        ),
        (
            lambda d: d["Header"]["OrderHeader"].update(TsetPurposeCode="04"),
            "'04' is not an allowed code (purpose7)",
        ),
        (
            lambda d: d["Header"]["OrderHeader"].update(PurchaseOrderDate="03/03/2025"),
            "expected a date YYYY-MM-DD",
        ),
        (
            lambda d: d["Header"]["OrderHeader"].update(PurchaseOrderDate="2025-02-30"),
            "expected a date YYYY-MM-DD",
        ),
        (lambda d: d["Header"]["OrderHeader"].update(PurchaseOrderTime="2pm"), "expected a time"),
        (lambda d: d["Header"]["OrderHeader"].update(TradingPartnerId="X" * 16), "1-15 characters, got 16"),
        (lambda d: d["Header"]["OrderHeader"].update(TradingPartnerId=""), "1-15 characters, got 0"),
        (
            lambda d: d["Header"]["OrderHeader"].pop("PurchaseOrderNumber"),
            "$.Header.OrderHeader.PurchaseOrderNumber: required",
        ),
        (lambda d: d["Header"]["Address"][0].update(AddressTypeCode="XX"), "(address_type)"),
        (lambda d: d["Summary"].update(TotalLineItemNumber=2.5), "TotalLineItemNumber: expected an integer"),
        (lambda d: d["Header"].update(Dates={}), "$.Header.Dates: expected an array"),
    ],
)
def test_validation_errors_carry_their_json_path(mutate, error):
    doc = reference("850")
    mutate(doc)
    errors = rsx.validate(doc)
    assert len(errors) == 1 and error in errors[0], errors


def test_validation_accepts_offset_less_times_and_closed_enums_per_type():
    doc = reference("855")
    doc["Header"]["OrderHeader"].update(AcknowledgementTime="14:22:14", TsetPurposeCode="04")
    assert rsx.validate(doc) == []
    doc["Header"]["OrderHeader"]["AcknowledgementTime"] = "21:05:49-06:00"
    doc["LineItem"][0]["LineItemAcknowledgement"][0]["ItemStatusCode"] = "XX"
    doc["Header"]["OrderHeader"]["AcknowledgementType"] = "AB"  # 850-only code
    assert [e.rsplit(": ", 1)[1] for e in rsx.validate(doc)] == [
        "'AB' is not an allowed code (ack_type)",
        "'XX' is not an allowed code (item_status)",
    ]


def test_batches_and_structure_problems():
    batch = [reference("810"), reference("810")]
    batch[1]["Header"]["InvoiceHeader"].pop("InvoiceNumber")
    assert rsx.detect_type(batch) == "810"
    assert rsx.validate(batch) == ["$[1].Header.InvoiceHeader.InvoiceNumber: required"]
    assert rsx.validate([]) == ["$: empty batch (an array needs at least one document)"]
    assert rsx.validate(b"\xef\xbb\xbf" + json.dumps(batch[:1]).encode()) == []
    assert rsx.validate(b"not json")[0].startswith("$: not valid JSON")
    assert rsx.validate({"Header": {"Unknown": {}}})[0].startswith("$.Header: no known header object")
    assert rsx.detect_type([reference("810"), reference("850")]) is None
    asn = reference("856")
    asn["ItemLevel"] = []
    assert "at most one of ContainerLevel, OrderLevel, PackLevel, ItemLevel" in rsx.validate(asn)[0]
    unacknowledged = reference("855")
    unacknowledged.pop("LineItem")
    assert rsx.detect_type(unacknowledged) == "855"  # an AK acknowledgement carries no lines


def test_sscc_check_digit():
    assert rsx.sscc(1) == "00001234560000000018"
    assert rsx.is_valid_sscc("00001234560000000025")
    assert not rsx.is_valid_sscc("00001234560000000026")
    assert not rsx.is_valid_sscc("0001234560000000018")


# -- the choices the reference leaves open, each a switch ----------------------------------------
@pytest.mark.parametrize(
    ("list_order", "expected"),
    [
        ("name", ["PONW-A-1-v7.7.json", "PONW-B-1-v7.7.json", "PONW-C-1-v7.7.json"]),
        ("name_desc", ["PONW-C-1-v7.7.json", "PONW-B-1-v7.7.json", "PONW-A-1-v7.7.json"]),
        ("arrival", ["PONW-B-1-v7.7.json", "PONW-C-1-v7.7.json", "PONW-A-1-v7.7.json"]),
        ("newest_first", ["PONW-A-1-v7.7.json", "PONW-C-1-v7.7.json", "PONW-B-1-v7.7.json"]),
    ],
)
def test_listing_order_is_a_switch_and_pages_never_skip_or_repeat(url, sim, list_order, expected):
    sim.configure(list_order=list_order)
    for po_number in ("NW-B", "NW-C", "NW-A"):
        sim.drop_order(NORTHWIND, po_number, [BLUE], account="supplier")
    headers = bearer(url)
    first = listing(url, headers, "out/PO/", limit=2)
    rest = requests.get(first.json()["paging"]["next"]["url"], headers=headers, timeout=10)
    assert names(first) + names(rest) == expected
    assert rest.json()["paging"]["next"] is None


def test_paging_links_as_a_bare_url(url, sim):
    sim.configure(paging_next="url")
    for po_number in ("NW-1", "NW-2", "NW-3"):
        sim.drop_order(NORTHWIND, po_number, [BLUE], account="supplier")
    headers = bearer(url)
    first = listing(url, headers, "out/PO/", limit=2).json()
    assert isinstance(first["paging"]["next"], str)
    last = requests.get(first["paging"]["next"], headers=headers, timeout=10).json()
    assert len(last["results"]) == 1 and "next" not in last["paging"]


def test_flat_layout_xml_and_other_file_names(url, sim):
    sim.configure(out_layout="flat", rsx_format="xml", file_names="edi", document_times="-06:00")
    path = sim.drop_order(NORTHWIND, "NW-X1", [BLUE], account="supplier")
    assert path == f"out/850_{NORTHWIND}_NW-X1_1.xml"
    data = requests.get(url + DATA + path, headers=bearer(url), timeout=10).content
    assert data.startswith(
        b'<?xml version="1.0" encoding="utf-8"?>\n<Order xmlns="http://www.spscommerce.com/RSX">'
    )
    assert b"<OrderQty>24</OrderQty>" in data
    advice = rsx.inventory_advice(
        ACME, "IB-1", [{"vendor_part": "A", "quantities": [{"qty": 1}]}], inventory_time="06:51:40"
    )
    sim.configure(rsx_format="json", out_layout={"846": "Inventory/"})
    path = sim.drop_document(advice, account="supplier")
    assert path == f"out/Inventory/846_{ACME}_IB-1_1.json"
    stored = json.loads(sim.files("supplier")[path])
    assert stored["Header"]["HeaderReport"]["InventoryTime"] == "06:51:40-06:00"


def test_history_timestamps_are_a_switch(url, sim):
    upload(url, bearer(url), "in/PO1.json", rsx.dumps(rsx.order(ACME, "PO1", [BLUE])))
    stamps = {}
    for style in ("ms_z", "offset"):
        sim.configure(history_timestamps=style)
        results = requests.get(url + "/transactions/v5/history", headers=bearer(url), timeout=10).json()[
            "results"
        ]
        stamps[style] = results[0]["status_log"][0]["timestamp"]
    assert stamps["ms_z"].endswith("Z") and "." in stamps["ms_z"]
    assert stamps["offset"].endswith("+00:00") and "." not in stamps["offset"]


def test_change_orders_pallets_and_charges_in_the_builders():
    change = rsx.change_order(
        NORTHWIND, "NW-1", 2, [{"seq": "1", "change": "QI", "qty": 30, "previous_qty": 24}]
    )
    assert rsx.detect_type(change) == "860" and rsx.validate(change) == []
    order = rsx.order(
        NORTHWIND,
        "NW-2",
        [BLUE],
        charges=[rsx.charge("A", "C310", percent=5)],
        taxes=[rsx.tax("ST", 7.85, 7.25)],
    )
    assert order["Summary"]["TotalAmount"] == round(24 * 4.75 * 0.95 + 7.85, 2)
    shipment = rsx.shipment(ACME, "ASN-1", [{"po_number": "PO1", "packs": [
        {"sscc": rsx.sscc(1), "tare": rsx.sscc(9), "items": [{"seq": "1", "qty": 1}]},
        {"sscc": rsx.sscc(2), "tare": rsx.sscc(9), "items": [{"seq": "1", "qty": 1}]},
    ]}])  # fmt: skip
    [pallet] = shipment["OrderLevel"][0]["PackLevel"]
    assert pallet["Pack"]["PackLevelType"] == "T" and len(pallet["PackLevel"]) == 2
    assert rsx.validate(shipment) == []
