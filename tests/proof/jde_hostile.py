"""Hostile AIS answers and JAGGAER documents for the JD Edwards flows, and their judge.

The standard is the one of :mod:`tests.proof.hostile`: every hostile document ends failed or
waiting for review (or, for legitimate odd text, done with the text kept verbatim) with a clear
message on its own audit line; the good neighbours read in the same pages go through; nothing is
half-written (a supplier, order or voucher on the other side for a document that did not go),
lost (a document without an audit line) or recorded twice.

The JD Edwards side is the simulator's demo manufacturer with hostile rows added: values the
AIS Server stores but a connector must refuse (names of NUL, control or invisible characters,
negative quantities, orders without lines, unknown currencies and suppliers), and answers that
are not what the server stores (``JdeSimulator.corrupt``: cells that are not numbers or dates,
an infinite unit cost, something that is not a row at all). The JAGGAER side sends hostile
invoices toward JD Edwards payables. Two answers that are not data-service answers at all
(HTML, a JSON object without its table) stop a flow for one run: the next run reads everything.
"""

import json
from dataclasses import dataclass

from tests.simulators.jaggaer import splittable

FAILED, NEEDS_REVIEW, EITHER, DONE = "failed", "needs_review", "either", "done"
OUTCOMES = {
    FAILED: ("failed",),
    NEEDS_REVIEW: ("needs_review",),
    EITHER: ("failed", "needs_review"),
    DONE: ("done",),
}
UNCLEAR = ("Unexpected error", "Traceback")
MARKUP = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'

SUPPLIER = "supplier:jde>jaggaer"
ORDER = "purchase_order:jde>jaggaer"
GL = "gl_value:jde>jaggaer"
INVOICE = "invoice:jaggaer>jde"
RUNS = 2  # the first run meets two answers that are not data at all: the second catches up
DATA_SERVICE = "/jderest/v2/dataservice"


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    flow: str
    key: str  # the audit line's source key (a prefix for what is not a row)
    expect: str
    hint: str = ""  # a word the message must hold: the reason, not just any text
    markup: str = ""  # text that must reach the other side verbatim
    tables: dict | None = None  # rows to insert into JD Edwards {table: [rows]}
    corrupt: tuple = ()  # (table, where, cells) answers instead of the stored rows
    invoice: dict | None = None  # a JAGGAER invoice in wire shape

    @property
    def good(self):
        return self.expect == DONE and not self.markup


def _supplier(an8, name, **address):
    return {
        "F0101": [{"AN8": an8, "ALPH": name, "AT1": "V", **address}],
        "F0401": [{"AN8": an8, "CRRP": "USD"}],
    }


def _order(doco, lines=1, an8=6105, currency="USD", **line):
    keys = {"KCOO": "00200", "DOCO": doco, "DCTO": "OP", "SFXO": "000"}
    header = {**keys, "MCU": "M30", "AN8": an8, "TRDJ": "2025-03-03", "CRCD": currency, "OTOT": 50.0 * lines}
    rows = [
        {**keys, "LNID": 1000 * n, "MCU": "M30", "LITM": f"HOST-{n}", "DSC1": "Hostile test item", "UORG": 5,
         "UOM": "EA", "PRRC": 10.0, "AEXP": 50.0, "LTTR": "220", "NXTR": "280", "ANI": "M30.6120",
         "OBJ": "6120", **line}
        for n in range(1, lines + 1)
    ]  # fmt: skip
    return {"F4301": [header], "F4311": rows}


def _invoice(invoice_id, number, lines=None, supplier=None, total=None, **header):
    lines = lines or [{"quantity": 2, "unitPrice": 50.0, "description": "Hostile test item"}]
    invoice_lines = []
    for position, line in enumerate(lines, start=1):
        coding = line.pop("coding", {"Account": "6120", "CostCenter": "CC-CLE"})
        invoice_lines.append(
            {"lineNumber": position, "item": {"description": line.pop("description", "Item")},
             "splittableFieldSetGroupList": splittable(coding), **line}
        )  # fmt: skip
    computed = sum(float(line.get("quantity") or 0) * float(line.get("unitPrice") or 0) for line in lines)
    return {
        "header": {
            "invoiceId": invoice_id,
            "supplierInvoiceNumber": number,
            "invoiceType": "Invoice",
            "invoiceDate": "2025-03-11T00:00:00.000Z",
            "workflowStatus": "Completed",
            "paymentStatus": "Payable",
            "supplier": supplier or {"id": 3951, "supplierNumber": "SUP-0391", "name": "LAB SUPPLY INC"},
            "total": {"currency": "USD", "value": computed if total is None else total},
            **header,
        },
        "lineList": {"invoiceLine": invoice_lines},
    }


