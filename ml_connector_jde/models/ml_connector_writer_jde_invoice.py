"""Supplier invoices of another end (JAGGAER) into JD Edwards payables, as vouchers.

A voucher goes through the configured voucher orchestration into the batch tables F0411Z1 (one
pay item) and F0911Z1 (one distribution per invoice line, charge and tax), keyed by the batch
user (EDUS), a batch per run (EDBT), the invoice's id (EDTN) and the pay item (EDLN). JD Edwards
has no idempotency key: before every insert the batch (F0411Z1 by EDUS + EDTN, whatever the batch)
and the ledger (F0411 by supplier + invoice number) are read, so that an invoice is vouchered
once whatever happened before (a replay, an answer lost after the orchestration ran, a worker
killed mid-send). The voucher batch processor (R04110Z) then posts the batch: until F0411Z1.EDSP
says it did, the invoice waits without using up its attempts (for at most a day), then ends done
with its F0411 document, or failed with R04110Z's error.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConnectorError,
    DocumentError,
    NeedsReviewError,
    OutcomeUnknownError,
    PermanentError,
    RemoteBusinessError,
)

from ..tools.ais import batch_number, plain_row, transaction_number

PROCESSED = "1"  # F0411Z1.EDSP once R04110Z posted the voucher
MAX_AMOUNT = 10**13  # amounts are 15 digits with 2 decimals in JD Edwards


@dataclass
class Voucher:
    """What identifies a voucher in JD Edwards, and (to send it) the orchestration's inputs."""

    user: str  # EDUS
    transaction: str  # EDTN
    supplier: int | None = None  # AN8
    invoice_number: str = ""  # VINV
    inputs: dict = field(default_factory=dict)  # by logical name (see DEFAULT_ORCHESTRATION_INPUTS)


