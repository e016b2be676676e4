"""The Fusion wire client (ml_connector_fusion/tools/fusion.py) against the Fusion simulator over HTTP."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConfigurationError,
    PermanentError,
    RateLimitedError,
    RemoteBusinessError,
    TransientError,
)
from odoo.addons.ml_connector.tools.http import HttpClient, RetryPolicy
from odoo.addons.ml_connector_fusion.tools.fusion import (
    TRUST_SCOPE,
    FusionBasicAuth,
    FusionClient,
    FusionConfig,
    FusionTokenAuth,
    default_scope,
    to_decimal,
)

from tests.simulators.fusion import DEFAULT_CLIENT, TOKEN_PATH, FusionSimulator, demo_seed
from tests.simulators.server import SimulatorServer

CLIENT_ID, SECRET = DEFAULT_CLIENT["client_id"], DEFAULT_CLIENT["client_secret"]
OLD = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(FusionSimulator()) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    demo_seed(server.app)
    return server.app


class Sleeps(list):
    """Recorded instead of slept, so Retry-After and backoff are visible and cost no time."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make(server, sim, sleeps):
    """``make(**config)`` -> a FusionClient on the simulator; auth options via ``auth_kw``."""

    def build(auth_kw=None, retry=None, **config):
        auth_kw = {"scope": TRUST_SCOPE, "client_auth": "basic", "refresh_margin": 60, **(auth_kw or {})}
        client_id, secret = auth_kw.pop("client_id", CLIENT_ID), auth_kw.pop("client_secret", SECRET)
        token_http = HttpClient(server.url + TOKEN_PATH, name="token endpoint", sleep=sleeps)
        auth = FusionTokenAuth(
            server.url + TOKEN_PATH,
            client_id,
            secret,
            clock=lambda: sim.clock.now().timestamp(),
            http=token_http,
            **auth_kw,
        )
        policy = retry or RetryPolicy(max_attempts=4, max_retry_after=60)
        http = HttpClient(server.url, auth=auth, retry=policy, name="Fusion", sleep=sleeps)
        return FusionClient(http, FusionConfig(client_id=client_id, **config))

    return build


@pytest.fixture
def client(make):
    return make()


def gets(sim, resource):
    return sim.requests_to(sim.prefix + "/" + resource, "GET")


def seed_pos(sim, count, stamp=None, spread=None, prefix="7"):
    """``count`` purchase orders; stamped ``stamp``, or ``stamp + i * spread``."""
    for i in range(count):
        when = stamp + i * spread if spread else stamp
        sim.add_purchase_order(
            {"OrderNumber": f"{prefix}{i:06d}", "Supplier": "Lab Supply Inc", "LastUpdateDate": when,
             "lines": [{"Description": f"Item {i}", "Quantity": 1, "Price": "10.00"}]}
        )  # fmt: skip


def numbers(items):
    return [i["OrderNumber"] for i in items]


# -- token (§3) -----------------------------------------------------------------------------------


def test_token_cached_and_reused(client, sim):
    list(client.items("purchase_orders"))
    list(client.items("invoices"))
    client.get("/")
    assert sim.tokens.issued_count == 1 and client.http.auth.fetch_count == 1
    fingerprints = {
        r["headers"]["Authorization"] for r in sim.request_log if r["path"].startswith(sim.prefix)
    }
    assert len(fingerprints) == 1
    token_call = sim.requests_to(TOKEN_PATH)[0]
    assert token_call["headers"]["Authorization"].startswith("Basic ")


def test_token_renewed_before_expiry_by_the_margin(make, sim):
    client = make()
    list(client.items("invoices"))
    sim.clock.advance(3600 - 61)
    list(client.items("invoices"))
    assert sim.tokens.issued_count == 1, "still more than the 60 s margin left"
    sim.clock.advance(2)
    list(client.items("invoices"))
    assert sim.tokens.issued_count == 2
    assert not [r for r in sim.request_log if r["status"] == 401], "renewed before the pod refused it"
    wide = make(auth_kw={"refresh_margin": 600})
    list(wide.items("invoices"))
    sim.clock.advance(3600 - 599)
    list(wide.items("invoices"))
    assert wide.http.auth.fetch_count == 2


