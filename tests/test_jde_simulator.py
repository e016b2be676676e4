"""The JD Edwards AIS simulator over real HTTP (no Odoo): every point of jde-api.md §10, both
answers of every switch."""

from datetime import timedelta

import pytest
import requests

from tests.simulators.jaggaer import DEMO_SUPPLIERS as JAGGAER_DEMO_SUPPLIERS
from tests.simulators.jde import TABLES, JdeSimulator, OrchestrationError, demo_seed, from_julian, to_julian
from tests.simulators.server import SimulatorServer

USER, PASSWORD, DEVICE = "JAGINT", "Jde-Sim-Pass-42", "ml-connector-7"


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(JdeSimulator()) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    return server.app


@pytest.fixture
def url(server, sim):
    return server.url + "/jderest"


class Ais:
    """A minimal AIS caller: one token, the device header, data requests and orchestrations."""

    def __init__(self, url, device=DEVICE, **login):
        self.url, self.device = url, device
        response = requests.post(
            url + "/v2/tokenrequest",
            json={"username": USER, "password": PASSWORD, "deviceName": device, **login},
            timeout=5,
        )
        assert response.status_code == 200, response.text
        self.login = response.json()
        self.token = self.login["userInfo"]["token"]

    @property
    def headers(self):
        return {"jde-AIS-Auth": self.token, "jde-AIS-Auth-Device": self.device}

    def post(self, path, body, **kw):
        return requests.post(self.url + path, json=body, headers=self.headers, timeout=5, **kw)

    def data(self, table, *conditions, columns=None, match="MATCH_ALL", **extra):
        body = {"targetName": table, "targetType": "table", "dataServiceType": "BROWSE", **extra}
        if columns:
            body["returnControlIDs"] = "|".join(f"{table}.{c}" for c in columns)
        if conditions:
            body["query"] = {
                "autoFind": True,
                "matchType": match,
                "condition": [cond(*c) for c in conditions],
            }
        return self.post("/v2/dataservice", body)

    def rows(self, table, *conditions, **kw):
        response = self.data(table, *conditions, **kw)
        assert response.status_code == 200, response.text
        return rowset(response.json(), table)

    def count(self, table, *conditions):
        body = {"targetName": table, "targetType": "table", "dataServiceType": "COUNT"}
        if conditions:
            body["query"] = {"matchType": "MATCH_ALL", "condition": [cond(*c) for c in conditions]}
        return self.post("/v2/dataservice", body)

    def orchestrate(self, name, inputs, version="v2"):
        prefix = "/orchestrator/" if version == "v1" else f"/{version}/orchestrator/"
        return self.post(prefix + name, inputs)


def cond(control_id, operator, *values, special="LITERAL"):
    return {
        "controlId": control_id,
        "operator": operator,
        "value": [{"content": str(v), "specialValueId": special} for v in values],
    }


def rowset(body, table):
    return body[f"fs_DATABROWSE_{table}"]["data"]["gridData"]["rowset"]


def assert_service_error(response, status, needle=""):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {
        "message",
        "errorText",
        "exception",
        "exceptionId",
        "status",
        "timeStamp",
        "type",
        "userDefinedErrorText",
    }
    assert body["status"] == "ERROR"
    assert needle in body["message"] + str(body["userDefinedErrorText"])
    return body


@pytest.fixture
def ais(url, sim):
    demo_seed(sim)
    return Ais(url)


def voucher(transaction="INV-1", batch="JAG2403150930", gross=1250.0, lines=((1250.0, "M30.6120"),), **extra):
    return {
        "BatchUser": USER,
        "BatchNumber": batch,
        "TransactionNumber": transaction,
        "Supplier": 6105,
        "SupplierInvoice": f"S-{transaction}",
        "InvoiceDate": "03/15/2024",
        "GrossAmount": gross,
        "Currency": "USD",
        "Company": "00200",
        "Distributions": [
            {"Line": i, "Account": account, "Amount": amount, "Explanation": f"line {i}"}
            for i, (amount, account) in enumerate(lines, start=1)
        ],
        **extra,
    }


# -- §10.1 base path, media types ------------------------------------------------------------------


