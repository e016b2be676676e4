"""The JD Edwards AIS client (``ml_connector_jde/tools/ais.py``) against the simulator over HTTP,
through the core ``HttpClient``: one login per client, 444 and expired result sets mid-paging,
token age, every date format, cell shape and amount scaling, orchestrations, logout."""

import logging
import time as time_module
from datetime import date, datetime, time, timedelta

import pytest

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConfigurationError,
    DocumentError,
    OutcomeUnknownError,
    PermanentError,
    RemoteBusinessError,
    TransientError,
)
from odoo.addons.ml_connector.tools.http import HttpClient, RetryPolicy
from odoo.addons.ml_connector_jde.tools.ais import (
    AisBasicAuth,
    AisClient,
    AisConfig,
    AisTokenAuth,
    Condition,
    Special,
    batch_number,
    format_date,
    from_julian,
    java_date_format,
    jde_stamp,
    parse_date,
    parse_number,
    parse_time,
    server_date,
    to_julian,
    transaction_number,
)

from tests.simulators.jde import JdeSimulator, demo_seed
from tests.simulators.server import SimulatorServer

USER, PASSWORD, DEVICE = "JAGINT", "Jde-Sim-Pass-42", "ml-connector-42"
F4311_KEYS = [(10230, 1000), (10230, 2000), (10231, 1000), (10232, 1000), (10232, 2000), (10232, 3000)]
F4311_KEYS += [(10233, 1000), (10234, 1000), (10234, 2000), (10234, 3000), (10234, 4000)]


class Clock:
    """The client's clock (token age), moved by the tests."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(JdeSimulator()) as running:
        yield running


@pytest.fixture
def sim(server):
    server.app.reset()
    demo_seed(server.app)
    return server.app


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def connect(server, sim, clock):
    """``connect(**settings)`` -> an AisClient with its own session, like one connection's run."""

    def make(password=PASSWORD, basic=False, **settings):
        config = AisConfig(device_name=DEVICE, environment="JDV920", role="*ALL", **settings)
        base = server.url + "/jderest"
        fast = RetryPolicy(max_attempts=3, backoff_base=0.0)
        if basic:
            auth = AisBasicAuth(config, USER, password)
        else:
            login = HttpClient(base, retry=fast, name="JD Edwards login", sleep=lambda _s: None)
            auth = AisTokenAuth(config, USER, password, http=login, clock=clock)
        http = HttpClient(base, auth=auth, retry=fast, timeout=5, name="JD Edwards", sleep=lambda _s: None)
        return AisClient(http, config)

    return make


def read_all(client, table="F4311", **kw):
    return [row for page in client.browse(table, **kw) for row in page.rows]


def keys(rows):
    return [(row["DOCO"], row["LNID"]) for row in rows]


def statuses(sim, path):
    return [r["status"] for r in sim.requests_to(path)]


def calls(sim, path, method="POST"):
    return [r for r in sim.requests_to(path, method) if r["path"] == path]


# -- session -------------------------------------------------------------------------------------


def test_one_login_per_client_with_device_environment_and_role(connect, sim):
    client = connect(page_size=3)
    assert keys(read_all(client, columns=["DOCO", "LNID"])) == F4311_KEYS
    assert client.count("F0101") == 6
    client.orchestrate("JAG_AddBusinessUnit", {"BusinessUnit": "M40", "Description": "Akron"})
    assert sim.state()["logins"] == 1
    (session,) = sim.sessions.values()
    assert (session.device, session.environment, session.role) == (DEVICE, "JDV920", "*ALL")
    calls = [
        r for r in sim.request_log if r["path"].startswith(("/jderest/v2/dataservice", "/jderest/v2/orch"))
    ]
    assert len(calls) == 6  # 4 pages, a count, an orchestration
    assert {(r["headers"]["jde-AIS-Auth"], r["headers"]["jde-AIS-Auth-Device"]) for r in calls} == {
        (session.token, DEVICE)
    }


def test_refused_login_is_a_clear_auth_error(connect, sim, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError, match="refused the login of JAGINT .*HTTP 403.*Check the user name") as err:
        connect(password="wrong-password-77").count("F0101")
    assert err.value.status == 403
    assert "wrong-password-77" not in caplog.text + str(err.value)
    assert sim.state()["logins"] == 0
    with pytest.raises(ConfigurationError, match="user name and password"):
        connect(password="").count("F0101")