def test_token_expiring_mid_paging(client, sim):
    seed_pos(sim, 45, OLD)

    def expire_after_first_page(resource, offset, count):
        if offset == 0:
            sim.expire_tokens()

    sim.between_pages = expire_after_first_page
    read = list(client.items("purchase_orders", limit=20))
    assert len(read) == 50 and len({i["POHeaderId"] for i in read}) == 50
    statuses = [r["status"] for r in gets(sim, "purchaseOrders")]
    assert statuses == [200, 401, 200, 200] and sim.tokens.issued_count == 2


def test_401_renews_once_then_fails(client, sim):
    list(client.items("invoices"))
    sim.expire_tokens()
    assert len(list(client.items("invoices"))) == 3
    assert sim.tokens.issued_count == 2
    sim.inject("status", status=401, count=2, path=sim.prefix)
    with pytest.raises(AuthError) as caught:
        list(client.items("invoices"))
    assert caught.value.status == 401
    assert sim.tokens.issued_count == 3, "one renewal, not a loop"


def test_token_refusals_say_what_to_fix(make, sim, server):
    with pytest.raises(AuthError, match="invalid_client.*HTTP Basic"):
        list(make(auth_kw={"client_secret": "wrong"}).items("invoices"))
    with pytest.raises(ConfigurationError, match="invalid_scope") as caught:
        list(make(auth_kw={"scope": "urn:opc:resource:consumer::all openid"}).items("invoices"))
    assert caught.value.kind == "config"
    audience = default_scope(server.url)
    assert audience == f"{server.url}{TRUST_SCOPE}"
    assert list(make(auth_kw={"scope": audience}).items("invoices"))
    assert (
        default_scope("https://abc.fa.us2.oraclecloud.com")
        == f"https://abc.fa.us2.oraclecloud.com:443{TRUST_SCOPE}"
    )


def test_client_auth_basic_or_body(make, sim):
    body_client = make(auth_kw={"client_auth": "body"})
    with pytest.raises(AuthError, match="form body"):
        list(body_client.items("invoices"))
    sim.configure(client_auth_methods=["body"])
    assert len(list(make(auth_kw={"client_auth": "body"}).items("invoices"))) == 3
    token_call = sim.requests_to(TOKEN_PATH)[-1]
    assert "Authorization" not in token_call["headers"], "the secret went in the form, not a Basic header"
    with pytest.raises(AuthError):
        list(make().items("invoices"))
    with pytest.raises(ConfigurationError):
        make(auth_kw={"client_auth": "header"})


def test_http_basic_user_for_development_pods(server, sim, sleeps):
    sim.set_client("DEV_USER", "unused", roles=["Buyer"], password="Welcome1")
    sim.configure(basic_user_auth=True)
    http = HttpClient(server.url, auth=FusionBasicAuth("DEV_USER", "Welcome1"), sleep=sleeps)
    client = FusionClient(http, FusionConfig())
    assert len(list(client.items("purchase_orders"))) == 5
    wrong = FusionClient(
        HttpClient(server.url, auth=FusionBasicAuth("DEV_USER", "nope"), sleep=sleeps), FusionConfig()
    )
    with pytest.raises(AuthError):
        list(wrong.items("purchase_orders"))


def test_403_names_the_missing_privilege(make, sim):
    sim.set_client("BUYER_ONLY", "s", roles=["Buyer"])
    buyer = make(auth_kw={"client_id": "BUYER_ONLY", "client_secret": "s"})
    assert len(list(buyer.items("purchase_orders"))) == 5
    with pytest.raises(ConfigurationError) as caught:
        list(buyer.items("invoices"))
    error = caught.value
    assert error.status == 403 and error.kind == "config" and not isinstance(error, AuthError)
    assert "View Payables Invoice" in str(error) and "'BUYER_ONLY'" in str(error)
    assert "credentials are valid" in str(error)
    with pytest.raises(ConfigurationError, match="Manage Payables Invoice"):
        buyer.validate_invoice({"InvoiceId": 1, "InvoiceNumber": "X"})
    with pytest.raises(ConfigurationError, match="Maintain Supplier"):
        buyer.create_item("suppliers", {"Supplier": "X", "TaxOrganizationType": "CORPORATION"})
    assert sim.tokens.issued_count == 1, "a 403 does not throw the token away"


# -- retries (§9) ------------------------------------------------------------------------------------


