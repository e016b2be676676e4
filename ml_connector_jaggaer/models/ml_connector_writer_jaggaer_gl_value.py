"""GL values of another connection (JD Edwards accounts and business units...) aligned with JAGGAER's.

JAGGAER has no known API to create segment values (§1.12): each value of the other end is mapped
to the JAGGAER value with the same code in the matching segment (accounts to the account segment,
cost centres to the cost-centre segment), or listed in the mappings for the administrator to
fill in. Documents waiting for a value go through once it is mapped.
"""

from urllib.parse import quote

from odoo import api, models

from odoo.addons.ml_connector.tools.errors import DocumentSkipped


class MlConnectorWriterJaggaerGlValue(models.AbstractModel):
    _name = "ml.connector.writer.jaggaer.gl_value"
    _inherit = ["ml.connector.writer", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER GL segment values (mappings)"

    _system = "jaggaer"
    _document_type = "gl_value"

    @api.model
    def _segment(self, backend, value):
        if value.kind == "account":
            return (backend.jaggaer_account_segment or "").strip()
        if value.kind == "cost_centre":
            return (backend.jaggaer_cost_center_segment or "").strip()
        return ""

    @api.model
    def _jaggaer_values(self, backend, segment):
        """JAGGAER's active values of ``segment`` (one listing per segment and batch)."""
        cache = self._transaction_cache("jaggaer_gl_values")
        key = (backend.id, segment)
        if key not in cache:
            client = self._client(backend)
            what = self.env._("the values of GL segment %s", segment)
            values = set()
            for page in client.pages("gl_values", "gl_values", what, name=quote(segment, safe="")):
                for record in page.records:
                    if isinstance(record, dict) and str(record.get("active", "true")).lower() != "false":
                        values.add(str(record.get("value") or "").strip())
            cache[key] = values
        return cache[key]

    @api.model
    def _write(self, line, value):
        flow = line.flow_id
        backend, source = self._backend(flow), flow.source_backend_id
        segment = self._segment(backend, value)
        if not source or not segment:
            raise DocumentSkipped(self.env._("JAGGAER has no segment for values of kind %s.", value.kind))
        ends = (backend, segment, source)
        mapping = self._mapping(ends, "other_value", value.code)
        label = value.description or value.code
        if mapping.external_value:
            mapping.other_label = label
        elif value.active and value.code in self._jaggaer_values(backend, segment):
            mapping = self._map_same_code(ends, mapping, value, label)
        else:
            mapping = self._list(ends, mapping, value, label)
        if mapping.external_value:
            message = self.env._(
                "Mapped to JAGGAER %(segment)s %(value)s%(why)s.",
                segment=segment,
                value=mapping.external_value,
                why=self.env._(" (same code)") if mapping.external_value == value.code else "",
            )
        elif not value.active:
            message = self.env._("Not used for postings: listed, not mapped.")
        else:
            message = self.env._(
                "No JAGGAER %(segment)s value stands for %(code)s yet: listed for the administrator to map.",
                segment=segment,
                code=value.code,
            )
        return {"res_model": "ml.connector.mapping", "res_id": mapping.id, "message": message}

    @api.model
    def _mapping(self, ends, field_name, value):
        backend, segment, source = ends
        return (
            self.env["ml.connector.mapping"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", segment),
                    ("other_backend_id", "=", source.id),
                    (field_name, "=", value),
                ],
                limit=1,
            )
        )

    @api.model
    def _map_same_code(self, ends, mapping, value, label):
        """Map ``value`` to the JAGGAER value with its code, unless that one stands for another value
        already; a JAGGAER value listed earlier (a document of the other direction needed it) is
        completed rather than doubled."""
        taken = self._mapping(ends, "external_value", value.code)
        if taken.other_value and taken.other_value != value.code:
            return self._list(ends, mapping, value, label)
        if taken:
            (mapping - taken).unlink()
            taken.write({"other_value": value.code, "other_label": label})
            return taken
        if mapping:
            mapping.write({"external_value": value.code, "other_label": label})
            return mapping
        return self._create(ends, value, label, external_value=value.code)

    @api.model
    def _list(self, ends, mapping, value, label):
        """The value, listed for the administrator (its JAGGAER side empty)."""
        if mapping:
            mapping.other_label = label
            return mapping
        return self._create(ends, value, label)

    @api.model
    def _create(self, ends, value, label, **vals):
        backend, segment, source = ends
        return (
            self.env["ml.connector.mapping"]
            .sudo()
            .create(
                {
                    "backend_id": backend.id,
                    "mapping_type": segment,
                    "other_backend_id": source.id,
                    "other_value": value.code,
                    "other_label": label,
                    **vals,
                }
            )
        )
