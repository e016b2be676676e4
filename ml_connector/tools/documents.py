"""Canonical documents: the seam between the reader of one end and the writer of the other.

A flow moves one document type from a source end to a target end. The source's *reader* turns
what it reads (a JAGGAER record, an RSX file, F4301 rows, an Odoo purchase order) into one of the
documents below; the target's *writer* turns that document into what its side needs. Each
system's readers and writers are written once against these classes and serve every other end.

References between documents are :class:`Ref` objects holding the key of the record **on the end
the document comes from** (``res.partner,7`` for an Odoo vendor, a JAGGAER ``bravoId``, a JD
Edwards address number) plus the business number and name both sides may know. A writer turns a
key into its own side's record through the bindings that join the two ends (see
``ml.connector.binding._counterpart``), or through the matching cascade when none exists yet.

Documents are plain data: JSON-friendly values (strings, numbers, booleans, lists, nested
documents), dates as ISO 8601 strings, amounts as numbers in the document's currency. They are
stored on audit lines with :meth:`Document.to_dict` and read back with :meth:`Document.from_dict`,
so hashing, redaction and replay work on them as on any payload. What a reader read to build a
document (e.g. an invoice detail fetched while processing) travels beside it in
``source_payload``, which is not part of the document.
"""

import types
import typing
from dataclasses import MISSING, dataclass, field, fields

PURPOSES = ("original", "replacement", "cancellation", "duplicate")


def _convert(hint, value):
    """``value`` (from JSON) as the type ``hint`` announces: nested documents and lists of them."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item_hint,) = typing.get_args(hint) or (typing.Any,)
        return [_convert(item_hint, item) for item in value or []]
    if isinstance(hint, type) and issubclass(hint, Document) and isinstance(value, dict):
        return hint.from_dict(value)
    return value


def _plain(value):
    if isinstance(value, Document):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class Document:
    """Base of the canonical documents (each one a keyword-only dataclass).

    Two attributes travel beside a document without being part of it: ``source_payload``,
    what the reader read to build it (kept on the audit line), and ``source_note``, what the
    source said about it (e.g. a warning), added to the line's message.
    """

    source_payload = None
    source_note = ""

    def to_dict(self):
        """The document as JSON-friendly data; empty values left out, so that payloads stay short
        and a field added later does not change the hash of documents that do not use it."""
        data = {}
        for spec in fields(self):
            value = _plain(getattr(self, spec.name))
            if value in (None, "", [], {}):
                continue
            data[spec.name] = value
        return data

    @classmethod
    def from_dict(cls, data):
        """The document stored as ``data`` (unknown keys are ignored, missing ones defaulted)."""
        hints = typing.get_type_hints(cls)
        values = {}
        for spec in fields(cls):
            if spec.name in data:
                values[spec.name] = _convert(hints[spec.name], data[spec.name])
            elif spec.default is MISSING and spec.default_factory is MISSING:
                values[spec.name] = _empty(hints[spec.name])
        return cls(**values)


def _empty(hint):
    if typing.get_origin(hint) is list:
        return []
    if hint is str:
        return ""
    return None


@dataclass(kw_only=True)
class Ref(Document):
    """A record a document points to: its key on the document's end, and what people call it."""

    key: str = ""
    number: str = ""
    name: str = ""
    group: str = ""  # the list the value belongs to: a GL segment, an analytic plan…
    duns: str = ""
    vat: str = ""

    def __bool__(self):
        return bool(self.key or self.number or self.name)


@dataclass(kw_only=True)
class Address(Document):
    name: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""  # ISO 3166 alpha-2
    code: str = ""  # the address code a remote system keeps (JAGGAER addressCode, Fusion site)
    kind: str = ""  # ship_to, bill_to, remit_to, supplier…


@dataclass(kw_only=True)
class Charge(Document):
    """A header or line charge or allowance (freight, handling, discount…). Allowances are negative."""

    kind: str = ""  # freight, handling, fee, discount, tax…
    code: str = ""  # the source's own code (RSX AllowChrgCode, JAGGAER miscFee name)
    description: str = ""
    amount: float = 0.0
    percent: float | None = None


@dataclass(kw_only=True)
class TaxAmount(Document):
    code: str = ""  # the source's tax code
    rate: float | None = None  # percent
    amount: float | None = None
    base: float | None = None


@dataclass(kw_only=True)
class Item(Document):
    """What a line orders, ships or bills, by every identifier the source knows."""

    key: str = ""  # identity of the product on the source end (product.product,5)
    buyer_code: str = ""  # the buyer's item number
    vendor_code: str = ""  # the supplier's part number
    gtin: str = ""  # UPC, EAN or GTIN
    description: str = ""
    commodity: str = ""


@dataclass(kw_only=True)
class Coding(Document):
    """The GL coding of a line, as values of the source end (mapped by the writer)."""

    account: Ref | None = None
    cost_centres: list[Ref] = field(default_factory=list)