def test_429_and_503_honour_retry_after(client, sim, sleeps):
    sim.inject("status", status=429, retry_after="7", path=sim.prefix)
    sim.inject("status", status=503, retry_after="3", count=2, path=sim.prefix)
    assert len(list(client.items("invoices"))) == 3
    assert [r["status"] for r in gets(sim, "invoices")] == [429, 503, 503, 200]
    assert 7 in sleeps and sleeps.count(3) == 2
    sim.inject("status", status=429, retry_after="600", path=sim.prefix)
    with pytest.raises(RateLimitedError) as caught:
        list(client.items("invoices"))
    assert caught.value.retry_after == 600


def test_server_errors_retried_a_bounded_number_of_times(client, sim):
    sim.inject("status", status=500, count=1, path=sim.prefix)
    with pytest.raises(TransientError):
        list(client.items("invoices"))
    sim.inject("status", status=503, count=10, path=sim.prefix)
    with pytest.raises(TransientError):
        list(client.items("invoices"))
    assert len(gets(sim, "invoices")) == 1 + 4, "one 500, then four attempts at 503"


# -- paging (§4) ----------------------------------------------------------------------------------------


def test_page_boundary_exactly_500(make, sim):
    client = make(page_size=500)
    seed_pos(sim, 495, OLD)  # 500 with the demo's five
    assert len(list(client.items("purchase_orders"))) == 500
    assert len(gets(sim, "purchaseOrders")) == 1, "hasMore false: no second call"
    seed_pos(sim, 1, OLD, prefix="8")
    read = list(client.items("purchase_orders"))
    assert len(read) == 501 and len({i["POHeaderId"] for i in read}) == 501
    assert [r["query"].split("offset=")[1].split("&")[0] for r in gets(sim, "purchaseOrders")[1:]] == [
        "0",
        "500",
    ]
    with pytest.raises(ConfigurationError):
        FusionConfig(page_size=501)


def test_order_by_always_ends_with_the_key(client, sim):
    seed_pos(sim, 60, OLD)
    read = [i["POHeaderId"] for i in client.items("purchase_orders", order_by="LastUpdateDate:asc", limit=10)]
    assert len(read) == 65 and len(set(read)) == 65, "equal stamps page in a stable order"
    query = gets(sim, "purchaseOrders")[0]["query"]
    assert "orderBy=LastUpdateDate%3Aasc%2CPOHeaderId%3Aasc" in query
    assert client.order_by("purchase_orders", "POHeaderId:desc") == "POHeaderId:desc"


def test_same_second_stamps_changed_since(make, sim):
    client = make(page_size=10)
    seed_pos(sim, 60, datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC))
    read = [
        i["POHeaderId"] for i in client.changed_since("purchase_orders", datetime(2024, 5, 2, tzinfo=UTC))
    ]
    assert len(read) == 65 and len(set(read)) == 65
    first_q = gets(sim, "purchaseOrders")[0]["query"]
    assert "LastUpdateDate%3E%3D%272024-05-01T23%3A55%3A00.000%2B00%3A00%27" in first_q, "since minus 5 min"
    second_q = gets(sim, "purchaseOrders")[1]["query"]
    assert "POHeaderId%3E" in second_q and "offset=0" in second_q, "the next page seeks past (stamp, key)"


def test_changed_since_loses_nothing_when_rows_change_while_reading(make, sim):
    client = make(page_size=10)
    seed_pos(sim, 30, OLD, spread=timedelta(seconds=1))
    changed = []

    def touch_an_early_row(resource, offset, count):
        if not changed:
            early = min(
                sim.data["purchaseOrders"].values(), key=lambda r: (r["LastUpdateDate"], r["POHeaderId"])
            )
            changed.append(early["OrderNumber"])
            sim.touch("purchaseOrders", early["POHeaderId"])

    sim.between_pages = touch_an_early_row
    read = numbers(client.changed_since("purchase_orders", OLD))
    assert set(read) == {po["OrderNumber"] for po in sim.data["purchaseOrders"].values()}, "nothing missed"
    assert read.count(changed[0]) == 2 and len(read) == 36, (
        "the changed row comes once more, at its new stamp"
    )


def test_changed_since_needs_framework_2(make, sim):
    with pytest.raises(ConfigurationError, match="version 2"):
        list(make(framework_version=1).changed_since("purchase_orders", OLD))


# -- 504 and date windows (§9) ---------------------------------------------------------------------------


