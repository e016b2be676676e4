from datetime import UTC, datetime, timedelta
from decimal import Decimal

from odoo import api, models

from odoo.addons.ml_connector.tools.db import transaction_cache
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import Page
from odoo.addons.ml_connector.tools.text import document_problems

from ..tools.fusion import parse_stamp, to_decimal


def text(value):
    """A Fusion attribute as a whitespace-normalised text ("" for null)."""
    if value in (None, False):
        return ""
    return " ".join(str(value).split())


def amount(value, what):
    """A Fusion number (JSON number or string, §10) as float; DocumentError when it is none."""
    try:
        result = to_decimal(value)
    except Exception as exc:
        raise DocumentError(f"{what}: {exc}") from None
    if result is None or not result.is_finite():
        raise DocumentError(f"{what} is not a number: {value!r}.")
    return float(result)


def money(value):
    """An amount rounded to the cent, as Decimal (sent as a string, §10)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


class MlConnectorFusionMixin(models.AbstractModel):
    """What Oracle Fusion readers and writers share: the client, checked texts, changed rows."""

    _name = "ml.connector.fusion.mixin"
    _description = "Oracle Fusion readers and writers: helpers"

    @api.model
    def _client(self, backend):
        return backend._system()._client(backend)

    @api.model
    def _check_texts(self, document, what):
        """DocumentError when texts of ``document`` cannot be stored as they are (NUL, unpaired
        surrogates, control characters): refused whole, saying where."""
        problems = document_problems(document)
        if problems:
            raise DocumentError(
                self.env._(
                    "%(what)s holds text Odoo cannot store as it is: %(problems)s",
                    what=what,
                    problems="; ".join(problems),
                )
            )

    @api.model
    def _cached(self, name, key, compute):
        """``compute()`` once per transaction (a batch) for ``key``: the lookups every document
        of a batch repeats (an account combination, a supplier's sites)."""
        cache = transaction_cache(self.env.cr, ("fusion", name))
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @api.model
    def _collect_changed(self, flow, run, entity, make_item, *, q=None, fields=None, expand=None):
        """Pages of the rows of ``entity`` changed since the flow's mark, oldest first.

        The client reads by (stamp, key), so that rows changed while reading fall behind the
        cursor instead of shifting pages, and answers a 504 with smaller date windows. The mark
        moves with every page to the newest stamp read; the next run reads from it minus the
        connection's overlap, until a read happened after that window passed by the pod's own
        clock (settled): from then on from the mark itself, so that a poll with nothing new is
        one request. ``make_item(row)`` gives a SourceItem, or None for a row known unchanged.
        """
        client = self._client(self._backend(flow))
        cursor = flow.cursor or {}
        since = parse_stamp(cursor.get("since"))
        settled = bool(since and cursor.get("settled"))
        overlap = timedelta(seconds=client.config.overlap_seconds)
        size = flow._batch_size()
        newest, items, unchanged, unstamped = since, [], 0, 0
        rows = client.changed_since(
            entity, since, overlap=0 if settled else overlap, q=q, fields=fields, expand=expand
        )
        for row in rows:
            stamp = client.stamp_of(entity, row)
            if stamp is None:
                unstamped += 1
            elif newest is None or stamp > newest:
                newest = stamp
            item = make_item(row)
            if item is None:
                unchanged += 1
            else:
                items.append(item)
            if len(items) + unchanged >= size:
                yield Page(items=items, cursor=self._mark(newest, False), more=True, unchanged=unchanged)
                items, unchanged = [], 0
        if unstamped:
            run._log(
                self.env._(
                    "%(flow)s: %(n)s row(s) without %(field)s: check the time field of this resource on the "
                    "connection.",
                    flow=flow.name,
                    n=unstamped,
                    field=client.config.incremental_field(entity),
                ),
                error=True,
            )
        read_at = client.last_server_time or datetime.now(UTC)
        mark = None
        if newest and newest != since:
            mark = self._mark(newest, read_at - newest >= overlap)
        elif since and not settled and read_at - since >= overlap:
            mark = self._mark(since, True)
        yield Page(items=items, cursor=mark, more=False, unchanged=unchanged)

    @api.model
    def _mark(self, stamp, settled):
        return {"since": stamp.isoformat() if stamp else None, "settled": settled} if stamp else None

    @api.model
    def _synced_values(self, flow, key, kind):
        """This end's values of record ``key`` as last synchronised with the flow's other end
        (the pair's binding remembers both sides), or None when they were never linked."""
        source, target = flow.source_backend_id, flow.target_backend_id
        binding = self.env["ml.connector.binding"]._counterpart(kind, source, key, target)
        if not binding:
            return None
        data = binding.data or {}
        return data.get("remote") if binding.backend_id == source else data.get("local")

    @api.model
    def _supplier_row(self, client, supplier_id):
        """The Fusion supplier ``supplier_id`` with its addresses and sites (cached per batch)."""
        return self._cached(
            "supplier",
            (client.http.base_url, str(supplier_id)),
            lambda: client.find_by_key("suppliers", supplier_id),
        )
