"""What a reader hands to the engine while collecting from a source, and what a writer leaves to it."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .payload import content_hash


@dataclass
class SourceItem:
    """One document read from a flow's source, before anything is done with it.

    ``source_key`` identifies the document on the source side (a remote id, a file path,
    or ``model,id`` for an Odoo record); the engine keeps one audit line per version of it.
    """

    source_key: str
    payload: Any
    name: str = ""
    document_key: str = ""
    external_id: str | None = None
    res_model: str | None = None
    res_id: int | None = None
    stamp: datetime | None = None
    hash: str | None = None
    error: Exception | None = None  # the source item could not even be prepared
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.hash is None and self.payload is not None:
            self.hash = content_hash(self.payload)


@dataclass
class Page:
    """A batch of items plus the cursor that is valid once they are stored.

    The engine stores the items and the cursor in one transaction, then calls the reader's
    ``_acknowledge`` with ``acknowledge`` (e.g. delete files from a remote mailbox), and only
    then asks for the next page.
    """

    items: list = field(default_factory=list)
    cursor: dict | None = None
    more: bool = False
    acknowledge: list = field(default_factory=list)
    unchanged: int = 0  # items the reader already knew were unchanged (not passed on)


@dataclass
class Deferred:
    """A record a writer leaves to the engine, to be created together with the others of its batch.

    One ``create()`` for a batch of heavy records (vendor bills: tax and balance lines are
    computed per call) is several times cheaper than one per document. ``model`` is the
    recordset to create with (its environment and company), ``vals`` the values; ``finish``
    turns the created record into the line's result (bindings, message). ``keys`` name what the
    checks before it read that another document of the batch could change (the PO lines it
    bills, its supplier invoice number): documents sharing a key are never created in the same
    call. ``payload`` is what the reader read while processing (kept on the audit line).
    """

    model: Any
    vals: dict
    finish: Any
    keys: frozenset = frozenset()
    payload: Any = None

    def then(self, func):
        """The same deferred record, its result passed through ``func``."""
        finish = self.finish
        return Deferred(self.model, self.vals, lambda record: func(finish(record)), self.keys, self.payload)