def test_504_splits_the_window_and_loses_nothing(make, sim):
    client = make(page_size=50)
    start = sim.now() - timedelta(days=100)
    seed_pos(sim, 200, start, spread=timedelta(hours=12))
    sim.configure(query_cost_per_day=12)  # a window over 25 days costs more than 300 s
    items = list(client.changed_since("purchase_orders", start, overlap=0))
    read = numbers(items)
    expected = {
        po["OrderNumber"] for po in sim.data["purchaseOrders"].values() if po["LastUpdateDate"] >= start
    }
    assert len(read) == len(set(read)) == len(expected) and set(read) == expected
    statuses = [r["status"] for r in gets(sim, "purchaseOrders")]
    assert statuses.count(504) >= 2 and statuses[-1] == 200
    stamps = [client.stamp_of("purchase_orders", item) for item in items]
    assert stamps == sorted(stamps), "oldest first, window after window"


def test_504_on_a_later_page_resumes_behind_the_last_row(make, sim):
    client = make(page_size=10)
    seed_pos(sim, 40, OLD, spread=timedelta(minutes=30))
    reads = []

    def timeout_third_page(resource, offset, count):
        reads.append(count)
        if len(reads) == 2:
            sim.inject("status", status=504, count=1, path=sim.prefix + "/purchaseOrders")

    sim.between_pages = timeout_third_page
    read = numbers(client.changed_since("purchase_orders", OLD, overlap=0))
    assert len(read) == len(set(read)) == 45
    assert [r["status"] for r in gets(sim, "purchaseOrders")].count(504) == 1


def test_504_that_never_ends_stops_after_the_configured_splits(make, sim):
    client = make(max_window_splits=3)
    sim.inject("status", status=504, count=1000, path=sim.prefix + "/purchaseOrders")
    with pytest.raises(TransientError, match="still times out") as caught:
        list(client.changed_since("purchase_orders", OLD))
    assert caught.value.status == 504
    assert len(gets(sim, "purchaseOrders")) == 4, "the window, then three halvings of its first half"


# -- links (§4.3, §11.14) ----------------------------------------------------------------------------------


def test_children_through_links_only(client, sim):
    (po,) = client.items("purchase_orders", q="OrderNumber='1004123'", fields="")
    lines = client.children(po, "lines")
    assert [ln["LineNumber"] for ln in lines] == [1, 2]
    schedules = client.children(lines[0], "schedules")
    distributions = client.children(schedules[0], "distributions")
    assert distributions[0]["POChargeAccount"] == "01-200-6100-0000-000"
    child_calls = [r["path"] for r in gets(sim, "purchaseOrders") if "/child/" in r["path"]]
    assert len(child_calls) == 3
    assert all(p.startswith(sim.prefix + "/purchaseOrders/00020000000EACED") for p in child_calls), (
        "the opaque key from the links, never the POHeaderId"
    )
    (bare,) = client.items("purchase_orders", q="OrderNumber='1004123'", only_data=True)
    with pytest.raises(PermanentError, match="onlyData"):
        client.children(bare, "lines")
    (invoice,) = client.items("invoices", q="InvoiceNumber='LS-88120'")
    assert client.follow(client.link(invoice, "self"))["InvoiceNumber"] == "LS-88120"


@pytest.mark.parametrize("version", [2, 3, 4])
def test_expanded_children_in_every_framework_version(make, sim, version):
    lines = [{"Description": f"Part {i}", "Quantity": 1, "Price": "1.00"} for i in range(30)]
    sim.add_purchase_order({"OrderNumber": "3000001", "Supplier": "Lab Supply Inc", "lines": lines})
    client = make(framework_version=version)
    (po,) = client.items("purchase_orders", q="OrderNumber='3000001'", expand="lines")
    assert isinstance(po["lines"], list if version < 3 else dict)
    read = client.children(po, "lines")
    assert [ln["LineNumber"] for ln in read] == list(range(1, 31)), (
        "the rows beyond the nested page are read too"
    )


def test_links_to_another_host_are_not_followed(client, sim):
    with pytest.raises(PermanentError, match="another host"):
        client.follow("https://evil.example.com/fscmRestApi/resources/11.13.18.05/invoices")
    assert sim.tokens.issued_count == 0, "no token was even asked for"


def test_find_by_key_gives_an_item_with_links(client, sim):
    po = sim.find_po("1004127")
    found = client.find_by_key("purchase_orders", po["POHeaderId"])
    assert found["OrderNumber"] == "1004127" and client.link(found, "child", "lines")
    assert client.find_by_key("purchase_orders", 1) is None


