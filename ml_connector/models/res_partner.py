from odoo import api, fields, models

from ..tools.matching import alnum_key, duns_key, email_domain, name_key


class ResPartner(models.Model):
    _inherit = "res.partner"

    duns_number = fields.Char(
        "DUNS number", index="btree_not_null", help="Dun & Bradstreet number, used to match remote suppliers."
    )
    # Normalised match keys, stored and indexed: exact matching rungs are equality lookups.
    ml_name_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_vat_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_email_domain = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_registry_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_duns_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_ref_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")

    # nearest names first (KNN on trigram distance): fuzzy candidates without scanning the table
    _ml_name_key_trgm_idx = models.Index("USING gist (ml_name_key gist_trgm_ops)")

    @api.depends("name", "vat", "email", "company_registry", "duns_number", "ref")
    def _compute_ml_match_keys(self):
        for partner in self:
            vat = alnum_key(partner.vat)
            if len(vat) > 4 and vat[:2].isalpha():
                vat = vat[2:]  # stored without the country prefix; lookups try both forms
            partner.ml_name_key = name_key(partner.name) or False
            partner.ml_vat_key = vat or False
            partner.ml_email_domain = email_domain(partner.email) or False
            partner.ml_registry_key = alnum_key(partner.company_registry) or False
            partner.ml_duns_key = duns_key(partner.duns_number) or False
            partner.ml_ref_key = alnum_key(partner.ref) or False