def corpus():
    """The hostile documents and their good neighbours."""
    return [
        # -- suppliers (F0401 + F0101) ---------------------------------------------------------
        Case("S-GOOD", "a plain supplier", SUPPLIER, "4600", DONE,
             tables=_supplier(4600, "Summit Tooling Inc")),
        Case("S-NUL", "a NUL character in the name", SUPPLIER, "4601", FAILED, "NUL",
             tables=_supplier(4601, "Nul\x00Supplies")),
        Case("S-LONG", "a 300-character name", SUPPLIER, "4602", FAILED, "name",
             tables=_supplier(4602, "A" * 300)),
        Case("S-INVISIBLE", "a name of invisible characters only", SUPPLIER, "4603", FAILED, "name",
             tables=_supplier(4603, "\u200b\u200e\u2060")),
        Case("S-MARKUP", "markup in the name", SUPPLIER, "4604", DONE, markup=MARKUP,
             tables=_supplier(4604, MARKUP)),
        Case("S-TAX", "a bidirectional override in the tax id", SUPPLIER, "4605", FAILED, "TAX",
             tables=_supplier(4605, "Override Trading", TAX="DE81\u202e1234")),
        Case("S-CONTROL", "a control character in the name", SUPPLIER, "4606", FAILED, "control",
             tables=_supplier(4606, "Bell\x07Supplies")),
        Case("S-AN8", "an address number that is not a number", SUPPLIER, "ABC", FAILED, "AN8",
             tables=_supplier(4607, "Letters Inc"), corrupt=(("F0401", {"AN8": 4607}, {"AN8": "ABC"}),)),
        Case("S-NOBOOK", "a supplier master record without its address book record", SUPPLIER, "4608", FAILED,
             "address book", tables={"F0401": [{"AN8": 4608}]}),
        # -- purchase orders (F4301 + F4311) ----------------------------------------------------
        Case("P-GOOD", "a plain order", ORDER, "00200-10250-OP-000", DONE, tables=_order(10250)),
        Case("P-TOTAL", "a total that is not a number", ORDER, "00200-10251-OP-000", FAILED, "OTOT",
             tables=_order(10251), corrupt=(("F4301", {"DOCO": 10251}, {"OTOT": "12,5x"}),)),
        Case("P-DATE", "an order date that does not exist", ORDER, "00200-10252-OP-000", FAILED, "TRDJ",
             tables=_order(10252), corrupt=(("F4301", {"DOCO": 10252}, {"TRDJ": "02/31/2025"}),)),
        Case("P-NEGATIVE", "a negative quantity", ORDER, "00200-10253-OP-000", FAILED, "negative",
             tables=_order(10253, UORG=-5)),
        Case("P-INFINITE", "an infinite unit cost", ORDER, "00200-10254-OP-000", FAILED, "number",
             tables=_order(10254), corrupt=(("F4311", {"DOCO": 10254}, {"PRRC": "1e999"}),)),
        Case("P-NOLINES", "an order without lines", ORDER, "00200-10255-OP-000", FAILED, "no lines",
             tables={"F4301": _order(10255)["F4301"]}),
        Case("P-CURRENCY", "a currency JAGGAER does not know", ORDER, "00200-10256-OP-000", FAILED,
             "currency",
             tables=_order(10256, currency="ZZZ")),
        Case("P-SUPPLIER", "a supplier JD Edwards does not have", ORDER, "00200-10257-OP-000", NEEDS_REVIEW,
             "not linked", tables=_order(10257, an8=9999)),
        Case("P-NODESCRIPTION", "a line without description nor item", ORDER, "00200-10258-OP-000", FAILED,
             "description", tables=_order(10258, DSC1="", LITM="")),
        Case("P-MARKUP", "markup in a line description", ORDER, "00200-10259-OP-000", DONE, markup=MARKUP,
             tables=_order(10259, DSC1=MARKUP)),
        Case("P-NOTAROW", "something that is not a row", ORDER, "unreadable:F4301", FAILED, "not a F4301 row",
             tables=_order(10260), corrupt=(("F4301", {"DOCO": 10260}, ["not", "a", "row"]),)),
        # -- GL values (F0006, F0901) -----------------------------------------------------------
        Case("G-CONTROL", "a control character in a business unit", GL, "business_unit:M9\x07", FAILED,
             "control",
             tables={"F0006": [{"MCU": "M9\x07", "DL01": "Bell unit", "CO": "00200"}]}),
        Case("G-LONG", "a 120-character object account", GL, f"account:{'9' * 120}", FAILED,
             "characters long",
             tables={"F0901": [{"AID": "00000777", "CO": "00200", "MCU": "M30", "OBJ": "9" * 120}]}),
        # -- invoices toward JD Edwards payables ------------------------------------------------
        Case("I-GOOD", "a plain invoice", INVOICE, "7100001", DONE, invoice=_invoice(7100001, "HOST-I-GOOD")),
        Case("I-TOTAL", "a total that is not the sum of its lines", INVOICE, "7100002", FAILED, "add up",
             invoice=_invoice(7100002, "HOST-I-TOTAL", total=999.0)),
        Case("I-NOACCOUNT", "a line without account", INVOICE, "7100003", FAILED, "no account",
             invoice=_invoice(7100003, "HOST-I-NOACCT", [{"quantity": 1, "unitPrice": 5.0,
                                                          "coding": {"CostCenter": "CC-CLE"}}])),
        Case("I-UNMAPPED", "an account JD Edwards has no counterpart for", INVOICE, "7100004", NEEDS_REVIEW,
             "counterpart", invoice=_invoice(7100004, "HOST-I-UNMAPPED", [{"quantity": 1, "unitPrice": 5.0,
                                                                          "coding": {"Account": "6400"}}])),
        Case("I-NAN", "a quantity that is not a number", INVOICE, "7100005", FAILED, "finite",
             invoice=_invoice(7100005, "HOST-I-NAN", [{"quantity": "NaN", "unitPrice": 5.0}], total=5.0)),
        Case("I-SUPPLIER", "a supplier JD Edwards does not have", INVOICE, "7100006", NEEDS_REVIEW,
             "not linked",
             invoice=_invoice(7100006, "HOST-I-GHOST",
                              supplier={"id": 3999, "supplierNumber": "X-1", "name": "Ghost"})),
        Case("I-DATE", "an invoice date that is no date", INVOICE, "7100007", FAILED, "invoiceDate",
             invoice=_invoice(7100007, "HOST-I-DATE", invoiceDate="someday")),
        Case("I-HUGE", "an amount no JD Edwards amount holds", INVOICE, "7100008", FAILED, "beyond",
             invoice=_invoice(7100008, "HOST-I-HUGE", [{"quantity": 1e6, "unitPrice": 1e9}])),
        Case("I-MARKUP", "markup in a line description", INVOICE, "7100009", DONE, markup=MARKUP[:30],
             invoice=_invoice(7100009, "HOST-I-MARKUP",
                              [{"quantity": 1, "unitPrice": 7.0, "description": MARKUP}])),
    ]  # fmt: skip


