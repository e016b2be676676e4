from odoo import api, fields, models
from odoo.tools import float_round

from ..tools.documents import Address, Coding, Item, PurchaseOrder, PurchaseOrderLine, Ref


def odoo_ref(record, number="", **values):
    """A reference to an Odoo record, as documents read from this database carry it."""
    if not record:
        return None
    return Ref(
        key=f"{record._name},{record.id}", number=number or "", name=record.display_name or "", **values
    )


def address_of(partner, kind=""):
    if not partner:
        return None
    return Address(
        name=(partner.commercial_partner_id.name if partner.type != "delivery" else partner.name)
        or partner.display_name,
        street=partner.street or "",
        street2=partner.street2 or "",
        city=partner.city or "",
        state=partner.state_id.code or "",
        zip=partner.zip or "",
        country=partner.country_id.code or "",
        kind=kind,
    )


class MlConnectorReaderOdooPurchaseOrder(models.AbstractModel):
    """Our confirmed purchase orders (and those cancelled after confirmation) as canonical orders.

    Lines keep their Odoo identity (``purchase.order.line,<id>``) as key; the order's vendor, its
    products, accounts and cost centres travel as references to their Odoo records, which the
    target's writer turns into its own values through bindings and mappings.
    """

    _name = "ml.connector.reader.odoo.purchase_order"
    _inherit = "ml.connector.reader.odoo"
    _description = "Odoo purchase orders"

    _document_type = "purchase_order"
    _source_model = "purchase.order"

    @api.model
    def _source_domain(self, flow):
        return [
            ("company_id", "=", flow.company_id.id),
            "|",
            ("state", "in", ("purchase", "done")),
            # cancelled after confirmation: a version may have reached the target and must be cancelled there
            "&",
            ("state", "=", "cancel"),
            ("date_approve", "!=", False),
        ]

    @api.model
    def _read_record(self, flow, po):
        vendor = po.partner_id.commercial_partner_id
        if not vendor.supplier_rank:
            # Odoo 19 ranks a vendor only once a bill is posted; a vendor we order from is one, and
            # supplier flows send vendors: this makes them pick this one up
            vendor.sudo()._increase_rank("supplier_rank")
        lines = [self._line(po, pol) for pol in self._order_lines(po)]
        company = po.company_id
        ship_to = po.picking_type_id.warehouse_id.partner_id or company.partner_id
        return PurchaseOrder(
            key=f"purchase.order,{po.id}",
            number=po.name,
            status="cancelled" if po.state == "cancel" else "open",
            order_date=fields.Datetime.to_string(po.date_approve or po.date_order),
            date_planned=fields.Datetime.to_string(po.date_planned) if po.date_planned else "",
            currency=po.currency_id.name,
            supplier=odoo_ref(
                vendor, number=(vendor.ref or "").strip(), duns=vendor.duns_number or "", vat=vendor.vat or ""
            ),
            buyer=odoo_ref(company.partner_id),
            requestor=po.user_id.login or "",
            ship_to=address_of(ship_to, "ship_to"),
            bill_to=address_of(company.partner_id, "bill_to"),
            payment_terms=odoo_ref(po.payment_term_id),
            lines=lines,
            total=float_round(po.amount_untaxed, po.currency_id.decimal_places),
            notes=po.partner_ref or "",
        )

    @api.model
    def _order_lines(self, po):
        return po.order_line.filtered(lambda pol: not pol.display_type).sorted(
            lambda pol: (pol.sequence, pol.id)
        )

    @api.model
    def _line(self, po, pol):
        product = pol.product_id
        vendor = po.partner_id.commercial_partner_id
        account = self._expense_account(po, pol)
        return PurchaseOrderLine(
            key=f"purchase.order.line,{pol.id}",
            item=Item(
                key=f"product.product,{product.id}" if product else "",
                buyer_code=product.default_code or "",
                vendor_code=self._vendor_code(product, vendor),
                gtin=product.barcode or "",
                description=pol.name or product.display_name or "",
            ),
            quantity=float_round(pol.product_qty, 6),
            uom=pol.product_uom_id.name or "",
            uom_key=f"uom.uom,{pol.product_uom_id.id}" if pol.product_uom_id else "",
            unit_price=float_round(pol.price_unit * (1 - (pol.discount or 0.0) / 100.0), 6),
            date_planned=fields.Datetime.to_string(pol.date_planned) if pol.date_planned else "",
            coding=Coding(
                account=odoo_ref(account, number=account.code if account else ""),
                cost_centres=[
                    odoo_ref(
                        analytic,
                        number=analytic.code or "",
                        group=f"account.analytic.plan,{analytic.root_plan_id.id}",
                    )
                    for analytic in self._analytic_accounts(pol)
                ],
            ),
        )

    @api.model
    def _vendor_code(self, product, vendor):
        """The vendor's code for ``product``; once per product and vendor in a batch (the orders
        of a batch buy the same few products from the same few vendors)."""
        codes = self._transaction_cache("odoo_vendor_codes")
        key = (product.id, vendor.id)
        if key not in codes:
            seller = product.seller_ids.filtered(lambda s: s.partner_id == vendor and s.product_code)[:1]
            codes[key] = seller.product_code or ""
        return codes[key]

    @api.model
    def _expense_account(self, po, pol):
        """The line's expense account, once per product, company and fiscal position in a batch."""
        if not pol.product_id:
            return po.company_id.expense_account_id
        accounts = self._transaction_cache("odoo_expense_accounts")
        key = (pol.product_id.product_tmpl_id.id, po.company_id.id, po.fiscal_position_id.id)
        if key not in accounts:
            template = pol.product_id.product_tmpl_id.with_company(po.company_id)
            accounts[key] = template.get_product_accounts(fiscal_pos=po.fiscal_position_id)["expense"]
        return accounts[key]

    @api.model
    def _analytic_accounts(self, pol):
        ids = {
            int(part)
            for key in (pol.analytic_distribution or {})
            for part in str(key).split(",")
            if part.isdigit()
        }
        # which analytic accounts exist, once per batch (every line names the same few)
        known = self._transaction_cache("odoo_analytic_accounts")
        unknown = ids - known.keys()
        if unknown:
            existing = set(self.env["account.analytic.account"].browse(sorted(unknown)).exists().ids)
            known.update((account_id, account_id in existing) for account_id in unknown)
        return self.env["account.analytic.account"].browse(sorted(i for i in ids if known[i]))