def test_versions_media_types_and_error_bodies(url, sim):
    for path in ("/tokenrequest", "/v2/tokenrequest", "/v3/tokenrequest"):
        response = requests.post(url + path, json={"username": USER, "password": PASSWORD}, timeout=5)
        assert response.status_code == 200 and response.json()["userInfo"]["token"]
    not_json = requests.post(
        url + "/v2/tokenrequest", data="username=JAGINT", headers={"Content-Type": "text/plain"}, timeout=5
    )
    assert_service_error(not_json, 415, "application/json")
    malformed = requests.post(
        url + "/v2/dataservice", data="{not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert_service_error(malformed, 400, "Invalid JSON")
    assert requests.get(url + "/defaultconfig", timeout=5).json()["capabilities"]
    assert_service_error(requests.get(url + "/v9/nothing", timeout=5), 404)


# -- §10.2-§10.5 authentication --------------------------------------------------------------------


def test_token_request_shape_defaults_and_echo(url, sim):
    sim.configure(simple_date_format="dd.MM.yyyy")
    body = Ais(url).login
    assert body["environment"] == "JDV920" and body["role"] == "*ALL" and body["username"] == USER
    info = body["userInfo"]
    assert info["simpleDateFormat"] == "dd.MM.yyyy" and info["dateSeperator"] == "."
    assert info["token"].startswith("044") and info["addressNumber"] == 2111
    assert {"userAuthorized", "aisSessionCookie", "jasserver", "poStringJSON"} <= set(body)
    assert "expires_in" not in str(body)  # §3.2: the lifetime is never told
    echoed = Ais(url, environment="JPY920", role="BUYERS").login
    assert (echoed["environment"], echoed["role"]) == ("JPY920", "BUYERS")


def test_token_request_with_basic_auth_and_v3_login(url, sim):
    basic = requests.post(url + "/v2/tokenrequest", auth=(USER, PASSWORD), timeout=5)
    assert basic.status_code == 200 and basic.json()["userInfo"]["token"]
    v3 = requests.get(url + "/v3/orchestrator/jde-login", auth=(USER, PASSWORD), timeout=5)
    assert v3.status_code == 200 and v3.json()["userInfo"]["token"]
    assert_service_error(requests.get(url + "/v3/orchestrator/jde-login", auth=(USER, "x"), timeout=5), 403)
    assert sim.state()["logins"] == 2


def test_bad_credentials_and_environment_are_403(url, sim):
    wrong = requests.post(url + "/v2/tokenrequest", json={"username": USER, "password": "nope"}, timeout=5)
    assert_service_error(wrong, 403, "Authorization Failure")
    unknown_env = requests.post(
        url + "/v2/tokenrequest",
        json={"username": USER, "password": PASSWORD, "environment": "JPD920"},
        timeout=5,
    )
    assert_service_error(unknown_env, 403, "JPD920")
    assert sim.state()["logins"] == 0


def test_tokens_are_bound_to_their_device(ais, url, sim):
    assert ais.count("F0101").status_code == 200
    other = requests.post(
        url + "/v2/dataservice",
        json={"targetName": "F0101", "dataServiceType": "COUNT"},
        headers={"jde-AIS-Auth": ais.token, "jde-AIS-Auth-Device": "another-device"},
        timeout=5,
    )
    assert_service_error(other, 444, "Invalid Token")
    # no device given at login: the caller's IP is the device
    anonymous = requests.post(
        url + "/v2/tokenrequest", json={"username": USER, "password": PASSWORD}, timeout=5
    )
    token = anonymous.json()["userInfo"]["token"]
    same_ip = requests.post(
        url + "/v2/dataservice",
        json={"targetName": "F0101", "dataServiceType": "COUNT"},
        headers={"jde-AIS-Auth": token},
        timeout=5,
    )
    assert same_ip.status_code == 200
    named = requests.post(
        url + "/v2/dataservice",
        json={"targetName": "F0101", "dataServiceType": "COUNT", "token": token, "deviceName": DEVICE},
        timeout=5,
    )
    assert_service_error(named, 444)


def test_unknown_expired_and_logged_out_tokens_are_444(ais, url, sim):
    ais.token = "044unknown"
    assert_service_error(ais.count("F0101"), 444)
    ttl = Ais(url)
    sim.clock.advance(1799)
    assert ttl.count("F0101").status_code == 200
    sim.clock.advance(2)
    assert_service_error(ttl.count("F0101"), 444)  # default TTL 30 min (§10.4)
    sim.configure(token_ttl=60)
    short = Ais(url)
    sim.clock.advance(61)
    assert_service_error(short.count("F0101"), 444)
    expired = Ais(url)
    requests.post(url.replace("/jderest", "") + "/_sim/tokens/expire", timeout=5)
    assert_service_error(expired.count("F0101"), 444)
    gone = Ais(url)
    logout = requests.post(
        url + "/v2/tokenrequest/logout", json={"token": gone.token}, headers=gone.headers, timeout=5
    )
    assert logout.status_code == 200 and sim.state()["logouts"] == 1
    assert_service_error(gone.count("F0101"), 444)
    again = requests.post(
        url + "/v2/tokenrequest/logout", json={"token": gone.token}, headers=gone.headers, timeout=5
    )
    assert_service_error(again, 444)


def test_idle_timeout_validate_touch_and_activity(url, sim):
    sim.configure(token_idle_timeout=600)
    client = Ais(url)

    def validate(touch):
        body = {"token": client.token, "deviceName": DEVICE, "touch": touch}
        return requests.post(url + "/v2/tokenrequest/validate", json=body, timeout=5)

    sim.clock.advance(500)
    assert validate(False).json()["isValidSession"] is True  # does not extend
    sim.clock.advance(200)
    assert_service_error(validate(True), 444)
    client = Ais(url)
    sim.clock.advance(500)
    assert validate(True).status_code == 200  # touch: idle time starts again
    sim.clock.advance(500)
    assert client.count("F0101").status_code == 200  # activity extends too
    sim.clock.advance(500)
    assert client.count("F0101").status_code == 200
    sim.clock.advance(601)
    assert_service_error(client.count("F0101"), 444)


def test_v3_validate_session_answers_403(url, sim):
    client = Ais(url)
    good = requests.get(url + "/v3/orchestrator/jde-validate-session", headers=client.headers, timeout=5)
    assert good.status_code == 200 and good.json()["isValidSession"] is True
    sim.expire_tokens()
    bad = requests.get(url + "/v3/orchestrator/jde-validate-session", headers=client.headers, timeout=5)
    assert_service_error(bad, 403, "Token is Invalid")
    v2 = requests.post(
        url + "/v2/tokenrequest/validate", json={"token": client.token, "deviceName": DEVICE}, timeout=5
    )
    assert_service_error(v2, 444)


def test_stateless_basic_calls_and_token_in_body(url, sim):
    demo_seed(sim)
    body = {"targetName": "F0006", "dataServiceType": "BROWSE"}
    basic = requests.post(url + "/v2/dataservice", json=body, auth=(USER, PASSWORD), timeout=5)
    assert len(rowset(basic.json(), "F0006")) == 3
    assert_service_error(
        requests.post(url + "/v2/dataservice", json=body, auth=(USER, "bad"), timeout=5), 403
    )
    assert_service_error(requests.post(url + "/v2/dataservice", json=body, timeout=5), 444)
    client = Ais(url)
    in_body = requests.post(
        url + "/v2/dataservice", json={**body, "token": client.token, "deviceName": DEVICE}, timeout=5
    )
    assert in_body.status_code == 200
    assert sim.state()["logins"] == 1


# -- §10.6 / §10.7 data service ---------------------------------------------------------------------


def test_browse_answer_has_the_documented_shape(ais):
    response = ais.data("F0101", ("F0101.AN8", "EQUAL", 4343), columns=["AN8", "ALPH", "AT1"])
    body = response.json()
    assert set(body) >= {"fs_DATABROWSE_F0101", "links"} and body["links"] == []
    block = body["fs_DATABROWSE_F0101"]
    assert block["title"] == "Data Browser - F0101 [Address Book Master]"
    grid = block["data"]["gridData"]
    assert grid["columns"] == {
        "F0101_AN8": "Address Number",
        "F0101_ALPH": "Alpha Name",
        "F0101_AT1": "Sch Typ",
    }
    assert grid["rowset"] == [
        {"F0101_AN8": 4343, "F0101_ALPH": "Northwind Lab Services GmbH", "F0101_AT1": "V"}
    ]
    assert grid["summary"] == {"records": 1, "moreRecords": False}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_browses_and_counts(ais, sim, table):
    if not sim.tables[table]:
        ais.orchestrate("JAG_CreateVoucherBatch", voucher())
    rows = ais.rows(table, maxPageSize="No Max")
    assert rows and len(rows) == len(sim.tables[table])
    time_column = "TDAY" if table in ("F4301", "F4311") else "UPMT"
    assert f"{table}_{time_column}" in rows[0] and f"{table}_UPMJ" in rows[0]
    other = "UPMT" if time_column == "TDAY" else "TDAY"
    assert f"{table}_{other}" not in rows[0]
    count = ais.count(table).json()
    assert count[f"fs_DATABROWSE_{table}"]["data"]["totalCount"] == len(rows)


def test_f4301_has_no_upmt(ais):
    assert_service_error(ais.data("F4301", ("F4301.UPMT", "GREATER", 0)), 500, "UPMT")
    assert_service_error(ais.data("F4301", columns=["UPMT"]), 500)
    assert ais.rows("F4301", ("F4301.TDAY", "GREATER_EQUAL", 0))


def test_unknown_target_alias_and_operator_status_switch(ais, sim):
    assert_service_error(ais.data("F9999"), 500, "F9999")
    assert_service_error(ais.data("F0101", columns=["NOPE"]), 500, "NOPE")
    assert_service_error(ais.data("F0101", ("F0101.AN8", "ROUGHLY", 1)), 500, "ROUGHLY")
    assert_service_error(ais.data("F0101", ("F0401.AN8", "EQUAL", 1)), 500, "F0401.AN8")
    sim.configure(unknown_target_status=400)
    assert_service_error(ais.data("F9999"), 400, "F9999")
    assert_service_error(ais.data("F0101", ("F0101.UPMJ", "EQUAL", "someday")), 400, "someday")


def test_return_control_ids_select_columns(ais):
    rows = ais.rows("F4311", columns=["DOCO", "LNID"])
    assert rows and all(set(row) == {"F4311_DOCO", "F4311_LNID"} for row in rows)
    everything = ais.rows("F4311")
    assert set(everything[0]) == {f"F4311_{alias}" for alias in TABLES["F4311"].aliases}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (("F0101.AN8", "EQUAL", 4343), [4343]),
        (("F0101.AN8", "NOT_EQUAL", 4343), [4350, 4410, 4420, 4430, 6105]),
        (("F0101.AN8", "GREATER", 4420), [4430, 6105]),
        (("F0101.AN8", "GREATER_EQUAL", 4420), [4420, 4430, 6105]),
        (("F0101.AN8", "LESS", 4350), [4343]),
        (("F0101.AN8", "LESS_EQUAL", 4350), [4343, 4350]),
        (("F0101.AN8", "BETWEEN", 4350, 4420), [4350, 4410, 4420]),
        (("F0101.AN8", "LIST", 6105, 4430, 1), [4430, 6105]),
        (("F0101.ALPH", "STR_START_WITH", "Lab"), [6105]),
        (("F0101.ALPH", "STR_END_WITH", "LLC"), [4430]),
        (("F0101.ALPH", "STR_CONTAIN", "Lab "), [4343, 4350, 6105]),
        (("F0101.TAX", "EQUAL", "74-2345678"), [4350]),
    ],
)
def test_operators(ais, condition, expected):
    rows = ais.rows("F0101", condition, columns=["AN8"])
    assert [row["F0101_AN8"] for row in rows] == expected


