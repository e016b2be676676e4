from dataclasses import dataclass, field

from rapidfuzz import fuzz

from odoo import api, models
from odoo.tools import SQL

from ..tools.matching import (
    MatchCandidate,
    MatchResult,
    alnum_key,
    duns_key,
    email_domain,
    name_key,
    vat_keys,
)

FUZZY_CANDIDATES = 8  # nearest names by trigram distance (GiST index), re-scored with rapidfuzz


@dataclass
class PartnerQuery:
    """What a remote document says about a company. Every field is optional."""

    name: str = ""
    vat: str = ""
    email: str = ""
    company_registry: str = ""
    duns: str = ""
    reference: str = ""  # the remote's number for the vendor, stored in Odoo as the partner reference
    bindings: dict = field(default_factory=dict)  # binding type -> external id (JAGGAER id, SPS TPID…)


@dataclass
class ProductQuery:
    vendor_code: str = ""  # the vendor's / partner's code for the item
    codes: list = field(default_factory=list)  # other codes that may be our internal reference
    barcode: str = ""
    name: str = ""
    description: str = ""
    bindings: dict = field(default_factory=dict)


class MlConnectorMatching(models.AbstractModel):
    """Matching cascades for partners and products, with an explanation for every candidate.

    Partner cascade (first rung with exactly one candidate wins; several candidates, or a
    fuzzy-only match, go to review):
      binding -> external keys (reference/supplier number, DUNS) -> VAT -> e-mail domain ->
      company registry -> normalised name -> fuzzy name (review only)
    Always within the connection's company, on commercial partners with a supplier rank;
    a contact that matches stands for its company.

    Product cascade: binding -> the vendor's code in its supplier info -> internal
    reference or barcode -> fuzzy name and description (review only). Products are never
    created.
    """

    _name = "ml.connector.matching"
    _description = "Connector matching"

    # ------------------------------------------------------------------ partners
    @api.model
    def _partner_scope(self, backend):
        return SQL(
            "(p.company_id IS NULL OR p.company_id = %s) AND p.active AND cp.active AND cp.supplier_rank > 0",
            backend.company_id.id,
        )

    @api.model
    def _match_partner(self, backend, query):
        """Return a :class:`MatchResult` for ``query`` (a :class:`PartnerQuery`)."""
        Partner = self.env["res.partner"].sudo().with_company(backend.company_id)
        found = self._match_binding(backend, query.bindings, "res.partner")
        if found:
            return found

        rungs = [
            ("reference", "ml_ref_key", {alnum_key(query.reference)} - {""}, "supplier number"),
            ("duns", "ml_duns_key", {duns_key(query.duns)} - {""}, "DUNS number"),
            ("vat", "ml_vat_key", self._vat_lookup_keys(query.vat), "VAT number"),
            ("email_domain", "ml_email_domain", {email_domain(query.email)} - {""}, "e-mail domain"),
            ("company_registry", "ml_registry_key", {alnum_key(query.company_registry)} - {""}, "company ID"),
            ("name", "ml_name_key", {name_key(query.name)} - {""}, "normalised name"),
        ]
        wanted = [(rule, column, keys, label) for rule, column, keys, label in rungs if keys]
        if wanted:
            # One query for every exact rung: candidates and the keys they carry.
            self.env.cr.execute(
                SQL(
                    """SELECT p.id, p.commercial_partner_id, %(columns)s
                       FROM res_partner p JOIN res_partner cp ON cp.id = p.commercial_partner_id
                       WHERE %(scope)s AND (%(conditions)s)""",
                    columns=SQL(", ").join(SQL.identifier("p", column) for _r, column, _k, _l in wanted),
                    scope=self._partner_scope(backend),
                    conditions=SQL(" OR ").join(
                        SQL("%s IN %s", SQL.identifier("p", column), tuple(keys))
                        for _r, column, keys, _l in wanted
                    ),
                )
            )
            rows = self.env.cr.fetchall()
            for index, (rule, _column, keys, label) in enumerate(wanted):
                hits = {}
                for row in rows:
                    if row[2 + index] in keys:
                        hits.setdefault(row[1], row[0])
                if not hits:
                    continue
                partners = Partner.browse(list(hits))
                # self.env._: a comprehension has its own frame (Python < 3.12), where _() finds no
                # language and logs a warning with a stack trace on every match
                candidates = [
                    MatchCandidate(
                        partner,
                        100.0,
                        rule,
                        self.env._(
                            "%(label)s %(value)s is the same%(via)s.",
                            label=label,
                            value=", ".join(sorted(keys)),
                            via=(
                                self.env._(" (on contact %s)", Partner.browse(hits[partner.id]).display_name)
                                if hits[partner.id] != partner.id
                                else ""
                            ),
                        ),
                    )
                    for partner in partners
                ]
                if len(partners) == 1:
                    return MatchResult(partners, rule, candidates[0].explanation, candidates)
                return MatchResult(
                    None,
                    rule,
                    candidates=candidates,
                    reason=self.env._(
                        "%(count)s vendors share the %(label)s %(value)s.",
                        count=len(partners),
                        label=label,
                        value=", ".join(sorted(keys)),
                    ),
                )

        candidates = self._fuzzy_partners(backend, query)
        if candidates:
            return MatchResult(
                None,
                "fuzzy_name",
                candidates=candidates,
                reason=self.env._(
                    "No vendor matches on an identifier, only by a similar name (%(count)s candidate(s)). A "
                    "similar name alone is never enough to decide.",
                    count=len(candidates),
                ),
            )
        return MatchResult(None, "", reason=self.env._("No vendor matches."))

    @api.model
    def _vat_lookup_keys(self, vat):
        keys = vat_keys(vat)
        # stored keys have no country prefix: drop prefixed forms from the lookup
        return {k[2:] if len(k) > 4 and k[:2].isalpha() else k for k in keys}

    @api.model
    def _fuzzy_threshold(self, backend):
        return backend.match_fuzzy_threshold or 85

    @api.model
    def _fuzzy_partners(self, backend, query):
        wanted = name_key(query.name)
        if not wanted:
            return []
        self.env.cr.execute(
            SQL(
                """SELECT id, ml_name_key FROM res_partner
                   WHERE id = commercial_partner_id AND active AND supplier_rank > 0
                     AND (company_id IS NULL OR company_id = %(company)s) AND ml_name_key IS NOT NULL
                   ORDER BY ml_name_key <-> %(wanted)s LIMIT %(limit)s""",
                wanted=wanted,
                company=backend.company_id.id,
                limit=FUZZY_CANDIDATES,
            )
        )
        threshold = self._fuzzy_threshold(backend)
        Partner = self.env["res.partner"].sudo()
        candidates = []
        for partner_id, key in self.env.cr.fetchall():
            score = fuzz.token_sort_ratio(wanted, key)
            if score >= threshold:
                candidates.append(
                    MatchCandidate(
                        Partner.browse(partner_id),
                        round(score, 1),
                        "fuzzy_name",
                        self.env._(
                            "Name '%(theirs)s' is %(score)s%% similar to '%(ours)s'.",
                            theirs=query.name,
                            ours=key,
                            score=round(score),
                        ),
                    )
                )
        return sorted(candidates, key=lambda c: -c.score)

    @api.model
    def _match_binding(self, backend, bindings, res_model):
        Binding = self.env["ml.connector.binding"]
        for binding_type, external_id in (bindings or {}).items():
            if not external_id:
                continue
            binding = Binding._find(backend, binding_type, external_id=external_id)
            record = binding._record() if binding else None
            if record and record._name == res_model:
                explanation = self.env._(
                    "Bound to %(type)s %(id)s before.", type=binding_type, id=external_id
                )
                return MatchResult(
                    record, "binding", explanation, [MatchCandidate(record, 100.0, "binding", explanation)]
                )
        return None

    # ------------------------------------------------------------------ products
    @api.model
    def _match_product(self, backend, query, vendor=None):
        """Return a :class:`MatchResult` for ``query`` (a :class:`ProductQuery`), never creating products."""
        Product = self.env["product.product"].sudo().with_company(backend.company_id)
        found = self._match_binding(backend, query.bindings, "product.product")
        if found:
            return found

        vendor_code = alnum_key(query.vendor_code)
        if vendor_code and vendor:
            self.env.cr.execute(
                SQL(
                    """SELECT COALESCE(si.product_id, pp.id)
                       FROM product_supplierinfo si
                       JOIN product_product pp ON pp.product_tmpl_id = si.product_tmpl_id AND pp.active
                       WHERE si.partner_id = %(vendor)s AND si.ml_code_key = %(code)s
                         AND (si.company_id IS NULL OR si.company_id = %(company)s)
                         AND (si.product_id IS NULL OR si.product_id = pp.id)""",
                    vendor=vendor.commercial_partner_id.id,
                    code=vendor_code,
                    company=backend.company_id.id,
                )
            )
            result = self._product_result(
                Product.browse({row[0] for row in self.env.cr.fetchall()}),
                "vendor_code",
                self.env._(
                    "%(vendor)s's product code %(code)s.", vendor=vendor.display_name, code=query.vendor_code
                ),
            )
            if result is not None:
                return result

        codes = {alnum_key(code) for code in [*query.codes, query.vendor_code]} - {""}
        barcode = alnum_key(query.barcode).lstrip("0")
        if codes or barcode:
            # internal reference and barcode rungs in one query
            self.env.cr.execute(
                SQL(
                    """SELECT pp.id, pp.ml_code_key IN %(codes)s, pp.ml_barcode_key = %(barcode)s
                       FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
                       WHERE pp.active AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
                         AND (pp.ml_code_key IN %(codes)s OR pp.ml_barcode_key = %(barcode)s)""",
                    codes=tuple(codes) or ("",),
                    barcode=barcode or None,
                    company=backend.company_id.id,
                )
            )
            rows = self.env.cr.fetchall()
            for index, rule, explanation in (
                (1, "internal_reference", self.env._("Internal reference %s.", ", ".join(sorted(codes)))),
                (2, "barcode", self.env._("Barcode %s.", query.barcode)),
            ):
                result = self._product_result(
                    Product.browse([row[0] for row in rows if row[index]]), rule, explanation
                )
                if result is not None:
                    return result

        wanted = name_key(" ".join(filter(None, [query.name, query.description])))
        candidates = []
        if wanted:
            self.env.cr.execute(
                SQL(
                    """SELECT id, ml_name_key FROM product_product
                       WHERE active AND ml_name_key IS NOT NULL
                       ORDER BY ml_name_key <-> %(wanted)s LIMIT %(limit)s""",
                    wanted=wanted,
                    limit=FUZZY_CANDIDATES,
                )
            )
            threshold = self._fuzzy_threshold(backend) - 15  # descriptions vary more than names
            for product_id, key in self.env.cr.fetchall():
                product = Product.browse(product_id)
                if product.company_id and product.company_id != backend.company_id:
                    continue
                score = fuzz.token_set_ratio(wanted, key)
                if score >= threshold:
                    candidates.append(
                        MatchCandidate(
                            product,
                            round(score, 1),
                            "fuzzy_name",
                            self.env._(
                                "Description '%(theirs)s' is %(score)s%% similar.",
                                theirs=wanted,
                                score=round(score),
                            ),
                        )
                    )
        label = query.vendor_code or (query.codes[0] if query.codes else "") or query.barcode or query.name
        reason = (
            self.env._("No product has code %s; similar descriptions need a decision.", label)
            if candidates
            else self.env._("No product matches item %s. Products are never created automatically.", label)
        )
        return MatchResult(
            None,
            "fuzzy_name" if candidates else "",
            candidates=sorted(candidates, key=lambda c: -c.score),
            reason=reason,
        )

    @api.model
    def _product_result(self, products, rule, explanation):
        if not products:
            return None
        candidates = [MatchCandidate(p, 100.0, rule, explanation) for p in products]
        if len(products) == 1:
            return MatchResult(products, rule, explanation, candidates)
        return MatchResult(
            None,
            rule,
            candidates=candidates,
            reason=self.env._("%(n)s products match: %(why)s", n=len(products), why=explanation),
        )

    # ------------------------------------------------------------------ taxes
    @api.model
    def _purchase_taxes(self, backend, product, vendor, override=None, required=False):
        """Purchase taxes for a line.

        The document's own tax code wins when it has one (through the 'Tax' mapping); else
        the product's purchase taxes, mapped by the vendor's fiscal position (intra-EU reverse
        charge, non-EU exempt…). When nothing is found and the document is taxed
        (``required``), the line waits for a 'Tax' mapping of the product.
        """
        company = backend.company_id
        Mapping = self.env["ml.connector.mapping"]
        if override:
            return Mapping._resolve(backend, "Tax", override, label=self.env._("tax code on the document"))
        taxes = product.supplier_taxes_id.filtered(lambda t: t.company_id == company)
        fiscal_position = self._fiscal_position(company, vendor) if vendor else None
        if fiscal_position:
            taxes = fiscal_position.map_tax(taxes)
        if not taxes and required:
            code = product.default_code or str(product.id)
            return Mapping._resolve(backend, "Tax", f"product:{code}", label=product.display_name)
        return taxes

    @api.model
    def _fiscal_position(self, company, vendor):
        """The vendor's fiscal position in ``company`` (Odoo's own detection: set on the vendor, else
        by its country and VAT)."""
        return self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(vendor)
