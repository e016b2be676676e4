"""Purchase orders of another end (Odoo, JD Edwards, Fusion) to JAGGAER: import, changes, cancellation.

The PO shape is the PROPOSED one of ``jaggaer-api.md`` §2.2; JAGGAER imports by ``poNumber``
(create or update, a real change bumps ``revisionNumber``; ``status: "Canceled"`` cancels).
"""

from odoo import api, models
from odoo.tools import float_round

from odoo.addons.ml_connector.tools.errors import (
    DocumentError,
    DocumentSkipped,
    NeedsReviewError,
    OutcomeUnknownError,
)

from ..tools.client import find_records, iso_ms, parse_stamp, splittable
from .ml_connector_jaggaer_mixin import PO_BINDING, PO_LINE_BINDING, SUPPLIER_BINDING

CANCELED = "Canceled"


class MlConnectorWriterJaggaerPurchaseOrder(models.AbstractModel):
    _name = "ml.connector.writer.jaggaer.purchase_order"
    _inherit = ["ml.connector.writer", "ml.connector.jaggaer.mixin"]
    _description = "JAGGAER purchase orders"

    _system = "jaggaer"
    _document_type = "purchase_order"
    _binding_kind = "purchase_order"

    @api.model
    def _source_domain(self, flow):
        backend = self._backend(flow)
        # a PO JAGGAER never had needs no cancellation
        domain = [
            "|",
            ("state", "=", "purchase"),
            "&",
            ("state", "=", "cancel"),
            ("jaggaer_po_id", "!=", False),
        ]
        if backend.jaggaer_po_since:
            domain.append(("date_approve", ">=", backend.jaggaer_po_since))
        if backend.jaggaer_po_vendor_scope == "selected":
            # orders already in JAGGAER keep following their changes
            domain += [
                "|",
                ("partner_id.commercial_partner_id", "in", backend.jaggaer_po_vendor_ids.ids),
                ("jaggaer_po_id", "!=", False),
            ]
        # an order JAGGAER created is JAGGAER's: only what happens to it in Odoo goes back
        domain += [
            "|",
            ("ml_origin_backend_id", "!=", backend.id),
            "|",
            ("state", "=", "cancel"),
            ("receipt_status", "in", ("partial", "full")),
        ]
        return domain

    # -- the J1P document -----------------------------------------------------------------
    @api.model
    def _render(self, line, order):
        """The J1P purchase order for canonical ``order``; waits while its supplier or coding is unknown."""
        flow = line.flow_id
        backend = self._backend(flow)
        number, bravo_id = self._supplier_reference(flow, order.supplier)
        numbers = self._line_numbers(flow, order)
        lines, total = [], 0.0
        for po_line in order.lines:
            if po_line.quantity <= 0:
                continue  # a line reduced to nothing leaves the JAGGAER order; its number stays used
            total += po_line.quantity * po_line.unit_price
            item = {"description": po_line.item.description or po_line.item.buyer_code}
            if po_line.item.buyer_code:
                item["catalogNumber"] = po_line.item.buyer_code
            if po_line.uom:
                item["unitOfMeasure"] = po_line.uom
            lines.append(
                {
                    "lineNumber": numbers[po_line.key],
                    "item": item,
                    "quantity": po_line.quantity,
                    "unitPrice": {"currency": order.currency, "value": po_line.unit_price},
                    "splittableFieldSetGroupList": splittable(self._gl_coding(flow, order, po_line)),
                }
            )
        if not lines:
            raise DocumentError(self.env._("%s has no line with a quantity to send.", order.number))
        document = {
            "poNumber": order.number,
            "orderDate": iso_ms(parse_stamp(order.order_date)),
            "supplier": {"id": bravo_id, "supplierNumber": number, "name": order.supplier.name},
            "total": {"currency": order.currency, "value": float_round(total, 2)},
            "lineList": {"poLine": lines},
        }
        if backend.jaggaer_business_unit:
            document["businessUnit"] = {"internalName": backend.jaggaer_business_unit}
        if order.requestor:
            document["requestor"] = {"username": order.requestor}
        if backend.jaggaer_bill_to_code:
            document["billTo"] = {"address": {"addressCode": backend.jaggaer_bill_to_code}}
        if backend.jaggaer_ship_to_code:
            document["shipTo"] = {"address": {"addressCode": backend.jaggaer_ship_to_code}}
        if order.payment_terms:
            document["terms"] = {"standardPaymentTermsCode": self._terms_code(flow, order.payment_terms)}
        if order.cancelled:
            document["status"] = CANCELED
        return document

    @api.model
    def _supplier_reference(self, flow, supplier):
        """JAGGAER supplier number and id of the order's supplier; waits while it has none."""
        backend, source = self._backend(flow), flow.source_backend_id
        # the orders of a batch go to a few suppliers: each supplier's binding is read once per batch
        references = self._transaction_cache("jaggaer_supplier_references")
        cache_key = (backend.id, source.id, supplier.key)
        if cache_key in references:
            return references[cache_key]
        binding = self.env["ml.connector.binding"]._find(
            backend, SUPPLIER_BINDING, local_ref=supplier.key, local_backend=source
        )
        if binding and binding.external_key:
            external_id = binding.external_id
            reference = binding.external_key, int(external_id) if external_id.isdigit() else external_id
            references[cache_key] = reference
            return reference
        reason = (
            self.env._("JAGGAER supplier %s has no supplier number yet", binding.external_id)
            if binding
            else self.env._(
                "vendor %s is not linked to a JAGGAER supplier yet", supplier.name or supplier.number
            )
        )
        raise NeedsReviewError(
            self.env._(
                "Waiting: %(reason)s. The supplier flow sends the vendor on its next cycle (see its audit "
                "line if it waits on a review); this purchase order then goes by itself.",
                reason=reason,
            ),
            blocking_key=self._supplier_wait_key(source, supplier.key),
        )

    @api.model
    def _prepare_documents(self, documents):
        """The bindings of the batch's orders and of their lines, in two queries per flow."""
        by_flow = {}
        for line, order in documents:
            by_flow.setdefault(line.flow_id, []).append(order)
        for flow, orders in by_flow.items():
            self._load_line_bindings(flow, [order.number for order in orders])
            self._load_po_bindings(flow, [order.key for order in orders])
            if not flow.source_backend_id:
                self._load_odoo_orders(orders)

    @api.model
    def _load_odoo_orders(self, orders):
        """Whether each Odoo order of the batch still exists, where it came from, and what JAGGAER
        said of it last (``_jaggaer_record_remote`` compares), in two queries instead of two per
        order (a field read alone would read all of the order's)."""
        ids = {
            int(order.key.rsplit(",", 1)[1])
            for order in orders
            if (order.key or "").startswith("purchase.order,") and order.key.rsplit(",", 1)[1].isdigit()
        }
        found = self.env["purchase.order"].browse(ids).exists()
        found.fetch(
            [
                "ml_origin_backend_id",
                "jaggaer_po_id",
                "jaggaer_status",
                "jaggaer_revision",
                "jaggaer_last_update",
            ]
        )
        existing, found_ids = self._transaction_cache("odoo_records_exist"), set(found.ids)
        for order_id in ids:
            existing[("purchase.order", order_id)] = order_id in found_ids

    @api.model
    def _load_line_bindings(self, flow, po_numbers):
        """The line bindings of each order (by its number), for ``_line_numbers``."""
        cache = self._transaction_cache("jaggaer_po_line_bindings")
        backend, source = self._backend(flow), flow.source_backend_id
        wanted = [number for number in set(po_numbers) if (backend.id, source.id, number) not in cache]
        if not wanted:
            return
        bindings = (
            self.env["ml.connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("object_type", "=", PO_LINE_BINDING),
                    ("external_key", "in", wanted),
                    ("local_backend_id", "=", source.id),
                ]
            )
        )
        ids_by_number = {number: [] for number in wanted}
        for binding in bindings:
            ids_by_number[binding.external_key].append(binding.id)
        for number, ids in ids_by_number.items():
            cache[(backend.id, source.id, number)] = bindings.browse(ids)

    @api.model
    def _load_po_bindings(self, flow, keys):
        """The binding of each order (by its key on the source end), for ``_write``'s lookup."""
        cache = self._transaction_cache("jaggaer_po_bindings")
        backend, source = self._backend(flow), flow.source_backend_id
        refs = {self._local_ref(flow, key) for key in set(keys)}
        refs = [ref for ref in refs if (backend.id, source.id, ref) not in cache]
        if not refs:
            return
        found = (
            self.env["ml.connector.binding"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("object_type", "=", PO_BINDING),
                    ("local_backend_id", "=", source.id),
                    ("local_ref", "in", refs),
                ]
            )
        )
        by_ref = {binding.local_ref: binding for binding in found}
        for ref in refs:
            cache[(backend.id, source.id, ref)] = by_ref.get(ref, found.browse())

    @api.model
    def _po_binding(self, flow, order):
        """The binding of ``order`` on JAGGAER (empty before it was sent)."""
        key = (self._backend(flow).id, flow.source_backend_id.id, self._local_ref(flow, order.key))
        cached = self._transaction_cache("jaggaer_po_bindings").get(key)
        if cached is not None:
            return cached
        return self.env["ml.connector.binding"]._find(
            self._backend(flow), PO_BINDING, **self._local_side(flow, order.key)
        )

    @api.model
    def _local_ref(self, flow, key):
        """The local side of the binding of record ``key`` of the flow's source, as stored."""
        local = self._local_side(flow, key)
        return self.env["ml.connector.binding"]._ref_of(local.get("local_ref") or local["record"])

    @api.model
    def _line_numbers(self, flow, order):
        """JAGGAER line number of each line: kept once sent, never reused; new lines take the
        source's own number when it is free, else the next one."""
        self._load_line_bindings(flow, [order.number])
        backend, source = self._backend(flow), flow.source_backend_id
        bindings = self._transaction_cache("jaggaer_po_line_bindings")[(backend.id, source.id, order.number)]
        numbers = {}
        for binding in bindings:
            numbers[binding.local_ref] = str(
                (binding.data or {}).get("line_number") or binding.external_id.rsplit("/", 1)[-1]
            )
        used = set(numbers.values())
        highest = max((int(number) for number in used if number.isdigit()), default=0)
        for po_line in order.lines:
            if po_line.key in numbers:
                continue
            own = str(po_line.number or "")
            if own and own not in used:
                numbers[po_line.key] = own
            else:
                highest += 1
                while str(highest) in used:
                    highest += 1
                numbers[po_line.key] = str(highest)
            used.add(numbers[po_line.key])
            if numbers[po_line.key].isdigit():
                highest = max(highest, int(numbers[po_line.key]))
        return numbers

    @api.model
    def _gl_coding(self, flow, order, po_line):
        """``{segment: value}`` of a line: its account and its cost centre, through the mappings."""
        backend = self._backend(flow)
        coding = {}
        account = po_line.coding.account
        if account and backend.jaggaer_account_segment:
            coding[backend.jaggaer_account_segment] = self._target_value(
                flow,
                backend.jaggaer_account_segment,
                account,
                label=self.env._(
                    "Account %(account)s (line %(line)s of %(po)s)",
                    account=account.name or account.number,
                    line=po_line.item.description,
                    po=order.number,
                ),
            )
        cost_centres = self._cost_centres(flow, po_line)
        if len(cost_centres) > 1:
            raise DocumentError(
                self.env._(
                    "Line '%(line)s' of %(po)s is split across cost centres %(list)s; a JAGGAER line takes "
                    "one cost centre. Put the split on separate lines.",
                    line=po_line.item.description,
                    po=order.number,
                    list=", ".join(cc.name or cc.number for cc in cost_centres),
                )
            )
        if cost_centres and backend.jaggaer_cost_center_segment:
            centre = cost_centres[0]
            coding[backend.jaggaer_cost_center_segment] = self._target_value(
                flow,
                backend.jaggaer_cost_center_segment,
                centre,
                label=self.env._("Cost centre %s", centre.name or centre.number),
            )
        return coding

    @api.model
    def _cost_centres(self, flow, po_line):
        """The line's cost centres: its analytic accounts of the connection's cost-centre plan
        (all of them without a plan) for Odoo orders; another end's cost centres as they come."""
        plan = self._backend(flow).cost_center_plan_id
        if not plan or flow.source_backend_id:
            return po_line.coding.cost_centres
        group = f"account.analytic.plan,{plan.root_id.id}"
        return [centre for centre in po_line.coding.cost_centres if not centre.group or centre.group == group]

    @api.model
    def _terms_code(self, flow, terms):
        """The terms' JAGGAER code: their 'PaymentTerms' mapping, else their name."""
        Mapping = self.env["ml.connector.mapping"].sudo()
        backend, source = self._backend(flow), flow.source_backend_id
        domain = [("backend_id", "=", backend.id), ("mapping_type", "=", "PaymentTerms")]
        if source:
            domain += [("other_backend_id", "=", source.id), ("other_value", "=", terms.number or terms.key)]
        else:
            domain += [("other_backend_id", "=", False), ("record_ref", "=", terms.key)]
        mapping = Mapping.search(domain + [("external_value", "!=", False)], order="external_value", limit=1)
        return mapping.external_value if mapping else (terms.name or terms.number)

    # -- sending -----------------------------------------------------------------------
    @api.model
    def _write(self, line, order):
        flow = line.flow_id
        backend = self._backend(flow)
        source_record = self._odoo_record(flow, order) if not flow.source_backend_id else None
        if not flow.source_backend_id and source_record is None:
            raise DocumentSkipped(self.env._("The purchase order no longer exists."))
        if source_record is not None and source_record.ml_origin_backend_id == backend:
            return self._send_status(line, source_record)
        client = self._client(backend)
        document = self._render(line, order)
        binding = self._po_binding(flow, order)
        if document.get("status") == CANCELED and not binding and not self._lookup(client, order.number):
            raise DocumentSkipped(self.env._("Never reached JAGGAER: nothing to cancel."))
        what = self.env._("purchase order %s", order.number)
        try:
            answer, warning = client.post("po_import", document, what)
        except DocumentError as exc:
            exc.sent = document
            raise
        remote = self._imported(client, answer, order.number)
        if not remote:
            # accepted: never a failure; an import is an upsert by poNumber, so the next attempt
            # looks the order up again and sends it again only if JAGGAER does not have it
            raise OutcomeUnknownError(
                self.env._(
                    "JAGGAER accepted %s but neither its answer nor its list shows a poId yet; it is "
                    "looked up again.",
                    order.number,
                ),
                body=answer,
            )
        result = self._bind_po(line, order, document, remote, answer, warning)
        result["sent"] = document
        return result

    @api.model
    def _finish_batch(self):
        """The batch's orders and their lines bound in two searches and two inserts per
        connection, and the status notes logged in one go. Only for the documents done: one whose
        savepoint was rolled back after it was sent (its state recorded as failed) binds nothing."""
        waiting = self._transaction_cache("jaggaer_po_binds")
        Line = self.env["ml.connector.audit.line"].sudo()
        for (backend, source), entries in waiting.items():
            done = set(
                Line.browse([entry[0] for entry in entries]).filtered(lambda line: line.state == "done").ids
            )
            self._bind_sent(
                backend,
                source,
                [po_binding for line_id, po_binding, _lines in entries if line_id in done],
                [binding for line_id, _po, bindings in entries if line_id in done for binding in bindings],
            )
        waiting.clear()
        notes = self._transaction_cache("jaggaer_status_notes")
        if notes:
            self.env["purchase.order"]._jaggaer_log_notes(dict(notes))
            notes.clear()

    @api.model
    def _bind_sent(self, backend, source, po_bindings, line_bindings):
        """Bind orders and order lines JAGGAER has; an order sent twice in a batch keeps its last
        answer (``(external id, local side, values)`` as ``_bind_many`` takes them)."""
        Binding = self.env["ml.connector.binding"]
        for object_type, bindings in ((PO_BINDING, po_bindings), (PO_LINE_BINDING, line_bindings)):
            latest = {entry[0]: entry for entry in bindings}
            Binding._bind_many(backend, object_type, list(latest.values()), local_backend=source)

    @api.model
    def _imported(self, client, answer, po_number):
        """The order JAGGAER says it imported: from its answer, wherever it put the ``poId`` (in
        the list wrapper, at the top of the envelope, alone: the reference leaves the answer's
        shape open), else looked up by number (an answer that says nothing of it)."""
        candidates = list(client.records(answer, "purchase_orders")) + find_records(answer, "poId")
        for candidate in candidates:
            if (
                not isinstance(candidate, dict)
                or candidate.get("poId") in (None, "")
                or str(candidate.get("poNumber") or po_number) != po_number
            ):
                continue
            if candidate.get("status") in (None, ""):
                # only the id: what JAGGAER holds of the order (status, revision) is in its list
                return self._lookup(client, po_number) or candidate
            return candidate
        return self._lookup(client, po_number)

    @api.model
    def _resolve_unknown_outcome(self, line, order):
        """The last import got no answer: if JAGGAER has this very version, it arrived."""
        flow = line.flow_id
        if not flow.source_backend_id and self._odoo_record(flow, order) is None:
            return None
        document = self._render(line, order)
        remote = self._lookup(self._client(self._backend(flow)), order.number)
        if remote and self._fingerprint(remote) == self._fingerprint(document):
            result = self._bind_po(line, order, document, remote, remote, "")
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
        return next((record for record in records if str(record.get("poNumber") or "") == po_number), None)

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
    def _bind_po(self, line, order, document, remote, answer, warning):
        flow = line.flow_id
        backend = self._backend(flow)
        po_id = str(remote["poId"])
        local = self._local_side(flow, order.key)
        po_binding = (
            po_id,
            local.get("record") or local.get("local_ref"),
            {
                "external_key": order.number,
                "content_hash": line.content_hash,
                "data": {"revision": remote.get("revisionNumber"), "status": remote.get("status")},
            },
        )
        sent = {str(item.get("lineNumber")) for item in document["lineList"]["poLine"]}
        local_lines = self._local_lines(flow, order)
        line_bindings = [
            (
                f"{order.number}/{number}",
                local_lines[key],
                {"external_key": order.number, "data": {"line_number": number}},
            )
            for key, number in self._line_numbers(flow, order).items()
            if number in sent and key in local_lines
        ]
        source = flow.source_backend_id
        # in a batch, its orders and their lines are bound and their status notes logged together
        # at its end (_finish_batch)
        batch = self.env.context.get("ml_connector_batch_create")
        if batch:
            waiting = self._transaction_cache("jaggaer_po_binds").setdefault((backend, source), [])
            waiting.append((line.id, po_binding, line_bindings))
        else:
            self._bind_sent(backend, source, [po_binding], line_bindings)
        # what the batch read of this order's bindings is out of date now
        self._transaction_cache("jaggaer_po_line_bindings").pop((backend.id, source.id, order.number), None)
        ref = self._local_ref(flow, order.key)
        self._transaction_cache("jaggaer_po_bindings").pop((backend.id, source.id, ref), None)
        po = self._odoo_record(flow, order)
        if po is not None:
            po._jaggaer_record_remote(
                remote, self._transaction_cache("jaggaer_status_notes") if batch else None
            )
        message = self.env._(
            "%(po)s is %(status)s in JAGGAER (PO id %(id)s, revision %(revision)s).",
            po=order.number,
            status=remote.get("status") or "?",
            id=po_id,
            revision=remote.get("revisionNumber", 0),
        )
        return {
            "external_id": po_id,
            "target_key": po_id,
            "response": answer,
            "message": " ".join(filter(None, [message, self._warned(warning)])),
        }

    # -- orders JAGGAER created: what happens to them in Odoo goes back -------------------
    @api.model
    def _status_of(self, po):
        """JAGGAER's status for what became of ``po`` in Odoo (§2.2 lifecycle), or None."""
        if po.state == "cancel":
            return CANCELED
        return {"full": "Received", "partial": "Partially Received"}.get(po.receipt_status)

    @api.model
    def _send_status(self, line, po):
        """A JAGGAER order is JAGGAER's document: its lines are never sent back, only its status
        (cancelled, received in Odoo), through the order's status endpoint."""
        backend = self._backend(line.flow_id)
        status = self._status_of(po)
        if not status or status == po.jaggaer_status:
            raise DocumentSkipped(
                self.env._(
                    "%(po)s was created in JAGGAER, where it is %(status)s: nothing to send.",
                    po=po.name,
                    status=po.jaggaer_status or "?",
                ),
                record=po,
            )
        po_id = (
            po.jaggaer_po_id
            or self.env["ml.connector.binding"]._find(backend, PO_BINDING, record=po).external_id
        )
        if not po_id:
            raise DocumentSkipped(self.env._("%s is not linked to its JAGGAER order.", po.name), record=po)
        client = self._client(backend)
        body = {"status": status}
        answer, warning = client.post("po_status", body, self.env._("the status of %s", po.name), id=po_id)
        remote = next(
            (record for record in find_records(answer, "poId") if str(record.get("poId")) == po_id),
            {"poId": po_id, "status": status},
        )
        po._jaggaer_record_remote(remote)
        message = self.env._(
            "%(po)s is %(status)s in JAGGAER.", po=po.name, status=remote.get("status") or status
        )
        return {
            "external_id": po_id,
            "target_key": po_id,
            "res_model": po._name,
            "res_id": po.id,
            "sent": body,
            "response": answer,
            "message": " ".join(filter(None, [message, self._warned(warning)])),
        }

    @api.model
    def _local_lines(self, flow, order):
        """Each line's local side for ``_bind_many``: its Odoo record, or its key on the source."""
        if flow.source_backend_id:
            return {po_line.key: po_line.key for po_line in order.lines}
        PoLine = self.env["purchase.order.line"]
        return {po_line.key: PoLine.browse(int(po_line.key.rsplit(",", 1)[1])) for po_line in order.lines}
