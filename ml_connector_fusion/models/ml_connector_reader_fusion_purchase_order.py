from odoo import api, models

from odoo.addons.ml_connector.tools.documents import Coding, Item, PurchaseOrder, PurchaseOrderLine, Ref
from odoo.addons.ml_connector.tools.errors import DocumentError, DocumentSkipped
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from .ml_connector_fusion_mixin import amount, text

# DocumentStatusCode values of orders that are not sent: not approved yet, or refused.
NOT_SENT = {
    "INCOMPLETE": "not submitted yet",
    "PENDING APPROVAL": "waiting for approval",
    "REQUIRES REAPPROVAL": "waiting for approval of a change",
    "REJECTED": "rejected",
}
CANCELLED = ("CANCELED", "CANCELLED")
CLOSED = ("CLOSED", "FINALLY CLOSED")
DETAIL_EXPAND = "lines,lines.schedules,lines.schedules.distributions"


class MlConnectorReaderFusionPurchaseOrder(models.AbstractModel):
    """Oracle Fusion purchase orders (§5.1) as canonical purchase orders.

    The list gives headers (and lines when expanded); the order is read whole while processing,
    through its own link, with its lines, schedules and distributions (``expand``), and kept on
    the audit line. A line's GL coding is the account and cost-centre segments of its
    distributions' account combinations (read from the chart by combination id): a line split
    across several accounts is refused, as a line on the other side takes one.
    """

    _name = "ml.connector.reader.fusion.purchase_order"
    _inherit = ["ml.connector.reader", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion purchase orders"

    _system = "fusion"
    _document_type = "purchase_order"

    @api.model
    def _collect(self, flow, run):
        client = self._client(self._backend(flow))
        bu = client.config.procurement_bu

        def make_item(row):
            key = str(row.get("POHeaderId") or "")
            number = text(row.get("OrderNumber")) or key
            return SourceItem(
                source_key=key or f"unidentified:{number}",
                payload=row,
                name=self.env._(
                    "PO %(number)s %(supplier)s", number=number, supplier=text(row.get("Supplier"))
                ),
                document_key=number,
                error=None
                if key
                else DocumentError(self.env._("This purchase order row has no POHeaderId.")),
            )

        q = client.where(ProcurementBU=bu) if bu else None
        yield from self._collect_changed(flow, run, "purchase_orders", make_item, q=q)

    @api.model
    def _document(self, line):
        row = self._payload(line) or {}
        number = text(row.get("OrderNumber"))
        self._check_texts(row, self.env._("Fusion purchase order %s", number or row.get("POHeaderId")))
        if not row.get("POHeaderId") or not number:
            raise DocumentError(self.env._("A Fusion purchase order needs a POHeaderId and an OrderNumber."))
        problem = identifier_problem(number)
        if problem:
            raise DocumentError(
                self.env._("The OrderNumber %(number)s %(problem)s.", number=number, problem=problem)
            )
        status = text(row.get("DocumentStatusCode")).upper()
        if status in NOT_SENT:
            raise DocumentSkipped(
                self.env._("%(po)s is %(status)s in Fusion: not sent.", po=number, status=NOT_SENT[status])
            )
        client = self._client(self._backend(line.flow_id))
        detail = client.follow(client.link(row, "self"), params={"expand": DETAIL_EXPAND})
        self._check_texts(detail, self.env._("Fusion purchase order %s", number))
        try:
            order = self._fusion_order(client, detail, status)
        except Exception as exc:
            exc.payload = detail
            raise
        order.source_payload = detail
        return order

    @api.model
    def _fusion_order(self, client, detail, status):
        number = text(detail.get("OrderNumber"))
        lines = [
            self._line(client, number, raw)
            for raw in sorted(client.children(detail, "lines"), key=lambda ln: ln.get("LineNumber") or 0)
        ]
        if not lines:
            raise DocumentError(self.env._("Fusion purchase order %s has no lines.", number))
        terms = text(detail.get("PaymentTerms"))
        return PurchaseOrder(
            key=str(detail["POHeaderId"]),
            number=number,
            status="cancelled" if status in CANCELLED else ("closed" if status in CLOSED else "open"),
            order_date=text(detail.get("CreationDate")),
            currency=text(detail.get("CurrencyCode")),
            supplier=Ref(key=str(detail.get("SupplierId") or ""), name=text(detail.get("Supplier"))),
            buyer=Ref(name=text(detail.get("Buyer"))),
            business_unit=text(detail.get("ProcurementBU")),
            payment_terms=Ref(name=terms, number=terms) if terms else None,
            lines=lines,
            total=amount(detail["Total"], f"{number}: Total") if detail.get("Total") is not None else None,
            notes=text(detail.get("Description")),
        )

    @api.model
    def _line(self, client, number, raw):
        where = self.env._("%(po)s line %(line)s", po=number, line=raw.get("LineNumber"))
        schedules = client.children(raw, "schedules")
        quantity, price = raw.get("Quantity"), raw.get("Price")
        if quantity is None and raw.get("Amount") is not None:
            quantity, price = 1, raw["Amount"]  # a fixed-price service line is bought once for its amount
        dates = sorted(
            text(s.get("RequestedDeliveryDate")) for s in schedules if s.get("RequestedDeliveryDate")
        )
        return PurchaseOrderLine(
            key=str(raw.get("POLineId") or ""),
            number=str(raw.get("LineNumber") or ""),
            item=Item(
                buyer_code=text(raw.get("Item")),
                description=text(raw.get("Description")),
                commodity=text(raw.get("Category")),
            ),
            quantity=amount(quantity, self.env._("%s: Quantity", where)),
            uom=text(raw.get("UOM")),
            unit_price=amount(price, self.env._("%s: Price", where)),
            date_planned=dates[0] if dates else "",
            coding=self._coding(client, where, schedules),
        )

    @api.model
    def _coding(self, client, where, schedules):
        """The account and cost centres of a line's distributions, as values of Fusion's chart."""
        accounts, centres = [], []
        for schedule in schedules:
            for distribution in client.children(schedule, "distributions"):
                combination = self._distribution_combination(client, where, distribution)
                account = text(client.config.account_of(combination))
                centre = text(client.config.cost_center_of(combination))
                if account and account not in accounts:
                    accounts.append(account)
                if centre and centre not in centres:
                    centres.append(centre)
        if len(accounts) > 1:
            raise DocumentError(
                self.env._(
                    "%(where)s is split across accounts %(accounts)s; a line takes one account on the other "
                    "side. Put the split on separate lines.",
                    where=where,
                    accounts=", ".join(accounts),
                )
            )
        segment = client.config.cost_center_value_set or "cost centre"
        return Coding(
            account=Ref(number=accounts[0], group=client.config.account_value_set or "account")
            if accounts
            else None,
            cost_centres=[Ref(number=centre, group=segment) for centre in centres],
        )

    @api.model
    def _distribution_combination(self, client, where, distribution):
        combination_id = distribution.get("CodeCombinationId")
        concatenated = text(distribution.get("POChargeAccount"))
        key = (client.http.base_url, combination_id or concatenated)
        if combination_id:
            found = self._cached(
                "combination", key, lambda: client.combination(combination_id=combination_id)
            )
        else:
            found = self._cached("combination", key, lambda: client.combination(concatenated=concatenated))
        if not found:
            raise DocumentError(
                self.env._(
                    "%(where)s: the account combination %(combination)s of its distribution is not in "
                    "the chart of accounts of the connection.",
                    where=where,
                    combination=concatenated or combination_id,
                )
            )
        return found