# answers that are not data-service answers at all: each stops one flow for one run
TRANSPORT_FAULTS = (
    {"kind": "status", "status": 200, "path": DATA_SERVICE, "body": "<html><body>Maintenance</body></html>"},
    {"kind": "status", "status": 200, "path": DATA_SERVICE, "body": json.dumps({"unexpected": True})},
)


def deliver(cases, jde_sim, jaggaer_sim):
    """Put the corpus into both simulators (on their demo worlds) and plan the transport faults."""
    tables = {}
    for case in cases:
        for table, rows in (case.tables or {}).items():
            tables.setdefault(table, []).extend(rows)
    jde_sim.seed({"tables": tables})
    for case in cases:
        for table, where, cells in case.corrupt:
            jde_sim.corrupt(table, where, cells)
    jaggaer_sim.seed({"invoices": [case.invoice for case in cases if case.invoice]})
    for fault in TRANSPORT_FAULTS:
        jde_sim.inject(**fault)


@dataclass
class Verdict:
    case: Case
    state: str = ""
    message: str = ""
    problems: tuple = ()

    @property
    def ok(self):
        return not self.problems


@dataclass
class Report:
    verdicts: list
    half_written: int
    lost: list

    @property
    def tried(self):
        return len([v for v in self.verdicts if not v.case.good])

    @property
    def handled(self):
        return len([v for v in self.verdicts if not v.case.good and v.ok])

    @property
    def good(self):
        return [v for v in self.verdicts if v.case.good]

    @property
    def good_done(self):
        return len([v for v in self.good if v.ok])

    def failures(self):
        return [
            f"{v.case.id} ({v.case.description}): {'; '.join(v.problems)}" for v in self.verdicts if not v.ok
        ]

    def summary(self):
        return {
            "tried": self.tried,
            "handled": self.handled,
            "good": len(self.good),
            "good_done": self.good_done,
            "half_written": self.half_written,
            "lost": self.lost,
            "outcomes": {v.case.id: [v.state, v.message[:200]] for v in self.verdicts},
            "failures": self.failures(),
        }