# -- switches of the pod -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"timestamp_suffix": "Z"},
        {"timestamp_fraction_digits": 6},
        {"render_time_zone": "Asia/Kolkata"},
        {"timestamp_fraction_digits": 0},
        {"timestamp_fraction_digits": 0, "timestamp_suffix": "Z"},
    ],
)
def test_changed_since_with_every_timestamp_rendering(make, sim, options):
    sim.configure(**options)
    client = make(page_size=7)
    moment = datetime(2024, 5, 2, 14, 3, 11, 120000, tzinfo=UTC)
    seed_pos(sim, 20, moment, spread=timedelta(milliseconds=250))
    read = list(client.changed_since("purchase_orders", moment, overlap=0))
    ours = [i for i in read if i["OrderNumber"].startswith("7")]
    assert len(ours) == len({i["OrderNumber"] for i in ours}) == 20, "nothing lost or repeated"
    lossless = options.get("timestamp_fraction_digits", 3) >= 3
    first = min(ours, key=lambda i: i["OrderNumber"])
    expected = moment if lossless else moment.replace(microsecond=0)
    assert client.stamp_of("purchase_orders", first) == expected


@pytest.mark.parametrize(
    ("fmt", "zone", "server_zone", "hits"),
    [
        ("iso_offset_ms", "UTC", "UTC", 1),
        ("iso_z_ms", "UTC", "America/Los_Angeles", 1),
        ("iso_offset_ms", "America/Los_Angeles", "UTC", 1),
        ("local_ms", "America/Los_Angeles", "America/Los_Angeles", 1),
        ("local_ms", "UTC", "America/Los_Angeles", 0),
        ("iso_offset", "UTC", "UTC", 1),
        ("date", "UTC", "UTC", 1),
    ],
)
def test_literal_format_and_time_zone_settings(make, sim, fmt, zone, server_zone, hits):
    """A literal without offset is read in the Fusion user's zone: the setting must match it."""
    sim.configure(user_time_zone=server_zone)
    moment = datetime(2024, 5, 2, 14, 3, 11, 120000, tzinfo=UTC)
    seed_pos(sim, 1, moment)
    client = make(literal_formats={"purchase_orders": fmt}, time_zones={"purchase_orders": zone})
    read = [
        i for i in client.changed_since("purchase_orders", moment, overlap=0) if i["OrderNumber"] == "7000000"
    ]
    assert len(read) == hits
    assert client.config.literal("purchase_orders", moment).startswith("'2024-05-02")


def test_amounts_are_decimals_whether_numbers_or_strings(client, sim):
    (number,) = client.items("invoices", q="InvoiceNumber='AND_Unmatched_Invoice'")
    assert number["InvoiceAmount"] == Decimal("2212.75") and isinstance(number["InvoiceAmount"], Decimal)
    sim.configure(amounts_as_numbers=False)
    (text,) = client.items("invoices", q="InvoiceNumber='AND_Unmatched_Invoice'")
    assert text["InvoiceAmount"] == "2212.75" and to_decimal(text["InvoiceAmount"]) == Decimal("2212.75")
    assert to_decimal(305) == Decimal("305") and to_decimal(None) is None
    with pytest.raises(PermanentError):
        to_decimal("lots")


@pytest.mark.parametrize("version", [2, 3, 4, 5])
def test_refusals_read_as_text_or_json(make, sim, version):
    client = make(framework_version=version)
    with pytest.raises(RemoteBusinessError) as caught:
        list(client.items("invoices", q="Colour='red'"))
    assert "The attribute Colour is not a valid attribute" in str(caught.value)
    assert caught.value.status == 400 and caught.value.kind == "permanent"
    assert (caught.value.code == "FND-REST-QUERY") == (version >= 4)


