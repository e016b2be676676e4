"""Hostile-input corpus of the reliability proof, and the functions that deliver and judge it.

The standard: bad input gets a clear error on its audit line, the rest of the batch goes on,
nothing is lost, duplicated or half-written. The corpus (:func:`corpus`) is a list of
:class:`Document`: inbound documents of both systems and every inbound document type, each with
the outcome it must reach. Most are hostile (malformed, incomplete, huge, odd unicode, absurd
numbers, unknown references, markup); a few valid *good neighbours* share their batches and must
go through untouched by the bad ones.

Usable from a pytest-odoo ``TransactionCase`` (simulators in the test process, runs in registry
test mode) and from a plain script with real commits (simulators in their own process, driven
through :class:`RemoteSimulator`):

    world = setup_world(env, jaggaer_url, sps_url)
    documents = corpus()
    deliver(documents, jaggaer_sim, sps_sim)
    run_connections(env, world)  # or run_connections(env, world, self.run_backend) in a test
    report = judge(env, world, documents)
    report.summary()

Every document names the Odoo records that would show it went (half) through (``trace``);
:func:`judge` looks for them when the document did not end *done*, and also compares what the
document could have touched (the receipt of the order every hostile ship notice names, the number
of purchase orders, bills and vendors) with what the good neighbours account for.
"""

import base64
import json
import math
from dataclasses import dataclass

from tests.simulators import rsx as sim_rsx
from tests.simulators.jaggaer import splittable

FAILED, NEEDS_REVIEW, EITHER, DONE = "failed", "needs_review", "either", "done"
OUTCOMES = {FAILED: ("failed",), NEEDS_REVIEW: ("needs_review",), EITHER: ("failed", "needs_review")}

# Flows (codes: document type, source system > target system)
SUPPLIER_IN = "supplier:jaggaer>odoo"
PO_STATUS_IN = "purchase_order_status:jaggaer>odoo"
INVOICE_IN = "invoice:jaggaer>odoo"
ORDER_FROM_JAGGAER = "purchase_order:jaggaer>odoo"
ORDER_IN = "customer_order:sps>odoo"
ACK_IN = "purchase_order_status:sps>odoo"
SHIPMENT_IN = "shipment:sps>odoo"
RECEIPT_IN = "receipt:sps>odoo"
INVENTORY_IN = "inventory:sps>odoo"
JAGGAER_FLOWS = (SUPPLIER_IN, ORDER_FROM_JAGGAER, PO_STATUS_IN, INVOICE_IN)
SPS_FLOWS = (ORDER_IN, ACK_IN, SHIPMENT_IN, RECEIPT_IN, INVENTORY_IN)

# The world the documents talk about (created by setup_world, known to the simulators)
SPS_ACCOUNT = "odoo"
SPS_CLIENT_ID, SPS_CLIENT_SECRET = "hostile-m2m", "hostile-m2m-secret"
JAGGAER_CLIENT_ID, JAGGAER_CLIENT_SECRET = "hostile-client", "hostile-secret"
ACME, NORTHWIND = "7ZQALLACMEWIDGT", "NWDALLNORTHWND"
LAB_BRAVO, LAB_NUMBER, LAB_NAME = 3901, "006105", "LAB SUPPLY INC"
LAB_SUPPLIER = {"id": LAB_BRAVO, "name": LAB_NAME, "supplierNumber": LAB_NUMBER, "duns": "123456789"}
PO_J_OPEN = "PO-HOST-J1"  # Lab Supply: line 1 gloves 10 @ 12.50, line 2 tips 4 @ 45
PO_J_OTHER = "PO-HOST-J2"  # another vendor: gloves 5 @ 12.50
PO_J_DRAFT = "PO-HOST-J3"  # Lab Supply, never confirmed
PO_S_GOOD = "PO-HOST-S1"  # Acme: blue 24 units, red 5 cases; gets the good 855, 856 and 944
PO_S_TARGET = "PO-HOST-S2"  # Acme: blue 10 units; every hostile 855/856/944 names it, none may touch it
SPS_FOLDERS = {
    ORDER_IN: "out/PO/",
    ACK_IN: "out/PR/",
    SHIPMENT_IN: "out/SH/",
    RECEIPT_IN: "out/RC/",
    INVENTORY_IN: "out/IB/",
}

# How many cycles each connection runs: the first JAGGAER invoice listing and the first download
# of one SPS file are made to fail (a transport fault, not a document), the second cycle must
# then collect what the first could not, without recording anything twice.
RUNS = 2

# A message is not "clear" when it is only this.
UNCLEAR = ("Unexpected error", "Traceback")

MARKUP = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


# ------------------------------------------------------------------------------------ corpus
@dataclass(frozen=True)
class SpsFile:
    """Bytes dropped in the SPS mailbox at ``path``; ``index`` (1-based) for a document of a batch."""

    path: str
    data: bytes
    index: int | None = None
    fail_first_download: bool = False

    @property
    def audit_key(self):
        return f"{self.path}#{self.index}" if self.index else self.path


@dataclass(frozen=True)
class JaggaerRecord:
    """A record seeded into the JAGGAER simulator in wire shape (``kind``: suppliers,
    purchase_orders, invoices), optionally with a fault on its detail call."""

    kind: str
    record: dict
    detail_fault: dict | None = None

    @property
    def audit_key(self):
        if self.kind == "suppliers":
            return str(self.record["bravoId"])
        if self.kind == "purchase_orders":
            return str(self.record["poId"])
        return str(self.record["header"]["invoiceId"])


@dataclass(frozen=True)
class Document:
    id: str
    description: str
    system: str  # jaggaer | sps
    flow: str  # code of the flow that receives it
    category: str
    expect: str  # failed | needs_review | either | done (a good neighbour, or legitimate odd text)
    delivery: SpsFile | JaggaerRecord
    hint: str = ""  # a word the message must contain (case-insensitive): the reason, not just any text
    markup: str = ""  # text that must be kept verbatim as text (never rendered, never stripped)
    trace: tuple = ()  # (model, domain): records that must not exist unless the document is done

    @property
    def good(self):
        return self.category == "good"

    @property
    def hostile(self):
        return not self.good


def _sps(doc_id, flow, category, expect, description, data, *, hint="", markup="", trace=(), **kw):
    extension = "xml" if data.lstrip().startswith(b"<") else "json"
    path = f"{SPS_FOLDERS[flow]}HOSTILE-{doc_id}.{extension}"
    return Document(
        doc_id, description, "sps", flow, category, expect, SpsFile(path, data, **kw), hint, markup, trace
    )


def _jaggaer(
    doc_id, flow, category, expect, description, kind, record, *, fault=None, hint="", markup="", trace=()
):
    delivery = JaggaerRecord(kind, record, fault)
    return Document(doc_id, description, "jaggaer", flow, category, expect, delivery, hint, markup, trace)


def _dumps(doc):
    """File bytes as SPS carries them (UTF-8 JSON); lone surrogates stay as JSON escapes."""
    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _ascii(doc):
    """JSON with every non-ASCII character escaped (``\\ud800`` stays an escape)."""
    return json.dumps(doc, indent=1).encode()


def _with_literal(doc, literal):
    """JSON text where the string "__LITERAL__" is replaced by a bare token (NaN, Infinity…)."""
    return _dumps(doc).replace(b'"__LITERAL__"', literal.encode())


# -- SPS documents -------------------------------------------------------------------------------
BLUE = {"seq": "1", "vendor_part": "WID-100-BLU", "upc": "012345678905", "qty": 10, "price": 4.75}
RED = {"seq": "2", "vendor_part": "WID-200-RED", "qty": 2, "uom": "CA", "price": 54.0, "pack": 12}


def _order(po_number, lines=None, tpid=NORTHWIND, **kw):
    return sim_rsx.order(tpid, po_number, lines or [dict(BLUE)], vendor="100482", **kw)


def _order_line(doc, index=0):
    return doc["LineItem"][index]["OrderLine"]


def _order_head(doc):
    return doc["Header"]["OrderHeader"]


def _ack(po_number, tpid=ACME, lines=None, **kw):
    lines = lines or [{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 10}]
    return sim_rsx.order_ack(tpid, po_number, lines, ack_number=f"ACK-{po_number}", **kw)


def _asn(shipment_id, po_number=PO_S_TARGET, items=None, tpid=ACME, **kw):
    items = items or [{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 4, "ordered": 10}]
    orders = [{"po_number": po_number, "packs": [{"sscc": sim_rsx.sscc(7), "items": items}]}]
    return sim_rsx.shipment(tpid, shipment_id, orders, **kw)


