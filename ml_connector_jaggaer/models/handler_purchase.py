"""Purchase orders: Odoo -> JAGGAER (import, changes, cancellation) and statuses back.

The PO shape is the PROPOSED one of ``jaggaer-api.md`` §2.2; JAGGAER imports by ``poNumber``
(create or update, a real change bumps ``revisionNumber``; ``status: "Canceled"`` cancels).
"""

from odoo import api, fields, models
from odoo.tools import float_round

from odoo.addons.ml_connector.tools.errors import DocumentError, NeedsReviewError, RemoteBusinessError
from odoo.addons.ml_connector.tools.items import SourceItem

from ..tools.client import iso_ms, splittable
from .handler_common import PO_BINDING, PO_LINE_BINDING, SUPPLIER_BINDING

CANCELED = "Canceled"


class MlConnectorHandlerJaggaerPoOut(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.po.out"
    _inherit = ["ml.connector.handler.odoo.source", "ml.connector.jaggaer.handler.mixin"]
    _description = "Flow: Odoo purchase orders to JAGGAER"

    _flow_label = "Purchase orders: Odoo → JAGGAER"
    _document_type = "purchase_order"
    _target_system = "jaggaer"
    _systems = ("jaggaer",)
    _default_sequence = 30
    _binding_type = PO_BINDING
    _source_model = "purchase.order"

    @api.model
    def _source_domain(self, flow):
        backend = flow.backend_id
        domain = [
            ("company_id", "=", backend.company_id.id),
            "|",
            ("state", "=", "purchase"),
            "&",
            ("state", "=", "cancel"),
            ("jaggaer_po_id", "!=", False),  # a PO JAGGAER never had needs no cancellation
        ]
        if backend.jaggaer_po_since:
            domain.append(("date_approve", ">=", fields.Datetime.to_datetime(backend.jaggaer_po_since)))
        return domain

    # -- building the document ----------------------------------------------------------
    @api.model
    def _build(self, flow, po):
        backend = flow.backend_id
        vendor = po.partner_id.commercial_partner_id
        currency = po.currency_id
        number, bravo_id = self._supplier_reference(backend, vendor)
        numbers = self._line_numbers(backend, po)
        lines, total = [], 0.0
        for pol in self._order_lines(po):
            if pol.product_qty <= 0:
                continue  # a line reduced to nothing leaves the JAGGAER order; its number stays used
            price = float_round(pol.price_unit * (1 - (pol.discount or 0.0) / 100.0), 6)
            quantity = float_round(pol.product_qty, 6)
            total += quantity * price
            item = {"description": pol.name or pol.product_id.display_name}
            if pol.product_id.default_code:
                item["catalogNumber"] = pol.product_id.default_code
            if pol.product_uom_id:
                item["unitOfMeasure"] = pol.product_uom_id.name
            lines.append(
                {
                    "lineNumber": numbers[pol.id],
                    "item": item,
                    "quantity": quantity,
                    "unitPrice": {"currency": currency.name, "value": price},
                    "splittableFieldSetGroupList": splittable(self._gl_coding(backend, po, pol)),
                }
            )
        if not lines:
            raise DocumentError(self.env._("%s has no line with a quantity to send.", po.name))
        document = {
            "poNumber": po.name,
            "orderDate": iso_ms(po.date_approve or po.date_order),
            "supplier": {"id": bravo_id, "supplierNumber": number, "name": vendor.name},
            "total": {"currency": currency.name, "value": float_round(total, currency.decimal_places)},
            "lineList": {"poLine": lines},
        }
        if backend.jaggaer_business_unit:
            document["businessUnit"] = {"internalName": backend.jaggaer_business_unit}
        if po.user_id.login:
            document["requestor"] = {"username": po.user_id.login}
        if backend.jaggaer_bill_to_code:
            document["billTo"] = {"address": {"addressCode": backend.jaggaer_bill_to_code}}
        if backend.jaggaer_ship_to_code:
            document["shipTo"] = {"address": {"addressCode": backend.jaggaer_ship_to_code}}
        if po.payment_term_id:
            document["terms"] = {"standardPaymentTermsCode": self._terms_code(backend, po.payment_term_id)}
        if po.state == "cancel":
            document["status"] = CANCELED
        return document

    @api.model
    def _order_lines(self, po):
        return po.order_line.filtered(lambda pol: not pol.display_type).sorted(
            lambda pol: (pol.sequence, pol.id)
        )

    @api.model
    def _supplier_reference(self, backend, vendor):
        """JAGGAER supplier number and id of the vendor; waits while the vendor has none."""
        # the orders of a batch go to a few vendors: each vendor's binding is read once per batch
        references = self._transaction_cache("jaggaer_supplier_references")
        if (backend.id, vendor.id) in references:
            return references[(backend.id, vendor.id)]
        binding = self.env["ml.connector.binding"]._find(backend, SUPPLIER_BINDING, record=vendor)
        if binding and binding.external_key:
            external_id = binding.external_id
            reference = binding.external_key, int(external_id) if external_id.isdigit() else external_id
            references[(backend.id, vendor.id)] = reference
            return reference
        if not vendor.supplier_rank:
            # Odoo 19 ranks a vendor only once a bill is posted; a vendor we order from is one,
            # and the supplier flow pushes vendors: this makes it pick this one up next cycle.
            vendor.sudo()._increase_rank("supplier_rank")
        reason = (
            self.env._("JAGGAER supplier %s has no supplier number yet", binding.external_id)
            if binding
            else self.env._("vendor %s is not linked to a JAGGAER supplier yet", vendor.display_name)
        )
        raise NeedsReviewError(
            self.env._(
                "Waiting: %(reason)s. The supplier flow sends the vendor on its next cycle (see its audit "
                "line if it waits on a review); this purchase order then goes by itself.",
                reason=reason,
            ),
            blocking_key=self._supplier_wait_key(vendor),
        )

    @api.model
    def _line_numbers(self, backend, po):
        """JAGGAER line number of each Odoo line: kept once sent, never reused, new lines after."""
        bindings = (
            self.env["ml.connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("object_type", "=", PO_LINE_BINDING),
                    ("external_key", "=", po.name),
                ]
            )
        )
        numbers, used = {}, 0
        for binding in bindings:
            number = (binding.data or {}).get("line_number") or binding.external_id.rsplit("/", 1)[-1]
            numbers[binding.res_id] = str(number)
            used = max(used, int(number) if str(number).isdigit() else 0)
        for pol in self._order_lines(po):
            if pol.id not in numbers:
                used += 1
                numbers[pol.id] = str(used)
        return numbers

    @api.model
    def _gl_coding(self, backend, po, pol):
        """``{segment: value}`` of a line: its expense account and its cost centre, through the mappings."""
        Mapping = self.env["ml.connector.mapping"]
        coding = {}
        account = self._expense_account(po, pol)
        if account and backend.jaggaer_account_segment:
            coding[backend.jaggaer_account_segment] = Mapping._resolve_value(
                backend,
                backend.jaggaer_account_segment,
                account,
                label=self.env._(
                    "Account %(account)s (line %(line)s of %(po)s)",
                    account=account.display_name,
                    line=pol.name,
                    po=po.name,
                ),
            )
        cost_centers = self._cost_centers(backend, pol)
        if len(cost_centers) > 1:
            raise DocumentError(
                self.env._(
                    "Line '%(line)s' of %(po)s is split across cost centres %(list)s; a JAGGAER line takes "
                    "one cost centre. Put the split on separate lines.",
                    line=pol.name,
                    po=po.name,
                    list=", ".join(cost_centers.mapped("display_name")),
                )
            )
        if cost_centers and backend.jaggaer_cost_center_segment:
            coding[backend.jaggaer_cost_center_segment] = Mapping._resolve_value(
                backend,
                backend.jaggaer_cost_center_segment,
                cost_centers,
                label=self.env._("Analytic account %s", cost_centers.display_name),
            )
        return coding

    @api.model
    def _expense_account(self, po, pol):
        if not pol.product_id:
            return po.company_id.expense_account_id
        product = pol.product_id.with_company(po.company_id)
        return product.product_tmpl_id.get_product_accounts(fiscal_pos=po.fiscal_position_id)["expense"]

    @api.model
    def _cost_centers(self, backend, pol):
        ids = {
            int(part)
            for key in (pol.analytic_distribution or {})
            for part in str(key).split(",")
            if part.isdigit()
        }
        # which analytic accounts exist, once per batch (every line names the same few)
        known = self._transaction_cache("jaggaer_analytic_accounts")
        unknown = ids - known.keys()
        if unknown:
            existing = set(self.env["account.analytic.account"].browse(sorted(unknown)).exists().ids)
            known.update((account_id, account_id in existing) for account_id in unknown)
        accounts = self.env["account.analytic.account"].browse(sorted(i for i in ids if known[i]))
        plan = backend.jaggaer_cost_center_plan_id
        if plan:
            accounts = accounts.filtered(lambda a: a.root_plan_id == plan.root_id)
        return accounts

    @api.model
    def _terms_code(self, backend, term):
        """The term's JAGGAER code: its 'PaymentTerms' mapping, else its name."""
        mapping = (
            self.env["ml.connector.mapping"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("mapping_type", "=", "PaymentTerms"),
                    ("record_ref", "=", f"account.payment.term,{term.id}"),
                ],
                order="external_value",
                limit=1,
            )
        )
        return mapping.external_value if mapping else term.name

    # -- sending -----------------------------------------------------------------------
    @api.model
    def _process(self, line):
        po = self.env["purchase.order"].browse(line.res_id).exists()
        if not po:
            return {"state": "skipped", "message": self.env._("The purchase order no longer exists.")}
        document = self._built_document(line, po)
        client = self._client(line.backend_id)
        binding = self.env["ml.connector.binding"]._find(line.backend_id, PO_BINDING, record=po)
        if document.get("status") == CANCELED and not binding and not self._lookup(client, po.name):
            return {"state": "skipped", "message": self.env._("Never reached JAGGAER: nothing to cancel.")}
        answer, warning = client.post("po_import", document, self.env._("purchase order %s", po.name))
        remote = next(iter(client.records(answer, "purchase_orders")), None) or {}
        if not remote.get("poId"):
            raise RemoteBusinessError(
                self.env._("JAGGAER accepted %s but returned no poId.", po.name), body=answer
            )
        return self._bind_po(line, po, document, remote, answer, warning)

    @api.model
    def _resolve_unknown_outcome(self, line):
        """The last import got no answer: if JAGGAER has this very version, it arrived."""
        po = self.env["purchase.order"].browse(line.res_id).exists()
        document = self._payload(line)
        if not po or document is None:
            return None
        remote = self._lookup(self._client(line.backend_id), po.name)
        if remote and self._fingerprint(remote) == self._fingerprint(document):
            result = self._bind_po(line, po, document, remote, remote, "")
            result["message"] = self.env._("Found in JAGGAER after an unanswered send: %s", result["message"])
            return result
        return None

    @api.model
    def _lookup(self, client, po_number):
        records = client.find(
            "po_list",
            "purchase_orders",
            self.env._("purchase order %s", po_number),
            flt=f"poNumber=={po_number}",
        )
        return next((record for record in records if record.get("poNumber") == po_number), None)

    @api.model
    def _fingerprint(self, document):
        """What the ERP controls in a PO (server fields left out), to compare versions."""
        lines = sorted(
            (
                str(line.get("lineNumber")),
                round(float(line.get("quantity") or 0), 4),
                round(float((line.get("unitPrice") or {}).get("value") or 0), 4),
            )
            for line in (document.get("lineList") or {}).get("poLine") or []
        )
        total = document.get("total") or {}
        return (
            (document.get("supplier") or {}).get("supplierNumber"),
            total.get("currency"),
            round(float(total.get("value") or 0), 2),
            tuple(lines),
            document.get("status") == CANCELED,
        )

    @api.model
    def _bind_po(self, line, po, document, remote, answer, warning):
        backend = line.backend_id
        Binding = self.env["ml.connector.binding"]
        po_id = str(remote["poId"])
        Binding._bind(
            backend,
            PO_BINDING,
            po_id,
            record=po,
            external_key=po.name,
            content_hash=line.content_hash,
            data={"revision": remote.get("revisionNumber"), "status": remote.get("status")},
        )
        sent = {str(item.get("lineNumber")) for item in document["lineList"]["poLine"]}
        PoLine = self.env["purchase.order.line"]
        Binding._bind_many(
            backend,
            PO_LINE_BINDING,
            [
                (
                    f"{po.name}/{number}",
                    PoLine.browse(pol_id),
                    {"external_key": po.name, "data": {"line_number": number}},
                )
                for pol_id, number in self._line_numbers(backend, po).items()
                if number in sent
            ],
        )
        po._jaggaer_record_remote(remote)
        message = self.env._(
            "%(po)s is %(status)s in JAGGAER (PO id %(id)s, revision %(revision)s).",
            po=po.name,
            status=remote.get("status") or "?",
            id=po_id,
            revision=remote.get("revisionNumber", 0),
        )
        if warning:
            message += " " + self.env._("JAGGAER warned: %s", warning)
        return {"external_id": po_id, "target_key": po_id, "response": answer, "message": message}


