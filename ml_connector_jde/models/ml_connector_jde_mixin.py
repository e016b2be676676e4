import math
from datetime import date, datetime

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.payload import content_hash
from odoo.addons.ml_connector.tools.text import document_problems, shorten

from ..tools.ais import UNREADABLE, cell_alias

# What a row says about its own change, not about the business document: left out of payloads,
# so that a row touched without a change, or read again in the overlap window, hashes the same.
STAMP_COLUMNS = ("UPMJ", "UPMT", "TDAY", "USER", "PID", "JOBN")


class MlConnectorJdeMixin(models.AbstractModel):
    """What JD Edwards readers and writers share: the AIS client, changed rows, row payloads."""

    _name = "ml.connector.jde.mixin"
    _description = "JD Edwards readers and writers: helpers"

    @api.model
    def _client(self, backend):
        return backend._system()._client(backend)

    # -- reading changed rows --------------------------------------------------------------------
    @api.model
    def _changed(self, flow, client, entity, conditions=()):
        """Pages of the rows of ``entity`` changed since the flow's mark for its table, as
        ``(rows, table, cursor, refused)``: ``cursor`` holds the table's mark after the page (the
        newest change seen) and whether it is settled; ``refused`` are source items for what came
        instead of a row (each fails on its own). A last page without rows may only settle the mark.

        ``UPMJ`` is a day and the time column a second, in the server's zone: a run reads again from
        the mark minus the flow's overlap, so that a row changed in the same second as the mark, or
        committed by a transaction that started before the last read, is never lost; rows read
        again unchanged hash the same and are skipped by the engine. Once a read happened after the
        window passed by the server's clock (HTTP ``Date``), the mark is *settled*: the next reads
        take only what changed after it, and an idle poll reads nothing again. Rows are read
        leniently: a cell that cannot be read refuses its own document when it is processed.
        """
        table = client.config.table(entity)
        cursor = flow.cursor or {}
        mark, overlap = self._mark(flow, table), flow._overlap()
        settled = bool(mark and cursor.get(f"{table}:settled"))
        since = mark if settled or not mark else mark - overlap
        newest, read_at = mark, None
        columns = client.config.entity_columns(entity)
        # settled: what the mark covers was read once the window had passed
        for page in client.browse_changed(table, since, columns, conditions, lenient=True, after=settled):
            read_at = read_at or client.answered_at
            rows = [row for row in page.rows if UNREADABLE not in row.raw]
            for row in rows:
                stamp = client.row_stamp(table, row)
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
            refused = [
                self._unreadable(table, row.raw[UNREADABLE]) for row in page.rows if UNREADABLE in row.raw
            ]
            if rows or refused:
                yield rows, table, self._table_cursor(table, newest, read_at, overlap), refused
        if newest == mark and mark and not settled and read_at and read_at - mark >= overlap:
            yield [], table, self._table_cursor(table, mark, read_at, overlap), []

    @api.model
    def _table_cursor(self, table, mark, read_at, overlap):
        return {
            table: mark.isoformat(sep=" ") if mark else None,
            f"{table}:settled": bool(mark and read_at and read_at - mark >= overlap),
        }

    @api.model
    def _unreadable(self, table, value):
        """The failed source item of something JD Edwards sent instead of a row of ``table``."""
        return SourceItem(
            source_key=f"unreadable:{table}:{content_hash(value)[:16]}",
            payload={table: value},
            name=self.env._("Unreadable %s row", table),
            document_key=f"unreadable:{table}",
            error=DocumentError(
                self.env._(
                    "JD Edwards sent something that is not a %(table)s row: %(value)s",
                    table=table,
                    value=shorten(repr(value), 200),
                )
            ),
        )

    @api.model
    def _mark(self, flow, table):
        value = (flow.cursor or {}).get(table)
        try:
            return datetime.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None  # a cursor written by hand: read everything again (unchanged rows are skipped)

    # -- payloads --------------------------------------------------------------------------------
    @api.model
    def _payload_row(self, table, row):
        """A row as stored on an audit line: its cells as JD Edwards sent them, without the
        change stamps (a row touched without a change, or read again, hashes the same)."""
        return {key: cell for key, cell in row.raw.items() if cell_alias(table, key) not in STAMP_COLUMNS}

    @api.model
    def _stored(self, line, what):
        """The line's stored payload, refused whole (saying where) when its texts cannot be stored
        or sent as they are (NUL, unpaired surrogates, control characters)."""
        payload = self._payload(line) or {}
        problems = document_problems(payload)
        if problems:
            raise DocumentError(
                self.env._(
                    "%(what)s holds text that cannot be used as it is: %(problems)s",
                    what=what,
                    problems="; ".join(problems),
                )
            )
        return payload

    @api.model
    def _parse(self, client, table, cells, what):
        """The stored cells of a row, read strictly: a cell that cannot be read refuses the document."""
        if not isinstance(cells, dict):
            raise DocumentError(
                self.env._("%(what)s: the stored %(table)s row is not an object.", what=what, table=table)
            )
        try:
            return client.parse_row(table, cells)
        except DocumentError as exc:
            raise DocumentError(f"{what}: {exc.message}") from None

    @api.model
    def _text(self, row, alias):
        value = row.get(alias)
        if value is None:
            value = self._raw_cell(row, alias)  # a key that could not be read still names its row
        return "" if value is None else str(value).strip()

    @api.model
    def _raw_cell(self, row, alias):
        for key, cell in getattr(row, "raw", {}).items():
            if key.rpartition("_")[2] == alias:
                return cell.get("value") if isinstance(cell, dict) else cell
        return None

    @api.model
    def _date(self, row, alias):
        """An ISO date of a parsed row ('' when blank)."""
        value = row.get(alias)
        return value.isoformat() if isinstance(value, date) else ""

    @api.model
    def _number(self, row, alias, what):
        value = row.get(alias)
        if value in (None, ""):
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise DocumentError(self.env._("%(what)s is not a number: %(value)r.", what=what, value=value))
        return float(value)

    @api.model
    def _order_key(self, row):
        """The key of an order (F4301 or F4311 row): ``KCOO-DOCO-DCTO-SFXO``."""
        return "-".join(self._text(row, alias) for alias in ("KCOO", "DOCO", "DCTO", "SFXO"))

    @api.model
    def _account_code(self, row):
        """The account of a row as JAGGAER's Account segment knows it: the object account and its
        subsidiary (``6110`` or ``6110.01``); the business unit is the cost centre."""
        obj, sub = self._text(row, "OBJ"), self._text(row, "SUB")
        if not obj and "." in self._text(row, "ANI"):
            parts = self._text(row, "ANI").split(".")
            obj, sub = parts[1], (parts[2] if len(parts) > 2 else "")
        return f"{obj}.{sub}" if sub else obj

    @api.model
    def _account_business_unit(self, row):
        """The business unit of a row's account (``ANI`` ``BU.OBJ.SUB``), else of the row."""
        account = self._text(row, "ANI")
        if "." in account:
            return account.split(".")[0].strip()
        return self._text(row, "MCU")