def test_v3_login_with_basic_and_v3_orchestrations(connect, sim):
    client = connect(api_version="v3")
    assert client.count("F0006") == 3
    assert client.orchestrate("JAG_AddBusinessUnit", {"BusinessUnit": "M41", "Description": "x"})[
        "BusinessUnit"
    ]
    assert [r["headers"]["Authorization"] for r in sim.requests_to("/jderest/v3/orchestrator/jde-login")] == [
        "basic"
    ]
    assert sim.requests_to("/jderest/v3/orchestrator/JAG_AddBusinessUnit", "POST")
    with pytest.raises(AuthError, match="HTTP 403"):
        connect(api_version="v3", password="nope").count("F0006")


def test_444_mid_paging_logs_in_once_and_the_read_goes_on(connect, sim):
    client = connect(page_size=4)
    pages = client.browse("F4311", columns=["DOCO", "LNID"])
    rows = list(next(pages).rows)
    sim.expire_tokens()  # e.g. the session timed out between two pages
    rows += [row for page in pages for row in page.rows]
    assert keys(rows) == F4311_KEYS
    assert sim.state()["logins"] == 2
    # the old result set belonged to the old session: the new one reads on past the last row
    assert 444 in statuses(sim, "/jderest/v2/dataservice/next") and 500 in statuses(
        sim, "/jderest/v2/dataservice/next"
    )


def test_444_mid_paging_with_result_sets_that_survive_a_new_session(connect, sim):
    sim.configure(result_set_bound_to_session=False)
    client = connect(page_size=4)
    pages = client.browse("F4311", columns=["DOCO", "LNID"])
    rows = list(next(pages).rows)
    sim.lose_stickiness(path="/jderest/v2/dataservice/next")
    rows += [row for page in pages for row in page.rows]
    assert keys(rows) == F4311_KEYS and sim.state()["logins"] == 2
    assert statuses(sim, "/jderest/v2/dataservice/next") == [444, 200, 200]
    assert len(calls(sim, "/jderest/v2/dataservice")) == 1  # no re-query


def test_second_444_is_an_auth_error(connect, sim):
    client = connect()
    sim.lose_stickiness(count=2)
    with pytest.raises(AuthError, match="again right after a new login") as err:
        client.count("F0101")
    assert err.value.status == 444 and sim.state()["logins"] == 2


def test_token_is_renewed_once_it_is_as_old_as_configured(connect, sim, clock):
    client = connect(token_max_age_s=1500)
    client.count("F0101")
    clock.now += 1499
    client.count("F0101")
    assert sim.state()["logins"] == 1
    clock.now += 2
    client.count("F0101")
    assert sim.state()["logins"] == 2
    assert 444 not in statuses(sim, "/jderest/v2/dataservice")  # renewed before use, not after a refusal


def test_logout_and_validate(connect, sim):
    client = connect()
    assert client.logout() is False  # no session yet
    client.count("F0101")
    assert client.auth.validate(touch=True) is True
    assert client.logout() is True
    assert sim.state()["logouts"] == 1 and client.auth.session_info() == {}
    assert client.auth.validate() is False
    client.count("F0101")
    assert sim.state()["logins"] == 2
    sim.expire_tokens()
    assert client.logout() is False  # the server had dropped it: nothing to close, no error
    assert client.auth.store.get(client.auth.key) is None


def test_stateless_calls_with_basic_credentials(connect, sim):
    client = connect(basic=True, page_size=5)
    assert keys(read_all(client)) == F4311_KEYS and client.count("F0401") == 6
    assert sim.state()["logins"] == 0 and client.logout() is False
    with pytest.raises(AuthError, match="refused the user name or password"):
        connect(basic=True, password="nope").count("F0101")


def test_secrets_never_logged(connect, sim, caplog):
    caplog.set_level(logging.DEBUG)
    client = connect(page_size=4)
    read_all(client)
    sim.expire_tokens()
    client.count("F0101")
    client.orchestrate("JAG_AddBusinessUnit", {"BusinessUnit": "M42", "Description": "x"})
    client.logout()
    tokens = [session.token for session in sim.sessions.values()]
    assert len(tokens) == 2 and "/jderest/v2/tokenrequest" in caplog.text
    for secret in (PASSWORD, *tokens):
        assert secret not in caplog.text