def test_framework_versions_from_the_root(client, sim):
    assert client.framework_versions() == (1, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    sim.configure(default_framework_version=3, allowed_framework_versions=[1, 2, 3])
    assert client.framework_versions() == (3, [1, 2, 3]), "asked without the configured version 4"
    assert "REST-Framework-Version" not in sim.requests_to(sim.prefix + "/")[-1]["headers"]


def test_framework_1_uses_query_by_example(make, sim):
    client = make(framework_version=1)
    assert client.where(InvoiceNumber="LS-88120", BusinessUnit="Vision Operations") == (
        "InvoiceNumber=LS-88120;BusinessUnit=Vision Operations"
    )
    found = client.find_invoice("LS-88120", supplier_number="1252", business_unit="Vision Operations")
    assert found["InvoiceAmount"] == Decimal("305")
    with pytest.raises(ConfigurationError):
        client.where(InvoiceNumber="A;B")
    assert make().where(Supplier="O'Brien") == "Supplier='O''Brien'"


# -- writes (§6, §7) -----------------------------------------------------------------------------------


def new_invoice(number="A-77810", amount="250.00"):
    return {
        "InvoiceNumber": number, "InvoiceCurrency": "USD", "InvoiceAmount": Decimal(amount),
        "InvoiceDate": datetime(2024, 5, 2).date(), "BusinessUnit": "Vision Operations",
        "Supplier": "Lab Supply Inc", "SupplierNumber": "1252", "SupplierSite": "RALEIGH",
        "invoiceLines": [
            {"LineNumber": 1, "Quantity": Decimal("10"), "UnitPrice": Decimal("12.50"),
             "LineAmount": Decimal("125.00"), "PurchaseOrderNumber": "1004123", "PurchaseOrderLineNumber": 1,
             "PurchaseOrderScheduleLineNumber": 1},
            {"LineNumber": 2, "LineType": "Freight", "LineAmount": Decimal(amount) - Decimal("125.00"),
             "DistributionCombination": "01-100-6200-0000-000"},
        ],
    }  # fmt: skip


def test_duplicate_invoice_lookup_and_create_once(client, sim):
    invoice, created = client.create_invoice(new_invoice())
    assert (
        created and invoice["InvoiceAmount"] == Decimal("250") and invoice["ValidationStatus"] == "Validated"
    )
    again, created_again = client.create_invoice(new_invoice())
    assert not created_again and again["InvoiceId"] == invoice["InvoiceId"]
    posts = [r for r in sim.requests_to(sim.prefix + "/invoices", "POST") if r["path"].endswith("/invoices")]
    assert len(posts) == 1, "looked up, not posted twice"
    assert client.find_invoice("A-77810", supplier_number="1252", business_unit="Vision Operations")
    assert client.find_invoice("A-77810", supplier_number="1013", business_unit="Vision Operations") is None
    assert client.find_invoice("A-77810", supplier="Lab Supply Inc")["InvoiceId"] == invoice["InvoiceId"]
    with pytest.raises(RemoteBusinessError, match="already exists") as caught:
        client.create_item("invoices", new_invoice())
    assert caught.value.code == "AP-DUPLICATE-INVOICE"
    stored = sim.data["invoices"][invoice["InvoiceId"]]
    assert str(stored["InvoiceAmount"]) == "250.00", "Decimals go out as exact strings, not floats"


def test_invoice_created_but_answer_lost_is_found_not_duplicated(client, sim):
    sim.inject("lost", path=sim.prefix + "/invoices", method="POST")
    invoice, created = client.create_invoice(new_invoice("LOST-1"), validate=False)
    assert not created and invoice["InvoiceNumber"] == "LOST-1"
    assert sum(1 for inv in sim.data["invoices"].values() if inv["InvoiceNumber"] == "LOST-1") == 1


def test_invoice_refusal_detail_reaches_the_error(client, sim):
    wrong = new_invoice("BAD-1")
    wrong["InvoiceAmount"] = Decimal("999.00")
    with pytest.raises(RemoteBusinessError, match="does not equal the invoice amount"):
        client.create_invoice(wrong)


def test_upsert_mode_header(make, sim):
    client = make()
    created = client.create_item("invoices", new_invoice("UP-1"))
    assert "Upsert-Mode" not in sim.requests_to(sim.prefix + "/invoices", "POST")[-1]["headers"]
    freight = {"LineNumber": 3, "LineType": "Freight", "LineAmount": Decimal("10.00"),
               "DistributionCombination": "01-100-6200-0000-000"}  # fmt: skip
    patched = client.update_collection(
        "invoices",
        {"InvoiceId": created["InvoiceId"], "InvoiceAmount": Decimal("260.00"), "invoiceLines": [freight]},
    )
    assert patched["InvoiceAmount"] == Decimal("260")
    assert sim.requests_to(sim.prefix + "/invoices", "PATCH")[-1]["headers"]["Upsert-Mode"] == "true"
    with pytest.raises(PermanentError):
        client.update_collection("invoices", {"InvoiceId": created["InvoiceId"]}, upsert=False)
    upserting = make(upsert_on_post=True)
    key = {"InvoiceNumber": "UP-1", "SupplierNumber": "1252", "BusinessUnit": "Vision Operations"}
    replay = upserting.create_item("invoices", {**key, "Description": "again"})
    assert replay["InvoiceId"] == created["InvoiceId"] and replay["Description"] == "again"
    assert sim.requests_to(sim.prefix + "/invoices", "POST")[-1]["headers"]["Upsert-Mode"] == "true"
    assert client.update_item(created, {"Description": "by link"})["Description"] == "by link"


def test_invoice_defaults_from_the_configuration(make, sim):
    client = make(
        business_units=("Vision Operations",), invoice_source="JAGGAER", invoice_group_pattern="JAG-{date}"
    )
    payload = client.invoice_defaults({"InvoiceNumber": "X"}, on=datetime(2024, 5, 2).date())
    assert payload == {
        "InvoiceNumber": "X",
        "BusinessUnit": "Vision Operations",
        "InvoiceGroup": "JAG-20240502",
        "InvoiceSource": "JAGGAER",
    }


def test_validation_result_follows_the_rules(client, sim):
    sim.configure(validation_rules={"require_receipt": True})
    invoice, _ = client.create_invoice(new_invoice("HOLD-1"))
    assert invoice["ValidationStatus"] == "Needs revalidation"


@pytest.mark.parametrize("mode", ["acknowledgments", "action"])
def test_acknowledgment_modes(make, sim, mode):
    client = make(acknowledgment_mode=mode)
    pending = list(client.items("acknowledgments", fields=""))
    assert [p["OrderNumber"] for p in pending] == ["1004125", "1004126"]
    if mode == "action":
        with pytest.raises(RemoteBusinessError, match="Allow Delivery on Purchase Orders"):
            client.acknowledge(pending[0]["POHeaderId"], "ACCEPT")
        sim.configure(ack_action_enabled=True)
    client.acknowledge(pending[0]["POHeaderId"], "ACCEPT", "Accepted in JAGGAER by supplier")
    assert sim.find_po("1004125")["DocumentStatusCode"] == "OPEN"
    with pytest.raises(RemoteBusinessError, match="AcknowledgmentNote"):
        client.acknowledge(pending[1]["POHeaderId"], "REJECT")
    client.acknowledge(pending[1]["POHeaderId"], "reject", "Lead time too short")
    assert sim.find_po("1004126")["DocumentStatusCode"] == "REJECTED"
    with pytest.raises(RemoteBusinessError, match="isn't pending"):
        client.acknowledge(pending[0]["POHeaderId"], "ACCEPT")
    patches = sim.requests_to(sim.prefix + "/purchaseOrderAcknowledgments", "PATCH")
    actions = [r for r in sim.requests_to(sim.prefix + "/purchaseOrders", "POST") if "/action/" in r["path"]]
    assert (len(patches), len(actions)) == ((4, 0) if mode == "acknowledgments" else (0, 5))


@pytest.mark.parametrize("delay", [None, 90])
def test_receipt_requests_pending_then_processed(make, sim, delay):
    sim.configure(receipt_processing_delay=delay)
    client = make(receiving_organization="M1", receiving_employee_id=100010026863783)
    line = {"ReceiptSourceCode": "VENDOR", "SourceDocumentCode": "PO", "TransactionType": "RECEIVE",
            "AutoTransactCode": "DELIVER", "DocumentNumber": "1004123", "DocumentLineNumber": 1,
            "DocumentScheduleNumber": 1, "Quantity": Decimal("5"), "UnitOfMeasure": "Each"}  # fmt: skip
    request = client.submit_receipt(
        {"ReceiptSourceCode": "VENDOR", "ShipmentNumber": "JAG-RCPT-1", "lines": [line]}
    )
    assert request["ProcessingStatusCode"] == "PENDING" and request["OrganizationCode"] == "M1"
    assert request["EmployeeId"] == 100010026863783
    if delay is None:
        sim.process_receipts()
    else:
        assert client.receipt_status(request)[0] == "PENDING"
        sim.clock.advance(delay + 1)
    assert client.receipt_status(request) == ("SUCCESS", [])
    assert client.receipt_status(request["HeaderInterfaceId"])[0] == "SUCCESS"
    too_many = client.submit_receipt({"ReceiptSourceCode": "VENDOR", "lines": [{**line, "Quantity": 11}]})
    sim.process_receipts()
    status, errors = client.receipt_status(too_many)
    assert status == "ERROR" and "over-receipt tolerance" in errors[0]["ErrorMessage"]
    assert [r["HeaderInterfaceId"] for r in client.find_receipt_requests("JAG-RCPT-1")] == [
        request["HeaderInterfaceId"]
    ]


def test_suppliers_found_by_tax_keys_created_and_extended(client, sim):
    assert [s["Supplier"] for s in client.find_supplier(duns="314159265")] == ["Northwind Lab Services GmbH"]
    assert [s["SupplierNumber"] for s in client.find_supplier(taxpayer_id="56-1234567")] == ["1252"]
    assert client.find_supplier(name="Nobody") == [] and client.find_supplier() == []
    helix = {
        "Supplier": "Helix Reagents Ltd",
        "TaxOrganizationType": "CORPORATION",
        "TaxpayerId": "GB123456789",
    }
    created = client.create_item("suppliers", helix)
    client.add_child(created, "addresses", {"AddressName": "CAMBRIDGE", "Country": "GB"})
    site_body = {
        "SupplierSite": "CAMBRIDGE",
        "ProcurementBU": "Vision Operations",
        "AddressName": "CAMBRIDGE",
    }
    site = client.add_child(created, "sites", site_body)
    assert site["SupplierSiteId"]
    with pytest.raises(RemoteBusinessError, match="taxpayer ID GB123456789"):
        client.create_item("suppliers", {"Supplier": "Helix 2", "TaxOrganizationType": "CORPORATION",
                                    "TaxpayerId": "GB123456789"})  # fmt: skip
    updated = client.update_item(created, {"DUNSNumber": "271828182"})
    assert updated["DUNSNumber"] == "271828182"


def test_batch_over_500_parts_goes_in_two_calls(client, sim):
    parts = [
        {"path": "/suppliers", "operation": "create",
         "payload": {"Supplier": f"Batch {i}", "TaxOrganizationType": "CORPORATION"}}
        for i in range(501)
    ]  # fmt: skip
    results = client.batch(parts)
    batch_calls = [r for r in sim.requests_to(sim.prefix + "/", "POST") if r["path"] == sim.prefix + "/"]
    assert len(results) == 501 and len(batch_calls) == 2
    assert sim.state()["counts"]["suppliers"] == 6 + 501


def test_chart_of_accounts_and_cost_centres(make, sim):
    client = make(chart_of_accounts_id=101, cost_center_segment=2, cost_center_value_set="VISION_COST_CENTER")
    combinations = list(client.account_combinations())
    assert len(combinations) == 7
    assert sorted({client.config.cost_center_of(c) for c in combinations}) == ["100", "200", "300"]
    assert [v["Value"] for v in client.cost_center_values()] == ["000", "100", "200", "300"]
    with pytest.raises(ConfigurationError):
        list(make().cost_center_values())
    with pytest.raises(ConfigurationError, match="no value set"):
        list(make(cost_center_value_set="NOPE").cost_center_values())


def test_configuration_is_checked():
    with pytest.raises(ConfigurationError):
        FusionConfig(page_size=0)
    with pytest.raises(ConfigurationError):
        FusionConfig(acknowledgment_mode="email")
    with pytest.raises(ConfigurationError):
        FusionConfig(time_zones={"invoices": "Mars/Olympus"})
    with pytest.raises(ConfigurationError):
        FusionConfig(literal_formats={"invoices": "roman"})
    config = FusionConfig(api_version="11.13.18.06", resources={"invoices": "payablesInvoices"})
    assert config.collection_path("invoices") == "/fscmRestApi/resources/11.13.18.06/payablesInvoices"


def test_other_api_version_and_resource_paths(server, sim, make):
    other = FusionSimulator(api_version="11.14.0.0")
    demo_seed(other)
    with SimulatorServer(other) as running:
        http = HttpClient(running.url, auth=FusionTokenAuth(running.url + TOKEN_PATH, CLIENT_ID, SECRET,
                                                             scope=TRUST_SCOPE))  # fmt: skip
        client = FusionClient(http, FusionConfig(api_version="11.14.0.0"))
        assert len(list(client.items("invoices"))) == 3
    renamed = make(resources={"purchase_orders": "widgets"})
    with pytest.raises(PermanentError, match="not found"):
        list(renamed.items("purchase_orders"))


def test_no_secret_or_token_in_logs(client, sim, caplog):
    with caplog.at_level(logging.DEBUG):
        list(client.items("purchase_orders"))
        sim.expire_tokens()
        list(client.items("invoices"))
    text = caplog.text
    assert "purchaseOrders" in text, "requests were logged"
    for secret in [SECRET, *sim.tokens.tokens]:
        assert secret not in text