def test_match_type_and_order_by(ais):
    any_of = ais.rows(
        "F0101",
        ("F0101.AN8", "EQUAL", 4343),
        ("F0101.DUNS", "EQUAL", "606234567"),
        match="MATCH_ANY",
        columns=["AN8"],
    )
    assert [r["F0101_AN8"] for r in any_of] == [4343, 4420]
    all_of = ais.rows(
        "F0101", ("F0101.AN8", "EQUAL", 4343), ("F0101.DUNS", "EQUAL", "606234567"), columns=["AN8"]
    )
    assert all_of == []
    ordered = ais.rows(
        "F4311",
        columns=["DOCO", "LNID"],
        orderBy=[{"column": "F4311.DOCO", "direction": "DESC"}, {"column": "F4311.LNID", "direction": "ASC"}],
    )
    keys = [(r["F4311_DOCO"], r["F4311_LNID"]) for r in ordered]
    assert keys == sorted(keys, key=lambda k: (-k[0], k[1])) and keys[0] == (10234, 1000)
    assert_service_error(ais.data("F4311", orderBy=[{"column": "F4311.NOPE"}]), 500)


def test_count_shape_switch(ais, sim):
    assert ais.count("F0401").json()["fs_DATABROWSE_F0401"]["data"]["totalCount"] == 6
    filtered = ais.count("F0401", ("F0401.CRRP", "EQUAL", "EUR")).json()
    assert filtered["fs_DATABROWSE_F0401"]["data"]["totalCount"] == 1
    sim.configure(count_shape="count")
    assert ais.count("F0401").json()["fs_DATABROWSE_F0401"]["count"] == 6


# -- §10.8 dates, times, amounts --------------------------------------------------------------------


def test_julian_helpers():
    assert to_julian(from_julian(124075)) == 124075
    assert str(from_julian(124075)) == "2024-03-15" and str(from_julian(125001)) == "2025-01-01"
    assert from_julian(0) is None and to_julian(from_julian(99365)) == 99365


def test_dates_are_stored_julian_and_conditions_take_every_format(url, sim):
    sim.configure(simple_date_format="dd.MM.yyyy")
    client = Ais(url)
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 1, "DCTO": "OP", "TRDJ": "2024-03-15"})
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 2, "DCTO": "OP", "TRDJ": "2024-03-16"})
    assert sim.rows("F4301", DOCO=1)[0]["TRDJ"] == 124075
    for literal in ("124075", "20240315", "15.03.2024"):
        rows = client.rows("F4301", ("F4301.TRDJ", "EQUAL", literal), columns=["DOCO"])
        assert rows == [{"F4301_DOCO": 1}], literal
    between = client.rows("F4301", ("F4301.TRDJ", "BETWEEN", "124075", "16.03.2024"), columns=["DOCO"])
    assert len(between) == 2
    assert_service_error(
        client.data("F4301", ("F4301.TRDJ", "EQUAL", "03/15/2024")), 500
    )  # not this user's format
    relative = client.post(
        "/v2/dataservice",
        {
            "targetName": "F4301",
            "returnControlIDs": "F4301.DOCO",
            "query": {"condition": [cond("F4301.UPMJ", "GREATER_EQUAL", 1, special="TODAY_MINUS_DAY")]},
        },
    )
    assert len(rowset(relative.json(), "F4301")) == 2
    sim.clock.advance(3 * 86400)
    client = Ais(url)
    relative = client.post(
        "/v2/dataservice",
        {
            "targetName": "F4301",
            "query": {"condition": [cond("F4301.UPMJ", "GREATER_EQUAL", 1, special="TODAY_MINUS_DAY")]},
        },
    )
    assert rowset(relative.json(), "F4301") == []


