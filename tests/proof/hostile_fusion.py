"""Hostile answers of an Oracle Fusion pod: the part of the proof's hostile corpus that Fusion sends.

The same standard as :mod:`tests.proof.hostile`: every hostile row read from Fusion ends failed or
waiting on its own audit line with a clear message (or, for legitimate odd text, done with the
text kept verbatim); the good neighbours read in the same pages go through; nothing reaches
JAGGAER half-written. Rows are seeded into the pod and then given what a pod could answer that
no seed check would let in (null amounts, unknown references, control characters, huge texts).

    cases = deliver(fusion_sim)      # seed and spoil the rows, give each case its Fusion key
    ... run the Fusion connection's flows to JAGGAER twice ...
    report = judge(env, fusion, jaggaer_sim, cases)
"""

from dataclasses import dataclass, field

FAILED, NEEDS_REVIEW, DONE = "failed", "needs_review", "done"
FLOWS = {
    "supplier": "supplier:fusion>jaggaer",
    "purchase_order": "purchase_order:fusion>jaggaer",
    "invoice": "invoice:fusion>jaggaer",
}
UNCLEAR = ("Unexpected error", "Traceback")
MARKUP = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
COMBINATION = "01-200-6100-0000-000"
GOOD_SUPPLIER = "Good Neighbour Supplies"


@dataclass
class Case:
    id: str
    kind: str  # supplier | purchase_order | invoice
    expect: str
    description: str
    key: str = ""  # the row's key in Fusion, once seeded
    number: str = ""  # what it would be called in JAGGAER (name or number)
    verbatim: str = ""  # for odd but legitimate text: what JAGGAER must hold, unchanged

    @property
    def good(self):
        return self.id.startswith("good")


@dataclass
class Report:
    verdicts: list = field(default_factory=list)

    def of(self, good):
        return [v for v in self.verdicts if v["good"] == good]

    def summary(self):
        hostile, good = self.of(False), self.of(True)
        return {
            "tried": len(hostile),
            "handled": sum(v["ok"] for v in hostile),
            "good": len(good),
            "good_done": sum(v["ok"] for v in good),
            "half_written": sum(v["half_written"] for v in self.verdicts),
            "lost": sum(v["lost"] for v in self.verdicts),
            "failures": [f"{v['id']}: {v['why']}" for v in self.verdicts if not v["ok"]],
        }


def _supplier(name, **extra):
    address = {"AddressName": "MAIN", "AddressLine1": "1 Main St", "City": "Raleigh", "Country": "US"}
    return {
        "Supplier": name,
        "addresses": [address],
        "sites": [{"SupplierSite": "MAIN", "AddressName": "MAIN"}],
        **extra,
    }


def _order(number, supplier, lines=1):
    schedule = {"Quantity": 2, "distributions": [{"POChargeAccount": COMBINATION}]}
    return {
        "OrderNumber": number,
        "Supplier": supplier,
        "lines": [
            {
                "Description": f"Item {n}",
                "Quantity": 2,
                "Price": "7.50",
                "UOM": "Each",
                "schedules": [schedule],
            }
            for n in range(1, lines + 1)
        ],
    }


def _invoice(number, supplier):
    line = {
        "LineNumber": 1,
        "LineAmount": "40.00",
        "Description": "Service",
        "DistributionCombination": COMBINATION,
    }
    return {
        "InvoiceNumber": number,
        "Supplier": supplier,
        "SupplierSite": "MAIN",
        "InvoiceAmount": "40.00",
        "InvoiceCurrency": "USD",
        "BusinessUnit": "Vision Operations",
        "invoiceLines": [line],
    }


SUPPLIER_CASES = [
    ("nul-name", FAILED, "a NUL character in the name", "Hostile\x00Supplier"),
    ("blank-name", FAILED, "a name of spaces and zero-width characters", " \u200b\u200b "),
    ("huge-name", FAILED, "a name of 5000 characters", "H" * 5000),
    ("markup-name", DONE, "markup in the name (kept verbatim, never interpreted)", MARKUP),
    ("unicode-name", DONE, "accents, CJK and an emoji (kept verbatim)", "Ünïcødé Lab 株式会社 🧪"),
]


def deliver(sim):
    """Seed the hostile rows and their good neighbours; returns the cases with their keys."""
    cases = []
    with sim.lock:
        good = sim.add_supplier(_supplier(GOOD_SUPPLIER))
        cases.append(
            Case(
                "good-supplier", "supplier", DONE, "a plain supplier", str(good["SupplierId"]), GOOD_SUPPLIER
            )
        )
        for index, (case_id, expect, description, name) in enumerate(SUPPLIER_CASES):
            row = sim.add_supplier(_supplier(f"Seeded {index}"))
            row["Supplier"] = name
            verbatim = name if expect == DONE else ""
            cases.append(
                Case(case_id, "supplier", expect, description, str(row["SupplierId"]), name, verbatim)
            )
        refused = row = sim.add_supplier(_supplier("Number With A Newline"))
        row["SupplierNumber"] = "12\n34"
        cases.append(
            Case(
                "bad-number",
                "supplier",
                FAILED,
                "a control character in the supplier number",
                str(row["SupplierId"]),
                "Number With A Newline",
            )
        )
        cases += _orders(sim, refused)
        cases += _invoices(sim)
    return cases


