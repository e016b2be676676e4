"""Purchase orders created in JAGGAER (by its buyers) as canonical purchase orders.

The PO list (§2.2 PROPOSED shape) holds every order: those an ERP sent through this connector are
bound to that ERP's order (or carry the number of an Odoo order) and are left out; the others are
JAGGAER's own. Orders whose status is not one the connection imports yet (Draft, Pending Approval)
are recorded as skipped until JAGGAER moves them on; Canceled is a cancellation.
"""

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import (
    Coding,
    Item,
    PurchaseOrder,
    PurchaseOrderLine,
    Ref,
)
from odoo.addons.ml_connector.tools.errors import DocumentError, DocumentSkipped, TransientError
from odoo.addons.ml_connector.tools.items import SourceItem
from odoo.addons.ml_connector.tools.text import identifier_problem

from ..tools.client import dig, parse_date, parse_stamp, segment_values
from .ml_connector_jaggaer_mixin import PO_BINDING
from .ml_connector_reader_jaggaer_invoice import number
from .purchase_order import whole_number

CANCELED = ("canceled", "cancelled")


class MlConnectorReaderJaggaerPurchaseOrder(models.AbstractModel):
    _name = "ml.connector.reader.jaggaer.purchase_order"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER purchase orders"

    _system = "jaggaer"
    _document_type = "purchase_order"

    @api.model
    def _collect(self, flow, run):
        backend = self._backend(flow)

        def make_item(record):
            key = str(record.get("poId") or "")
            if key and self._came_from_an_erp(backend, key, record.get("poNumber")):
                return None
            return SourceItem(
                source_key=key or f"unidentified:{record.get('poNumber')}",
                payload=record,
                name=self.env._(
                    "PO %(number)s %(supplier)s",
                    number=record.get("poNumber"),
                    supplier=dig(record, "supplier.name") or "",
                ),
                document_key=str(record.get("poNumber") or key),
                error=None if key else DocumentError(self.env._("This purchase order has no poId.")),
            )

        yield from self._collect_changed(
            flow,
            run,
            "purchase_orders",
            path_key="po_list",
            wrapper_key="purchase_orders",
            what=self.env._("the purchase order list"),
            make_item=make_item,
            key_of=lambda record: str(record.get("poId") or id(record)),
        )

    @api.model
    def _came_from_an_erp(self, backend, po_id, po_number):
        """Whether JAGGAER has this order from an ERP: bound to an order of another end by a flow
        (to an Odoo order not created from JAGGAER), or sent by Odoo under its own number (its
        binding not yet written, an answer lost)."""
        binding = (
            self.env["ml.connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("object_type", "=", PO_BINDING),
                    ("external_id", "=", po_id),
                ]
            )
        )
        for bound in binding:
            record = bound._record() if bound.res_model else None
            if bound.local_backend_id or record is None or record.ml_origin_backend_id != backend:
                return True
        if binding or not po_number:
            return False
        return bool(
            self.env["purchase.order"]
            .sudo()
            .search_count(
                [
                    ("name", "=", str(po_number)),
                    ("company_id", "=", backend.company_id.id),
                    ("ml_origin_backend_id", "!=", backend.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _document(self, line):
        backend = self._backend(line.flow_id)
        remote = self._payload(line) or {}
        self._check_texts(remote)
        po_id, po_number = str(remote.get("poId") or ""), str(remote.get("poNumber") or "").strip()
        if not po_id or not po_number:
            raise DocumentError(self.env._("A JAGGAER purchase order needs a poId and a poNumber."))
        problem = identifier_problem(po_number)
        if problem:  # the number becomes the Odoo order's reference
            raise DocumentError(
                self.env._("Purchase order %(id)s: poNumber %(problem)s.", id=po_id, problem=problem)
            )
        status = str(remote.get("status") or "").strip()
        cancelled = status.casefold() in CANCELED
        if not cancelled and not self._importable(backend, status):
            raise DocumentSkipped(
                self.env._(
                    "Not imported yet: %(number)s is %(status)s in JAGGAER. It becomes a draft purchase "
                    "order once JAGGAER moves it to %(wanted)s.",
                    number=po_number,
                    status=status or self.env._("without status"),
                    wanted=backend.jaggaer_po_import_statuses,
                )
            )
        detail, fetched = remote, not isinstance(remote.get("lineList"), dict)
        if fetched:
            detail = self._detail(backend, po_id)
        order = self._canonical_order(backend, detail, cancelled)
        if fetched:
            order.source_payload = detail
        return order

    @api.model
    def _importable(self, backend, status):
        wanted = {
            " ".join(s.split()).casefold() for s in backend._jaggaer_list(backend.jaggaer_po_import_statuses)
        }
        return not wanted or " ".join(status.split()).casefold() in wanted

    @api.model
    def _detail(self, backend, po_id):
        """The order with its lines, for a list that gives headers only."""
        client = self._client(backend)
        try:
            body, _warning = client.get("po_detail", self.env._("purchase order %s", po_id), id=po_id)
        except TransientError as exc:
            if exc.status == 200:
                raise DocumentError(
                    self.env._(
                        "JAGGAER's detail of purchase order %(id)s is unreadable: %(error)s",
                        id=po_id,
                        error=exc,
                    )
                ) from exc
            raise
        records = [record for record in client.records(body, "purchase_orders") if isinstance(record, dict)]
        detail = next((record for record in records if str(record.get("poId")) == po_id), None)
        if detail is None and str(body.get("poId")) == po_id:
            detail = body
        if detail is None:
            raise DocumentError(self.env._("JAGGAER's detail of purchase order %s does not show it.", po_id))
        self._check_texts(detail, self.env._("JAGGAER's detail of purchase order %s", po_id))
        return detail

    # -- the canonical order ----------------------------------------------------------
    @api.model
    def _canonical_order(self, backend, remote, cancelled):
        po_number = str(remote.get("poNumber")).strip()
        raw_lines = dig(remote, "lineList.poLine")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise DocumentError(
                self.env._("Purchase order %s has no lines (lineList.poLine is missing or empty).", po_number)
            )
        supplier = remote.get("supplier") if isinstance(remote.get("supplier"), dict) else {}
        if not any(supplier.get(key) for key in ("id", "supplierNumber", "name")):
            raise DocumentError(self.env._("Purchase order %s names no supplier.", po_number))
        total = remote.get("total") if isinstance(remote.get("total"), dict) else {}
        order_date = parse_stamp(remote.get("orderDate"))
        terms = dig(remote, "terms.standardPaymentTermsCode")
        return PurchaseOrder(
            key=str(remote["poId"]),
            number=po_number,
            revision=whole_number(remote.get("revisionNumber")),
            status="cancelled" if cancelled else "open",
            purpose="cancellation" if cancelled else "original",
            order_date=order_date.replace(microsecond=0).isoformat(sep=" ") if order_date else "",
            currency=str(total.get("currency") or ""),
            supplier=Ref(
                key=str(supplier.get("id") or ""),
                number=str(supplier.get("supplierNumber") or ""),
                name=str(supplier.get("name") or ""),
                duns=str(supplier.get("duns") or ""),
            ),
            requestor=str(dig(remote, "requestor.username") or ""),
            business_unit=str(dig(remote, "businessUnit.internalName") or ""),
            payment_terms=Ref(number=str(terms)) if terms else None,
            lines=[
                self._line(backend, raw, position, po_number)
                for position, raw in enumerate(raw_lines, start=1)
            ],
            total=None if total.get("value") in (None, "") else number(self.env, total["value"], "total"),
        )

    @api.model
    def _line(self, backend, raw, position, po_number):
        if not isinstance(raw, dict):
            raise DocumentError(
                self.env._(
                    "Purchase order %(number)s line %(n)s is not an object.", number=po_number, n=position
                )
            )
        line_number = str(raw.get("lineNumber") or position)
        where = self.env._("Purchase order %(number)s line %(n)s", number=po_number, n=line_number)
        item = raw.get("item") if isinstance(raw.get("item"), dict) else {}
        delivery = parse_date(
            dig(raw, "deliveryInfo.requestedDeliveryDate") or raw.get("requestedDeliveryDate")
        )
        return PurchaseOrderLine(
            key=f"{po_number}/{line_number}",
            number=line_number,
            item=Item(
                vendor_code=str(item.get("catalogNumber") or ""),
                description=str(item.get("description") or ""),
                commodity=str(item.get("commodityCode") or ""),
            ),
            quantity=number(self.env, raw.get("quantity"), self.env._("%s: quantity", where)),
            uom=str(item.get("unitOfMeasure") or ""),
            unit_price=number(self.env, raw.get("unitPrice"), self.env._("%s: unitPrice", where)),
            date_planned=delivery.isoformat() if delivery else "",
            coding=self._coding(backend, raw.get("splittableFieldSetGroupList"), where),
        )

    @api.model
    def _coding(self, backend, group_list, where):
        """The line's cost centre (an analytic account in Odoo) from the configured GL segment."""
        try:
            coding = segment_values(group_list)
        except DocumentError as exc:
            raise DocumentError(f"{where}: {exc}") from None
        segment = backend.jaggaer_cost_center_segment or ""
        values = coding.get(segment) or []
        if len(set(values)) > 1:
            raise DocumentError(
                self.env._(
                    "%(where)s is split across %(segment)s %(values)s; split lines are not imported.",
                    where=where,
                    segment=segment,
                    values=", ".join(values),
                )
            )
        return Coding(cost_centres=[Ref(number=values[0], group=segment)] if values else [])