class MlConnectorHandlerJaggaerPoStatusIn(models.AbstractModel):
    _name = "ml.connector.handler.jaggaer.po.status.in"
    _inherit = ["ml.connector.handler", "ml.connector.jaggaer.handler.mixin"]
    _description = "Flow: JAGGAER purchase order statuses to Odoo"

    _flow_label = "Purchase order statuses: JAGGAER → Odoo"
    _document_type = "purchase_order_status"
    _source_system = "jaggaer"
    _target_system = "odoo"
    _systems = ("jaggaer",)
    _default_sequence = 40

    @api.model
    def _collect(self, flow, run):
        def make_item(record):
            key = str(record.get("poId") or "")
            return SourceItem(
                source_key=key or f"unidentified:{record.get('poNumber')}",
                payload=record,
                name=self.env._(
                    "PO %(number)s: %(status)s", number=record.get("poNumber"), status=record.get("status")
                ),
                document_key=record.get("poNumber") or key,
                error=None if key else DocumentError(self.env._("This purchase order has no poId.")),
            )

        yield from self._collect_changed(
            flow,
            run,
            "purchase_orders",
            path_key="po_list",
            wrapper_key="purchase_orders",
            what=self.env._("the purchase order list"),
            make_item=make_item,
            key_of=lambda record: str(record.get("poId") or id(record)),
        )

    @api.model
    def _process(self, line):
        backend = line.backend_id
        remote = self._payload(line) or {}
        self._check_texts(remote)
        if not remote.get("status"):
            raise DocumentError(self.env._("The purchase order has no status."))
        try:
            int(remote.get("revisionNumber") or 0)
        except (TypeError, ValueError):
            raise DocumentError(
                self.env._(
                    "The revisionNumber of purchase order %(po)s is not a whole number: %(value)r.",
                    po=remote.get("poNumber"),
                    value=remote.get("revisionNumber"),
                )
            ) from None
        binding = self.env["ml.connector.binding"]._find(
            backend, PO_BINDING, external_id=str(remote.get("poId"))
        )
        po = binding._record() if binding else None
        if not po and remote.get("poNumber"):
            po = self.env["purchase.order"].search(
                [("name", "=", remote["poNumber"]), ("company_id", "=", backend.company_id.id)], limit=1
            )
        if not po:
            return {
                "state": "skipped",
                "message": self.env._(
                    "Not a purchase order of %s in Odoo (created in JAGGAER or elsewhere).",
                    backend.company_id.name,
                ),
            }
        before = po.jaggaer_status
        po._jaggaer_record_remote(remote)
        message = (
            self.env._(
                "%(po)s: %(old)s → %(new)s.",
                po=po.name,
                old=before or self.env._("none"),
                new=po.jaggaer_status,
            )
            if before != po.jaggaer_status
            else self.env._("%(po)s: still %(status)s.", po=po.name, status=po.jaggaer_status)
        )
        return {"res_model": "purchase.order", "res_id": po.id, "message": message}