def _orders(sim, refused_supplier):
    cases = []

    def add(case_id, expect, description, number, spoil=None, supplier=None, verbatim=""):
        row = sim.add_purchase_order(_order(f"HOST-PO-{len(cases):02d}", GOOD_SUPPLIER))
        row["OrderNumber"] = number
        if supplier:
            row.update(Supplier=supplier["Supplier"], SupplierId=supplier["SupplierId"])
        if spoil:
            spoil(row)
        cases.append(
            Case(case_id, "purchase_order", expect, description, str(row["POHeaderId"]), number, verbatim)
        )

    add("good-order", DONE, "a plain order", "HOST-PO-GOOD")
    add(
        "null-price",
        FAILED,
        "a line price of null",
        "HOST-PO-NULLPRICE",
        lambda row: row["lines"][0].update(Price=None),
    )
    add("no-lines", FAILED, "an order without lines", "HOST-PO-NOLINES", lambda row: row.update(lines=[]))
    add("control-number", FAILED, "a bell character in the order number", "HOST-PO-\x07")
    add("long-number", FAILED, "an order number of 300 characters", "HOST-PO-" + "9" * 292)
    add(
        "unknown-combination",
        FAILED,
        "a distribution on an account combination the chart does not have",
        "HOST-PO-NOCOMB",
        lambda row: row["lines"][0]["schedules"][0]["distributions"][0].update(CodeCombinationId=999999),
    )
    add(
        "markup-order",
        DONE,
        "markup in the line description (kept verbatim)",
        "HOST-PO-MARKUP",
        lambda row: row["lines"][0].update(Description=MARKUP),
        verbatim=MARKUP,
    )
    add(
        "supplier-not-there",
        NEEDS_REVIEW,
        "its supplier never reached JAGGAER (its number is refused)",
        "HOST-PO-WAITS",
        supplier=refused_supplier,
    )
    return cases


def _invoices(sim):
    cases = []

    def add(case_id, expect, description, number, spoil=None):
        row = sim.add_invoice(_invoice(f"HOST-INV-{len(cases):02d}", GOOD_SUPPLIER))
        row["InvoiceNumber"] = number
        if spoil:
            spoil(row)
        cases.append(Case(case_id, "invoice", expect, description, str(row["InvoiceId"]), number))

    add("good-invoice", DONE, "a plain invoice", "HOST-INV-GOOD")
    add(
        "null-amount",
        FAILED,
        "an InvoiceAmount of null",
        "HOST-INV-NULL",
        lambda row: row.update(InvoiceAmount=None),
    )
    add(
        "no-invoice-lines",
        FAILED,
        "an invoice without lines",
        "HOST-INV-NOLINES",
        lambda row: row.update(invoiceLines=[]),
    )
    add("nul-number", FAILED, "a NUL character in the invoice number", "HOST-INV-\x00")
    add(
        "unknown-supplier",
        FAILED,
        "a supplier number no Fusion supplier has",
        "HOST-INV-NOSUP",
        lambda row: row.update(SupplierNumber="NO-SUCH-SUPPLIER"),
    )
    add(
        "unknown-line-combination",
        FAILED,
        "a line on an account combination the chart does not have",
        "HOST-INV-NOCOMB",
        lambda row: row["invoiceLines"][0].update(DistributionCombination="99-999-9999"),
    )
    return cases


def _in_jaggaer(jaggaer_sim, case):
    """Whether JAGGAER holds what ``case`` would have become there (and that record)."""
    with jaggaer_sim.lock:
        if case.kind == "supplier":
            return next((s for s in jaggaer_sim.suppliers.values() if s["companyName"] == case.number), None)
        if case.kind == "purchase_order":
            return next(
                (p for p in jaggaer_sim.purchase_orders.values() if p["poNumber"] == case.number), None
            )
        return next(
            (i for i in jaggaer_sim.invoices.values() if i["header"]["supplierInvoiceNumber"] == case.number),
            None,
        )


def _text_of(remote, case):
    if case.kind == "supplier":
        return remote.get("companyName")
    return remote["lineList"]["poLine"][0]["item"]["description"]


def judge(env, fusion, jaggaer_sim, cases):
    """One verdict per case: its audit line, its outcome and message, and what JAGGAER holds."""
    report = Report()
    Line = env["ml.connector.audit.line"]
    for case in cases:
        flow = fusion.flow_ids.filtered(lambda f, code=FLOWS[case.kind]: f.code == code)
        lines = Line.search([("flow_id", "=", flow.id), ("source_key", "=", case.key)], order="id desc")
        remote = _in_jaggaer(jaggaer_sim, case)
        verdict = {"id": case.id, "good": case.good, "lost": 0, "half_written": 0, "ok": False, "why": ""}
        if not lines:
            verdict.update(lost=1, why="no audit line")
        elif lines[0].state != case.expect:
            verdict["why"] = f"{lines[0].state} instead of {case.expect}: {lines[0].error_message}"
        elif case.expect != DONE and (
            not lines[0].error_message or lines[0].error_message.startswith(UNCLEAR)
        ):
            verdict["why"] = f"unclear message: {lines[0].error_message!r}"
        elif case.expect != DONE and remote is not None:
            verdict.update(half_written=1, why="refused, yet in JAGGAER")
        elif case.expect == DONE and remote is None:
            verdict.update(lost=1, why="done, yet not in JAGGAER")
        elif case.verbatim and _text_of(remote, case) != case.verbatim:
            verdict["why"] = f"text changed on the way: {_text_of(remote, case)!r}"
        else:
            verdict["ok"] = True
        report.verdicts.append(verdict)
    return report