# -- paging ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "switches",
    [{}, {"next_link_style": "context"}, {"next_link_absolute": False}],
    ids=["query-link", "context-link", "relative-link"],
)
def test_every_next_link_shape_is_followed(connect, sim, switches):
    sim.configure(**switches)
    pages = list(connect(page_size=3).browse("F4311", columns=["DOCO", "LNID"]))
    assert [len(p.rows) for p in pages] == [3, 3, 3, 2] and [p.more for p in pages] == [
        True,
        True,
        True,
        False,
    ]
    assert keys([r for p in pages for r in p.rows]) == F4311_KEYS
    assert len(calls(sim, "/jderest/v2/dataservice")) == 1
    assert len(sim.requests_to("/jderest/v2/dataservice/next")) == 3


def test_link_to_another_host_keeps_our_server(connect):
    client = connect()
    url = client._same_server("https://internal-ais:9300/jderest/v2/dataservice/next?rid=1")
    assert url == client.http.base_url.rpartition("/jderest")[0] + "/jderest/v2/dataservice/next?rid=1"


@pytest.mark.parametrize("paging_mode", ["next_link", "keyset"])
def test_result_set_expired_mid_paging_is_read_again_without_loss_or_duplicate(connect, sim, paging_mode):
    client = connect(page_size=4, paging_mode=paging_mode)
    pages = client.browse("F4311", columns=["DOCO", "LNID", "DSC1"])
    rows = list(next(pages).rows)
    sim.clock.advance(301)  # the result set's idle timeout (5 min); the token lives 30 min
    rows += [row for page in pages for row in page.rows]
    assert keys(rows) == F4311_KEYS
    if paging_mode == "next_link":
        assert statuses(sim, "/jderest/v2/dataservice/next") == [500]
    else:
        assert sim.requests_to("/jderest/v2/dataservice/next") == []
    assert sim.state()["logins"] == 1


def test_rows_inserted_while_paging_and_a_dropped_result_set(connect, sim):
    client = connect(page_size=4)
    pages = client.browse("F4311", columns=["DOCO", "LNID"], order_by=[("DOCO", "DESC")])
    rows = list(next(pages).rows)
    sim.insert("F4311", {"KCOO": "00200", "DOCO": 10229, "DCTO": "OP", "SFXO": "000", "LNID": 1000})
    sim.expire_result_sets()
    rows += [row for page in pages for row in page.rows]
    expected = sorted([*F4311_KEYS, (10229, 1000)], key=lambda k: (-k[0], k[1]))
    assert keys(rows) == expected


def test_match_any_conditions_are_read_again_from_the_start(connect, sim):
    client = connect(page_size=2)
    conditions = [("DOCO", "EQUAL", 10232), ("DOCO", "EQUAL", 10234)]
    pages = client.browse("F4311", columns=["DOCO", "LNID"], conditions=conditions, match="MATCH_ANY")
    rows = list(next(pages).rows)
    sim.expire_result_sets()
    rows += [row for page in pages for row in page.rows]
    assert keys(rows) == [k for k in F4311_KEYS if k[0] in (10232, 10234)]
    with pytest.raises(ConfigurationError, match="MATCH_ALL"):
        list(connect(paging_mode="keyset").browse("F4311", conditions=conditions, match="MATCH_ANY"))


@pytest.mark.parametrize("match", ["MATCH_ALL", "MATCH_ANY"])
def test_server_without_next_pages(connect, sim, match):
    sim.configure(next_page_processing=False)
    conditions = (
        [("DCTO", "EQUAL", "OP")] if match == "MATCH_ALL" else [("DCTO", "EQUAL", "OP"), ("LNID", "EQUAL", 1)]
    )
    rows = read_all(connect(page_size=3), columns=["DOCO", "LNID"], conditions=conditions, match=match)
    assert keys(rows) == F4311_KEYS


def test_too_many_dropped_result_sets_stop_the_read(connect, sim):
    client = connect(page_size=1, max_requeries=2, paging_mode="next_link")
    conditions = [("DOCO", "EQUAL", 10232), ("DOCO", "EQUAL", 10234)]
    pages = client.browse("F4311", conditions=conditions, match="MATCH_ANY")
    with pytest.raises(TransientError, match="dropped the result set of F4311 3 times"):
        for _page in pages:
            sim.expire_result_sets()


