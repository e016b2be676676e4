from odoo import api, models

from ..tools.documents import Supplier


class MlConnectorReaderOdooSupplier(models.AbstractModel):
    """Odoo vendors (companies with a supplier rank) as canonical suppliers."""

    _name = "ml.connector.reader.odoo.supplier"
    _inherit = "ml.connector.reader.odoo"
    _description = "Odoo vendors"

    _document_type = "supplier"
    _source_model = "res.partner"

    @api.model
    def _source_domain(self, flow):
        return [
            ("supplier_rank", ">", 0),
            ("parent_id", "=", False),
            ("company_id", "in", (False, flow.company_id.id)),
        ]

    @api.model
    def _read_record(self, flow, partner):
        return self._supplier(partner)

    @api.model
    def _supplier(self, partner):
        """The canonical supplier of ``partner`` (whitespace normalised, as compared across ends)."""
        values = {
            "name": partner.name,
            "number": (partner.ref or "").strip(),
            "duns": partner.duns_number,
            "vat": partner.vat,
            "email": partner.email,
            "phone": partner.phone,
            "website": partner.website,
            "street": ", ".join(filter(None, [partner.street, partner.street2])),
            "zip": partner.zip,
            "city": partner.city,
            "state": partner.state_id.code,
            "country": partner.country_id.code,
            "status": "ACTIVE" if partner.active else "INACTIVE",
        }
        values = {name: " ".join(str(value or "").split()) for name, value in values.items()}
        return Supplier(
            key=f"res.partner,{partner.id}",
            payment_terms=partner.property_supplier_payment_term_id.name or "",
            currency=partner.property_purchase_currency_id.name or "",
            **values,
        )