@pytest.mark.parametrize(
    ("output", "expected", "blank"),
    [("user_format", "03/15/2024", ""), ("julian", 124075, 0), ("yyyyMMdd", "20240315", "")],
)
def test_date_output_format_switch(url, sim, output, expected, blank):
    sim.configure(date_output_format=output)
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 1, "DCTO": "OP", "TRDJ": "2024-03-15"})
    row = Ais(url).rows("F4301", columns=["TRDJ", "DRQJ"])[0]
    assert row == {"F4301_TRDJ": expected, "F4301_DRQJ": blank}


def test_user_format_follows_the_session(url, sim):
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 1, "DCTO": "OP", "TRDJ": "2024-03-05"})
    us = Ais(url)
    sim.configure(simple_date_format="dd/MM/yy")
    european = Ais(url)
    assert us.rows("F4301", columns=["TRDJ"])[0]["F4301_TRDJ"] == "03/05/2024"
    assert european.rows("F4301", columns=["TRDJ"])[0]["F4301_TRDJ"] == "05/03/24"


@pytest.mark.parametrize("shape", ["scalar", "value_object"])
def test_cell_shape_switch(ais, sim, shape):
    sim.configure(cell_shape=shape, date_output_format="julian")
    row = ais.rows("F4311", ("F4311.DOCO", "EQUAL", 10233), columns=["DOCO", "DSC1", "PRRC", "UPMJ", "MCU"])[
        0
    ]
    julian = to_julian(sim.local_now().date())
    if shape == "scalar":
        assert row == {
            "F4311_DOCO": 10233,
            "F4311_DSC1": "Spectrometer calibration service",
            "F4311_PRRC": 1800.0,
            "F4311_UPMJ": julian,
            "F4311_MCU": "         M30",
        }
    else:
        assert row["F4311_DOCO"] == {"value": "10233", "internalValue": 10233}
        assert row["F4311_PRRC"] == {"value": "1,800.0000", "internalValue": 1800.0}
        assert row["F4311_UPMJ"] == {"value": str(julian), "internalValue": julian}
        assert row["F4311_DSC1"]["internalValue"] == "Spectrometer calibration service"


@pytest.mark.parametrize("scaling", ["display", "raw"])
def test_amount_scaling_switch(ais, sim, scaling):
    sim.configure(amount_scaling=scaling)
    row = ais.rows("F4311", ("F4311.LITM", "EQUAL", "BRG-6306-ZZ"), columns=["UORG", "PRRC", "AEXP"])[0]
    if scaling == "display":
        assert row == {"F4311_UORG": 200.0, "F4311_PRRC": 6.85, "F4311_AEXP": 1370.0}
        literal = "1370"
    else:
        assert row == {"F4311_UORG": 20000, "F4311_PRRC": 68500, "F4311_AEXP": 137000}
        literal = "137000"
    found = ais.rows("F4311", ("F4311.AEXP", "EQUAL", literal), columns=["LITM"])
    assert found == [{"F4311_LITM": "BRG-6306-ZZ"}]


def test_mutations_stamp_local_date_and_time(url, sim):
    sim.configure(time_zone="America/Chicago")
    now = sim.local_now()
    row = sim.insert("F0101", {"AN8": 1, "ALPH": "Stamped"})
    assert row["UPMJ"] == to_julian(now.date())
    assert abs(row["UPMT"] - (now.hour * 10000 + now.minute * 100 + now.second)) <= 1
    sim.clock.advance(86400)  # a whole day (a day and an hour may be two days on after 23:00)
    client = Ais(url)
    changed = requests.patch(
        url.replace("/jderest", "") + "/_sim/jde/rows/F0101",
        json={"where": {"AN8": 1}, "set": {"ALPH": "Renamed"}},
        timeout=5,
    ).json()[0]
    assert changed["UPMJ"] == to_julian(sim.local_now().date()) > row["UPMJ"]
    assert changed["ALPH"] == "Renamed"
    later = client.rows("F0101", ("F0101.UPMJ", "GREATER", str(row["UPMJ"])), columns=["AN8", "UPMT"])
    assert later == [{"F0101_AN8": 1, "F0101_UPMT": changed["UPMT"]}]
    # two updates in the same second keep the same stamp: a poll must not use ">" on (date, time)
    first = sim.update("F0101", {"AN8": 1}, {"ALPH": "A"})[0]
    second = sim.update("F0101", {"AN8": 1}, {"ALPH": "B"})[0]
    assert (first["UPMJ"], first["UPMT"]) == (second["UPMJ"], second["UPMT"])
    po = sim.insert("F4301", {"KCOO": "00200", "DOCO": 5, "DCTO": "OP"})
    assert po["TDAY"] == second["UPMT"] and "UPMT" not in po


# -- §10.9 paging --------------------------------------------------------------------------------------


def page(response, table="F4311"):
    assert response.status_code == 200, response.text
    body = response.json()
    grid = body[f"fs_DATABROWSE_{table}"]["data"]["gridData"]
    return grid["rowset"], grid["summary"], body["links"]


def first_page(ais, size=4, **extra):
    return ais.data(
        "F4311", columns=["DOCO", "LNID"], maxPageSize=str(size), enableNextPageProcessing=True, **extra
    )


def keys_of(rows):
    return [(r["F4311_DOCO"], r["F4311_LNID"]) for r in rows]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_next_links_with_query(ais, sim, method):
    rows, summary, links = page(first_page(ais))
    assert summary == {"records": 4, "moreRecords": True}
    seen = keys_of(rows)
    while links:
        (link,) = links
        assert (
            link["rel"] == "next"
            and link["href"].startswith("http")
            and "/jderest/v2/dataservice/next?" in link["href"]
        )
        response = requests.request(method, link["href"], headers=ais.headers, timeout=5)
        rows, summary, links = page(response)
        seen += keys_of(rows)
    assert summary["moreRecords"] is False and len(seen) == 11 == len(set(seen))
    assert seen == sorted(seen)  # default order: the table's keys
    assert sim.state()["open_result_sets"] == 0


def test_next_links_with_context_and_relative_href(ais, sim, url):
    sim.configure(next_link_style="context", next_link_absolute=False)
    rows, _summary, links = page(first_page(ais, size=5))
    seen = keys_of(rows)
    assert links[0]["href"] == "/jderest/v2/dataservice/next" and links[0]["context"]["rid"]
    root = url.replace("/jderest", "")
    assert_service_error(requests.get(root + links[0]["href"], headers=ais.headers, timeout=5), 400)
    while links:
        response = requests.post(
            root + links[0]["href"], json=links[0]["context"], headers=ais.headers, timeout=5
        )
        rows, _summary, links = page(response)
        seen += keys_of(rows)
    assert len(seen) == 11 == len(set(seen))


