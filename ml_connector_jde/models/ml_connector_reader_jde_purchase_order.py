"""JD Edwards purchase orders: the header (F4301) with its lines (F4311).

Both tables are polled (a line can change without its header), on ``UPMJ`` and their time column
(``TDAY``, not ``UPMT``, on these two tables: configurable). Every changed order is read whole,
lines included, so the document is the order as JD Edwards holds it now: a change or a
cancellation is one more version of it, sent again.
"""

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Coding, Item, PurchaseOrder, PurchaseOrderLine, Ref
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import Page, SourceItem


class MlConnectorReaderJdePurchaseOrder(models.AbstractModel):
    _name = "ml.connector.reader.jde.purchase_order"
    _inherit = ["ml.connector.reader", "ml.connector.jde.mixin"]
    _description = "JD Edwards purchase orders (F4301 + F4311)"

    _system = "jde"
    _document_type = "purchase_order"

    @api.model
    def _collect(self, flow, run):
        backend = self._backend(flow)
        client = self._client(backend)
        cursor, done = dict(flow.cursor or {}), set()
        for rows, _table, state, refused in self._changed(flow, client, "po_header"):
            headers = {self._order_key(row): row for row in rows}
            items = self._items(backend, client, headers, done)
            cursor.update(state)
            yield Page(items=items + refused, cursor=dict(cursor), more=True)
        for rows, _table, state, refused in self._changed(flow, client, "po_detail"):
            wanted = {self._order_key(row) for row in rows} - done
            headers = self._headers(client, wanted)
            items = self._items(backend, client, headers, done)
            cursor.update(state)
            yield Page(items=items + refused, cursor=dict(cursor), more=True)
        yield Page(items=[], cursor=cursor, more=False)

    @api.model
    def _headers(self, client, keys):
        """The F4301 rows of the orders ``keys``, by key."""
        if not keys:
            return {}
        numbers = [int(number) for key in keys if (number := key.split("-")[1]).isdigit()]
        columns = client.config.entity_columns("po_header")
        rows = client.rows_with("po_header", "DOCO", numbers, columns, lenient=True)
        return {key: row for row in rows if (key := self._order_key(row)) in keys}

    @api.model
    def _items(self, backend, client, headers, done):
        """Source items of the orders ``headers`` (F4301 rows by key), with all their lines."""
        headers = {key: row for key, row in headers.items() if key not in done}
        if not headers:
            return []
        config = client.config
        header_table, detail_table = config.table("po_header"), config.table("po_detail")
        numbers = [row["DOCO"] for row in headers.values() if isinstance(row.get("DOCO"), int)]
        lines = {}
        for row in client.rows_with(
            "po_detail", "DOCO", numbers, config.entity_columns("po_detail"), lenient=True
        ):
            lines.setdefault(self._order_key(row), []).append(row)
        items = []
        for key, header in headers.items():
            done.add(key)
            order_lines = sorted(lines.get(key, []), key=lambda row: row.get("LNID") or 0)
            payload = {
                header_table: self._payload_row(header_table, header),
                detail_table: [self._payload_row(detail_table, row) for row in order_lines],
            }
            number = backend._jde_po_number(self._keys(header))
            items.append(
                SourceItem(
                    source_key=key,
                    payload=payload,
                    name=self.env._("Purchase order %s", number),
                    document_key=number,
                )
            )
        return items

    @api.model
    def _keys(self, row):
        return {alias: self._text(row, alias) for alias in ("KCOO", "DOCO", "DCTO", "SFXO")}

    # -- the canonical order -----------------------------------------------------------------
    @api.model
    def _document(self, line):
        backend = self._backend(line.flow_id)
        client = self._client(backend)
        header_table, detail_table = client.config.table("po_header"), client.config.table("po_detail")
        what = self.env._("Order %s", line.document_key or line.source_key)
        payload = self._stored(line, what)
        rows = payload.get(detail_table) or []
        if not isinstance(rows, list):
            raise DocumentError(
                self.env._("The stored order has no list of %(table)s rows.", table=detail_table)
            )
        header = self._parse(client, header_table, payload.get(header_table) or {}, what)
        rows = [self._parse(client, detail_table, row, what) for row in rows]
        key, number = self._order_key(header), backend._jde_po_number(self._keys(header))
        if not rows:
            raise DocumentError(self.env._("Order %s has no lines (F4311).", number))
        cancelled = backend._jde_cancelled_statuses()
        lines = [self._line(key, number, row, cancelled) for row in rows]
        wholly_cancelled = all(po_line.status == "cancelled" for po_line in lines)
        if not wholly_cancelled:
            # a cancelled line leaves the order; a cancelled order keeps its lines as they were
            for po_line in lines:
                if po_line.status == "cancelled":
                    po_line.quantity = 0.0
        supplier = self._text(header, "AN8")
        if not supplier or supplier == "0":
            raise DocumentError(self.env._("Order %s names no supplier (AN8).", number))
        total = self._number(header, "OTOT", self.env._("The total of order %s", number))
        return PurchaseOrder(
            key=key,
            number=number,
            status="cancelled" if wholly_cancelled else "open",
            order_date=self._date(header, "TRDJ"),
            date_planned=self._date(header, "DRQJ"),
            currency=self._text(header, "CRCD"),
            supplier=Ref(key=supplier, number=supplier),
            business_unit=self._text(header, "MCU"),
            lines=lines,
            total=total,
        )

    @api.model
    def _line(self, key, number, row, cancelled_statuses):
        line_id = int(self._number(row, "LNID", self.env._("A line number of order %s", number)))
        where = self.env._("Order %(number)s line %(line)s", number=number, line=f"{line_id / 1000:g}")
        cancelled = self._text(row, "LTTR") in cancelled_statuses
        quantity = self._number(row, "UORG", self.env._("%s: quantity", where))
        if quantity < 0:
            raise DocumentError(
                self.env._(
                    "%(where)s orders a negative quantity (%(quantity)s).", where=where, quantity=quantity
                )
            )
        description = self._text(row, "DSC1") or self._text(row, "LITM")
        if not description:
            raise DocumentError(self.env._("%s has neither a description nor an item number.", where))
        account, business_unit = self._account_code(row), self._account_business_unit(row)
        return PurchaseOrderLine(
            key=f"{key}/{line_id}",
            number=f"{line_id / 1000:g}",
            item=Item(buyer_code=self._text(row, "LITM"), description=description),
            quantity=quantity,
            uom=self._text(row, "UOM"),
            unit_price=self._number(row, "PRRC", self.env._("%s: unit cost", where)),
            date_planned=self._date(row, "DRQJ"),
            coding=Coding(
                account=Ref(number=account, group="F0901") if account else None,
                cost_centres=[Ref(number=business_unit, group="F0006")] if business_unit else [],
            ),
            status="cancelled" if cancelled else "open",
        )
