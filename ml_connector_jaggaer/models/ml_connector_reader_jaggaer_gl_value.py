"""GL segment values and cost centres of JAGGAER (§1.12).

JAGGAER codes a line with splittable custom fields, one per chart-of-accounts segment
(``Account``, ``CostCenter``…). This reader lists each configured segment's values as canonical
GL values; the segment that holds accounts gives accounts, the cost-centre segment cost centres.
There is no (known) API to create values in JAGGAER: values of other ends are mapped to the
values JAGGAER has.
"""

from datetime import datetime
from urllib.parse import quote

from odoo import api, models

from odoo.addons.ml_connector.tools.documents import GlValue
from odoo.addons.ml_connector.tools.errors import ConnectorError, DocumentError
from odoo.addons.ml_connector.tools.items import Page, SourceItem


class MlConnectorReaderJaggaerGlValue(models.AbstractModel):
    _name = "ml.connector.reader.jaggaer.gl_value"
    _inherit = ["ml.connector.reader", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER GL segment values"

    _system = "jaggaer"
    _document_type = "gl_value"

    @api.model
    def _segments(self, backend):
        names = [backend.jaggaer_account_segment, backend.jaggaer_cost_center_segment]
        names += backend._jaggaer_list(backend.jaggaer_extra_segments)
        return list(dict.fromkeys(name.strip() for name in names if name and name.strip()))

    @api.model
    def _collect(self, flow, run):
        """Every value of every segment, each run: JAGGAER gives them no modification time.
        Unchanged values are skipped by their hash, so only new or changed ones get a line."""
        backend = self._backend(flow)
        client = self._client(backend)
        for segment in self._segments(backend):
            what = self.env._("the values of GL segment %s", segment)
            try:
                for page in client.pages("gl_values", "gl_values", what, name=quote(segment, safe="")):
                    items = [
                        self._item(segment, record) for record in page.records if isinstance(record, dict)
                    ]
                    yield Page(items=items, more=True)
            except ConnectorError as exc:
                if exc.transient:
                    raise  # JAGGAER is unreachable: the whole flow tries again next run
                # one misnamed segment must not hide the others
                run._log(self.env._("%(flow)s: %(error)s", flow=flow.name, error=exc), error=True)
        yield Page(items=[], cursor={"read": datetime.utcnow().isoformat(sep=" ")}, more=False)

    @api.model
    def _item(self, segment, record):
        value = str(record.get("value") or "").strip()
        return SourceItem(
            source_key=f"{segment}:{value}",
            payload={**record, "internalName": segment},
            name=" ".join(filter(None, [segment, value, record.get("description")])),
            document_key=value,
        )

    @api.model
    def _document(self, line):
        backend = self._backend(line.flow_id)
        record = self._payload(line) or {}
        segment, value = record.get("internalName"), str(record.get("value") or "").strip()
        if not segment or not value:
            raise DocumentError(self.env._("A GL value needs a segment name and a value."))
        kinds = {
            backend.jaggaer_account_segment: "account",
            backend.jaggaer_cost_center_segment: "cost_centre",
        }
        return GlValue(
            kind=kinds.get(segment, "other"),
            segment=segment,
            code=value,
            description=str(record.get("description") or "").strip(),
            active=str(record.get("active", "true")).lower() != "false",
        )
