from odoo import api, fields, models

# RSX 7.7 (X12 355) codes of Odoo's standard units; any unit can set its own code.
STANDARD_CODES = {
    "uom.product_uom_unit": "EA",
    "uom.product_uom_dozen": "DZ",
    "uom.product_uom_hour": "HR",
    "uom.product_uom_millimeter": "MM",
    "uom.product_uom_cm": "CM",
    "uom.product_uom_meter": "MR",
    "uom.product_uom_milliliter": "ML",
    "uom.product_uom_litre": "LT",
    "uom.product_uom_gram": "GR",
    "uom.product_uom_kgm": "KG",
    "uom.product_uom_oz": "OZ",
    "uom.product_uom_lb": "LB",
    "uom.product_uom_inch": "IN",
    "uom.product_uom_foot": "FT",
    "uom.product_uom_yard": "YD",
    "uom.product_uom_gal": "GA",
}


class UomUom(models.Model):
    _inherit = "uom.uom"

    sps_code = fields.Char(
        "SPS unit code",
        help="RSX / X12 unit of measure code used on SPS documents (EA each, CA case, PK pack, DZ dozen…). "
        "Standard units have theirs already; a case of 12 is 'CA' with 12 units as its size.",
    )

    @api.model
    def _sps_standard_codes(self):
        # xmlid -> id from Odoo's own cache: no query for every line of every document
        codes = {}
        for xmlid, code in STANDARD_CODES.items():
            uom_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
            if uom_id:
                codes[uom_id] = code
        return codes

    def _sps_unit_code(self):
        """The RSX code of this unit, or '' if it has none."""
        self.ensure_one()
        if self.sps_code:
            return self.sps_code.strip().upper()
        return self._sps_standard_codes().get(self.id, "")

    def _sps_holds(self, pack, reference):
        """True if one of this unit is ``pack`` of ``reference`` (a case of 12 holds 12 units)."""
        self.ensure_one()
        if not self._has_common_reference(reference):
            return False
        return abs(self._compute_quantity(1, reference, round=False) - float(pack)) < 1e-6

    def _sps_pack_size(self, reference):
        """How many ``reference`` units one of this unit holds, when that is a whole number above 1."""
        self.ensure_one()
        if self == reference or not self._has_common_reference(reference):
            return None
        size = self._compute_quantity(1, reference, round=False)
        return int(round(size)) if size > 1 and abs(size - round(size)) < 1e-6 else None

    @api.model
    def _sps_find(self, code, reference, pack=None):
        """The one unit with RSX code ``code`` that converts to ``reference`` (holding ``pack`` of it)."""
        standard = self._sps_standard_codes()
        candidates = self.search([("sps_code", "=ilike", code)]) | self.browse(
            [uom_id for uom_id, standard_code in standard.items() if standard_code == code]
        )
        candidates = candidates.filtered(
            lambda uom: uom._sps_unit_code() == code and uom._has_common_reference(reference)
        )
        if pack:
            candidates = candidates.filtered(lambda uom: uom._sps_holds(pack, reference))
        return candidates if len(candidates) == 1 else self.browse()
