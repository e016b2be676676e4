from odoo import api, fields, models

from ..tools.matching import alnum_key, name_key


class ProductProduct(models.Model):
    _inherit = "product.product"

    # Normalised keys for matching remote item descriptions and codes.
    ml_name_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_code_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")
    ml_barcode_key = fields.Char(compute="_compute_ml_match_keys", store=True, index="btree_not_null")

    _ml_name_key_trgm_idx = models.Index("USING gist (ml_name_key gist_trgm_ops)")

    @api.depends("product_tmpl_id.name", "product_tmpl_id.description_purchase", "default_code", "barcode")
    def _compute_ml_match_keys(self):
        for product in self:
            text = " ".join(
                filter(None, [product.with_context(lang="en_US").name, product.description_purchase])
            )
            product.ml_name_key = name_key(text) or False
            product.ml_code_key = alnum_key(product.default_code) or False
            product.ml_barcode_key = alnum_key(product.barcode).lstrip("0") or False


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    ml_code_key = fields.Char(compute="_compute_ml_code_key", store=True, index="btree_not_null")

    @api.depends("product_code")
    def _compute_ml_code_key(self):
        for info in self:
            info.ml_code_key = alnum_key(info.product_code) or False
