"""JD Edwards suppliers: the supplier master (F0401) with its address book record (F0101).

A name or tax id change touches F0101 only, a payment-terms change F0401 only: both tables are
polled (F0101 for the supplier search type only) and each changed supplier is read whole.
"""

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Supplier
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import Page, SourceItem
from odoo.addons.ml_connector.tools.text import NAME_LENGTH, has_visible_text, identifier_problem


class MlConnectorReaderJdeSupplier(models.AbstractModel):
    _name = "ml.connector.reader.jde.supplier"
    _inherit = ["ml.connector.reader", "ml.connector.jde.mixin"]
    _description = "JD Edwards suppliers (F0401 + F0101)"

    _system = "jde"
    _document_type = "supplier"

    @api.model
    def _collect(self, flow, run):
        client = self._client(self._backend(flow))
        config = client.config
        cursor, done = dict(flow.cursor or {}), set()
        for rows, _table, state, refused in self._changed(flow, client, "supplier"):
            suppliers = {self._text(row, "AN8"): row for row in rows}
            items = self._items(client, suppliers, None, done)
            cursor.update(state)
            yield Page(items=items + refused, cursor=dict(cursor), more=True)
        search_type = config.supplier_search_type
        conditions = [("AT1", "EQUAL", search_type)] if search_type else []
        for rows, _table, state, refused in self._changed(flow, client, "address_book", conditions):
            addresses = {self._text(row, "AN8"): row for row in rows}
            addresses = {number: row for number, row in addresses.items() if number not in done}
            suppliers = self._read(client, "supplier", addresses)
            items = self._items(client, suppliers, addresses, done)
            cursor.update(state)
            yield Page(items=items + refused, cursor=dict(cursor), more=True)
        yield Page(items=[], cursor=cursor, more=False)

    @api.model
    def _read(self, client, entity, rows):
        """The ``entity`` rows of the address numbers of ``rows`` (rows by address number)."""
        numbers = [row["AN8"] for row in rows.values() if isinstance(row.get("AN8"), int)]
        if not numbers:
            return {}
        columns = client.config.entity_columns(entity)
        return {
            self._text(row, "AN8"): row
            for row in client.rows_with(entity, "AN8", numbers, columns, lenient=True)
        }

    @api.model
    def _items(self, client, suppliers, addresses, done):
        """Source items of the suppliers ``suppliers`` (F0401 rows by address number), with their
        F0101 rows (``addresses``, or read here)."""
        if addresses is None:
            addresses = self._read(client, "address_book", suppliers)
        tables = {entity: client.config.table(entity) for entity in ("supplier", "address_book")}
        items = []
        for number, supplier in suppliers.items():
            if number in done:
                continue
            done.add(number)
            address = addresses.get(number)
            payload = {
                tables["supplier"]: self._payload_row(tables["supplier"], supplier),
                tables["address_book"]: self._payload_row(tables["address_book"], address) if address else {},
            }
            missing = None
            if not isinstance(supplier.get("AN8"), int):
                missing = DocumentError(
                    self.env._("The address number (AN8) %r of a supplier cannot be read.", number)
                )
            elif not address:
                missing = DocumentError(
                    self.env._(
                        "Supplier %(number)s has no address book record (%(table)s).",
                        number=number,
                        table=tables["address_book"],
                    )
                )
            items.append(
                SourceItem(
                    source_key=number,
                    payload=payload,
                    name=self.env._(
                        "Supplier %(number)s %(name)s", number=number, name=self._text(address or {}, "ALPH")
                    ),
                    document_key=number,
                    error=missing,
                )
            )
        return items

    @api.model
    def _document(self, line):
        client = self._client(self._backend(line.flow_id))
        supplier_table, address_table = client.config.table("supplier"), client.config.table("address_book")
        what = self.env._("Supplier %s", line.source_key)
        payload = self._stored(line, what)
        supplier = self._parse(client, supplier_table, payload.get(supplier_table) or {}, what)
        address = self._parse(client, address_table, payload.get(address_table) or {}, what)
        number = self._text(supplier, "AN8")
        name = self._text(address, "ALPH")
        if not number or not name:
            raise DocumentError(self.env._("A supplier needs an address number (AN8) and a name (ALPH)."))
        if not has_visible_text(name) or len(name) > NAME_LENGTH:
            raise DocumentError(
                self.env._(
                    "The name of supplier %(number)s cannot be used: %(name)r.", number=number, name=name
                )
            )
        for alias in ("TAX", "DUNS"):
            problem = identifier_problem(self._text(address, alias))
            if problem:
                raise DocumentError(
                    self.env._(
                        "Supplier %(number)s: %(alias)s %(problem)s.",
                        number=number,
                        alias=alias,
                        problem=problem,
                    )
                )
        return Supplier(
            key=number,
            name=name,
            number=number,
            duns=self._text(address, "DUNS"),
            vat=self._text(address, "TAX") or self._text(address, "TX2"),
            currency=self._text(supplier, "CRRP"),
            payment_terms=self._text(supplier, "TRAP"),
        )