def test_keyset_pages_walk_composite_keys(connect, sim):
    for line in range(1, 8):
        sim.insert(
            "F4311", {"KCOO": "00200", "DOCO": 10240, "DCTO": "OP", "SFXO": "000", "LNID": line * 1000}
        )
    client = connect(page_size=3, paging_mode="keyset")
    pages = list(client.browse("F4311", columns=["DOCO", "LNID"]))
    assert keys([r for p in pages for r in p.rows]) == F4311_KEYS + [(10240, n * 1000) for n in range(1, 8)]
    assert all(len(p.rows) <= 3 for p in pages)
    assert sim.requests_to("/jderest/v2/dataservice/next") == []


# -- changes since a moment ---------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "America/Chicago"])
def test_browse_changed_same_day_updates(connect, sim, zone):
    sim.reset()
    sim.configure(time_zone=zone)  # before the rows are stamped: they hold the server's local time
    demo_seed(sim)
    client = connect(server_time_zone=zone)
    sim.clock.advance(3600)
    mark = sim.clock.now().replace(microsecond=0, tzinfo=None)
    assert [r for p in client.browse_changed("F0101", since=mark) for r in p.rows] == []
    sim.clock.advance(60)
    sim.update("F0101", {"AN8": 4350}, {"ALPH": "ACME Lab Equipment, Inc."})
    sim.update("F0101", {"AN8": 4410}, {"ALPH": "Midwest Steel"})  # the same second
    changed = [r for p in client.browse_changed("F0101", since=mark, columns=["AN8", "ALPH"]) for r in p.rows]
    assert [r["AN8"] for r in changed] == [4350, 4410]
    stamp = client.row_stamp("F0101", changed[0])
    assert stamp == sim.clock.now().replace(microsecond=0, tzinfo=None)
    assert client.row_stamp("F0101", changed[1]) == stamp  # same second: a poll uses >=, never >
    again = [r["AN8"] for p in client.browse_changed("F0101", since=stamp) for r in p.rows]
    assert again == [4350, 4410]
    po = [r for p in client.browse_changed("F4301", since=mark) for r in p.rows]
    assert po == []  # F4301's time column is TDAY
    sim.update("F4301", {"DOCO": 10231}, {"HOLD": "H1"})
    po = [r for p in client.browse_changed("F4301", since=stamp, columns=["DOCO"]) for r in p.rows]
    assert [r["DOCO"] for r in po] == [10231] and isinstance(po[0]["TDAY"], time)


def test_browse_changed_asks_the_server_for_the_change_only(connect, sim):
    """The rows of the day before the moment are not sent again: the time column is a condition
    on the moment's day, and the days after are asked for once the server's clock passed it."""
    client = connect()
    sim.clock.advance(600)
    since = sim.clock.now().replace(microsecond=0, tzinfo=None)
    sim.update("F4311", {"DOCO": 10232, "LNID": 2000}, {"UORG": 250})
    sim.request_log.clear()
    pages = list(client.browse_changed("F4311", since=since, columns=["DOCO", "LNID"]))
    assert keys([r for p in pages for r in p.rows]) == [(10232, 2000)]
    (read,) = sim.requests_to("/jderest/v2/dataservice")
    assert read["status"] == 200, "one read: the moment's day is still today on the server"
    # the next day: the rest of the moment's day, then the days after
    sim.clock.advance(86400)
    sim.update("F4311", {"DOCO": 10234, "LNID": 1000}, {"UORG": 7})
    sim.request_log.clear()
    rows = [r for p in client.browse_changed("F4311", since=since, columns=["DOCO", "LNID"]) for r in p.rows]
    assert keys(rows) == [(10232, 2000), (10234, 1000)]
    reads = [r for r in sim.requests_to("/jderest/v2/dataservice") if r["status"] == 200]
    assert len(reads) == 2, "the session aged out meanwhile (a 444), then two reads"


# -- dates, cells, amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize("served", ["user_format", "julian", "yyyyMMdd"])
@pytest.mark.parametrize("shape", ["scalar", "value_object"])
def test_dates_read_whatever_the_output_format_and_cell_shape(connect, sim, served, shape):
    sim.configure(date_output_format=served, cell_shape=shape, simple_date_format="dd.MM.yyyy")
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 1, "DCTO": "OP", "SFXO": "000", "TRDJ": "2024-03-15"})
    for fmt in ("auto", served):
        client = connect(date_output_format=fmt)
        (row,) = read_all(
            client, "F4301", columns=["DOCO", "TRDJ", "DRQJ", "OTOT"], conditions=[("DOCO", "EQUAL", 1)]
        )
        assert row["TRDJ"] == date(2024, 3, 15) and row["DRQJ"] is None and row["DOCO"] == 1