class MlConnectorWriterJdeInvoice(models.AbstractModel):
    _name = "ml.connector.writer.jde.invoice"
    _inherit = ["ml.connector.writer", "ml.connector.jde.mixin"]
    _description = "JD Edwards vouchers (F0411Z1/F0911Z1 through an orchestration)"

    _system = "jde"
    _document_type = "invoice"
    _binding_kind = "invoice"

    # -- writing ---------------------------------------------------------------------------------
    @api.model
    def _write(self, line, invoice):
        backend = self._backend(line.flow_id)
        client = self._client(backend)
        voucher = self._voucher_keys(line, invoice, client)
        if not self._transaction_cache("jde_voucher_absent").pop(line.id, False):
            found = self._look_up(line, invoice, client, voucher)
            if found is not None:
                return found
        self._complete(line, invoice, client, voucher)
        wire = client.config.wire_inputs("voucher", voucher.inputs)
        try:
            answer = client.orchestrate_mapped("voucher", voucher.inputs)
            batch = self._batch_rows(client, voucher)
            if not batch:
                raise PermanentError(
                    self.env._(
                        "%(jde)s accepted the voucher of invoice %(invoice)s, but F0411Z1 holds no row for "
                        "batch user %(user)s and transaction %(transaction)s: check what the orchestration "
                        "%(name)s inserts. It is not sent again by itself.",
                        jde=backend.name,
                        invoice=invoice.number,
                        user=voucher.user,
                        transaction=voucher.transaction,
                        name=client.config.orchestration_name("voucher"),
                    ),
                    body=answer,
                )
            result = self._settle(line, invoice, client, voucher, batch, answer)
        except ConnectorError as exc:
            exc.sent = wire
            raise
        result["sent"] = wire
        return result

    @api.model
    def _resolve_unknown_outcome(self, line, invoice):
        """The voucher may be in JD Edwards already (an answer lost, a batch not posted yet, an
        interrupted attempt): settle it from what JD Edwards holds, or say it is not there."""
        client = self._client(self._backend(line.flow_id))
        voucher = self._voucher_keys(line, invoice, client)
        found = self._look_up(line, invoice, client, voucher)
        if found is None:
            self._transaction_cache("jde_voucher_absent")[line.id] = True  # _write need not look again
        return found

    # -- looking the voucher up ------------------------------------------------------------------
    @api.model
    def _look_up(self, line, invoice, client, voucher):
        """The line's result if JD Edwards has this voucher (in the batch, or posted), else None."""
        batch = self._batch_rows(client, voucher)
        if batch:
            return self._settle(line, invoice, client, voucher, batch)
        if voucher.supplier and voucher.invoice_number:
            ledger = client.rows_with(
                "payables",
                "VINV",
                [voucher.invoice_number],
                client.config.entity_columns("payables"),
                conditions=[("AN8", "EQUAL", voucher.supplier)],
            )
            if ledger:
                return self._done(
                    line,
                    invoice,
                    ledger[0],
                    {"F0411": [plain_row(row) for row in ledger]},
                    self.env._(
                        "Already in JD Edwards payables as document %(document)s (supplier %(supplier)s, "
                        "invoice %(invoice)s): not vouchered again.",
                        document=self._document_name(ledger[0]),
                        supplier=voucher.supplier,
                        invoice=voucher.invoice_number,
                    ),
                )
        return None

    @api.model
    def _batch_rows(self, client, voucher):
        return client.rows_with(
            "voucher_batch",
            "EDTN",
            [voucher.transaction],
            client.config.entity_columns("voucher_batch"),
            conditions=[("EDUS", "EQUAL", voucher.user)],
        )

    @api.model
    def _settle(self, line, invoice, client, voucher, batch, answer=None):
        """The outcome of a voucher in the batch: posted (done), refused by R04110Z (an error), or
        not processed yet (a wait that does not use up the line's attempts)."""
        backend = self._backend(line.flow_id)
        rows = [plain_row(row) for row in batch]
        header = batch[0]
        where = self.env._(
            "transaction %(transaction)s in batch %(batch)s (batch user %(user)s)",
            transaction=voucher.transaction,
            batch=self._text(header, "EDBT"),
            user=voucher.user,
        )
        processed = [row for row in batch if self._text(row, "EDSP") == PROCESSED]
        if processed:
            ledger = self._ledger_rows(client, processed[0])
            evidence = {"F0411Z1": rows, "F0411": [plain_row(row) for row in ledger]}
            message = self.env._(
                "Voucher %(document)s posted by R04110Z (%(where)s).",
                document=self._document_name(ledger[0] if ledger else processed[0]),
                where=where,
            )
            return self._done(line, invoice, ledger[0] if ledger else processed[0], evidence, message)
        errors, unavailable = self._batch_errors(client, voucher, self._text(header, "EDBT"))
        evidence = {"F0411Z1": rows, "answer": answer} if answer else {"F0411Z1": rows}
        if errors:
            raise RemoteBusinessError(
                self.env._(
                    "R04110Z did not post the voucher (%(where)s): %(errors)s. Correct it in JD Edwards and "
                    "run R04110Z again, then replay this line; or delete the batch rows (F0411Z1/F0911Z1) to "
                    "have it sent again.",
                    where=where,
                    errors="; ".join(errors),
                ),
                body={**evidence, "errors": errors},
            )
        wait = max(backend.jde_batch_wait, 1)
        message = self.env._(
            "The voucher is in the batch (%(where)s), waiting for R04110Z to post it (EDSP 0); looked at "
            "again in %(minutes)s min.",
            where=where,
            minutes=wait,
        )
        if unavailable:
            message += " " + self.env._("The batch status could not be read: %s", unavailable)
        raise OutcomeUnknownError(
            message,
            body=evidence,
            retry_at=fields.Datetime.now() + timedelta(minutes=wait),
            counts_as_attempt=False,
        )

    @api.model
    def _batch_errors(self, client, voucher, batch):
        """What R04110Z recorded against the voucher, through the batch status orchestration:
        ``(errors, why the status is unavailable)``."""
        name = client.config.voucher_status_orchestration
        if not name:
            return [], ""
        values = {
            "batch_user": voucher.user,
            "batch_number": batch,
            "transaction_number": voucher.transaction,
        }
        try:
            answer = client.orchestrate(name, client.config.wire_inputs("voucher_status", values))
        except AuthError:
            raise
        except ConnectorError as exc:
            return [], str(exc)
        found = answer.get(client.config.input_names("voucher_status").get("errors", "Errors")) or []
        if not isinstance(found, list):
            found = [found]
        errors = []
        for error in found:
            if isinstance(error, dict):
                error = error.get("Message") or error.get("message") or error.get("text") or error
            errors.append(str(error))
        return errors, ""

    @api.model
    def _ledger_rows(self, client, batch_row):
        document = batch_row.get("DOC")
        if not document:
            return []
        return client.rows_with(
            "payables",
            "DOC",
            [document],
            client.config.entity_columns("payables"),
            conditions=[
                ("KCO", "EQUAL", self._text(batch_row, "KCO")),
                ("DCT", "EQUAL", self._text(batch_row, "DCT")),
            ],
        )

    @api.model
    def _document_name(self, row):
        return " ".join(
            filter(None, [self._text(row, "DOC"), self._text(row, "DCT"), self._text(row, "KCO")])
        )

    @api.model
    def _done(self, line, invoice, row, evidence, message):
        """Bind the invoice to its JD Edwards document; the line's result."""
        flow = line.flow_id
        backend, source = self._backend(flow), flow.source_backend_id
        Binding = self.env["ml.connector.binding"]
        binding_type = backend._binding_type("invoice")
        document = "-".join(self._text(row, alias) for alias in ("KCO", "DOC", "DCT"))
        other = Binding._find(backend, binding_type, external_id=document, local_backend=source)
        if other and other.local_ref != invoice.key:
            raise DocumentError(
                self.env._(
                    "JD Edwards document %(document)s already stands for invoice %(other)s: invoice "
                    "%(invoice)s "
                    "(same supplier and number) looks like a duplicate. Check it in %(tenant)s.",
                    document=document,
                    other=other.local_ref,
                    invoice=invoice.number,
                    tenant=source.name or "",
                ),
                body=evidence,
            )
        Binding._bind(
            backend,
            binding_type,
            document,
            **self._local_side(flow, invoice.key),
            external_key=self._text(row, "VINV") or invoice.number,
            content_hash=line.content_hash,
            data={"batch_user": self._text(row, "EDUS"), "transaction": self._text(row, "EDTN")},
        )
        return {"external_id": document, "target_key": document, "response": evidence, "message": message}

    # -- the voucher -----------------------------------------------------------------------------
    @api.model
    def _voucher_keys(self, line, invoice, client):
        """The voucher's keys and its supplier, if known (enough to look the voucher up)."""
        if not invoice.key:
            raise DocumentError(
                self.env._("Invoice %s has no id to key its voucher on (EDTN).", invoice.number)
            )
        return Voucher(
            user=client.config.voucher_edi_user,
            transaction=transaction_number(invoice.key),
            supplier=self._supplier(line.flow_id, invoice, client),
            invoice_number=invoice.number,
        )

    @api.model
    def _complete(self, line, invoice, client, voucher):
        """The orchestration's inputs of ``voucher``; waits while its supplier or a GL value has no
        JD Edwards counterpart, refuses what R04110Z could not post."""
        flow = line.flow_id
        config = client.config
        if not voucher.supplier:
            raise self._unlinked_supplier(flow, invoice)
        sign = -1 if invoice.is_credit_note else 1
        distributions = self._distributions(flow, invoice, sign)
        total = round(sum(item["amount"] for item in distributions), 2)
        gross = total if invoice.total is None else round(sign * abs(invoice.total), 2)
        if abs(gross - total) > 0.005:
            raise DocumentError(
                self.env._(
                    "Invoice %(invoice)s: its lines, charges and taxes add up to %(lines).2f but its total "
                    "is %(total).2f; R04110Z would refuse the voucher.",
                    invoice=invoice.number,
                    lines=total,
                    total=gross,
                )
            )
        try:
            invoice_date = date.fromisoformat(invoice.date[:10])
        except (TypeError, ValueError):
            raise DocumentError(self.env._("Invoice %s has no valid date.", invoice.number)) from None
        moment = line.run_id.date_start or fields.Datetime.now()
        voucher.inputs = {
            "batch_user": voucher.user,
            "batch_number": batch_number(config.voucher_batch_prefix, moment),
            "transaction_number": voucher.transaction,
            "pay_item": 1,
            "supplier": voucher.supplier,
            "supplier_invoice": invoice.number,
            "invoice_date": client.date_literal(invoice_date),
            "gl_date": client.date_literal(invoice_date),
            "gross_amount": gross,
            "currency": invoice.currency,
            "company": self._company(flow, invoice),
            "document_type": config.voucher_doc_type,
            "remark": f"JAGGAER {invoice.remote_number or invoice.key}"[:30],
            "distributions": distributions,
        }

    @api.model
    def _supplier(self, flow, invoice, client):
        """The address number of the invoice's supplier, or None: through the binding that joins
        the two ends (the supplier flow makes it), else a supplier number that is a JD Edwards
        supplier (for a supplier not sent from JD Edwards, its number set to its address number)."""
        supplier = invoice.supplier
        if supplier.key:
            linked = self.env["ml.connector.binding"]._counterpart_key(
                "supplier", flow.source_backend_id, supplier.key, flow.target_backend_id
            )
            if linked and linked.isdigit():
                return int(linked)
        number = supplier.number.strip()
        if number.isdigit() and client.rows_with("supplier", "AN8", [int(number)], ["AN8"]):
            return int(number)
        return None

    @api.model
    def _unlinked_supplier(self, flow, invoice):
        source = flow.source_backend_id
        return NeedsReviewError(
            self.env._(
                "Waiting: supplier %(name)s (%(id)s) of %(tenant)s is not linked to a JD Edwards supplier. "
                "The supplier flow links the suppliers it sends; for another one, set its supplier number in "
                "%(tenant)s to its JD Edwards address number. This invoice then goes by itself.",
                name=invoice.supplier.name or invoice.supplier.number,
                id=invoice.supplier.key or invoice.supplier.number,
                tenant=source.name,
            ),
            blocking_key=self._supplier_wait_key(source, invoice.supplier.key or invoice.supplier.number),
        )

    @api.model
    def _supplier_wait_key(self, source, key):
        return f"jde:supplier:{source.id}:{key}"

    @api.model
    def _company(self, flow, invoice):
        """The company (KCO): the one of the JD Edwards order the invoice bills, else the connection's."""
        backend, source = self._backend(flow), flow.source_backend_id
        numbers = {po_line.po.number for po_line in invoice.lines if po_line.po and po_line.po.number}
        numbers |= {invoice.po_number} - {""}
        if numbers:
            binding = (
                self.env["ml.connector.binding"]
                .sudo()
                .search(
                    [
                        ("backend_id", "=", source.id),
                        ("object_type", "=", source._binding_type("purchase_order")),
                        ("external_key", "in", sorted(numbers)),
                        ("local_backend_id", "=", backend.id),
                    ],
                    order="id",
                    limit=1,
                )
            )
            if binding:
                return binding.local_ref.split("-")[0]
        if backend.jde_voucher_company:
            return backend.jde_voucher_company.strip()
        raise DocumentError(
            self.env._(
                "Invoice %(invoice)s bills no order sent from JD Edwards: set the voucher company on "
                "connection %(jde)s.",
                invoice=invoice.number,
                jde=backend.name,
            )
        )

    @api.model
    def _distributions(self, flow, invoice, sign):
        backend = self._backend(flow)
        items = []
        for position, inv_line in enumerate(invoice.lines, start=1):
            where = self.env._(
                "Invoice %(invoice)s line %(line)s", invoice=invoice.number, line=inv_line.number or position
            )
            amount = inv_line.amount
            if amount is None:
                amount = (inv_line.quantity or 0.0) * (inv_line.unit_price or 0.0)
            items.append(
                {
                    "account": self._account(flow, inv_line, where),
                    "amount": round(sign * amount, 2),
                    "explanation": (inv_line.item.description or where)[:30],
                }
            )
        for kind, amount, account, label in (
            *(
                (charge.kind, charge.amount, backend.jde_charge_account, charge.description or charge.code)
                for charge in invoice.charges
            ),
            *(("tax", tax.amount, backend.jde_tax_account, tax.code) for tax in invoice.taxes),
        ):
            if not amount:
                continue
            if not (account or "").strip():
                raise DocumentError(
                    self.env._(
                        "Invoice %(invoice)s has a %(kind)s of %(amount).2f and connection %(jde)s has no "
                        "account for it: set the account for charges or taxes.",
                        invoice=invoice.number,
                        kind=kind,
                        amount=amount,
                        jde=backend.name,
                    )
                )
            items.append(
                {
                    "account": account.strip(),
                    "amount": round(sign * amount, 2),
                    "explanation": (label or kind)[:30],
                }
            )
        if not items:
            raise DocumentError(self.env._("Invoice %s has nothing to distribute.", invoice.number))
        for item in items:
            if not math.isfinite(item["amount"]) or abs(item["amount"]) >= MAX_AMOUNT:
                raise DocumentError(
                    self.env._(
                        "Invoice %(invoice)s: the amount %(amount)s of %(what)s is beyond what a JD Edwards "
                        "amount holds (15 digits, 2 decimals).",
                        invoice=invoice.number,
                        amount=item["amount"],
                        what=item["explanation"],
                    )
                )
        return [{"line": number, **item} for number, item in enumerate(items, start=1)]

    @api.model
    def _account(self, flow, inv_line, where):
        """``BU.OBJ[.SUB]`` of an invoice line: its account and cost centre through the mappings
        between the two ends (the connection's default business unit without a cost centre)."""
        backend, source = self._backend(flow), flow.source_backend_id
        Mapping = self.env["ml.connector.mapping"]
        account = inv_line.coding.account
        if not account:
            raise DocumentError(
                self.env._("%s has no account: JD Edwards needs one for each distribution.", where)
            )
        obj = Mapping._resolve(
            source,
            account.group or "Account",
            account.number,
            end=backend,
            label=self.env._("%(where)s: account", where=where),
        )
        centres = inv_line.coding.cost_centres
        if centres:
            centre = centres[0]
            business_unit = Mapping._resolve(
                source,
                centre.group or "CostCenter",
                centre.number,
                end=backend,
                label=self.env._("%(where)s: cost centre", where=where),
            )
        else:
            business_unit = (backend.jde_voucher_business_unit or "").strip()
        if not business_unit:
            raise DocumentError(
                self.env._(
                    "%(where)s has no cost centre and connection %(jde)s no default business unit.",
                    where=where,
                    jde=backend.name,
                )
            )
        return f"{business_unit}.{obj}"