def _receipt(receipt_id, lines=None, tpid=ACME, depositor=PO_S_TARGET, shipment_id=None):
    lines = lines or [{"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 4}]
    return sim_rsx.warehouse_receipt(
        tpid, receipt_id, lines, shipment_id=shipment_id, depositor_order=depositor
    )


def _order_trace(po_number):
    return (("purchase.order", [("partner_ref", "=", po_number)]),)


def _asn_trace(shipment_id):
    return (("stock.picking", [("sps_asn_ref", "ilike", shipment_id)]),)


def _receipt_trace(receipt_id):
    return (("stock.picking", [("sps_receipt_ref", "ilike", receipt_id)]),)


def _sps_orders():
    """850 in: orders from the retailer Northwind."""
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, ORDER_IN, category, expect, description, data, **kw))

    good = _order("NW-H-GOOD-1", [dict(BLUE, description=f"Blue widget {MARKUP}"), dict(RED)])
    add(
        "sps-850-good",
        "good",
        DONE,
        "a valid order; its line description carries markup, kept as text",
        _dumps(good),
        markup=MARKUP,
    )
    unicode_good = _order(
        "NW-H-GOOD-2",
        [dict(BLUE, description="\u05db\u05d7\u05d5\u05dc \u200f(blue) \U0001f535 wid\u0301get")],
    )
    add(
        "sps-850-good-unicode",
        "good",
        DONE,
        "a valid order whose description is Hebrew with an RTL mark, an emoji and a combining accent",
        _dumps(unicode_good),
    )

    add(
        "sps-850-invalid-json",
        "malformed",
        FAILED,
        "invalid JSON (a stray comma, an unquoted key)",
        b'{"Header": {"OrderHeader": {"TradingPartnerId": "NWDALLNORTHWND",, PurchaseOrderNumber: 1}}}',
        hint="not valid JSON",
        trace=(),
    )
    valid = _dumps(_order("NW-H-TRUNC"))
    add(
        "sps-850-truncated",
        "malformed",
        FAILED,
        "a valid order cut in the middle",
        valid[: len(valid) // 2],
        hint="not valid JSON",
        trace=_order_trace("NW-H-TRUNC"),
    )
    add("sps-850-empty-file", "malformed", FAILED, "an empty file", b"", hint="not valid JSON")
    add(
        "sps-850-whitespace",
        "malformed",
        FAILED,
        "a file of blanks and newlines",
        b" \n\t\r\n ",
        hint="not valid JSON",
    )
    add(
        "sps-850-bom-garbage",
        "malformed",
        FAILED,
        "a UTF-8 byte order mark followed by garbage",
        sim_rsx.BOM + b"garbage \x01\x02 <xml/>",
        hint="not valid JSON",
    )
    add("sps-850-root-null", "wrong root", FAILED, "JSON null at the root", b"null", hint="neither")
    add("sps-850-root-number", "wrong root", FAILED, "a JSON number at the root", b"42", hint="neither")
    add(
        "sps-850-root-string",
        "wrong root",
        FAILED,
        "a JSON string at the root",
        b'"an order"',
        hint="neither",
    )
    add("sps-850-root-empty-array", "wrong root", FAILED, "an empty batch ([])", b"[]", hint="empty batch")
    add(
        "sps-850-wrong-type",
        "wrong root",
        FAILED,
        "a ship notice (856) in the orders folder",
        _dumps(_asn("ASN-H-IN-PO")),
        hint="expected Order",
    )
    invoice = sim_rsx.invoice(
        NORTHWIND, "IN-H-1", "NW-H-810", [{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 1, "price": 4.75}]
    )
    del invoice["Header"]["InvoiceHeader"]["InvoiceNumber"]
    add(
        "sps-850-invoice-no-number",
        "wrong root",
        FAILED,
        "an invoice (810) without InvoiceNumber in the orders folder (810s only go out)",
        _dumps(invoice),
        hint="expected Order",
    )
    unknown_keys = _order("NW-H-KEYS")
    _order_head(unknown_keys)["Priority"] = "HIGH"
    unknown_keys["Evil"] = {"nested": True}
    add(
        "sps-850-unknown-keys",
        "malformed",
        FAILED,
        "keys RSX 7.7 does not have (header and root)",
        _dumps(unknown_keys),
        hint="unknown key",
        trace=_order_trace("NW-H-KEYS"),
    )
    no_tpid = _order("NW-H-NOTPID")
    del _order_head(no_tpid)["TradingPartnerId"]
    add(
        "sps-850-no-tpid",
        "missing field",
        FAILED,
        "no TradingPartnerId",
        _dumps(no_tpid),
        hint="TradingPartnerId: required",
        trace=_order_trace("NW-H-NOTPID"),
    )
    no_number = _order("NW-H-NONUMBER")
    del _order_head(no_number)["PurchaseOrderNumber"]
    add(
        "sps-850-no-po-number",
        "missing field",
        FAILED,
        "no PurchaseOrderNumber",
        _dumps(no_number),
        hint="PurchaseOrderNumber: required",
    )
    empty_number = _order("")
    add(
        "sps-850-empty-po-number",
        "missing field",
        FAILED,
        "an empty PurchaseOrderNumber",
        _dumps(empty_number),
        hint="PurchaseOrderNumber",
    )
    no_lines = _order("NW-H-NOLINES")
    no_lines["LineItem"] = []
    add(
        "sps-850-no-lines",
        "missing field",
        FAILED,
        "an order without lines",
        _dumps(no_lines),
        hint="no lines",
        trace=_order_trace("NW-H-NOLINES"),
    )

    huge = _order("NW-H-HUGE", [dict(BLUE, seq=str(n), description="x" * 200) for n in range(1, 15001)])
    _order_line(huge, 14999)["Colour"] = "blue"
    add(
        "sps-850-huge-lines",
        "huge",
        FAILED,
        "about 5 MB: 15,000 lines, the last with an unknown key",
        _dumps(huge),
        hint="LineItem[14999]",
        trace=_order_trace("NW-H-HUGE"),
    )
    long_number = "NW-H-" + "9" * 100_000
    add(
        "sps-850-long-po-number",
        "huge",
        FAILED,
        "a PurchaseOrderNumber of 100,000 characters",
        _dumps(_order(long_number)),
        hint="PurchaseOrderNumber",
        trace=_order_trace(long_number),
    )
    long_description = _order(
        "NW-H-LONGDESC", [{"seq": "1", "qty": 3, "price": 1.0, "description": "W" * 3_000_000}]
    )
    add(
        "sps-850-long-description",
        "huge",
        EITHER,
        "an item known by its description only, 3 million characters long",
        _dumps(long_description),
        trace=_order_trace("NW-H-LONGDESC"),
    )

    nul = _order("NW-H-NUL", [dict(BLUE, description="Blue\u0000widget")])
    add(
        "sps-850-nul-escape",
        "odd unicode",
        FAILED,
        "a NUL character (\\u0000) in a description",
        _ascii(nul),
        hint="NUL",
        trace=_order_trace("NW-H-NUL"),
    )
    add(
        "sps-850-nul-byte",
        "odd unicode",
        FAILED,
        "a raw NUL byte in the file",
        _dumps(_order("NW-H-NULBYTE")).replace(b'"Header"', b'"Hea\x00der"'),
        hint="not an RSX document",
    )
    surrogate = _order("NW-H-SURR-\ud800")
    add(
        "sps-850-lone-surrogate",
        "odd unicode",
        FAILED,
        "a lone surrogate (\\ud800) in the PO number",
        _ascii(surrogate),
        hint="surrogate",
    )
    surrogate_text = _order("NW-H-SURR2", [dict(BLUE, description="half an emoji \udc00 here")])
    add(
        "sps-850-lone-surrogate-text",
        "odd unicode",
        FAILED,
        "a lone low surrogate in a description",
        _ascii(surrogate_text),
        hint="surrogate",
        trace=_order_trace("NW-H-SURR2"),
    )
    add(
        "sps-850-latin1",
        "odd unicode",
        FAILED,
        "Latin-1 bytes (not UTF-8) in a description",
        _dumps(_order("NW-H-LATIN1", [dict(BLUE, description="caf\u00e9")])).replace(b"\xc3\xa9", b"\xe9"),
        hint="not UTF-8",
    )
    add(
        "sps-850-zero-width-po",
        "odd unicode",
        FAILED,
        "a zero-width space inside the PO number",
        _dumps(_order("NW-H-ZW\u200b1")),
        hint="invisible",
        trace=_order_trace("NW-H-ZW\u200b1"),
    )
    add(
        "sps-850-rtl-override-po",
        "odd unicode",
        FAILED,
        "a right-to-left override inside the PO number",
        _dumps(_order("NW-H-\u202e1-VT")),
        hint="invisible",
        trace=_order_trace("NW-H-\u202e1-VT"),
    )
    add(
        "sps-850-emoji-tpid",
        "unknown reference",
        NEEDS_REVIEW,
        "emoji as TradingPartnerId (unknown TPID)",
        _dumps(_order("NW-H-EMOJI", tpid="\U0001f600\U0001f600\U0001f600")),
        hint="Unknown trading partner",
        trace=_order_trace("NW-H-EMOJI"),
    )
    control = _order("NW-H-CTRL", [dict(BLUE, description="bell\u0007 escape\u001b[31m red")])
    add(
        "sps-850-control-chars",
        "odd unicode",
        FAILED,
        "terminal control characters in a description",
        _ascii(control),
        hint="control",
        trace=_order_trace("NW-H-CTRL"),
    )

    add(
        "sps-850-zero-qty",
        "numbers",
        FAILED,
        "a line with quantity 0",
        _dumps(_order("NW-H-QTY0", [dict(BLUE, qty=0)])),
        hint="quantity",
        trace=_order_trace("NW-H-QTY0"),
    )
    add(
        "sps-850-negative-qty",
        "numbers",
        FAILED,
        "a line with quantity -5",
        _dumps(_order("NW-H-QTYNEG", [dict(BLUE, qty=-5)])),
        hint="quantity",
        trace=_order_trace("NW-H-QTYNEG"),
    )
    add(
        "sps-850-negative-price",
        "numbers",
        FAILED,
        "a line with unit price -4.75",
        _dumps(_order("NW-H-PRICENEG", [dict(BLUE, price=-4.75)], total=0)),
        hint="price",
        trace=_order_trace("NW-H-PRICENEG"),
    )
    add(
        "sps-850-text-qty",
        "numbers",
        FAILED,
        'a quantity written as text ("10")',
        _dumps(_order("NW-H-QTYTEXT", [dict(BLUE, qty="10")], total=47.5)),
        hint="expected a number",
        trace=_order_trace("NW-H-QTYTEXT"),
    )
    add(
        "sps-850-nan-qty",
        "numbers",
        FAILED,
        "NaN as quantity",
        _with_literal(_order("NW-H-QTYNAN", [dict(BLUE, qty="__LITERAL__")], total=0), "NaN"),
        hint="NaN",
        trace=_order_trace("NW-H-QTYNAN"),
    )
    add(
        "sps-850-infinity-price",
        "numbers",
        FAILED,
        "Infinity as unit price",
        _with_literal(_order("NW-H-PRICEINF", [dict(BLUE, price="__LITERAL__")], total=0), "Infinity"),
        hint="Infinity",
        trace=_order_trace("NW-H-PRICEINF"),
    )
    add(
        "sps-850-huge-exponent",
        "numbers",
        FAILED,
        "a quantity of 1e999 (overflows to infinity)",
        _with_literal(_order("NW-H-QTYEXP", [dict(BLUE, qty="__LITERAL__")], total=0), "1e999"),
        hint="number",
        trace=_order_trace("NW-H-QTYEXP"),
    )

    currency = _order("NW-H-CUR")
    _order_head(currency)["BuyersCurrency"] = "ZZZ"
    add(
        "sps-850-unknown-currency",
        "unknown reference",
        FAILED,
        "BuyersCurrency ZZZ",
        _dumps(currency),
        hint="currency",
        trace=_order_trace("NW-H-CUR"),
    )
    add(
        "sps-850-unknown-uom",
        "unknown reference",
        NEEDS_REVIEW,
        "unit TK (an RSX code no Odoo unit has)",
        _dumps(_order("NW-H-UOM", [dict(BLUE, uom="TK")])),
        hint="TK",
        trace=_order_trace("NW-H-UOM"),
    )
    add(
        "sps-850-invalid-uom",
        "unknown reference",
        FAILED,
        "unit ZZ9 (not an RSX code at all)",
        _dumps(_order("NW-H-UOMX", [dict(BLUE, uom="ZZ9")])),
        hint="ZZ9",
        trace=_order_trace("NW-H-UOMX"),
    )
    add(
        "sps-850-unknown-tpid",
        "unknown reference",
        NEEDS_REVIEW,
        "a TPID no trading partner has",
        _dumps(_order("NW-H-TPID", tpid="UNKNOWNTPID01")),
        hint="Unknown trading partner",
        trace=_order_trace("NW-H-TPID"),
    )
    add(
        "sps-850-not-ticked",
        "unknown reference",
        NEEDS_REVIEW,
        "an order from a vendor trading partner (850 in not ticked for it)",
        _dumps(_order("NW-H-ACME", tpid=ACME)),
        hint="not set up",
        trace=_order_trace("NW-H-ACME"),
    )
    unknown_item = {"seq": "1", "vendor_part": "NOPE-999", "buyer_part": "NW-NOPE", "qty": 1, "price": 2.0}
    add(
        "sps-850-unknown-product",
        "unknown reference",
        NEEDS_REVIEW,
        "an item no product matches",
        _dumps(_order("NW-H-ITEM", [unknown_item])),
        hint="NOPE",
        trace=_order_trace("NW-H-ITEM"),
    )
    markup_item = {"seq": "1", "qty": 1, "price": 2.0, "description": MARKUP}
    add(
        "sps-850-markup-item",
        "markup",
        NEEDS_REVIEW,
        "an unknown item whose description is a script",
        _dumps(_order("NW-H-XSS", [markup_item])),
        markup=MARKUP,
        trace=_order_trace("NW-H-XSS"),
    )
    add(
        "sps-850-bad-date",
        "dates",
        FAILED,
        "PurchaseOrderDate 2025-02-30",
        _dumps(_order("NW-H-DATE", po_date="2025-02-30")),
        hint="2025-02-30",
        trace=_order_trace("NW-H-DATE"),
    )
    add(
        "sps-850-us-date",
        "dates",
        FAILED,
        "a requested ship date written 03/15/2025",
        _dumps(_order("NW-H-USDATE", ship_date="03/15/2025")),
        hint="03/15/2025",
        trace=_order_trace("NW-H-USDATE"),
    )
    add(
        "sps-850-dup-line-numbers",
        "duplicates",
        FAILED,
        "two lines with LineSequenceNumber 1",
        _dumps(_order("NW-H-DUP", [dict(BLUE), dict(BLUE, qty=3)])),
        hint="LineSequenceNumber",
        trace=_order_trace("NW-H-DUP"),
    )
    add(
        "sps-850-unknown-purpose",
        "malformed",
        FAILED,
        "TsetPurposeCode CN (not handled for orders)",
        _dumps(_order("NW-H-PURPOSE", purpose="CN")),
        hint="purpose",
        trace=_order_trace("NW-H-PURPOSE"),
    )
    add(
        "sps-850-deep-nesting",
        "deep nesting",
        FAILED,
        "arrays nested 100,000 deep",
        b"[" * 100_000 + b"]" * 100_000,
        hint="nested",
    )
    deep = _order("NW-H-DEEP")
    deep["Header"]["Commodity"] = "__LITERAL__"
    add(
        "sps-850-deep-in-document",
        "deep nesting",
        FAILED,
        "900 levels of arrays in a header field the connector never reads",
        _with_literal(deep, "[" * 900 + "]" * 900),
        hint="nested",
        trace=_order_trace("NW-H-DEEP"),
    )

    # one batch file: a good order between two bad documents
    batch_path = SPS_FOLDERS[ORDER_IN] + "HOSTILE-batch.json"
    batch_bad = _order("NW-H-BATCH-BAD")
    del _order_head(batch_bad)["PurchaseOrderNumber"]
    batch = _dumps([_order("NW-H-BATCH-GOOD"), batch_bad, 7])
    docs.append(
        Document(
            "sps-850-batch-good",
            "a good order, first of a batch file with two bad documents",
            "sps",
            ORDER_IN,
            "good",
            DONE,
            SpsFile(batch_path, batch, 1),
        )
    )
    docs.append(
        Document(
            "sps-850-batch-no-number",
            "second of the batch: no PurchaseOrderNumber",
            "sps",
            ORDER_IN,
            "missing field",
            FAILED,
            SpsFile(batch_path, batch, 2),
            hint="PurchaseOrderNumber: required",
        )
    )
    docs.append(
        Document(
            "sps-850-batch-number",
            "third of the batch: a bare number",
            "sps",
            ORDER_IN,
            "wrong root",
            FAILED,
            SpsFile(batch_path, batch, 3),
            hint="neither",
        )
    )
    # a good order whose first download fails: read on the next run, recorded once
    docs.append(
        _sps(
            "sps-850-good-late",
            ORDER_IN,
            "good",
            DONE,
            "a valid order whose first download answers 500 (read again on the next run)",
            _dumps(_order("NW-H-GOOD-3")),
            fail_first_download=True,
        )
    )
    return docs


def _sps_acks():
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, ACK_IN, category, expect, description, data, **kw))

    add(
        "sps-855-good",
        "good",
        DONE,
        "Acme accepts PO-HOST-S1",
        _dumps(
            _ack(
                PO_S_GOOD,
                lines=[
                    {"seq": "1", "vendor_part": "WID-100-BLU", "qty": 24},
                    {"seq": "2", "vendor_part": "WID-200-RED", "qty": 5, "uom": "CA"},
                ],
            )
        ),
    )
    add(
        "sps-855-unknown-po",
        "unknown reference",
        FAILED,
        "an acknowledgement of a PO Odoo never sent",
        _dumps(_ack("PO-H-NOPE-855")),
        hint="PO-H-NOPE-855",
    )
    no_number = _ack("PO-H-855-NONUMBER")
    del _order_head(no_number)["PurchaseOrderNumber"]
    add(
        "sps-855-no-po-number",
        "missing field",
        FAILED,
        "no PurchaseOrderNumber",
        _dumps(no_number),
        hint="PurchaseOrderNumber: required",
    )
    add(
        "sps-855-wrong-type",
        "wrong root",
        FAILED,
        "an order (850) in the acknowledgements folder",
        _dumps(_order("PO-H-855-ORDER", tpid=ACME)),
        hint="expected OrderAck",
    )
    bad_status = _ack("PO-H-855-STATUS")
    bad_status["LineItem"][0]["LineItemAcknowledgement"][0]["ItemStatusCode"] = "ZZ"
    add("sps-855-bad-status-code", "malformed", FAILED, "ItemStatusCode ZZ", _dumps(bad_status), hint="ZZ")
    add(
        "sps-855-not-ticked",
        "unknown reference",
        NEEDS_REVIEW,
        "an acknowledgement from the retailer (855 in not ticked for it)",
        _dumps(_ack(PO_S_TARGET, tpid=NORTHWIND)),
        hint="not set up",
    )
    add(
        "sps-855-markup-po",
        "markup",
        FAILED,
        "a script as PurchaseOrderNumber",
        _dumps(_ack(MARKUP)),
        markup=MARKUP,
    )
    add(
        "sps-855-bad-date",
        "dates",
        FAILED,
        "AcknowledgementDate 'tomorrow'",
        _dumps(_ack("PO-H-855-DATE", ack_date="tomorrow")),
        hint="tomorrow",
    )
    add(
        "sps-855-nan-qty",
        "numbers",
        FAILED,
        "NaN as a scheduled quantity",
        _dumps(_ack(PO_S_TARGET)).replace(b'"ItemScheduleQty": 10', b'"ItemScheduleQty": NaN'),
        hint="NaN",
    )
    return docs


