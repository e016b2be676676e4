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
class Bind:
    """The binding a created record gets (see ``ml.connector.binding._bind_many``): the record is
    bound to document ``external_id`` of ``backend`` as ``object_type``, with ``values``. The
    engine binds the records of a batch together, before their ``finish`` runs."""

    backend: Any
    object_type: str
    external_id: str
    values: dict = field(default_factory=dict)
    local_backend: Any = None

    def group(self):
        return (self.backend.id, self.object_type, self.local_backend.id if self.local_backend else 0)


def bind_all(env, pairs):
    """Bind each record of ``pairs`` ``(record, Bind or None)``: one search and one create per
    connection and binding type."""
    groups = {}
    for record, bind in pairs:
        if bind is not None:
            groups.setdefault(bind.group(), []).append((record, bind))
    Binding = env["ml.connector.binding"]
    for group in groups.values():
        first = group[0][1]
        Binding._bind_many(
            first.backend,
            first.object_type,
            [(bind.external_id, record, bind.values) for record, bind in group],
            local_backend=first.local_backend,
        )


@dataclass
class Deferred:
    """A record a writer leaves to the engine, to be created together with the others of its batch.

    One ``create()`` for a batch of heavy records (vendor bills: tax and balance lines are
    computed per call) is several times cheaper than one per document. ``model`` is the
    recordset to create with (its environment and company), ``vals`` the values; ``finish``
    turns the created record into the line's result (bindings, message). ``keys`` name what the
    checks before it read that another document of the batch could change (the PO lines it
    bills, its supplier invoice number): documents sharing a key are never created in the same
    call. ``payload`` is what the reader read while processing (kept on the audit line);
    ``bind`` the record's binding (a :class:`Bind`), written with those of the batch.
    """

    model: Any
    vals: dict
    finish: Any
    keys: frozenset = frozenset()
    payload: Any = None
    bind: Bind | None = None

    def then(self, func):
        """The same deferred record, its result passed through ``func``."""
        finish = self.finish
        return Deferred(
            self.model, self.vals, lambda record: func(finish(record)), self.keys, self.payload, self.bind
        )

    def complete(self, record):
        """The line's result once ``record`` exists: bound, then finished."""
        bind_all(record.env, [(record, self.bind)])
        return self.finish(record)