# -- master data -------------------------------------------------------------------------------
SUPPLIER_FIELDS = (
    "name", "number", "duns", "vat", "email", "phone", "website",
    "street", "zip", "city", "state", "country", "status",
)  # fmt: skip


@dataclass(kw_only=True)
class SupplierSite(Document):
    key: str = ""
    code: str = ""
    purpose: str = ""  # purchasing, pay…
    address: Address | None = None


@dataclass(kw_only=True)
class Supplier(Document):
    """A supplier in one flat shape for every end, so that two ends can be compared field by field
    (:data:`SUPPLIER_FIELDS`, all texts, whitespace-normalised); ``status`` is ACTIVE or INACTIVE."""

    key: str = ""
    name: str = ""
    number: str = ""
    duns: str = ""
    vat: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    street: str = ""
    zip: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    status: str = "ACTIVE"
    payment_terms: str = ""
    currency: str = ""
    sites: list[SupplierSite] = field(default_factory=list)

    def values(self):
        """The compared fields, as one end holds them."""
        return {name: " ".join(str(getattr(self, name) or "").split()) for name in SUPPLIER_FIELDS}


@dataclass(kw_only=True)
class GlValue(Document):
    """One value of a chart-of-accounts dimension: an account or a cost centre."""

    kind: str = "account"  # account | cost_centre | other
    segment: str = ""  # the dimension on the source end (JAGGAER segment, JDE table, Fusion value set)
    code: str = ""
    description: str = ""
    active: bool = True
    company: str = ""


# -- purchasing --------------------------------------------------------------------------------
@dataclass(kw_only=True)
class PurchaseOrderLine(Document):
    key: str = ""  # identity of the line on the source end
    number: str = ""  # the source's line number, if it numbers lines
    item: Item = field(default_factory=Item)
    quantity: float = 0.0
    uom: str = ""  # unit as the source names it
    uom_key: str = ""  # identity of the unit on the source end
    uom_code: str = ""  # standard unit code when known (EA, CA…)
    pack_size: float | None = None
    unit_price: float = 0.0
    date_planned: str = ""
    coding: Coding = field(default_factory=Coding)
    ship_to: list[Address] = field(default_factory=list)  # store splits and drop-ship addresses
    charges: list[Charge] = field(default_factory=list)
    taxes: list[TaxAmount] = field(default_factory=list)
    status: str = ""
    notes: str = ""


@dataclass(kw_only=True)
class PurchaseOrder(Document):
    """A purchase order, whoever issued it: our own (we buy) or a customer's (we sell)."""

    key: str = ""
    number: str = ""
    release: str = ""
    revision: int | None = None
    status: str = "open"  # open | cancelled | closed
    purpose: str = "original"  # see PURPOSES
    order_date: str = ""
    date_planned: str = ""
    currency: str = ""
    supplier: Ref = field(default_factory=Ref)
    buyer: Ref = field(default_factory=Ref)
    requestor: str = ""
    business_unit: str = ""
    bill_to: Address | None = None
    ship_to: Address | None = None
    payment_terms: Ref | None = None
    lines: list[PurchaseOrderLine] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    taxes: list[TaxAmount] = field(default_factory=list)
    total: float | None = None
    notes: str = ""

    @property
    def cancelled(self):
        return self.status == "cancelled" or self.purpose == "cancellation"


STATUSES = (
    "approved", "sent", "acknowledged", "accepted", "changed", "backordered", "on_hold", "rejected",
    "partially_received", "received", "closed", "cancelled",
)  # fmt: skip


@dataclass(kw_only=True)
class StatusLine(Document):
    number: str = ""  # line number on the order
    item: Item = field(default_factory=Item)
    status: str = ""
    detail: str = ""
    quantity: float | None = None
    date: str = ""


@dataclass(kw_only=True)
class PurchaseOrderStatus(Document):
    """Where an order stands on the other side: a status change or a supplier's acknowledgement."""

    key: str = ""
    po: Ref = field(default_factory=Ref)  # the order: its number, and its key on the source end
    status: str = ""  # one of STATUSES, when the source's wording maps to one
    remote_status: str = ""  # the source's own wording
    revision: int | None = None
    number: str = ""  # acknowledgement number
    type_code: str = ""  # the source's acknowledgement type code
    date: str = ""
    changed_at: str = ""
    supplier: Ref = field(default_factory=Ref)
    note: str = ""
    lines: list[StatusLine] = field(default_factory=list)


@dataclass(kw_only=True)
class InvoiceLine(Document):
    number: str = ""
    kind: str = "item"  # item | freight | misc | tax
    item: Item = field(default_factory=Item)
    quantity: float | None = None
    unit_price: float | None = None
    amount: float | None = None
    uom: str = ""
    uom_key: str = ""
    po: Ref | None = None  # the order the line bills (number, key on the source end)
    po_line: str = ""  # the order's line number
    coding: Coding = field(default_factory=Coding)
    taxes: list[TaxAmount] = field(default_factory=list)
    notes: str = ""