def test_without_next_page_processing_only_the_first_page(ais, sim):
    rows, summary, links = page(ais.data("F4311", maxPageSize="4"))
    assert len(rows) == 4 and summary["moreRecords"] is True and links == []
    rows, summary, _links = page(ais.data("F4311", maxPageSize="No Max"))
    assert len(rows) == 11 and summary["moreRecords"] is False
    sim.configure(default_page_size=3)
    rows, summary, _links = page(ais.data("F4311"))
    assert len(rows) == 3 and summary["moreRecords"] is True
    _rows, summary, links = page(first_page(ais, size=20))
    assert summary["moreRecords"] is False and links == []
    sim.configure(next_page_processing=False)
    rows, summary, links = page(first_page(ais, size=4))
    assert len(rows) == 4 and summary["moreRecords"] is True and links == []


def test_result_sets_expire_when_idle(ais, sim):
    _rows, _summary, links = page(first_page(ais))
    sim.clock.advance(299)
    _rows, _summary, links = page(requests.get(links[0]["href"], headers=ais.headers, timeout=5))
    sim.clock.advance(301)
    assert_service_error(requests.get(links[0]["href"], headers=ais.headers, timeout=5), 500, "timed out")
    sim.configure(result_set_idle_timeout=10)
    _rows, _summary, links = page(first_page(ais))
    sim.clock.advance(11)
    assert_service_error(requests.get(links[0]["href"], headers=ais.headers, timeout=5), 500)
    _rows, _summary, links = page(first_page(ais))
    requests.post(ais.url.replace("/jderest", "") + "/_sim/jde/result-sets/expire", timeout=5)
    assert_service_error(requests.get(links[0]["href"], headers=ais.headers, timeout=5), 500)


def test_result_sets_belong_to_their_session(ais, sim, url):
    _rows, _summary, links = page(first_page(ais))
    other = Ais(url)
    assert_service_error(requests.get(links[0]["href"], headers=other.headers, timeout=5), 500)
    sim.configure(result_set_bound_to_session=False)
    assert page(requests.get(links[0]["href"], headers=other.headers, timeout=5))[0]
    _rows, _summary, links = page(first_page(ais))
    requests.post(url + "/v2/tokenrequest/logout", json={"token": ais.token}, headers=ais.headers, timeout=5)
    assert_service_error(requests.get(links[0]["href"], headers=ais.headers, timeout=5), 444)
    assert sim.state()["open_result_sets"] == 0  # a logout closes the session's result sets


# -- §10.10 simple GET ------------------------------------------------------------------------------


def test_simple_get_grammar(ais, sim, url):
    def query(*filters, fields=("F0101.AN8",), **params):
        return requests.get(
            url + "/v2/dataservice/table/F0101",
            params={"$field": list(fields), "$filter": list(filters), **params},
            headers=ais.headers,
            timeout=5,
        )

    rows, summary, _links = page(query("F0101.AT1 EQ V", **{"$limit": 2}), "F0101")
    assert rows == [{"F0101_AN8": 4343}, {"F0101_AN8": 4350}] and summary["moreRecords"] is True
    expectations = {
        "F0101.ALPH STARTSWITH Lab": [6105],
        "F0101.ALPH ENDSWITH LLC": [4430],
        "F0101.ALPH CONTAINS Steel": [4410],
        "F0101.AN8 NE 4343": [4350, 4410, 4420, 4430, 6105],
        "F0101.AN8 LT 4350": [4343],
        "F0101.AN8 LE 4350": [4343, 4350],
        "F0101.AN8 GT 4430": [6105],
        "F0101.AN8 GE 4430": [4430, 6105],
        "F0101.ALPH EQ Lab Supply Inc": [6105],
    }
    for text, expected in expectations.items():
        assert [r["F0101_AN8"] for r in page(query(text), "F0101")[0]] == expected, text
    both = query("F0101.AN8 EQ 4343", "F0101.AN8 EQ 6105", **{"$filterType": "MATCH_ANY"})
    assert len(page(both, "F0101")[0]) == 2
    assert page(query("F0101.AN8 EQ 4343", "F0101.AN8 EQ 6105"), "F0101")[0] == []
    assert len(page(query("F0101.UPMJ EQ 0 TODAY_MINUS_DAY"), "F0101")[0]) == 6
    assert page(query("F0101.UPMJ EQ 1 TODAY_MINUS_DAY"), "F0101")[0] == []
    two_fields = page(query("F0101.AN8 EQ 4343", fields=("F0101.AN8", "F0101.DUNS")), "F0101")[0]
    assert two_fields == [{"F0101_AN8": 4343, "F0101_DUNS": "314159265"}]
    basic = requests.get(url + "/v2/dataservice/table/F0006", auth=(USER, PASSWORD), timeout=5)
    assert len(page(basic, "F0006")[0]) == 3
    assert_service_error(query("F0101.AN8 ABOUT 3"), 500)
    view = requests.get(url + "/v2/dataservice/view/V4311A", headers=ais.headers, timeout=5)
    assert_service_error(view, 500, "V4311A")


# -- §10.12-§10.14 orchestrations --------------------------------------------------------------------


def test_orchestration_paths_handlers_and_unknown_names(ais, sim, url):
    calls = []

    def echo(sim_, inputs, session):
        calls.append((inputs, session.username))
        if inputs.get("fail"):
            raise OrchestrationError("told to fail")
        return {"Echo": inputs.get("value")}

    sim.register_orchestration("ORCH_Echo", echo)
    for version in ("v1", "v2", "v3"):
        answer = ais.orchestrate("ORCH_Echo", {"value": version}, version=version).json()
        assert answer["Echo"] == version and answer["jde__status"] == "SUCCESS"
        assert {
            "jde__simpleMessage",
            "jde__startTimestamp",
            "jde__endTimestamp",
            "jde__serverExecutionSeconds",
        } < set(answer)
    v1_get = requests.get(
        url + "/orchestrator/ORCH_Echo",
        params={"value": "q", "$token": ais.token},
        headers={"jde-AIS-Auth-Device": DEVICE},
        timeout=5,
    )
    assert v1_get.json()["Echo"] == "q"
    assert calls[-1] == ({"value": "q"}, USER)
    failed = ais.orchestrate("ORCH_Echo", {"fail": True})
    assert failed.status_code == 200 and failed.json()["jde__status"] == "ERROR"
    assert failed.json()["jde__simpleMessage"] == "told to fail"
    sim.register_orchestration("ORCH_Plain", echo, status_elements=False)
    assert ais.orchestrate("ORCH_Plain", {"value": 1}).json() == {"Echo": 1}
    sim.configure(orchestration_status_elements=False)
    assert ais.orchestrate("ORCH_Echo", {"value": 2}).json() == {"Echo": 2}
    assert_service_error(ais.orchestrate("ORCH_Missing", {}), 403, "ORCH_Missing")
    sim.configure(unknown_orchestration_status=404)
    assert_service_error(ais.orchestrate("ORCH_Missing", {}), 404)
    ais.token = "044bad"
    assert_service_error(ais.orchestrate("ORCH_Echo", {}), 444)