def _line(env, backend, case):
    Line = env["ml.connector.audit.line"]
    domain = [("backend_id", "=", backend.id), ("flow_id.code", "=", case.flow)]
    if case.key.startswith("unreadable:"):
        domain.append(("source_key", "=like", case.key + ":%"))
    else:
        domain.append(("source_key", "=", case.key))
    return Line.search(domain, order="id desc", limit=1)


def _reached(case, jde_sim, jaggaer_sim):
    """Whether the document is on the other side (for a document that did not go: half-written)."""
    if case.flow == SUPPLIER:
        return any(s.get("extCode") == case.key for s in jaggaer_sim.suppliers.values())
    if case.flow == ORDER:
        return jaggaer_sim.get_po(f"{case.key.split('-')[1]}-OP") is not None if "-" in case.key else False
    if case.flow == INVOICE:
        return bool(jde_sim.rows("F0411Z1", EDTN=case.key))
    return False


def _verbatim(case, jde_sim, jaggaer_sim):
    if case.flow == SUPPLIER:
        return any(s.get("companyName") == case.markup for s in jaggaer_sim.suppliers.values())
    if case.flow == ORDER:
        po = jaggaer_sim.get_po(f"{case.key.split('-')[1]}-OP") or {}
        return any(
            line["item"]["description"] == case.markup for line in po.get("lineList", {}).get("poLine", [])
        )
    if case.flow == INVOICE:
        return any(row["EXA"] == case.markup for row in jde_sim.rows("F0911Z1", EDTN=case.key))
    return False


def judge(env, backend, cases, jde_sim, jaggaer_sim):
    verdicts, half_written, lost = [], 0, []
    for case in cases:
        line = _line(env, backend, case)
        verdict = Verdict(case)
        problems = []
        if not line:
            lost.append(case.id)
            problems.append("no audit line")
        else:
            verdict.state, verdict.message = line.state, line.error_message or ""
            if line.state not in OUTCOMES[case.expect]:
                problems.append(f"ended {line.state}, expected {case.expect}")
            if case.expect != DONE:
                if not verdict.message or any(word in verdict.message for word in UNCLEAR):
                    problems.append(f"unclear message: {verdict.message[:120]!r}")
                if case.hint.lower() not in verdict.message.lower():
                    problems.append(f"the message does not say {case.hint!r}: {verdict.message[:160]!r}")
                if _reached(case, jde_sim, jaggaer_sim):
                    half_written += 1
                    problems.append("reached the other side although it did not go")
            elif case.markup and not _verbatim(case, jde_sim, jaggaer_sim):
                problems.append("the text did not reach the other side verbatim")
        verdict.problems = tuple(problems)
        verdicts.append(verdict)
    return Report(verdicts, half_written, lost)
