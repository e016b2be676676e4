from datetime import timedelta
from decimal import Decimal

from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import (
    ConnectorError,
    DocumentError,
    DocumentSkipped,
    OutcomeUnknownError,
    RemoteBusinessError,
)

from ..tools.fusion import quote, to_decimal
from .ml_connector_fusion_mixin import text

SHIPMENT_PREFIX = "MLC-"
SHIPMENT_LENGTH = 30  # ShipmentNumber
DONE, FAILED = "SUCCESS", "ERROR"


def plain(quantity):
    """A quantity without a meaningless fraction (10, not 10.0)."""
    return quantity.quantize(Decimal(1)) if quantity == quantity.to_integral_value() else quantity.normalize()


class MlConnectorWriterFusionReceipt(models.AbstractModel):
    """Receipts of another end (JAGGAER's received quantities) as Fusion receipt requests (§6.2),
    for three-way matching.

    Fusion processes a receipt request later. The request carries a shipment number made of the
    source order and the document's version, so every attempt first looks it up: a request found
    is never sent again (a lost answer, a replay), and the audit line waits for its outcome
    without spending attempts (looking again every few minutes, at most a day), then shows
    Fusion's receipt number or its processing errors. A cumulative receipt (what the source
    received so far) is received for what Fusion does not have yet, counting the requests still
    being processed; Fusion's own receipts are never undone.
    """

    _name = "ml.connector.writer.fusion.receipt"
    _inherit = ["ml.connector.writer", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion receipt requests"

    _system = "fusion"
    _document_type = "receipt"

    @api.model
    def _write(self, line, receipt):
        client = self._client(self._backend(line.flow_id))
        shipment = self._shipment_number(line, receipt)
        found = self._submitted(client, shipment)
        if found:
            return self._outcome(line, client, found[0])
        order = self._fusion_order(line, client, receipt)
        body = self._request(line, client, order, receipt, shipment)
        try:
            answer = client.submit_receipt(body)
        except ConnectorError as exc:
            exc.sent = body
            raise
        # Fusion may have processed it already: one look before the line waits
        return self._outcome(line, client, answer, sent=body)

    @api.model
    def _resolve_unknown_outcome(self, line, receipt):
        """A request sent without answer, or one still being processed: its outcome if Fusion has
        it, None to send it (again)."""
        client = self._client(self._backend(line.flow_id))
        found = self._submitted(client, self._shipment_number(line, receipt))
        return self._outcome(line, client, found[0]) if found else None

    # -- the request -------------------------------------------------------------------------
    @api.model
    def _shipment_number(self, line, receipt):
        """The request's key: the source order, this version of the document, and the replay (a
        replayed document is received again, once)."""
        replay = f"-{line.replay_count}" if line.replay_count else ""
        base = f"{SHIPMENT_PREFIX}{receipt.po.key or receipt.key}-"
        return f"{base}{line.content_hash[:8]}{replay}"[:SHIPMENT_LENGTH]

    @api.model
    def _submitted(self, client, shipment):
        return client.find_receipt_requests(shipment)

    @api.model
    def _fusion_order(self, line, client, receipt):
        flow = line.flow_id
        header_id = self.env["ml.connector.binding"]._counterpart_key(
            "purchase_order", flow.source_backend_id, receipt.po.key, self._backend(flow)
        )
        if not header_id:
            raise DocumentSkipped(
                self.env._("%s did not come from Fusion.", receipt.po.number or receipt.po.key)
            )
        page = next(
            client.pages(
                "purchase_orders",
                finder=f"PrimaryKey;{client.config.key('purchase_orders')}={header_id}",
                fields="",
                expand="lines,lines.schedules",
                limit=1,
            )
        )
        if not page.items:
            raise DocumentError(self.env._("Fusion purchase order %s no longer exists.", header_id))
        return page.items[0]

    @api.model
    def _fusion_line(self, line, client, order, receipt, number):
        flow = line.flow_id
        lines = client.children(order, "lines")
        line_id = self.env["ml.connector.binding"]._counterpart_key(
            "purchase_order_line",
            flow.source_backend_id,
            f"{receipt.po.number}/{number}",
            self._backend(flow),
        )
        found = next((ln for ln in lines if line_id and str(ln.get("POLineId")) == str(line_id)), None)
        found = found or next((ln for ln in lines if str(ln.get("LineNumber")) == str(number)), None)
        if found is None:
            raise DocumentError(
                self.env._(
                    "Fusion order %(po)s has no line for line %(line)s.",
                    po=order.get("OrderNumber"),
                    line=number,
                )
            )
        return found

    @api.model
    def _request(self, line, client, order, receipt, shipment):
        """The receipt request body for what Fusion has not received yet; DocumentSkipped when
        that is nothing, OutcomeUnknownError (a free wait) while earlier requests of the order are
        still being processed."""
        number = text(order.get("OrderNumber"))
        if receipt.cumulative:
            self._wait_for_pending(client, receipt, number)
        lines, notes = [], []
        for receipt_line in receipt.lines:
            fusion_line = self._fusion_line(line, client, order, receipt, receipt_line.po_line)
            lines += self._schedule_lines(
                client, number, fusion_line, receipt_line, receipt.cumulative, notes
            )
        if not lines:
            raise DocumentSkipped(
                " ".join([self.env._("Fusion already received all of it on %s.", number), *notes])
            )
        organization = client.config.receiving_organization or text(lines[0].pop("_organization", ""))
        for request_line in lines:
            request_line.pop("_organization", None)
            request_line["OrganizationCode"] = organization
        body = {
            "ReceiptSourceCode": "VENDOR",
            "OrganizationCode": organization,
            "VendorName": text(order.get("Supplier")),
            "BusinessUnit": text(order.get("ProcurementBU")) or None,
            "ShipmentNumber": shipment,
            "Comments": self.env._(
                "%(system)s receipt of %(po)s",
                system=line.flow_id.source_backend_id._system_label(),
                po=number,
            ),
            "lines": lines,
        }
        return {k: v for k, v in body.items() if v not in (None, "")}

    @api.model
    def _schedule_lines(self, client, number, fusion_line, receipt_line, cumulative, notes):
        """Receipt request lines receiving ``receipt_line`` on the schedules of ``fusion_line``,
        oldest schedule first, never above what each schedule ordered."""
        schedules = sorted(
            client.children(fusion_line, "schedules"), key=lambda s: s.get("ScheduleNumber") or 0
        )
        wanted = to_decimal(receipt_line.quantity) or Decimal(0)
        if cumulative:
            received = sum(
                (to_decimal(s.get("QuantityReceived")) or Decimal(0) for s in schedules), Decimal(0)
            )
            if received > wanted:
                notes.append(
                    self.env._(
                        "Line %(line)s: Fusion has %(fusion)s received, more than %(source)s; nothing is "
                        "undone.",
                        line=fusion_line.get("LineNumber"),
                        fusion=received,
                        source=wanted,
                    )
                )
            wanted -= received
        result = []
        for schedule in schedules:
            if wanted <= 0:
                break
            open_quantity = (to_decimal(schedule.get("Quantity")) or Decimal(0)) - (
                to_decimal(schedule.get("QuantityReceived")) or Decimal(0)
            )
            last = schedule is schedules[-1]
            quantity = wanted if last else min(wanted, max(open_quantity, Decimal(0)))
            if quantity <= 0:
                continue
            wanted -= quantity
            result.append(
                {
                    "ReceiptSourceCode": "VENDOR",
                    "SourceDocumentCode": "PO",
                    "TransactionType": "RECEIVE",
                    "AutoTransactCode": "DELIVER",
                    "DocumentNumber": number,
                    "DocumentLineNumber": fusion_line.get("LineNumber"),
                    "DocumentScheduleNumber": schedule.get("ScheduleNumber"),
                    "Quantity": plain(quantity),
                    "UnitOfMeasure": text(fusion_line.get("UOM")) or None,
                    "_organization": text(schedule.get("ShipToOrganizationCode")),
                }
            )
        return result

    @api.model
    def _wait_for_pending(self, client, receipt, number):
        """Totals are compared with what Fusion received: a request of this order still being
        processed is waited for first, else it would be received twice."""
        prefix = f"{SHIPMENT_PREFIX}{receipt.po.key or receipt.key}-"
        q = f"ShipmentNumber LIKE {quote(prefix + '%')} and ProcessingStatusCode='PENDING'"
        pending = list(client.items("receipt_requests", q=q, fields=""))
        if pending:
            raise self._waiting(
                client,
                self.env._(
                    "Waiting: Fusion is still processing receipt request %(request)s of %(po)s; what is left "
                    "to receive is worked out once it is done.",
                    request=pending[0].get("HeaderInterfaceId"),
                    po=number,
                ),
                body=pending[0],
            )

    # -- the outcome ---------------------------------------------------------------------------
    @api.model
    def _outcome(self, line, client, request, sent=None):
        """The line's result once Fusion processed ``request``; a free wait while it has not."""
        request = client.follow(request) if request.get("links") else request
        status = text(request.get("ProcessingStatusCode")).upper()
        header_id = str(request.get("HeaderInterfaceId") or "")
        if status == DONE:
            result = {
                "external_id": header_id,
                "target_key": text(request.get("ReceiptNumber")) or header_id,
                "response": request,
                "message": self.env._(
                    "Fusion processed receipt request %(request)s (%(shipment)s): receipt %(receipt)s.",
                    request=header_id,
                    shipment=request.get("ShipmentNumber"),
                    receipt=request.get("ReceiptNumber") or "?",
                ),
            }
            if sent is not None:
                result["sent"] = sent
            return result
        if status == FAILED:
            errors = client.children(request, "processingErrors")
            exc = RemoteBusinessError(
                self.env._(
                    "Fusion refused receipt request %(request)s (%(shipment)s): %(errors)s",
                    request=header_id,
                    shipment=request.get("ShipmentNumber"),
                    errors="; ".join(text(e.get("ErrorMessage")) for e in errors) or self.env._("no detail"),
                ),
                body={**request, "processingErrors": errors},
            )
            exc.sent = sent
            raise exc
        exc = self._waiting(
            client,
            self.env._(
                "Receipt request %(request)s (%(shipment)s) is %(status)s in Fusion: waiting for it to be "
                "processed.",
                request=header_id,
                shipment=request.get("ShipmentNumber"),
                status=status or "?",
            ),
            body=request,
        )
        exc.sent = sent
        raise exc

    @api.model
    def _waiting(self, client, message, body):
        """A wait for Fusion's processing: not an attempt, looked at again after the configured
        pause (the engine gives up waiting for free after a day)."""
        retry_at = fields.Datetime.now() + timedelta(seconds=client.config.receipt_wait_seconds)
        return OutcomeUnknownError(message, body=body, retry_at=retry_at, counts_as_attempt=False)