def test_a_date_in_another_format_than_configured_is_a_clear_error(connect, sim):
    sim.configure(date_output_format="yyyyMMdd")
    client = connect(date_output_format="julian")
    with pytest.raises(DocumentError, match="TRDJ.*date output format"):
        read_all(client, "F4301", columns=["TRDJ"])


@pytest.mark.parametrize("literal", ["user_format", "julian", "yyyyMMdd"])
def test_date_literals_in_conditions(connect, sim, literal):
    sim.configure(simple_date_format="dd.MM.yyyy")
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 1, "DCTO": "OP", "SFXO": "000", "TRDJ": "2024-03-15"})
    sim.insert("F4301", {"KCOO": "00200", "DOCO": 2, "DCTO": "OP", "SFXO": "000", "TRDJ": "2024-03-16"})
    client = connect(date_literal_format=literal)
    rows = read_all(
        client, "F4301", columns=["DOCO"], conditions=[Condition("TRDJ", "EQUAL", (date(2024, 3, 15),))]
    )
    assert [r["DOCO"] for r in rows] == [1]
    between = read_all(
        client,
        "F4301",
        columns=["DOCO"],
        conditions=[("TRDJ", "BETWEEN", [date(2024, 3, 14), date(2024, 3, 16)])],
    )
    assert [r["DOCO"] for r in between] == [1, 2]
    expected = {"user_format": "15.03.2024", "julian": "124075", "yyyyMMdd": "20240315"}[literal]
    assert client.date_literal(date(2024, 3, 15)) == expected  # the user's format comes from the login
    relative = read_all(
        client,
        "F4301",
        columns=["DOCO"],
        conditions=[("UPMJ", "GREATER_EQUAL", Special("TODAY_MINUS_DAY", 1))],
    )
    assert len(relative) == 7


@pytest.mark.parametrize("shape", ["scalar", "value_object"])
def test_cell_shapes_parse_to_the_same_rows(connect, sim, shape):
    baseline = read_all(connect(), "F4311")
    sim.configure(cell_shape=shape)
    assert read_all(connect(), "F4311") == baseline
    line = next(r for r in baseline if r["LITM"] == "BRG-6306-ZZ")
    assert line["MCU"] == "M10" and line["PRRC"] == 6.85 and line["AEXP"] == 1370.0 and line["DOCO"] == 10232


@pytest.mark.parametrize("scaling", [("display", "display"), ("raw", "raw_implied")])
def test_amount_scaling(connect, sim, scaling):
    served, configured = scaling
    sim.configure(amount_scaling=served)
    client = connect(amount_scaling=configured)
    (line,) = read_all(
        client, columns=["PRRC", "AEXP", "UORG", "LITM"], conditions=[("AEXP", "EQUAL", 1370.0)]
    )
    assert (line["LITM"], line["PRRC"], line["AEXP"], line["UORG"]) == ("BRG-6306-ZZ", 6.85, 1370.0, 200.0)
    if served == "raw":
        wrong = read_all(
            connect(amount_scaling="display"), columns=["PRRC"], conditions=[("LITM", "EQUAL", "BRG-6306-ZZ")]
        )
        assert wrong[0]["PRRC"] == 68500  # what a wrong setting would read


def test_decimal_comma_in_value_cells(connect, sim):
    sim.configure(cell_shape="value_object", decimal_format=",")
    row = read_all(connect(), columns=["AEXP"], conditions=[("LITM", "EQUAL", "SVC-CAL-01")])[0]
    assert row["AEXP"] == 1800.0


@pytest.mark.parametrize("shape", ["totalCount", "count"])
def test_count_shapes(connect, sim, shape):
    sim.configure(count_shape=shape)
    client = connect()
    assert client.count("F4311") == 11
    assert client.count("po_detail", [("DOCO", "EQUAL", 10234)]) == 4


def test_read_errors_are_typed(connect, sim):
    client = connect()
    with pytest.raises(TransientError, match="F9999") as err:
        client.count("F9999")
    assert err.value.status == 500
    sim.configure(unknown_target_status=400)
    with pytest.raises(PermanentError, match="NOPE"):
        read_all(client, "F0101", columns=["NOPE"])
    sim.fail_next(403, path="/jderest/v2/dataservice", message="No access to F0101")
    with pytest.raises(
        ConfigurationError, match="does not let this user reach the count of F0101.*No access"
    ):
        client.count("F0101")
    sim.fail_next(503, count=2, path="/jderest/v2/dataservice")
    assert client.count("F0101") == 6  # retried by the HTTP client