def test_orchestration_error_status_switch(ais, sim):
    assert ais.orchestrate("JAG_CreateVoucherBatch", voucher()).json()["jde__status"] == "SUCCESS"
    duplicate = ais.orchestrate("JAG_CreateVoucherBatch", voucher())
    assert duplicate.status_code == 200 and duplicate.json()["jde__status"] == "ERROR"
    assert "Duplicate voucher" in duplicate.json()["jde__simpleMessage"]
    sim.configure(orchestration_error_status=500)
    body = assert_service_error(ais.orchestrate("JAG_CreateVoucherBatch", voucher()), 500)
    assert "Duplicate voucher" in body["userDefinedErrorText"]


def test_voucher_orchestration_writes_the_batch_tables(ais, sim):
    answer = ais.orchestrate(
        "JAG_CreateVoucherBatch",
        voucher(gross=1250.0, lines=((1000.0, "M30.6120"), (250.0, "00000307")), PayItem=1),
    ).json()
    assert answer["RowsInserted"] == 3 and answer["VoucherBatch"] == "JAG2403150930"
    header = ais.rows("F0411Z1", columns=["EDUS", "EDBT", "EDTN", "EDLN", "EDSP", "AN8", "AG", "DIVJ", "DCT"])
    assert header == [
        {
            "F0411Z1_EDUS": USER,
            "F0411Z1_EDBT": "JAG2403150930",
            "F0411Z1_EDTN": "INV-1",
            "F0411Z1_EDLN": 1,
            "F0411Z1_EDSP": "0",
            "F0411Z1_AN8": 6105,
            "F0411Z1_AG": 1250.0,
            "F0411Z1_DIVJ": "03/15/2024",
            "F0411Z1_DCT": "PV",
        }
    ]
    lines = ais.rows("F0911Z1", columns=["EDTN", "EDLN", "EDSP", "ANI", "AA"])
    assert [(r["F0911Z1_EDLN"], r["F0911Z1_ANI"], r["F0911Z1_AA"], r["F0911Z1_EDSP"]) for r in lines] == [
        (1, "M30.6120", 1000.0, "0"),
        (2, "00000307", 250.0, "0"),
    ]
    # same transaction in the same batch on another pay item, or in another batch: accepted
    assert ais.orchestrate("JAG_CreateVoucherBatch", voucher(PayItem=2)).json()["jde__status"] == "SUCCESS"
    assert ais.orchestrate("JAG_CreateVoucherBatch", voucher(batch="JAG2")).json()["jde__status"] == "SUCCESS"
    duplicate = ais.orchestrate("JAG_CreateVoucherBatch", voucher(PayItem=2)).json()
    assert duplicate["jde__status"] == "ERROR" and "INV-1" in duplicate["jde__simpleMessage"]
    too_long = ais.orchestrate("JAG_CreateVoucherBatch", voucher(transaction="X" * 23)).json()
    assert too_long["jde__status"] == "ERROR" and "22" in too_long["jde__simpleMessage"]
    missing = ais.orchestrate("JAG_CreateVoucherBatch", {"BatchUser": USER}).json()
    assert missing["jde__status"] == "ERROR" and "batch_number" in missing["jde__simpleMessage"]
    assert len(sim.tables["F0411Z1"]) == 3


def test_r04110z_posts_or_records_errors(ais, sim, url):
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("OK-1"))
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("BAD-SUM", gross=100.0, lines=((90.0, "M30.6120"),)))
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("BAD-AN8", Supplier=2111))
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("BAD-ACCT", lines=((1250.0, "M30.9999"),)))
    root = url.replace("/jderest", "")
    result = requests.post(root + "/_sim/jde/r04110z", json={"batch": "JAG2403150930"}, timeout=5).json()
    assert result["processed"] == ["OK-1"]
    messages = {e["EDTN"]: e["message"] for e in result["errors"]}
    assert "does not equal the gross amount" in messages["BAD-SUM"]
    assert "not a supplier" in messages["BAD-AN8"]
    assert "M30.9999 does not exist" in messages["BAD-ACCT"]
    assert len(requests.get(root + "/_sim/jde/batch-errors", timeout=5).json()) == 3
    status = {r["F0411Z1_EDTN"]: r["F0411Z1_EDSP"] for r in ais.rows("F0411Z1", columns=["EDTN", "EDSP"])}
    assert status == {"OK-1": "1", "BAD-SUM": "0", "BAD-AN8": "0", "BAD-ACCT": "0"}
    posted = ais.rows(
        "F0411", ("F0411.VINV", "EQUAL", "S-OK-1"), columns=["DOC", "DCT", "SFX", "AN8", "AG", "AAP", "DIVJ"]
    )
    assert len(posted) == 1 and posted[0]["F0411_AG"] == 1250.0 and posted[0]["F0411_DIVJ"] == "03/15/2024"
    header = sim.rows("F0411Z1", EDTN="OK-1")[0]
    assert header["DOC"] == posted[0]["F0411_DOC"]
    assert all(line["EDSP"] == "1" and line["AID"] == "00000306" for line in sim.rows("F0911Z1", EDTN="OK-1"))
    # the same invoice again in a later batch: the processor refuses it (EDTN already in F0411)
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("OK-1", batch="JAG2"))
    again = sim.run_r04110z(batch="JAG2")
    assert again["processed"] == [] and "already exists in F0411" in again["errors"][0]["message"]
    # fixing the data and running again clears the recorded error
    sim.insert("F0401", {"AN8": 2111})
    sim.run_r04110z(batch="JAG2403150930")
    assert {e["EDTN"] for e in sim.batch_errors} == {"BAD-SUM", "BAD-ACCT", "OK-1"}