def _sps_shipments():
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, SHIPMENT_IN, category, expect, description, data, **kw))

    good_items = [
        {"seq": "1", "vendor_part": "WID-100-BLU", "qty": 24, "ordered": 24},
        {"seq": "2", "vendor_part": "WID-200-RED", "qty": 5, "uom": "CA", "ordered": 5},
    ]
    add(
        "sps-856-good",
        "good",
        DONE,
        "Acme ships PO-HOST-S1 in full",
        _dumps(_asn("ASN-H-GOOD", PO_S_GOOD, good_items)),
    )
    no_id = _asn("ASN-H-NOID")
    del no_id["Header"]["ShipmentHeader"]["ShipmentIdentification"]
    add(
        "sps-856-no-shipment-id",
        "missing field",
        FAILED,
        "no ShipmentIdentification",
        _dumps(no_id),
        hint="ShipmentIdentification: required",
    )
    add(
        "sps-856-unknown-po",
        "unknown reference",
        FAILED,
        "ships a PO Odoo never sent",
        _dumps(_asn("ASN-H-NOPO", "PO-H-NOPE-856")),
        hint="PO-H-NOPE-856",
        trace=_asn_trace("ASN-H-NOPO"),
    )
    add(
        "sps-856-negative-qty",
        "numbers",
        FAILED,
        "ships -3",
        _dumps(_asn("ASN-H-NEG", items=[{"seq": "1", "vendor_part": "WID-100-BLU", "qty": -3}])),
        hint="quantity",
        trace=_asn_trace("ASN-H-NEG"),
    )
    add(
        "sps-856-zero-qty",
        "numbers",
        FAILED,
        "ships 0 of everything",
        _dumps(_asn("ASN-H-ZERO", items=[{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 0}])),
        hint="ships nothing",
        trace=_asn_trace("ASN-H-ZERO"),
    )
    add(
        "sps-856-text-qty",
        "numbers",
        FAILED,
        "a shipped quantity written as text",
        _dumps(_asn("ASN-H-TEXT", items=[{"seq": "1", "vendor_part": "WID-100-BLU", "qty": "4"}])),
        hint="expected a number",
        trace=_asn_trace("ASN-H-TEXT"),
    )
    add(
        "sps-856-infinity-qty",
        "numbers",
        FAILED,
        "ships Infinity",
        _with_literal(
            _asn("ASN-H-INF", items=[{"seq": "1", "vendor_part": "WID-100-BLU", "qty": "__LITERAL__"}]),
            "Infinity",
        ),
        hint="Infinity",
        trace=_asn_trace("ASN-H-INF"),
    )
    add(
        "sps-856-unknown-line",
        "unknown reference",
        FAILED,
        "ships a line the order does not have",
        _dumps(_asn("ASN-H-LINE", items=[{"seq": "99", "vendor_part": "NOPE-856", "qty": 1}])),
        hint="not on purchase order",
        trace=_asn_trace("ASN-H-LINE"),
    )
    second_bad = _asn("ASN-H-HALF")
    second_bad["OrderLevel"].append(
        {
            "OrderHeader": {"PurchaseOrderNumber": "PO-H-NOPE-HALF"},
            "PackLevel": [
                {
                    "Pack": {"PackLevelType": "P", "ShippingSerialID": sim_rsx.sscc(8)},
                    "ItemLevel": [
                        {"ShipmentLine": {"LineSequenceNumber": "1", "ShipQty": 1, "ShipQtyUOM": "EA"}}
                    ],
                }
            ],
        }
    )
    add(
        "sps-856-second-order-bad",
        "half-write",
        FAILED,
        "a valid order level for PO-HOST-S2, then one for an unknown PO (nothing may stay applied)",
        _dumps(second_bad),
        hint="PO-H-NOPE-HALF",
        trace=_asn_trace("ASN-H-HALF"),
    )
    add(
        "sps-856-unknown-uom",
        "unknown reference",
        NEEDS_REVIEW,
        "ships in unit TK (no Odoo unit)",
        _dumps(_asn("ASN-H-UOM", items=[{"seq": "1", "vendor_part": "WID-100-BLU", "qty": 2, "uom": "TK"}])),
        hint="TK",
        trace=_asn_trace("ASN-H-UOM"),
    )
    no_levels = _asn("ASN-H-NOLEVEL")
    no_levels["ItemLevel"] = no_levels.pop("OrderLevel")[0]["PackLevel"][0]["ItemLevel"]
    add(
        "sps-856-no-order-level",
        "malformed",
        FAILED,
        "Shipment/Item layout without order level",
        _dumps(no_levels),
        hint="order level",
        trace=_asn_trace("ASN-H-NOLEVEL"),
    )
    add(
        "sps-856-bad-date",
        "dates",
        FAILED,
        "ShipDate 2025-13-01",
        _dumps(_asn("ASN-H-DATE", ship_date="2025-13-01")),
        hint="2025-13-01",
        trace=_asn_trace("ASN-H-DATE"),
    )
    add(
        "sps-856-markup-id",
        "markup",
        FAILED,
        "a script as ShipmentIdentification, for an unknown PO",
        _dumps(_asn(MARKUP, "PO-H-NOPE-XSS")),
        markup=MARKUP,
        hint="PO-H-NOPE-XSS",
    )
    add(
        "sps-856-unknown-tpid",
        "unknown reference",
        NEEDS_REVIEW,
        "a ship notice from an unknown TPID",
        _dumps(_asn("ASN-H-TPID", tpid="UNKNOWNTPID02")),
        hint="Unknown trading partner",
        trace=_asn_trace("ASN-H-TPID"),
    )
    return docs