# -- orchestrations --------------------------------------------------------------------------------


def voucher(transaction="INV-880231", **extra):
    return {
        "batch_user": USER,
        "batch_number": batch_number("JAG", datetime(2024, 3, 15, 9, 30)),
        "transaction_number": transaction_number(transaction),
        "supplier": 6105,
        "supplier_invoice": "A-77810",
        "invoice_date": date(2024, 3, 15),
        "gross_amount": 1250.0,
        "currency": "USD",
        "company": "00200",
        "distributions": [
            {"line": 1, "account": "M30.6120", "amount": 1000.0, "explanation": "PO 10230 OP"},
            {"line": 2, "account": "M30.6310", "amount": 250.0, "explanation": "Freight"},
        ],
        **extra,
    }


def wire(client, values):
    values = dict(values)
    values["invoice_date"] = client.date_literal(values["invoice_date"])
    return values


def test_voucher_orchestration_success_duplicate_and_processing(connect, sim):
    client = connect()
    outputs = client.orchestrate_mapped("voucher", wire(client, voucher()))
    assert outputs["jde__status"] == "SUCCESS" and outputs["RowsInserted"] == 3
    assert outputs["VoucherBatch"] == "JAG2403150930"
    with pytest.raises(RemoteBusinessError, match="Duplicate voucher") as err:
        client.orchestrate_mapped("voucher", wire(client, voucher()))
    assert err.value.code == "ERROR"
    sim.run_r04110z()
    (batch_row,) = read_all(client, "voucher_batch", conditions=[("EDTN", "EQUAL", "INV-880231")])
    assert batch_row["EDSP"] == "1" and batch_row["AG"] == 1250.0
    (ledger,) = read_all(
        client, "payables", conditions=[("VINV", "EQUAL", "A-77810"), ("AN8", "EQUAL", 6105)]
    )
    assert ledger["DOC"] == batch_row["DOC"] and ledger["DIVJ"] == date(2024, 3, 15)


def test_orchestration_business_error_as_http_500(connect, sim):
    sim.configure(orchestration_error_status=500)
    client = connect()
    client.orchestrate_mapped("voucher", wire(client, voucher()))
    with pytest.raises(RemoteBusinessError, match="Duplicate voucher"):
        client.orchestrate_mapped("voucher", wire(client, voucher()))
    sim.fail_next(500, path="/jderest/v2/orchestrator/")
    with pytest.raises(OutcomeUnknownError, match="may have run"):
        client.orchestrate_mapped("voucher", wire(client, voucher("INV-2")))


def test_orchestration_names_and_input_names_come_from_the_config(connect, sim):
    sim.configure(
        orchestration_names={"voucher": "ACME_AP_Voucher"},
        orchestration_inputs={"voucher": {"transaction_number": "SourceDoc", "amount": "Value"}},
    )
    client = connect(
        orchestrations={"voucher": "ACME_AP_Voucher"},
        orchestration_inputs={"voucher": {"transaction_number": "SourceDoc", "amount": "Value"}},
    )
    assert client.orchestrate_mapped("voucher", wire(client, voucher()))["jde__status"] == "SUCCESS"
    assert [line["AA"] for line in sim.rows("F0911Z1", EDTN="INV-880231")] == [1000.0, 250.0]
    default = connect()
    with pytest.raises(ConfigurationError, match="orchestration JAG_CreateVoucherBatch.*HTTP 403"):
        default.orchestrate_mapped("voucher", wire(default, voucher()))
    sim.configure(unknown_orchestration_status=404)
    with pytest.raises(ConfigurationError, match="HTTP 404"):
        default.orchestrate("JAG_Nothing", {})


def test_orchestration_without_status_elements_and_supplier_add(connect, sim):
    sim.configure(orchestration_status_elements=False)
    client = connect()
    outputs = client.orchestrate_mapped(
        "supplier_add", {"name": "Helix Reagents Ltd", "tax_id": "GB123456789"}
    )
    assert outputs == {"AddressNumber": 7001}
    sim.configure(orchestration_status_elements=True)
    with pytest.raises(RemoteBusinessError, match="Duplicate supplier: address number 7001"):
        client.orchestrate_mapped("supplier_add", {"name": "Helix UK", "tax_id": "GB123456789"})