def test_auto_run_r04110z_switch(ais, sim):
    answer = ais.orchestrate("JAG_CreateVoucherBatch", voucher("A-1")).json()
    assert "ProcessedVouchers" not in answer and sim.rows("F0411Z1", EDTN="A-1")[0]["EDSP"] == "0"
    sim.configure(auto_run_r04110z=True)
    answer = ais.orchestrate("JAG_CreateVoucherBatch", voucher("A-2", batch="JAGB")).json()
    assert answer["ProcessedVouchers"] == 1 and answer["BatchErrors"] == []
    assert sim.rows("F0411Z1", EDTN="A-2")[0]["EDSP"] == "1"
    assert sim.rows("F0411Z1", EDTN="A-1")[0]["EDSP"] == "0"  # another batch: not processed
    bad = ais.orchestrate("JAG_CreateVoucherBatch", voucher("A-3", batch="JAGC", Supplier=1)).json()
    assert bad["ProcessedVouchers"] == 0 and "not a supplier" in bad["BatchErrors"][0]


def test_voucher_status_orchestration_tells_what_r04110z_recorded(ais, sim):
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("ST-1"))
    ais.orchestrate("JAG_CreateVoucherBatch", voucher("ST-2", Supplier=2111))
    status = {"BatchUser": "JAGINT", "TransactionNumber": "ST-2"}
    answer = ais.orchestrate("JAG_VoucherBatchStatus", status).json()
    assert (answer["Found"], answer["Processed"], answer["Errors"]) == (True, False, [])
    sim.run_r04110z()
    answer = ais.orchestrate("JAG_VoucherBatchStatus", status).json()
    assert answer["Processed"] is False and "not a supplier" in answer["Errors"][0]
    answer = ais.orchestrate("JAG_VoucherBatchStatus", {**status, "TransactionNumber": "ST-1"}).json()
    assert (answer["Processed"], answer["Errors"]) == (True, [])
    assert (
        ais.orchestrate("JAG_VoucherBatchStatus", {**status, "TransactionNumber": "NONE"}).json()["Found"]
        is False
    )
    sim.configure(orchestration_inputs={"voucher_status": {"errors": "Messages"}})
    assert "not a supplier" in ais.orchestrate("JAG_VoucherBatchStatus", status).json()["Messages"][0]


def test_corrupt_rows_are_hostile_answers_of_stored_rows(ais, sim, url):
    sim.corrupt("F4301", {"DOCO": 10231}, {"OTOT": "12,5x", "TRDJ": "31/02/2024"})
    rows = {r["F4301_DOCO"]: r for r in ais.rows("F4301", columns=["DOCO", "OTOT", "TRDJ"])}
    assert (rows[10231]["F4301_OTOT"], rows[10231]["F4301_TRDJ"]) == ("12,5x", "31/02/2024")
    assert rows[10230]["F4301_OTOT"] == 950.0, "other rows as stored"
    assert sim.rows("F4301", DOCO=10231)[0]["OTOT"] == 4650.0, "the stored row is unchanged"
    root = url.replace("/jderest", "")
    body = {"table": "F0101", "where": {"AN8": 4343}, "cells": "not a row"}
    assert requests.post(root + "/_sim/jde/corrupt", json=body, timeout=5).json()["corruptions"] == 2
    assert "not a row" in ais.rows("F0101", columns=["AN8"])
    sim.reset()
    assert not sim.corruptions


def test_supplier_add_orchestration(ais, sim):
    answer = ais.orchestrate(
        "JAG_AddSupplier", {"AlphaName": "Helix Reagents Ltd", "TaxId": "GB123456789", "Currency": "GBP"}
    ).json()
    assert answer["jde__status"] == "SUCCESS" and answer["AddressNumber"] == 7001
    assert ais.rows("F0101", ("F0101.AN8", "EQUAL", 7001), columns=["ALPH", "AT1", "TAX"]) == [
        {"F0101_ALPH": "Helix Reagents Ltd", "F0101_AT1": "V", "F0101_TAX": "GB123456789"}
    ]
    assert ais.rows("F0401", ("F0401.AN8", "EQUAL", 7001), columns=["CRRP"]) == [{"F0401_CRRP": "GBP"}]
    second = ais.orchestrate("JAG_AddSupplier", {"AlphaName": "Another Co"}).json()
    assert second["AddressNumber"] == 7002
    same_tax = ais.orchestrate("JAG_AddSupplier", {"AlphaName": "Helix (UK)", "TaxId": "GB123456789"}).json()
    assert same_tax["jde__status"] == "ERROR" and "7001" in same_tax["jde__simpleMessage"]
    same_name = ais.orchestrate("JAG_AddSupplier", {"AlphaName": "lab supply inc"}).json()
    assert same_name["jde__status"] == "ERROR" and "6105" in same_name["jde__simpleMessage"]
    assert len(sim.tables["F0401"]) == 8


def test_account_and_business_unit_add(ais, sim):
    bu = ais.orchestrate(
        "JAG_AddBusinessUnit", {"BusinessUnit": "M40", "Description": "Akron Paint Shop"}
    ).json()
    assert bu == {**bu, "BusinessUnit": "M40", "jde__status": "SUCCESS"}
    assert sim.rows("F0006", MCU="M40")[0]["MCU"] == "         M40"
    duplicate_bu = ais.orchestrate(
        "JAG_AddBusinessUnit", {"BusinessUnit": "M40", "Description": "Again"}
    ).json()
    assert duplicate_bu["jde__status"] == "ERROR"
    account = ais.orchestrate(
        "JAG_AddAccount", {"BusinessUnit": "M40", "Object": "6110", "Description": "Direct Materials"}
    ).json()
    assert account["AccountId"] == "00000901"
    row = ais.rows("F0901", ("F0901.AID", "EQUAL", "00000901"), columns=["MCU", "OBJ", "CO"])[0]
    assert row == {"F0901_MCU": "         M40", "F0901_OBJ": "6110", "F0901_CO": "00001"}
    again = ais.orchestrate(
        "JAG_AddAccount", {"BusinessUnit": "M40", "Object": "6110", "Description": "x"}
    ).json()
    assert again["jde__status"] == "ERROR" and "00000901" in again["jde__simpleMessage"]
    no_bu = ais.orchestrate(
        "JAG_AddAccount", {"BusinessUnit": "M99", "Object": "6110", "Description": "x"}
    ).json()
    assert no_bu["jde__status"] == "ERROR" and "M99" in no_bu["jde__simpleMessage"]