def _sps_receipts():
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, RECEIPT_IN, category, expect, description, data, **kw))

    good_lines = [
        {"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 24},
        {"seq": "2", "vendor_part": "WID-200-RED", "ship_qty": 5, "uom": "CA"},
    ]
    add(
        "sps-944-good",
        "good",
        DONE,
        "the warehouse receives the good ship notice in full",
        _dumps(_receipt("RCV-H-GOOD", good_lines, depositor=PO_S_GOOD, shipment_id="ASN-H-GOOD")),
    )
    no_id = _receipt("RCV-H-NOID")
    del no_id["Header"]["HeaderDetail"]["WarehouseReceiptId"]
    add(
        "sps-944-no-receipt-id",
        "missing field",
        FAILED,
        "no WarehouseReceiptId",
        _dumps(no_id),
        hint="WarehouseReceiptId: required",
    )
    add(
        "sps-944-unknown-po",
        "unknown reference",
        FAILED,
        "a receipt for a PO Odoo never sent",
        _dumps(_receipt("RCV-H-NOPO", depositor="PO-H-NOPE-944")),
        hint="PO-H-NOPE-944",
        trace=_receipt_trace("RCV-H-NOPO"),
    )
    negative = _receipt(
        "RCV-H-NEG", [{"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 4, "received": [(-1, "07")]}]
    )
    add(
        "sps-944-negative-qty",
        "numbers",
        FAILED,
        "receives -1",
        _dumps(negative),
        hint="quantity",
        trace=_receipt_trace("RCV-H-NEG"),
    )
    add(
        "sps-944-unknown-line",
        "unknown reference",
        FAILED,
        "receives an item the order does not have",
        _dumps(_receipt("RCV-H-LINE", [{"seq": "77", "vendor_part": "NOPE-944", "ship_qty": 1}])),
        hint="matches nothing",
        trace=_receipt_trace("RCV-H-LINE"),
    )
    bad_condition = _receipt(
        "RCV-H-COND", [{"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 4, "received": [(4, "42")]}]
    )
    add(
        "sps-944-bad-condition",
        "malformed",
        FAILED,
        "ReceivingConditionCode 42",
        _dumps(bad_condition),
        hint="'42'",
        trace=_receipt_trace("RCV-H-COND"),
    )
    add(
        "sps-944-unknown-tpid",
        "unknown reference",
        NEEDS_REVIEW,
        "a receipt from an unknown TPID",
        _dumps(_receipt("RCV-H-TPID", tpid="UNKNOWNTPID03")),
        hint="Unknown trading partner",
        trace=_receipt_trace("RCV-H-TPID"),
    )
    half = _receipt(
        "RCV-H-HALF",
        [
            {"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 4},
            {"seq": "88", "vendor_part": "NOPE-HALF", "ship_qty": 1},
        ],
    )
    add(
        "sps-944-second-line-bad",
        "half-write",
        FAILED,
        "a good line for PO-HOST-S2 then an unknown one (nothing may be received)",
        _dumps(half),
        hint="matches nothing",
        trace=_receipt_trace("RCV-H-HALF"),
    )
    add(
        "sps-944-lone-surrogate",
        "odd unicode",
        FAILED,
        "a lone surrogate in a warehouse lot",
        _ascii(
            _receipt(
                "RCV-H-SURR", [{"seq": "1", "vendor_part": "WID-100-BLU", "ship_qty": 4, "lot": "LOT-\udbff"}]
            )
        ),
        hint="surrogate",
        trace=_receipt_trace("RCV-H-SURR"),
    )
    return docs


# -- JAGGAER documents -----------------------------------------------------------------------------
def _supplier(bravo_id, name, number, **extra):
    return {"bravoId": bravo_id, "companyName": name, "extCode": number, "isoCountry": "US", **extra}


def _supplier_trace(number):
    return (("res.partner", [("ref", "=", number)]),)


def _jaggaer_suppliers():
    docs = []

    def add(doc_id, category, expect, description, record, **kw):
        docs.append(_jaggaer(doc_id, SUPPLIER_IN, category, expect, description, "suppliers", record, **kw))

    lab = {
        "bravoId": LAB_BRAVO,
        "companyName": LAB_NAME,
        "extCode": LAB_NUMBER,
        "extUniqueCode": "123456789",
        "dAndBCode": "123456789",
        "isoCountry": "US",
        "city": "Raleigh",
        "zip": "27601",
    }
    add("jag-sup-good", "good", DONE, "Lab Supply, known to Odoo by its number", lab)
    add(
        "jag-sup-no-name",
        "missing field",
        FAILED,
        "a supplier without companyName",
        _supplier(4002, "", "H-SUP-2"),
        hint="companyName",
        trace=_supplier_trace("H-SUP-2"),
    )
    add(
        "jag-sup-zero-width-name",
        "odd unicode",
        FAILED,
        "a name made of zero-width characters only",
        _supplier(4003, "\u200b\u200c\u200d\u2060", "H-SUP-3"),
        hint="companyName",
        trace=_supplier_trace("H-SUP-3"),
    )
    add(
        "jag-sup-nul-name",
        "odd unicode",
        FAILED,
        "a NUL character in the name",
        _supplier(4004, "Nul\u0000 Industries", "H-SUP-4"),
        hint="NUL",
        trace=_supplier_trace("H-SUP-4"),
    )
    add(
        "jag-sup-surrogate-name",
        "odd unicode",
        FAILED,
        "a lone surrogate in the name",
        _supplier(4005, "Broken \ud83d Emoji Ltd", "H-SUP-5"),
        hint="surrogate",
        trace=_supplier_trace("H-SUP-5"),
    )
    add(
        "jag-sup-long-name",
        "huge",
        FAILED,
        "a name of 200,000 characters",
        _supplier(4006, "Long " * 40_000, "H-SUP-6"),
        hint="companyName",
        trace=_supplier_trace("H-SUP-6"),
    )
    add(
        "jag-sup-long-number",
        "huge",
        FAILED,
        "a supplier number of 50,000 characters",
        _supplier(4007, "Longnumber Trading", "9" * 50_000),
        hint="extCode",
        trace=_supplier_trace("9" * 50_000),
    )
    add(
        "jag-sup-control-chars",
        "odd unicode",
        FAILED,
        "terminal escape sequences in the name",
        _supplier(4008, "Esc\u001b[2J Bell\u0007 Corp", "H-SUP-8"),
        hint="control",
        trace=_supplier_trace("H-SUP-8"),
    )
    add(
        "jag-sup-markup-name",
        "markup",
        DONE,
        "a script as company name (a new vendor, name kept as text)",
        _supplier(4009, f"{MARKUP} Supplies", "H-SUP-9"),
        markup=MARKUP,
    )
    add(
        "jag-sup-rtl-name",
        "odd unicode",
        DONE,
        "a Hebrew name with right-to-left marks (legitimate text, kept exactly)",
        _supplier(4010, '\u200f\u05e1\u05e4\u05e7\u05d9\u05dd \u05d1\u05e2"\u05de\u200f', "H-SUP-10"),
        markup='\u200f\u05e1\u05e4\u05e7\u05d9\u05dd \u05d1\u05e2"\u05de\u200f',
    )
    add(
        "jag-sup-zero-width-number",
        "odd unicode",
        FAILED,
        "a zero-width joiner inside the supplier number",
        _supplier(4011, "Invisible Ink Co", "H-\u200dSUP-11"),
        hint="invisible",
        trace=_supplier_trace("H-\u200dSUP-11"),
    )
    return docs


def _po_status(po_id, po_number, status, **extra):
    return {
        "poId": po_id,
        "poNumber": po_number,
        "status": status,
        "supplier": {"supplierNumber": LAB_NUMBER},
        **extra,
    }


def _jaggaer_po_statuses():
    docs = []
    draft_untouched = (("purchase.order", [("name", "=", PO_J_DRAFT), ("jaggaer_status", "!=", False)]),)

    def add(doc_id, category, expect, description, record, **kw):
        kw.setdefault("trace", draft_untouched)
        docs.append(
            _jaggaer(doc_id, PO_STATUS_IN, category, expect, description, "purchase_orders", record, **kw)
        )

    add("jag-po-good", "good", DONE, "PO-HOST-J1 is distributed", _po_status(5001, PO_J_OPEN, "Distributed"))
    add(
        "jag-po-no-status",
        "missing field",
        FAILED,
        "a purchase order without status",
        _po_status(5002, PO_J_DRAFT, ""),
        hint="status",
    )
    add(
        "jag-po-bad-revision",
        "numbers",
        FAILED,
        "revisionNumber 'two'",
        _po_status(5003, PO_J_DRAFT, "Approved", revisionNumber="two"),
        hint="revisionNumber",
    )
    add(
        "jag-po-nul-status",
        "odd unicode",
        FAILED,
        "a NUL character in the status",
        _po_status(5004, PO_J_DRAFT, "Approved\u0000"),
        hint="NUL",
    )
    add(
        "jag-po-markup-status",
        "markup",
        DONE,
        "a script as status (shown as text in the chatter)",
        _po_status(5005, PO_J_OTHER, MARKUP),
        markup=MARKUP,
    )
    return docs


INVOICE_DATE = "2025-03-11T00:00:00.000Z"


def _invoice_line(
    number,
    quantity,
    price,
    po_number=PO_J_OPEN,
    po_line="1",
    account="610000",
    cost_center="CC-200",
    description=None,
):
    line = {
        "lineNumber": number,
        "item": {"description": description or f"line {number}", "unitOfMeasure": {"dimension": "EA"}},
        "quantity": quantity,
        "unitPrice": price,
        "splittableFieldSetGroupList": splittable(
            {key: value for key, value in (("Account", account), ("CostCenter", cost_center)) if value}
        ),
    }
    if po_number:
        line.update(poNumber=po_number, poLineNumber=po_line)
    return line


def _invoice(invoice_id, number, lines, supplier=None, currency="USD", **header):
    head = {
        "invoiceId": invoice_id,
        "invoiceNumber": f"JI-{invoice_id}",
        "supplierInvoiceNumber": number,
        "invoiceType": "Invoice",
        "invoiceDate": INVOICE_DATE,
        "supplier": dict(LAB_SUPPLIER if supplier is None else supplier),
        "workflowStatus": "Completed",
        "matchStatus": "Matched",
        "paymentStatus": "Payable",
        "total": {"currency": currency, "value": 0},
        **header,
    }
    if not head["supplier"]:
        del head["supplier"]
    return {"header": head, "lineList": {"invoiceLine": lines}}


def _bill_trace(invoice_id):
    return (("account.move", [("jaggaer_invoice_id", "=", str(invoice_id))]),)


def _jaggaer_invoices():
    docs = []

    def add(doc_id, category, expect, description, record, fault=None, **kw):
        kw.setdefault("trace", _bill_trace(record["header"]["invoiceId"]))
        docs.append(
            _jaggaer(doc_id, INVOICE_IN, category, expect, description, "invoices", record, fault=fault, **kw)
        )

    add(
        "jag-inv-good",
        "good",
        DONE,
        "bills 2 gloves and 1 rack of tips of PO-HOST-J1 (markup in a description)",
        _invoice(
            7001,
            "LS-H-GOOD-1",
            [
                _invoice_line(1, 2, 12.5, description=f"Gloves {MARKUP}"),
                _invoice_line(2, 1, 45.0, po_line="2"),
            ],
        ),
        markup=MARKUP,
        trace=(),
    )
    add(
        "jag-inv-good-non-po",
        "good",
        DONE,
        "a non-PO invoice coded to account 610000",
        _invoice(7002, "LS-H-GOOD-2", [_invoice_line(1, 1, 99.0, po_number=None)]),
        trace=(),
    )
    add(
        "jag-inv-no-number",
        "missing field",
        FAILED,
        "no supplierInvoiceNumber",
        _invoice(7003, "", [_invoice_line(1, 1, 12.5)]),
        hint="supplierInvoiceNumber",
    )
    add(
        "jag-inv-no-supplier",
        "missing field",
        FAILED,
        "no supplier block at all",
        _invoice(7004, "LS-H-NOSUP", [_invoice_line(1, 1, 12.5)], supplier={}),
        hint="supplier",
    )
    add(
        "jag-inv-unknown-supplier",
        "unknown reference",
        NEEDS_REVIEW,
        "a supplier Odoo does not know",
        _invoice(
            7005,
            "NB-H-1",
            [_invoice_line(1, 1, 12.5)],
            supplier={"id": 999999, "name": "Nobody At All Ltd", "supplierNumber": "NOPE-1"},
        ),
        hint="Nobody At All",
    )
    add(
        "jag-inv-unknown-po",
        "unknown reference",
        FAILED,
        "bills a PO Odoo does not have",
        _invoice(7006, "LS-H-NOPO", [_invoice_line(1, 1, 12.5, po_number="PO-H-NOPE")]),
        hint="PO-H-NOPE",
    )
    add(
        "jag-inv-unknown-po-line",
        "unknown reference",
        FAILED,
        "bills line 42 of PO-HOST-J1",
        _invoice(7007, "LS-H-NOLINE", [_invoice_line(1, 1, 12.5, po_line="42")]),
        hint="line 42",
    )
    add(
        "jag-inv-other-vendor-po",
        "unknown reference",
        FAILED,
        "bills a PO of another vendor",
        _invoice(7008, "LS-H-OTHER", [_invoice_line(1, 1, 12.5, po_number=PO_J_OTHER)]),
        hint="ordered from",
    )
    add(
        "jag-inv-draft-po",
        "unknown reference",
        FAILED,
        "bills a PO that is not confirmed",
        _invoice(7009, "LS-H-DRAFT", [_invoice_line(1, 1, 12.5, po_number=PO_J_DRAFT)]),
        hint="not a confirmed",
    )
    add(
        "jag-inv-over-qty",
        "quantity above PO",
        FAILED,
        "bills 50 gloves of the 10 ordered",
        _invoice(7010, "LS-H-OVER", [_invoice_line(1, 50, 12.5)]),
        hint="above the purchase order",
    )
    add(
        "jag-inv-over-qty-split",
        "quantity above PO",
        FAILED,
        "bills 9 + 9 gloves of the 10 ordered on two lines",
        _invoice(7011, "LS-H-OVER2", [_invoice_line(1, 9, 12.5), _invoice_line(2, 9, 12.5)]),
        hint="above the purchase order",
    )
    add(
        "jag-inv-over-price",
        "quantity above PO",
        FAILED,
        "charges 99 per glove instead of 12.50",
        _invoice(7012, "LS-H-PRICE", [_invoice_line(1, 1, 99.0)]),
        hint="above the purchase order",
    )
    add(
        "jag-inv-zero-qty",
        "numbers",
        FAILED,
        "quantity 0",
        _invoice(7013, "LS-H-Q0", [_invoice_line(1, 0, 12.5)]),
        hint="quantity",
    )
    add(
        "jag-inv-negative-qty",
        "numbers",
        FAILED,
        "quantity -3 on an invoice",
        _invoice(7014, "LS-H-QNEG", [_invoice_line(1, -3, 12.5)]),
        hint="quantity",
    )
    add(
        "jag-inv-negative-price",
        "numbers",
        FAILED,
        "unit price -12.50",
        _invoice(7015, "LS-H-PNEG", [_invoice_line(1, 1, -12.5)]),
        hint="unitPrice",
    )
    add(
        "jag-inv-text-qty",
        "numbers",
        FAILED,
        "quantity 'a dozen'",
        _invoice(7016, "LS-H-QTXT", [_invoice_line(1, "a dozen", 12.5)]),
        hint="not a number",
    )
    add(
        "jag-inv-nan-qty",
        "numbers",
        FAILED,
        "NaN as quantity",
        _invoice(7017, "LS-H-QNAN", [_invoice_line(1, math.nan, 12.5)]),
        hint="NaN",
    )
    add(
        "jag-inv-infinity-price",
        "numbers",
        FAILED,
        "Infinity as unit price",
        _invoice(7018, "LS-H-PINF", [_invoice_line(1, 1, math.inf)]),
        hint="inf",
    )
    add(
        "jag-inv-nan-text",
        "numbers",
        FAILED,
        "quantity written as the text 'NaN'",
        _invoice(7019, "LS-H-QNANTXT", [_invoice_line(1, "NaN", 12.5)]),
        hint="NaN",
    )
    add(
        "jag-inv-unknown-currency",
        "unknown reference",
        FAILED,
        "currency ZZZ",
        _invoice(7020, "LS-H-CUR", [_invoice_line(1, 1, 12.5)], currency="ZZZ"),
        hint="ZZZ",
    )
    add(
        "jag-inv-bad-date",
        "dates",
        FAILED,
        "invoiceDate 'last Tuesday'",
        _invoice(7021, "LS-H-DATE", [_invoice_line(1, 1, 12.5)], invoiceDate="last Tuesday"),
        hint="invoiceDate",
    )
    add(
        "jag-inv-impossible-date",
        "dates",
        FAILED,
        "invoiceDate 2025-02-30",
        _invoice(7022, "LS-H-DATE2", [_invoice_line(1, 1, 12.5)], invoiceDate="2025-02-30T00:00:00Z"),
        hint="invoiceDate",
    )
    add(
        "jag-inv-no-lines",
        "missing field",
        FAILED,
        "an empty line list",
        _invoice(7023, "LS-H-NOLINES", []),
        hint="no lines",
    )
    add(
        "jag-inv-line-not-object",
        "malformed",
        FAILED,
        "a line that is a string",
        _invoice(7024, "LS-H-STRLINE", ["oops"]),
        hint="not an object",
    )
    add(
        "jag-inv-dup-line-numbers",
        "duplicates",
        FAILED,
        "two lines numbered 1",
        _invoice(7025, "LS-H-DUP", [_invoice_line(1, 1, 12.5), _invoice_line(1, 1, 45.0, po_line="2")]),
        hint="numbered 1",
    )
    add(
        "jag-inv-unmapped-account",
        "unknown reference",
        NEEDS_REVIEW,
        "Account 999999, mapped to nothing",
        _invoice(7026, "LS-H-ACC", [_invoice_line(1, 1, 10.0, po_number=None, account="999999")]),
        hint="999999",
    )
    split = _invoice_line(1, 1, 12.5)
    split["splittableFieldSetGroupList"]["splittableFieldSetGroup"][0]["splittableFieldIndexSet"][0][
        "splittableFieldIndexList"
    ]["splittableFieldIndex"].append(
        {"customFieldValueList": {"customFieldValue": [{"internalName": "Account", "value": "600000"}]}}
    )
    add(
        "jag-inv-split-coding",
        "malformed",
        FAILED,
        "a line split across two accounts",
        _invoice(7027, "LS-H-SPLIT", [split]),
        hint="split",
    )
    add(
        "jag-inv-long-account",
        "huge",
        FAILED,
        "an Account segment value of 100,000 characters",
        _invoice(7040, "LS-H-LONGACC", [_invoice_line(1, 1, 10.0, po_number=None, account="6" * 100_000)]),
        hint="Account value",
    )
    huge_lines = [
        _invoice_line(n, 1, 1.0, po_number=None, account="999998", description="d" * 300)
        for n in range(1, 4001)
    ]
    add(
        "jag-inv-huge",
        "huge",
        EITHER,
        "about 4 MB: 4,000 lines on an unmapped account",
        _invoice(7028, "LS-H-HUGE", huge_lines),
        hint="999998",
    )
    add(
        "jag-inv-long-number",
        "huge",
        FAILED,
        "a supplier invoice number of 100,000 characters",
        _invoice(7029, "N" * 100_000, [_invoice_line(1, 1, 12.5)]),
        hint="supplierInvoiceNumber",
    )
    add(
        "jag-inv-markup-number",
        "markup",
        FAILED,
        "a script as invoice number, in an unknown currency",
        _invoice(7030, MARKUP, [_invoice_line(1, 1, 12.5)], currency="QQQ"),
        markup=MARKUP,
    )
    add(
        "jag-inv-detail-null",
        "wrong root",
        FAILED,
        "the detail answer is JSON null",
        _invoice(7031, "LS-H-NULL", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "status", "status": 200, "body": "null"},
        hint="not a JSON object",
    )
    add(
        "jag-inv-detail-array",
        "wrong root",
        FAILED,
        "the detail answer is a JSON array",
        _invoice(7032, "LS-H-ARRAY", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "status", "status": 200, "body": "[1, 2, 3]"},
        hint="not a JSON object",
    )
    add(
        "jag-inv-detail-number",
        "wrong root",
        FAILED,
        "the detail answer is a JSON number",
        _invoice(7033, "LS-H-NUMBER", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "status", "status": 200, "body": "42"},
        hint="not a JSON object",
    )
    add(
        "jag-inv-detail-invalid",
        "malformed",
        FAILED,
        "the detail answer is not valid JSON",
        _invoice(7034, "LS-H-INVALID", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "invalid"},
        hint="unreadable",
    )
    add(
        "jag-inv-detail-truncated",
        "malformed",
        FAILED,
        "the detail answer is cut in the middle",
        _invoice(7035, "LS-H-TRUNC", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "truncate"},
        hint="incomplete",
    )
    deep_detail = '{"header": {"invoiceId": 7036}, "lineList": ' + '{"a": ' * 3000 + "1" + "}" * 3001
    add(
        "jag-inv-deep-nesting",
        "deep nesting",
        FAILED,
        "a detail answer nested 3,000 objects deep",
        _invoice(7036, "LS-H-DEEP", [_invoice_line(1, 1, 12.5)]),
        fault={"kind": "status", "status": 200, "body": deep_detail},
        hint="nested",
    )
    add(
        "jag-inv-nul-description",
        "odd unicode",
        FAILED,
        "a NUL character in a line description",
        _invoice(7037, "LS-H-NUL", [_invoice_line(1, 1, 12.5, description="glo\u0000ves")]),
        hint="NUL",
    )
    add(
        "jag-inv-surrogate-number",
        "odd unicode",
        FAILED,
        "a lone surrogate in the invoice number",
        _invoice(7038, "LS-H-\udc00", [_invoice_line(1, 1, 12.5)]),
        hint="surrogate",
    )
    add(
        "jag-inv-zero-width-number",
        "odd unicode",
        FAILED,
        "a zero-width space in the invoice number",
        _invoice(7039, "LS-H-\u200b40", [_invoice_line(1, 1, 12.5)]),
        hint="invisible",
    )
    add(
        "jag-inv-good-charges",
        "good",
        DONE,
        "2 gloves with the tax it states (2.50) and a 5.00 discount on a mapped account",
        _invoice(
            7041,
            "LS-H-GOOD-3",
            [{**_invoice_line(1, 2, 12.5), "taxable": "true"}],
            taxCharge1=2.5,
            discountAmount=5.0,
        ),
        trace=(),
    )
    add(
        "jag-inv-tax-differs",
        "amounts",
        NEEDS_REVIEW,
        "states 99.00 of taxes where its taxable lines give 2.50",
        _invoice(7042, "LS-H-TAX", [{**_invoice_line(1, 2, 12.5), "taxable": "true"}], taxCharge1=99),
        hint="states taxes of 99",
    )
    add(
        "jag-inv-charge-unmapped",
        "unknown reference",
        NEEDS_REVIEW,
        "a shipping charge on an account nobody mapped",
        _invoice(7043, "LS-H-SHIP", [_invoice_line(1, 1, 12.5)], shippingCharge=15.0),
        hint="shippingCharge",
    )
    add(
        "jag-inv-charge-text",
        "numbers",
        FAILED,
        "handlingCharge 'a lot'",
        _invoice(7044, "LS-H-HANDLE", [_invoice_line(1, 1, 12.5)], handlingCharge="a lot"),
        hint="not a number",
    )
    add(
        "jag-inv-tax-text",
        "numbers",
        FAILED,
        "taxCharge1 'ten'",
        _invoice(7045, "LS-H-TAXTXT", [_invoice_line(1, 1, 12.5)], taxCharge1="ten"),
        hint="taxCharge1",
    )
    return docs


def _order_line_in(
    number, quantity, price, code="LAB-GLV-100", description="Nitrile gloves", cost_center="CC-200"
):
    return {
        "lineNumber": str(number),
        "item": {"catalogNumber": code, "description": description, "unitOfMeasure": "EA"},
        "quantity": quantity,
        "unitPrice": {"currency": "USD", "value": price},
        "splittableFieldSetGroupList": splittable({"CostCenter": cost_center} if cost_center else {}),
    }


def _order_in(po_id, number, lines, supplier=None, currency="USD", status="Approved"):
    """An order a buyer keyed in JAGGAER (§2.2 PROPOSED shape)."""
    order = {
        "poId": po_id,
        "poNumber": number,
        "revisionNumber": 0,
        "status": status,
        "supplier": dict(LAB_SUPPLIER if supplier is None else supplier),
        "total": {"currency": currency, "value": 0},
        "lineList": {"poLine": lines},
    }
    if not order["supplier"]:
        del order["supplier"]
    return order


def _order_in_trace(number):
    return (("purchase.order", [("name", "=", number)]),)


def _jaggaer_orders():
    docs = []

    def add(doc_id, category, expect, description, record, **kw):
        kw.setdefault("trace", _order_in_trace(record["poNumber"]))
        docs.append(
            _jaggaer(
                doc_id, ORDER_FROM_JAGGAER, category, expect, description, "purchase_orders", record, **kw
            )
        )

    add(
        "jag-order-good",
        "good",
        DONE,
        "an order keyed in JAGGAER: 10 gloves and 2 racks of tips (markup in a description)",
        _order_in(
            6101,
            "P-H-GOOD-1",
            [
                _order_line_in(1, 10, 12.5, description=f"Gloves {MARKUP}"),
                _order_line_in(2, 2, 45.0, code="LAB-TIP-200", description="Tips"),
            ],
        ),
        markup=MARKUP,
        trace=(),
    )
    add(
        "jag-order-no-number",
        "missing field",
        FAILED,
        "no poNumber",
        _order_in(6102, "", [_order_line_in(1, 1, 12.5)]),
        hint="poNumber",
        trace=(),
    )
    add(
        "jag-order-no-lines",
        "missing field",
        FAILED,
        "an empty line list",
        _order_in(6103, "P-H-NOLINES", []),
        hint="no lines",
    )
    add(
        "jag-order-line-not-object",
        "malformed",
        FAILED,
        "a line that is a string",
        _order_in(6104, "P-H-STRLINE", ["oops"]),
        hint="not an object",
    )
    add(
        "jag-order-no-supplier",
        "missing field",
        FAILED,
        "no supplier block at all",
        _order_in(6105, "P-H-NOSUP", [_order_line_in(1, 1, 12.5)], supplier={}),
        hint="supplier",
    )
    add(
        "jag-order-unknown-supplier",
        "unknown reference",
        NEEDS_REVIEW,
        "a supplier Odoo does not know",
        _order_in(
            6106,
            "P-H-NOBODY",
            [_order_line_in(1, 1, 12.5)],
            supplier={"id": 999998, "name": "Nobody Either Ltd", "supplierNumber": "NOPE-2"},
        ),
        hint="Nobody Either",
    )
    add(
        "jag-order-unknown-item",
        "unknown reference",
        NEEDS_REVIEW,
        "an item no product is (products are never created)",
        _order_in(6107, "P-H-ITEM", [_order_line_in(1, 1, 9.0, code="NOPE-42", description="Unobtainium")]),
        hint="NOPE-42",
    )
    add(
        "jag-order-text-qty",
        "numbers",
        FAILED,
        "quantity 'a dozen'",
        _order_in(6108, "P-H-QTXT", [_order_line_in(1, "a dozen", 12.5)]),
        hint="not a number",
    )
    add(
        "jag-order-zero-qty",
        "numbers",
        FAILED,
        "quantity 0",
        _order_in(6109, "P-H-Q0", [_order_line_in(1, 0, 12.5)]),
        hint="quantity",
    )
    add(
        "jag-order-nan-price",
        "numbers",
        FAILED,
        "NaN as unit price",
        _order_in(6110, "P-H-PNAN", [_order_line_in(1, 1, math.nan)]),
        hint="NaN",
    )
    add(
        "jag-order-unknown-currency",
        "unknown reference",
        FAILED,
        "currency ZZZ",
        _order_in(6111, "P-H-CUR", [_order_line_in(1, 1, 12.5)], currency="ZZZ"),
        hint="ZZZ",
    )
    add(
        "jag-order-nul",
        "odd unicode",
        FAILED,
        "a NUL character in a description",
        _order_in(6112, "P-H-NUL", [_order_line_in(1, 1, 12.5, description="glo\u0000ves")]),
        hint="NUL",
    )
    add(
        "jag-order-long-number",
        "huge",
        FAILED,
        "a poNumber of 100,000 characters",
        _order_in(6113, "P" * 100_000, [_order_line_in(1, 1, 12.5)]),
        hint="poNumber",
        trace=(),
    )
    add(
        "jag-order-unmapped-cost-centre",
        "unknown reference",
        NEEDS_REVIEW,
        "cost centre CC-999, mapped to nothing",
        _order_in(6114, "P-H-CC", [_order_line_in(1, 1, 12.5, cost_center="CC-999")]),
        hint="CC-999",
    )
    split = _order_line_in(1, 1, 12.5)
    split["splittableFieldSetGroupList"]["splittableFieldSetGroup"][0]["splittableFieldIndexSet"][0][
        "splittableFieldIndexList"
    ]["splittableFieldIndex"].append(
        {"customFieldValueList": {"customFieldValue": [{"internalName": "CostCenter", "value": "CC-100"}]}}
    )
    add(
        "jag-order-split-cost-centre",
        "malformed",
        FAILED,
        "a line split across two cost centres",
        _order_in(6115, "P-H-SPLIT", [split]),
        hint="split",
    )
    return docs


def _sps_xml_orders():
    """850 in as RSX XML, and what only looks like it."""
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, ORDER_IN, category, expect, description, data, **kw))

    add(
        "sps-850-xml-good",
        "good",
        DONE,
        "a valid order in RSX XML (good neighbour)",
        sim_rsx.to_xml(_order("NW-H-XML-1", [dict(BLUE), dict(RED)])),
    )
    xml_head = '<?xml version="1.0" encoding="utf-8"?>\n'
    order_xml = sim_rsx.to_xml(_order("NW-H-XML-ENT")).decode()
    entity_order = order_xml.replace("<TradingPartnerId>NWDALLNORTHWND", "<TradingPartnerId>&xxe;")
    add(
        "sps-850-xml-external-entity",
        "xml",
        FAILED,
        "an external entity reading /etc/passwd (XXE)",
        entity_order.replace(
            xml_head, xml_head + '<!DOCTYPE Order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        ).encode(),
        hint="DOCTYPE",
        trace=_order_trace("NW-H-XML-ENT"),
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    add(
        "sps-850-xml-billion-laughs",
        "xml",
        FAILED,
        "nested entities that expand to gigabytes (billion laughs)",
        f"{xml_head}<!DOCTYPE Order [{laughs}]><Order><Header><OrderHeader><PurchaseOrderNumber>&l9;"
        "</PurchaseOrderNumber></OrderHeader></Header></Order>".encode(),
        hint="XML",
    )
    add(
        "sps-850-xml-malformed",
        "xml",
        FAILED,
        "XML cut in the middle of an element",
        order_xml[: len(order_xml) // 2].encode(),
        hint="well-formed",
    )
    add(
        "sps-850-xml-unknown-root",
        "xml",
        FAILED,
        "an XML file whose root is no RSX document",
        f"{xml_head}<PurchaseOrder><Number>NW-H-XML-ROOT</Number></PurchaseOrder>".encode(),
        hint="root element",
    )
    add(
        "sps-850-xml-text-qty",
        "xml",
        FAILED,
        "OrderQty 'twelve' in XML",
        sim_rsx.to_xml(_order("NW-H-XML-QTY")).replace(
            b"<OrderQty>10</OrderQty>", b"<OrderQty>twelve</OrderQty>"
        ),
        hint="twelve",
        trace=_order_trace("NW-H-XML-QTY"),
    )
    add(
        "sps-850-xml-unknown-element",
        "xml",
        FAILED,
        "an element RSX does not have (Colour) in an order line",
        sim_rsx.to_xml(_order("NW-H-XML-KEY")).replace(b"<OrderQty>", b"<Colour>blue</Colour><OrderQty>", 1),
        hint="unknown key",
        trace=_order_trace("NW-H-XML-KEY"),
    )
    return docs


def _change(po_number, lines, tpid=NORTHWIND, sequence=1):
    return sim_rsx.change_order(tpid, po_number, sequence, lines)


def _sps_changes():
    """860 in: changes of the retailer's orders."""
    docs = []

    def add(doc_id, expect, description, data, **kw):
        docs.append(_sps(doc_id, ORDER_IN, "change", expect, description, data, **kw))

    add(
        "sps-860-good",
        DONE,
        "a change order adding a case to the good order's red line (good neighbour)",
        _dumps(_change("NW-H-GOOD-1", [dict(RED, change="QI", qty=3, previous_qty=2)])),
    )
    add(
        "sps-860-bad-change-code",
        FAILED,
        "LineChangeCode ZZ",
        _dumps(_change("NW-H-GOOD-1", [dict(RED, change="ZZ", qty=4)], sequence=2)),
        hint="ZZ",
    )
    text_qty = _change("NW-H-GOOD-1", [dict(RED, change="QI")], sequence=3)
    text_qty["LineItem"][0]["OrderLine"]["OrderQty"] = "lots"
    add("sps-860-text-qty", FAILED, "OrderQty 'lots' on a changed line", _dumps(text_qty), hint="lots")
    add(
        "sps-860-unknown-tpid",
        NEEDS_REVIEW,
        "a change from a trading partner nobody set up",
        _dumps(_change("NW-H-GOOD-1", [dict(RED, change="QD", qty=1)], tpid="UNKNOWNTPID86")),
        hint="Unknown trading partner",
    )
    return docs


def _inventory(document_id, items=None, tpid=ACME, **kw):
    items = items or [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": 40}]}]
    return sim_rsx.inventory_advice(tpid, document_id, items, **kw)


def _sps_inventory():
    """846 in: a vendor's inventory advice."""
    docs = []

    def add(doc_id, category, expect, description, data, **kw):
        docs.append(_sps(doc_id, INVENTORY_IN, category, expect, description, data, **kw))

    add(
        "sps-846-good",
        "good",
        DONE,
        "inventory advice for two items (good neighbour)",
        _dumps(
            _inventory(
                "IB-H-GOOD",
                [
                    {
                        "vendor_part": "WID-100-BLU",
                        "quantities": [{"qty": 40}, {"qualifier": "OOR", "qty": 10}],
                    },
                    {"vendor_part": "WID-200-RED", "quantities": [{"qty": 3, "uom": "CA"}]},
                ],
            )
        ),
    )
    add(
        "sps-846-markup-item",
        "markup",
        DONE,
        "an item number holding a script, kept as text (matched to no product)",
        _dumps(_inventory("IB-H-MARKUP", [{"vendor_part": MARKUP, "quantities": [{"qty": 1}]}])),
        markup=MARKUP,
    )
    add(
        "sps-846-negative-qty",
        "numbers",
        FAILED,
        "a stock of -5",
        _dumps(_inventory("IB-H-NEG", [{"vendor_part": "WID-100-BLU", "quantities": [{"qty": -5}]}])),
        hint="at least 0",
    )
    text_qty = _inventory("IB-H-TEXT")
    text_qty["Structure"][0]["LineItem"][0]["QuantitiesSchedulesLocations"][0]["TotalQty"] = "plenty"
    add("sps-846-text-qty", "numbers", FAILED, "TotalQty 'plenty'", _dumps(text_qty), hint="plenty")
    bad_kind = _inventory(
        "IB-H-QUAL", [{"vendor_part": "WID-100-BLU", "quantities": [{"qualifier": "XYZ", "qty": 1}]}]
    )
    add("sps-846-bad-qualifier", "malformed", FAILED, "QuantityQualifier XYZ", _dumps(bad_kind), hint="XYZ")
    no_items = _inventory("IB-H-EMPTY")
    no_items["Structure"] = []
    add("sps-846-no-items", "malformed", FAILED, "an advice without items", _dumps(no_items), hint="no items")
    add(
        "sps-846-unknown-tpid",
        "unknown references",
        NEEDS_REVIEW,
        "inventory advice from a trading partner nobody set up",
        _dumps(_inventory("IB-H-TPID", tpid="UNKNOWNTPID46")),
        hint="Unknown trading partner",
    )
    return docs


def corpus():
    """Every document of the proof, in delivery order."""
    return [
        *_jaggaer_suppliers(),
        *_jaggaer_po_statuses(),
        *_jaggaer_orders(),
        *_jaggaer_invoices(),
        *_sps_orders(),
        *_sps_xml_orders(),
        *_sps_changes(),
        *_sps_acks(),
        *_sps_shipments(),
        *_sps_receipts(),
        *_sps_inventory(),
    ]


# ------------------------------------------------------------------------------------ delivery
class RemoteSimulator:
    """The control API of a simulator running in another process (``harness.SimulatorProcess``),
    with the methods :func:`deliver` uses on an in-process simulator."""

    def __init__(self, process, system):
        self.process = process
        self.system = system

    def seed(self, data):
        return self.process.control(self.system, "seed", data)

    def inject(self, kind, **kw):
        return self.process.control(self.system, "faults", {"kind": kind, **kw})

    def drop_raw(self, path, data, *, account=None):
        payload = {"path": path, "base64": base64.b64encode(data).decode(), "account": account}
        return self.process.control(self.system, "sps/drop_raw", payload)


def simulator_seeds():
    """What the simulators must know before the documents arrive: the clients, the SPS account,
    and the orders PO-HOST-J1 and PO-HOST-J2 as JAGGAER has them (for PO statuses)."""
    jaggaer = {"clients": {JAGGAER_CLIENT_ID: JAGGAER_CLIENT_SECRET}}
    sps = {
        "accounts": [
            {
                "id": SPS_ACCOUNT,
                "folders": ["out/IB/"],
                "clients": [{"client_id": SPS_CLIENT_ID, "client_secret": SPS_CLIENT_SECRET}],
                "trading_partners": [
                    {"tpid": ACME, "name": "Acme"},
                    {"tpid": NORTHWIND, "name": "Northwind"},
                ],
            }
        ]
    }
    return jaggaer, sps


def deliver(documents, jaggaer_sim, sps_sim, invoice_list_path="/j1p/api/public/ji/v1/invoices"):
    """Put every document where its connection will read it, with its faults.

    ``jaggaer_sim``/``sps_sim``: the simulators (in-process apps, or :class:`RemoteSimulator`).
    The JAGGAER invoice listing fails once (invalid JSON): the first cycle collects no invoice,
    the second must collect them all.
    """
    jaggaer_seed, sps_seed = simulator_seeds()
    jaggaer_sim.seed(jaggaer_seed)
    sps_sim.seed(sps_seed)
    dropped = set()
    for doc in documents:
        delivery = doc.delivery
        if isinstance(delivery, SpsFile):
            if delivery.path in dropped:
                continue  # a batch file carries several documents
            dropped.add(delivery.path)
            sps_sim.drop_raw(delivery.path, delivery.data, account=SPS_ACCOUNT)
            if delivery.fail_first_download:
                sps_sim.inject(
                    "status", status=500, count=1, method="GET", path=f"/transactions/v5/data/{delivery.path}"
                )
        else:
            jaggaer_sim.seed({delivery.kind: [delivery.record]})
            if delivery.detail_fault:
                path = f"{invoice_list_path}/{delivery.record['header']['invoiceId']}"
                jaggaer_sim.inject(**{"count": 1, "method": "GET", **delivery.detail_fault, "path": path})
    jaggaer_sim.inject("invalid", count=1, method="GET", path=invoice_list_path)


def run_connections(env, world, run=None):
    """Run both connections :data:`RUNS` times, JAGGAER first; return ``{backend: [runs]}``.

    ``run(backend)`` runs one cycle: in a TransactionCase, ``SimulatorCase.run_backend`` (registry
    test mode); by default the connection's cycle itself, which commits as the scheduler does.
    """
    backends = world.backends(env)
    runs = {backend: [] for backend in backends}
    for _cycle in range(RUNS):
        for backend in backends:
            if run is not None:
                runs[backend].append(run(backend))
                continue
            backend._run_cycle(trigger="manual")
            runs[backend].append(env["ml.connector.run"].search([("backend_id", "=", backend.id)], limit=1))
    return runs


# ------------------------------------------------------------------------------------ the world
@dataclass
class World:
    """The Odoo records the corpus talks about (ids, so that it survives commits and cursors)."""

    jaggaer_backend_id: int
    sps_backend_id: int
    target_order_id: int  # PO_S_TARGET
    target_snapshot: dict
    counts: dict  # record counts before delivery

    def backends(self, env):
        return env["ml.connector.backend"].browse([self.jaggaer_backend_id, self.sps_backend_id])


def _account(env, company, code, name):
    Account = env["account.account"]
    return Account.search([*Account._check_company_domain(company), ("code", "=", code)], limit=1) or (
        Account.create({"name": name, "code": code, "account_type": "expense"})
    )


COUNTED = {
    "purchase.order": [],
    "account.move": [("move_type", "in", ("in_invoice", "in_refund"))],
    "res.partner": [],
}


def _counts(env):
    return {
        model: env[model].with_context(active_test=False).search_count(domain)
        for model, domain in COUNTED.items()
    }


def target_snapshot(env, order):
    """What a hostile 855/856/944 could change on PO_S_TARGET and its receipt."""
    pickings = order.picking_ids.sorted("id")
    return {
        "order": order.read(["state", "sps_ack_status", "sps_ack_number", "sps_ack_type", "sps_last_asn"])[0],
        "lines": order.order_line.read(["product_qty", "qty_received", "sps_ack_status", "sps_ack_detail"]),
        "pickings": pickings.read(["state", "sps_asn_ref", "sps_receipt_ref", "sps_receipt_note", "sps_bol"]),
        "moves": pickings.move_ids.sorted("id").read(
            ["quantity", "picked", "sps_asn_qty", "sps_damaged_qty", "state"]
        ),
        "backorders": len(pickings.backorder_ids),
    }


def setup_world(env, jaggaer_url, sps_url):
    """Vendors, products, accounts, purchase orders and the two connections the corpus talks about.

    Only the inbound flows the corpus feeds are active. Transport failures are not retried (one attempt
    per request and per record): the proof looks at where each document ends, not at backoff.
    """
    company = env.company
    usd = env.ref("base.USD")
    usd.active = True
    if company.currency_id != usd:
        company.currency_id = usd
    lab_account = _account(env, company, "610000", "Laboratory supplies")
    _account(env, company, "600000", "Expenses")
    plan = env["account.analytic.plan"].create({"name": "Cost centres (proof)"})
    cost_center = env["account.analytic.account"].create(
        {"name": "Laboratory", "code": "CC-200", "plan_id": plan.id}
    )
    tax = env["account.tax"].create(
        {"name": "Purchase 10% (proof)", "amount": 10, "type_tax_use": "purchase"}
    )
    unit = env.ref("uom.product_uom_unit")
    case = env["uom.uom"].create(
        {"name": "Case of 12 (proof)", "relative_factor": 12, "relative_uom_id": unit.id, "sps_code": "CA"}
    )
    Product = env["product.product"]
    gloves = Product.create(
        {
            "name": "Nitrile gloves, box of 100",
            "default_code": "LAB-GLV-100",
            "property_account_expense_id": lab_account.id,
            "supplier_taxes_id": [(6, 0, tax.ids)],
            "purchase_method": "purchase",
        }
    )
    tips = Product.create(
        {
            "name": "Pipette tips, rack of 96",
            "default_code": "LAB-TIP-200",
            "property_account_expense_id": lab_account.id,
            "purchase_method": "purchase",
        }
    )
    blue = Product.create(
        {
            "name": "Widget 100, blue",
            "default_code": "WID-100-BLU",
            "barcode": "012345678905",
            "is_storable": True,
            "standard_price": 4.75,
        }
    )
    red = Product.create(
        {
            "name": "Widget 200, red",
            "default_code": "WID-200-RED",
            "is_storable": True,
            "standard_price": 4.5,
            "uom_ids": [(4, case.id)],
        }
    )
    Partner = env["res.partner"]
    lab = Partner.create(
        {
            "name": "Lab Supply Inc",
            "is_company": True,
            "supplier_rank": 1,
            "ref": LAB_NUMBER,
            "duns_number": "123456789",
        }
    )
    other = Partner.create(
        {"name": "Other Glove Vendor", "is_company": True, "supplier_rank": 1, "ref": "H-OTHER"}
    )
    acme = Partner.create({"name": "Acme Widgets LLC", "is_company": True, "supplier_rank": 1})
    northwind = Partner.create({"name": "Northwind Stores", "is_company": True})
    env["product.supplierinfo"].create(
        [
            {
                "partner_id": acme.id,
                "product_tmpl_id": blue.product_tmpl_id.id,
                "product_code": "WID-100-BLU",
                "price": 4.75,
            },
            {
                "partner_id": acme.id,
                "product_tmpl_id": red.product_tmpl_id.id,
                "product_code": "WID-200-RED",
                "product_uom_id": case.id,
                "price": 54.0,
            },
        ]
    )

    def order(name, vendor, lines, confirm=True):
        po = env["purchase.order"].create(
            {
                "name": name,
                "partner_id": vendor.id,
                "currency_id": usd.id,
                "order_line": [
                    (0, 0, {"product_id": p.id, "product_qty": q, "product_uom_id": u.id, "price_unit": pr})
                    for p, q, u, pr in lines
                ],
            }
        )
        if confirm:
            po.button_confirm()
        return po

    order(PO_J_OPEN, lab, [(gloves, 10, unit, 12.5), (tips, 4, unit, 45.0)])
    order(PO_J_OTHER, other, [(gloves, 5, unit, 12.5)])
    order(PO_J_DRAFT, lab, [(gloves, 5, unit, 12.5)], confirm=False)
    order(PO_S_GOOD, acme, [(blue, 24, unit, 4.75), (red, 5, case, 54.0)])
    target = order(PO_S_TARGET, acme, [(blue, 10, unit, 4.75)])

    Backend = env["ml.connector.backend"]
    common = {"test_mode": True, "request_max_attempts": 1, "record_max_attempts": 1}
    jaggaer = Backend.create(
        {
            "name": "JAGGAER (hostile corpus)",
            "system_type": "jaggaer",
            "base_url": jaggaer_url,
            "client_id": JAGGAER_CLIENT_ID,
            "client_secret": JAGGAER_CLIENT_SECRET,
            **common,
        }
    )
    sps = Backend.create(
        {
            "name": "SPS (hostile corpus)",
            "system_type": "sps",
            "base_url": sps_url,
            "token_url": f"{sps_url}/oauth/token",
            "client_id": SPS_CLIENT_ID,
            "client_secret": SPS_CLIENT_SECRET,
            **common,
        }
    )
    for backend, flows in ((jaggaer, JAGGAER_FLOWS), (sps, SPS_FLOWS)):
        for flow in backend.flow_ids:
            flow.active = flow.code in flows
    Mapping = env["ml.connector.mapping"]
    Mapping.create(
        {
            "backend_id": jaggaer.id,
            "mapping_type": "Account",
            "external_value": "610000",
            "record_ref": f"account.account,{lab_account.id}",
        }
    )
    Mapping.create(
        {
            "backend_id": jaggaer.id,
            "mapping_type": "CostCenter",
            "external_value": "CC-200",
            "record_ref": f"account.analytic.account,{cost_center.id}",
        }
    )
    Mapping.create(
        {
            "backend_id": jaggaer.id,
            "mapping_type": "Charge",
            "external_value": "discountAmount",
            "record_ref": f"account.account,{lab_account.id}",
        }
    )
    Trading = env["ml.connector.sps.partner"]
    acme_trading = Trading.create(
        {"backend_id": sps.id, "tpid": ACME, "partner_id": acme.id, "role": "vendor"}
    )
    acme_trading.receive_846 = True
    Trading.create(
        {
            "backend_id": sps.id,
            "tpid": NORTHWIND,
            "partner_id": northwind.id,
            "role": "retailer",
            "vendor_number": "100482",
        }
    )
    jaggaer.action_activate()
    sps.action_activate()
    env.flush_all()
    return World(jaggaer.id, sps.id, target.id, target_snapshot(env, target), _counts(env))


# ------------------------------------------------------------------------------------ judging
@dataclass
class Verdict:
    document: Document
    lines: list  # audit line ids
    state: str
    message: str
    handled: bool
    half_written: bool
    problems: list

    def as_dict(self):
        return {
            "id": self.document.id,
            "system": self.document.system,
            "flow": self.document.flow,
            "category": self.document.category,
            "description": self.document.description,
            "expected": self.document.expect,
            "state": self.state,
            "message": self.message if len(self.message) <= 2000 else self.message[:1999] + "…",
            "handled": self.handled,
            "half_written": self.half_written,
            "problems": self.problems,
        }


@dataclass
class Report:
    verdicts: list
    global_problems: list

    @property
    def hostile(self):
        return [v for v in self.verdicts if v.document.hostile]

    @property
    def good(self):
        return [v for v in self.verdicts if v.document.good]

    @property
    def tried(self):
        return len(self.hostile)

    @property
    def handled(self):
        return sum(v.handled for v in self.hostile)

    @property
    def good_done(self):
        return sum(v.state == "done" and v.handled for v in self.good)

    @property
    def half_written(self):
        return sum(v.half_written for v in self.verdicts) + len(self.global_problems)

    @property
    def lost(self):
        return [v for v in self.verdicts if len(v.lines) != 1]

    def failures(self):
        """One line per document (or global check) that does not meet the standard."""
        out = [f"{v.document.id}: {'; '.join(v.problems)}" for v in self.verdicts if v.problems]
        return out + [f"global: {problem}" for problem in self.global_problems]

    def summary(self):
        """The figures and every document's outcome, as the proof prints them (JSON-ready)."""
        return {
            "tried": self.tried,
            "handled": self.handled,
            "good": len(self.good),
            "good_done": self.good_done,
            "half_written": self.half_written,
            "lost_or_duplicated": len(self.lost),
            "global_problems": self.global_problems,
            "documents": [verdict.as_dict() for verdict in self.verdicts],
        }


def _clear(message):
    return bool(message and message.strip()) and not any(marker in message for marker in UNCLEAR)


def _half_written(env, doc, line):
    """Records of a document that did not go through: its trace, and the line's own record."""
    found = []
    for model, domain in doc.trace:
        records = env[model].with_context(active_test=False).search(domain)
        if records:
            found.append(f"{model} {records.ids} exists")
    if line and line.res_id:
        found.append(f"the audit line points to {line.res_model} {line.res_id}")
    return found


def _text_values(record):
    """Stored text of a record and of its lines (where a description ends up)."""
    records = [record] + [
        record[name] for name in ("order_line", "invoice_line_ids") if name in record._fields
    ]
    values = []
    for rec in records:
        for name, field_ in rec._fields.items():
            if field_.type in ("char", "text") and field_.store:
                values += [value for value in rec.mapped(name) if isinstance(value, str)]
    return values


def _markup_problems(env, doc, line):
    """The text must be kept verbatim as text, and escaped wherever Odoo renders HTML (chatter)."""
    text = doc.markup
    record = line._record() if line.res_model else None
    if record is None:
        kept = [line.error_message or ""]
        reviews = env["ml.connector.review"].search([("line_ids", "in", line.ids)])
        kept += [f"{review.name}\n{review.reason}" for review in reviews]
        if any(text in value for value in kept):
            return []
        return [f"{text!r} is not kept verbatim on the audit line or its review"]
    problems = []
    if not any(text in value for value in _text_values(record)):
        problems.append(f"{record._name} {record.id} does not keep {text!r} verbatim")
    for message in record.message_ids if "message_ids" in record._fields else ():
        body = str(message.body or "")
        if "<script" in body or "<img" in body:
            problems.append(f"message {message.id} of {record._name} {record.id} holds the markup as HTML")
    return problems


def judge(env, world, documents):
    """Where each document ended, whether that meets the standard, and what was half-written."""
    Line = env["ml.connector.audit.line"].with_context(active_test=False)
    backends = world.backends(env)
    env.invalidate_all()
    verdicts = []
    for doc in documents:
        backend = backends[0] if doc.system == "jaggaer" else backends[1]
        flow = backend.flow_ids.filtered(lambda f, doc=doc: f.code == doc.flow)
        lines = Line.search([("flow_id", "=", flow.id), ("external_id", "=", doc.delivery.audit_key)])
        line = lines[:1]
        state, message = (line.state, line.error_message or "") if line else ("missing", "")
        problems = []
        if len(lines) != 1:
            problems.append(f"{len(lines)} audit lines instead of 1")
        wanted = ("done",) if doc.expect == DONE else OUTCOMES[doc.expect]
        if state not in wanted:
            problems.append(f"ended {state}, expected {doc.expect}: {message[:300]}")
        if doc.expect != DONE:
            if not _clear(message):
                problems.append(f"unclear message: {message[:300]!r}")
            elif doc.hint and doc.hint.lower() not in message.lower():
                problems.append(f"the message does not say {doc.hint!r}: {message[:300]}")
        half = _half_written(env, doc, line) if state != "done" else []
        problems += half
        if doc.markup and line:
            problems += _markup_problems(env, doc, line)
        verdicts.append(
            Verdict(
                doc,
                lines.ids,
                state,
                message,
                handled=not problems,
                half_written=bool(half),
                problems=problems,
            )
        )
    return Report(verdicts, _global_problems(env, world, verdicts))


def _global_problems(env, world, verdicts):
    """What no single document accounts for: PO_S_TARGET changed, more records than good documents."""
    problems = []
    target = env["purchase.order"].browse(world.target_order_id)
    if target_snapshot(env, target) != world.target_snapshot:
        problems.append(f"{PO_S_TARGET} or its receipt changed, yet only hostile documents name it")
    done = {}
    for verdict in verdicts:
        # a change order changes an order, it creates none
        if verdict.state == "done" and verdict.document.category != "change":
            done[verdict.document.flow] = done.get(verdict.document.flow, 0) + 1
    expected = {
        "purchase.order": done.get(ORDER_IN, 0) + done.get(ORDER_FROM_JAGGAER, 0),
        "account.move": done.get(INVOICE_IN, 0),
        # linking Lab Supply creates nothing; the other suppliers that go through are new vendors
        "res.partner": max(done.get(SUPPLIER_IN, 0) - 1, 0),
    }
    now = _counts(env)
    for model, count in expected.items():
        grown = now[model] - world.counts[model]
        if grown != count:
            problems.append(
                f"{grown} new {model} record(s), but {count} document(s) that create one went through"
            )
    return problems
