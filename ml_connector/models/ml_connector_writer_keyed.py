from odoo import api, models

from ..tools.errors import DocumentError


class MlConnectorWriterKeyed(models.AbstractModel):
    """Writers into Odoo of documents their source keys: the binding contract, declared once.

    A document is known on its source connection by ``_external_id``; its binding (of
    ``_binding_kind`` on that connection) says which Odoo record it was applied to and which
    version (content hash). A version already applied is skipped (``_already_applied``);
    otherwise the document's purpose (original, replacement, cancellation, duplicate) picks
    ``_apply_<purpose>``, which returns the line's result with the ``record`` it applied the
    document to; the binding is written after. When several documents apply to one record (ship
    notices to one receipt), ``_bind_prefix`` keys each binding's local side by the document.
    """

    _name = "ml.connector.writer.keyed"
    _inherit = "ml.connector.writer"
    _description = "Connector writer of keyed documents"

    _bind_prefix = ""

    @api.model
    def _external_id(self, line, document):
        return document.key

    @api.model
    def _external_key(self, document):
        """The secondary key remembered on the binding (an order number…)."""
        return getattr(document, "number", "") or False

    @api.model
    def _already_applied(self, line, document, binding, record):
        """The result of a document that needs nothing more, or None."""
        if binding and record and binding.content_hash == line.content_hash:
            return {
                "state": "skipped",
                "res_model": record._name,
                "res_id": record.id,
                "message": self.env._("Already applied to %s: nothing changed.", record.display_name),
            }
        return None

    @api.model
    def _apply_original(self, line, document, record):
        raise NotImplementedError

    @api.model
    def _apply_duplicate(self, line, document, record):
        return self._apply_original(line, document, record)

    @api.model
    def _apply_replacement(self, line, document, record):
        raise self._unhandled_purpose(document)

    @api.model
    def _apply_cancellation(self, line, document, record):
        raise self._unhandled_purpose(document)

    @api.model
    def _unhandled_purpose(self, document):
        return DocumentError(
            self.env._(
                "%(document)s %(number)s is a %(purpose)s, which this flow does not handle.",
                document=type(document).__name__,
                number=getattr(document, "number", "") or document.key,
                purpose=getattr(document, "purpose", ""),
            )
        )

    @api.model
    def _write(self, line, document):
        source = line.flow_id.source_backend_id
        Binding = self.env["ml.connector.binding"]
        object_type = source._binding_type(self._binding_kind)
        external_id = self._external_id(line, document)
        binding = Binding._find(source, object_type, external_id=external_id)
        record = binding._record() if binding else None
        applied = self._already_applied(line, document, binding, record)
        if applied is not None:
            return applied
        purpose = getattr(document, "purpose", "") or "original"
        apply = getattr(self, f"_apply_{purpose}", None)
        if apply is None:
            raise self._unhandled_purpose(document)
        result = apply(line, document, record)
        applied_to = result.pop("record", None)
        if applied_to and result.get("state", "done") == "done":
            self._bind_applied(line, document, object_type, external_id, applied_to)
        return result

    @api.model
    def _bind_applied(self, line, document, object_type, external_id, record):
        local = (
            {
                "local_ref": f"{self._bind_prefix}:{external_id}",
                "res_model": record._name,
                "res_id": record.id,
            }
            if self._bind_prefix
            else {"record": record}
        )
        return self.env["ml.connector.binding"]._bind(
            line.flow_id.source_backend_id,
            object_type,
            external_id,
            content_hash=line.content_hash,
            external_key=self._external_key(document),
            **local,
        )