def test_orchestration_names_and_inputs_are_options(ais, sim, url):
    root = url.replace("/jderest", "")
    requests.post(
        root + "/_sim/config",
        json={
            "orchestration_names": {"voucher": "ACME_AP_Voucher"},
            "orchestration_inputs": {"voucher": {"transaction_number": "SourceDoc", "gross_amount": "Gross"}},
        },
        timeout=5,
    )
    inputs = voucher("R-1")
    inputs["SourceDoc"], inputs["Gross"] = inputs.pop("TransactionNumber"), inputs.pop("GrossAmount")
    assert_service_error(ais.orchestrate("JAG_CreateVoucherBatch", inputs), 403)
    assert ais.orchestrate("ACME_AP_Voucher", inputs).json()["jde__status"] == "SUCCESS"
    assert sim.rows("F0411Z1", EDTN="R-1")[0]["AG"] == 1250.0
    assert ais.orchestrate("JAG_AddSupplier", {"AlphaName": "Still here"}).json()["jde__status"] == "SUCCESS"


# -- §10.15 faults -------------------------------------------------------------------------------------


def test_server_errors_and_hangs(ais, sim):
    for status in (500, 502, 503):
        sim.fail_next(status, path="/jderest/v2/dataservice")
        assert_service_error(ais.count("F0101"), status)
        assert ais.count("F0101").status_code == 200
    sim.hang(1.5, path="/jderest/v2/dataservice")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(
            ais.url + "/v2/dataservice", json={"targetName": "F0101"}, headers=ais.headers, timeout=0.5
        )
    assert [f["kind"] for f in sim.faults.fired][-1] == "delay"


def test_lost_stickiness_is_a_444_for_a_valid_token(ais, sim, url):
    requests.post(url.replace("/jderest", "") + "/_sim/jde/stickiness/lose", json={"count": 2}, timeout=5)
    assert_service_error(ais.count("F0101"), 444, "Invalid Token")
    assert_service_error(ais.count("F0101"), 444)
    assert ais.count("F0101").status_code == 200  # back on its node: the session was never lost


# -- §10.16 control API -------------------------------------------------------------------------------


def test_control_api_over_http(ais, sim, url):
    root = url.replace("/jderest", "")
    added = requests.post(
        root + "/_sim/jde/rows/F0006", json=[{"MCU": "X1", "DL01": "One"}, {"MCU": "X2"}], timeout=5
    ).json()
    assert [row["MCU"] for row in added] == ["          X1", "          X2"]
    assert (
        requests.get(root + "/_sim/jde/rows/F0006", params={"MCU": "X1"}, timeout=5).json()[0]["DL01"]
        == "One"
    )
    assert requests.post(root + "/_sim/jde/rows/F0006", json={"NOPE": 1}, timeout=5).status_code == 400
    assert requests.get(root + "/_sim/jde/rows/F9999", timeout=5).status_code == 404
    missing = requests.patch(
        root + "/_sim/jde/rows/F0006", json={"where": {"MCU": "ZZ"}, "set": {}}, timeout=5
    )
    assert missing.status_code == 404
    before = sim.local_now()
    now = requests.post(root + "/_sim/clock", json={"advance": 86400}, timeout=5).json()["now"]
    assert now > before.isoformat()
    seeded = requests.post(
        root + "/_sim/seed", json={"users": {"OTHER": "pw"}, "tables": {"F0006": [{"MCU": "X3"}]}}, timeout=5
    ).json()
    assert seeded["counts"]["F0006"] == 6
    assert requests.post(url + "/v2/tokenrequest", json={"username": "OTHER", "password": "pw"}, timeout=5).ok
    ais.count("F0101")
    logged = [
        r
        for r in requests.get(root + "/_sim/requests", timeout=5).json()
        if r["path"] == "/jderest/v2/dataservice"
    ]
    assert logged[-1]["headers"]["jde-AIS-Auth-Device"] == DEVICE
    assert logged[-1]["headers"]["jde-AIS-Auth"] == ais.token
    login = [
        r for r in sim.requests_to("/jderest/v2/tokenrequest") if r.get("headers", {}).get("Authorization")
    ]
    assert login == []
    state = requests.get(root + "/_sim/state", timeout=5).json()
    assert state["logins"] == 2 and state["counts"]["F0101"] == 6
    assert requests.post(root + "/_sim/config", json={"no_such_option": 1}, timeout=5).status_code == 400
    requests.post(root + "/_sim/reset", timeout=5)
    assert sim.state()["counts"]["F0101"] == 0
    assert requests.post(root + "/_sim/jde/demo-seed", timeout=5).json()["counts"]["F4311"] == 11


# -- demo world ---------------------------------------------------------------------------------------


def test_demo_seed_is_a_coherent_world_shared_with_the_jaggaer_demo(sim):
    demo_seed(sim)
    demo_seed(sim)  # idempotent
    counts = sim.state()["counts"]
    assert (counts["F0101"], counts["F0401"], counts["F0006"], counts["F0901"]) == (6, 6, 3, 8)
    assert counts["F4301"] == 5 and 1 <= counts["F0411"] <= 5
    suppliers = {row["AN8"] for row in sim.tables["F0401"]}
    assert suppliers == {row["AN8"] for row in sim.tables["F0101"] if row["AT1"] == "V"}
    plants = {row["MCU"].strip() for row in sim.tables["F0006"]}
    accounts = {f"{r['MCU'].strip()}.{r['OBJ']}" for r in sim.tables["F0901"] if r["PEC"] != "N"}
    for header in sim.tables["F4301"]:
        lines = [line for line in sim.tables["F4311"] if line["DOCO"] == header["DOCO"]]
        assert 1 <= len(lines) <= 4 and header["AN8"] in suppliers and header["MCU"].strip() in plants
        assert round(sum(line["AEXP"] for line in lines), 2) == header["OTOT"]
        assert all(line["ANI"] in accounts and line["AN8"] == header["AN8"] for line in lines)
        assert all(line["AEXP"] == round(line["UORG"] * line["PRRC"], 2) for line in lines)
    assert all(voucher_["AN8"] in suppliers for voucher_ in sim.tables["F0411"])
    jaggaer_duns = {s["dAndBCode"]: s for s in JAGGAER_DEMO_SUPPLIERS if s["dAndBCode"]}
    shared = {
        row["AN8"]: jaggaer_duns[row["DUNS"]]["bravoId"]
        for row in sim.tables["F0101"]
        if row["DUNS"] in jaggaer_duns
    }
    assert shared == {6105: 3901, 4343: 3902}
    lab_supply = next(s for s in JAGGAER_DEMO_SUPPLIERS if s["bravoId"] == 3901)
    assert int(lab_supply["extCode"]) == 6105  # JAGGAER supplierNumber = AN8
    assert all(row["TAX"] for row in sim.tables["F0101"])
    assert sim.rows("F4301", DOCO=10233)[0]["CRCD"] == "EUR"
    assert sim.local_now().date() - from_julian(sim.rows("F4301", DOCO=10230)[0]["TRDJ"]) == timedelta(
        days=12
    )