@dataclass(kw_only=True)
class Invoice(Document):
    """A supplier's invoice or credit note (or ours, for the customer_invoice type)."""

    key: str = ""
    number: str = ""  # the supplier's invoice number
    remote_number: str = ""  # the source's own number for it, if any
    kind: str = "invoice"  # invoice | credit_note
    date: str = ""
    due_date: str = ""
    currency: str = ""
    supplier: Ref = field(default_factory=Ref)
    buyer: Ref = field(default_factory=Ref)
    business_unit: str = ""
    po_number: str = ""  # the order the whole invoice bills, when it names one
    payment_terms: Ref | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    taxes: list[TaxAmount] = field(default_factory=list)
    untaxed: float | None = None
    total: float | None = None
    status: str = ""
    payment_status: str = ""
    addresses: list[Address] = field(default_factory=list)

    @property
    def is_credit_note(self):
        return self.kind == "credit_note"


# -- logistics ---------------------------------------------------------------------------------
@dataclass(kw_only=True)
class ShipmentLine(Document):
    po_line: str = ""
    item: Item = field(default_factory=Item)
    quantity: float | None = None
    uom: str = ""
    lot: str = ""
    pack: str = ""  # the pack (carton, pallet) the item travels in


@dataclass(kw_only=True)
class ShipmentOrder(Document):
    po: Ref = field(default_factory=Ref)
    lines: list[ShipmentLine] = field(default_factory=list)


@dataclass(kw_only=True)
class Shipment(Document):
    """A supplier's ship notice (ASN) for one or more of our orders."""

    key: str = ""
    number: str = ""
    purpose: str = "original"
    date: str = ""
    bill_of_lading: str = ""
    carrier: str = ""
    supplier: Ref = field(default_factory=Ref)
    orders: list[ShipmentOrder] = field(default_factory=list)
    has_order_level: bool = True


@dataclass(kw_only=True)
class ReceiptLine(Document):
    po_line: str = ""
    item: Item = field(default_factory=Item)
    quantity: float | None = None
    uom: str = ""
    condition: str = "good"  # good | over | damaged | short | wrong_product | on_hold
    condition_code: str = ""
    reason: str = ""
    lot: str = ""


@dataclass(kw_only=True)
class Receipt(Document):
    """Goods received against an order (a warehouse receipt, a receipt for three-way matching)."""

    key: str = ""
    number: str = ""
    date: str = ""
    po: Ref = field(default_factory=Ref)
    shipment: str = ""  # the ship notice it confirms, if any
    supplier: Ref = field(default_factory=Ref)
    lines: list[ReceiptLine] = field(default_factory=list)
    # True: the line quantities are all received so far on the order (a source that only keeps
    # totals), not this receipt's; the writer receives what its side does not have yet. None (not
    # False) by default, so that documents without it keep their hash
    cumulative: bool | None = None


# -- the document types flows move ---------------------------------------------------------------
@dataclass(frozen=True)
class DocumentType:
    code: str
    label: str
    document: type
    master_data: bool = False
    sequence: int = 50  # default place in a cycle (master data first anyway)


DOCUMENT_TYPES = {
    spec.code: spec
    for spec in (
        DocumentType("gl_value", "GL accounts and cost centres", GlValue, master_data=True, sequence=5),
        DocumentType("supplier", "Suppliers", Supplier, master_data=True, sequence=10),
        DocumentType("purchase_order", "Purchase orders", PurchaseOrder, sequence=30),
        DocumentType("purchase_order_status", "Purchase order statuses", PurchaseOrderStatus, sequence=40),
        DocumentType("shipment", "Ship notices", Shipment, sequence=50),
        DocumentType("receipt", "Receipts", Receipt, sequence=60),
        DocumentType("invoice", "Supplier invoices", Invoice, sequence=70),
        DocumentType("customer_order", "Customer orders", PurchaseOrder, sequence=30),
        DocumentType("customer_invoice", "Customer invoices", Invoice, sequence=20),
    )
}


def document_class(code):
    """The canonical class of document type ``code`` (None for types outside this list)."""
    spec = DOCUMENT_TYPES.get(code)
    return spec.document if spec else None


def supplier_changes(mine_now, mine_synced, theirs_known):
    """Supplier fields one end should send to the other: changed on this end since the last
    synchronisation, or filling a gap on the other side.

    ``mine_synced`` is this end's values as last synchronised ({} when never: then every value
    this end has counts, which is how it wins when a link is first made); ``theirs_known`` is the
    other side's values as last read. Values the other side already has are left out.
    """
    changes = {}
    for name in SUPPLIER_FIELDS:
        mine, theirs = mine_now.get(name, ""), theirs_known.get(name, "")
        if mine == theirs:
            continue
        if mine != mine_synced.get(name, "") or (mine and not theirs):
            changes[name] = mine
    return changes