def test_orchestration_timeout_is_outcome_unknown(connect, sim):
    client = connect(orchestration_timeout=0.3)
    client.count("F0101")
    sim.hang(1.0, path="/jderest/v2/orchestrator/")
    with pytest.raises(OutcomeUnknownError):
        client.orchestrate_mapped("business_unit_add", {"business_unit": "M50", "description": "Late"})
    sim.fail_next(502, path="/jderest/v2/orchestrator/")
    with pytest.raises(OutcomeUnknownError, match="502"):
        client.orchestrate_mapped("business_unit_add", {"business_unit": "M51", "description": "Lost"})
    deadline = time_module.monotonic() + 5
    while (
        len(sim.requests_to("/jderest/v2/orchestrator/", "POST")) < 2 and time_module.monotonic() < deadline
    ):
        time_module.sleep(0.05)  # the hanging call is logged once the simulator answers it
    assert len(sim.requests_to("/jderest/v2/orchestrator/", "POST")) == 2  # never resent blindly
    assert sim.rows("F0006", MCU="M50")  # it ran all the same: hence "outcome unknown"


# -- helpers ---------------------------------------------------------------------------------------


def test_date_time_and_number_helpers():
    assert to_julian(date(2024, 3, 15)) == 124075 and to_julian(date(2025, 1, 1)) == 125001
    assert (
        from_julian(124075) == date(2024, 3, 15)
        and from_julian(0) is None
        and from_julian(99365) == date(1999, 12, 31)
    )
    with pytest.raises(ValueError):
        from_julian(124400)
    assert java_date_format("MM/dd/yyyy") == "%m/%d/%Y" and java_date_format("dd.MM.yy") == "%d.%m.%y"
    assert format_date(date(2024, 3, 5), "user_format", "dd/MM/yyyy") == "05/03/2024"
    for text in (124075, "124075", "20240315", "2024-03-15", "03/15/2024"):
        assert parse_date(text) == date(2024, 3, 15), text
    assert parse_date("15.03.2024", "auto", "dd.MM.yyyy") == date(2024, 3, 15)
    for blank in (None, "", 0, "0"):
        assert parse_date(blank) is None
    with pytest.raises(ValueError):
        parse_date("03/15/2024", "yyyyMMdd")
    assert parse_time(101522) == time(10, 15, 22) and parse_time("000501") == time(0, 5, 1)
    assert parse_time("10:15:22") == time(10, 15, 22) and parse_time(None) is None
    chicago = AisConfig(server_time_zone="America/Chicago").zone()
    assert jde_stamp(date(2024, 3, 15), time(10, 15, 22), chicago) == datetime(2024, 3, 15, 15, 15, 22)
    assert server_date(datetime(2024, 3, 16, 3, 0), chicago) == date(2024, 3, 15)
    assert parse_number("1,250.00") == 1250.0 and parse_number("1.250,00", ",") == 1250.0
    with pytest.raises(ConfigurationError, match="Mars/Olympus"):
        AisConfig(server_time_zone="Mars/Olympus").zone()


def test_voucher_keys_and_input_mapping():
    assert batch_number("JAG", datetime(2024, 3, 15, 9, 30)) == "JAG2403150930"
    assert len(batch_number("LONGPREFIX", datetime(2024, 3, 15, 9, 30))) == 15
    long_id = "INV-2024-000000000000000012345"
    assert transaction_number("INV-880231") == "INV-880231"
    assert len(transaction_number(long_id)) == 22 and transaction_number(long_id) == transaction_number(
        long_id
    )
    assert transaction_number(long_id) != transaction_number(long_id + "6")
    config = AisConfig(orchestration_inputs={"voucher": {"amount": "Value"}})
    mapped = config.wire_inputs(
        "voucher", {"gross_amount": 5, "distributions": [{"amount": 5}], "extra": None}
    )
    assert mapped == {"GrossAmount": 5, "Distributions": [{"Value": 5}]}
    assert config.orchestration_name("voucher") == "JAG_CreateVoucherBatch"
    assert config.table("po_header") == "F4301" and config.time_column("F4311") == "TDAY"
    assert config.time_column("F0101") == "UPMT" and config.path("token") == "/v2/tokenrequest"
    assert AisConfig(api_version="v3").login_style() == "get_basic"
    assert timedelta(seconds=AisConfig().token_max_age_s) == timedelta(minutes=25)
