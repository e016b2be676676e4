from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentSkipped

from .ml_connector_fusion_mixin import text

# Canonical statuses that mean the supplier accepted the order (later ones imply it).
ACCEPTED = ("acknowledged", "accepted", "partially_received", "received", "closed")
PENDING_CODE = "PENDING ACKNOWLEDGMENT"
NOTE_LENGTH = 4000  # AcknowledgmentNote


class MlConnectorWriterFusionPurchaseOrderStatus(models.AbstractModel):
    """Statuses of another end's orders (JAGGAER's) as acknowledgments of the Fusion orders they
    came from (§6.3): an order the supplier acknowledged (or already received on) is accepted,
    one it rejected is rejected with the reason. Only an order pending acknowledgment in Fusion
    is answered, so a status read again, a replay or an unanswered PATCH never answers twice.
    """

    _name = "ml.connector.writer.fusion.purchase_order_status"
    _inherit = ["ml.connector.writer", "ml.connector.fusion.mixin"]
    _description = "Oracle Fusion PO acknowledgments"

    _system = "fusion"
    _document_type = "purchase_order_status"

    @api.model
    def _write(self, line, status):
        header_id, response = self._decide(line, status)
        client = self._client(self._backend(line.flow_id))
        pending = self._pending(client, header_id)
        if pending is None:
            raise DocumentSkipped(
                self.env._(
                    "%(po)s is not pending acknowledgment in Fusion (answered already or never asked).",
                    po=status.po.number,
                )
            )
        note = self._note(line, status)
        answer = client.acknowledge(pending, response, note)
        sent = {"AcknowledgmentResponse": response, "AcknowledgmentNote": note}
        verb = self.env._("accepted") if response == "ACCEPT" else self.env._("rejected")
        return {
            "external_id": header_id,
            "target_key": header_id,
            "sent": sent,
            "response": answer,
            "message": self.env._(
                "%(po)s %(verb)s in Fusion (%(system)s: %(status)s).",
                po=status.po.number,
                verb=verb,
                system=line.flow_id.source_backend_id._system_label(),
                status=status.remote_status or status.status,
            ),
        }

    @api.model
    def _resolve_unknown_outcome(self, line, status):
        """An acknowledgment got no answer: if the order is no longer pending, it arrived."""
        header_id, _response = self._decide(line, status)
        client = self._client(self._backend(line.flow_id))
        if self._pending(client, header_id) is not None:
            return None
        return {
            "external_id": header_id,
            "target_key": header_id,
            "message": self.env._(
                "%s is no longer pending acknowledgment in Fusion: answered.", status.po.number
            ),
        }

    @api.model
    def _decide(self, line, status):
        """``(POHeaderId, ACCEPT or REJECT)`` for ``status``; DocumentSkipped when there is nothing
        to answer."""
        flow = line.flow_id
        header_id = self.env["ml.connector.binding"]._counterpart_key(
            "purchase_order", flow.source_backend_id, status.po.key, self._backend(flow)
        )
        if not header_id:
            raise DocumentSkipped(
                self.env._("%s did not come from Fusion.", status.po.number or status.po.key)
            )
        if status.status == "rejected":
            return header_id, "REJECT"
        if status.status in ACCEPTED:
            return header_id, "ACCEPT"
        raise DocumentSkipped(
            self.env._(
                "%(po)s is %(status)s: nothing to acknowledge yet.",
                po=status.po.number,
                status=status.remote_status or status.status or "?",
            )
        )

    @api.model
    def _pending(self, client, header_id):
        """The order as pending acknowledgment (a row of purchaseOrderAcknowledgments, or the
        order itself for the older action), or None when Fusion does not wait for an answer."""
        if client.config.acknowledgment_mode == "acknowledgments":
            page = next(
                client.pages("acknowledgments", q=client.where(POHeaderId=header_id), fields="", limit=1)
            )
            return page.items[0] if page.items else None
        order = client.find_by_key("purchase_orders", header_id)
        if order and text(order.get("DocumentStatusCode")).upper() == PENDING_CODE:
            return order
        return None

    @api.model
    def _note(self, line, status):
        system = line.flow_id.source_backend_id._system_label()
        words = [
            self.env._(
                "%(verb)s in %(system)s (%(status)s)",
                verb=self.env._("Rejected") if status.status == "rejected" else self.env._("Acknowledged"),
                system=system,
                status=status.remote_status or status.status,
            )
        ]
        if status.note:
            words.append(status.note)
        return ": ".join(words)[:NOTE_LENGTH]
