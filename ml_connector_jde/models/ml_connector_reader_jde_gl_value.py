"""JD Edwards GL accounts (F0901) and business units (F0006) as canonical GL values.

JAGGAER codes a line with an account segment and a cost-centre segment; JD Edwards with one
account ``BU.OBJ.SUB``. The account value is therefore the object account with its subsidiary
(``6110``, ``6110.01``), the same for every business unit, and the business unit is the cost
centre: F0901 rows are read as accounts, one per object/subsidiary, and F0006 rows as cost centres.
An account that takes no postings (posting edit ``N``) is an inactive value: listed, never mapped.
"""

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import GlValue
from odoo.addons.ml_connector.tools.errors import DocumentError
from odoo.addons.ml_connector.tools.items import Page, SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from ..tools.ais import cell_alias

ACCOUNT_COLUMNS = ("OBJ", "SUB", "DL01", "PEC")
BUSINESS_UNIT_COLUMNS = ("MCU", "DL01", "STYL", "CO")


class MlConnectorReaderJdeGlValue(models.AbstractModel):
    _name = "ml.connector.reader.jde.gl_value"
    _inherit = ["ml.connector.reader", "ml.connector.jde.mixin"]
    _description = "JD Edwards accounts and business units (F0901, F0006)"

    _system = "jde"
    _document_type = "gl_value"

    @api.model
    def _collect(self, flow, run):
        client = self._client(self._backend(flow))
        cursor = dict(flow.cursor or {})
        for entity, make_item in (
            ("account", self._account_item),
            ("business_unit", self._business_unit_item),
        ):
            for rows, table, state, refused in self._changed(flow, client, entity):
                items = {}
                for row in rows:
                    item = make_item(table, row)
                    # one value per object account: the rows of several business units share it
                    if item.source_key not in items or self._text(row, "PEC") != "N":
                        items[item.source_key] = item
                cursor.update(state)
                yield Page(items=list(items.values()) + refused, cursor=dict(cursor), more=True)
        yield Page(items=[], cursor=cursor, more=False)

    @api.model
    def _account_item(self, table, row):
        code = self._account_code(row)
        payload = {table: self._cells(table, row, ACCOUNT_COLUMNS)}
        return SourceItem(
            source_key=f"account:{code}",
            payload=payload,
            name=" ".join(filter(None, [self.env._("Account"), code, self._text(row, "DL01")])),
            document_key=code,
        )

    @api.model
    def _business_unit_item(self, table, row):
        code = self._text(row, "MCU")
        payload = {table: self._cells(table, row, BUSINESS_UNIT_COLUMNS)}
        return SourceItem(
            source_key=f"business_unit:{code}",
            payload=payload,
            name=" ".join(filter(None, [self.env._("Business unit"), code, self._text(row, "DL01")])),
            document_key=code,
        )

    @api.model
    def _cells(self, table, row, aliases):
        """The cells of ``row`` that make the value (not the business unit of an account, not its id)."""
        return {
            key: cell
            for key, cell in self._payload_row(table, row).items()
            if cell_alias(table, key) in aliases
        }

    @api.model
    def _document(self, line):
        client = self._client(self._backend(line.flow_id))
        account_table, unit_table = client.config.table("account"), client.config.table("business_unit")
        what = self.env._("GL value %s", line.source_key)
        payload = self._stored(line, what)
        if isinstance(payload.get(account_table), dict):
            table, kind = account_table, "account"
            row = self._parse(client, table, payload[table], what)
            code = self._account_code(row)
        elif isinstance(payload.get(unit_table), dict):
            table, kind = unit_table, "cost_centre"
            row = self._parse(client, table, payload[table], what)
            code = self._text(row, "MCU")
        else:
            raise DocumentError(self.env._("The stored value is neither an account nor a business unit row."))
        problem = identifier_problem(code) if code else self.env._("is empty")
        if problem:  # the code becomes a mapping key
            raise DocumentError(
                self.env._("%(table)s value %(code)r %(problem)s.", table=table, code=code, problem=problem)
            )
        return GlValue(
            kind=kind,
            segment=table,
            code=code,
            description=self._text(row, "DL01"),
            active=self._text(row, "PEC") != "N",
            company=self._text(row, "CO"),
        )
