"""Batches: records created together, lookups shared by the documents of a transaction."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.ml_connector.tools.errors import DocumentError, NeedsReviewError

from .common import EngineCase, PartnerTestReader, register_models


class ItemBatchTestWriter(models.AbstractModel):
    """Engine test flow: remote items become partners, created together per batch.

    The item's ``ref`` (its key when absent) is the partner reference; a partner with that
    reference already there is not created again; a name with REFUSED fails once created.
    """

    _name = "ml.connector.writer.odoo.test_item_batch"
    _inherit = "ml.connector.writer.odoo.test_item"
    _description = "Test writer: partners from items, per batch"
    _module = None
    _binding_type = "test_item_batch"

    @api.model
    def _write(self, line, item):
        if not str(item.get("name") or "").strip():
            raise DocumentError(f"Item {item.get('key')} has no name")
        ref = item.get("ref") or item["key"]
        existing = self.env["res.partner"].search([("ref", "=", ref)], limit=1)
        if existing:
            return {
                "state": "skipped",
                "res_model": "res.partner",
                "res_id": existing.id,
                "message": "already there",
            }
        return self._create_or_defer(
            self.env["res.partner"],
            {"name": item["name"], "ref": ref, "company_id": line.backend_id.company_id.id},
            lambda partner: self._created(item, partner),
            keys={("ref", ref)},
        )

    @api.model
    def _created(self, item, partner):
        if "REFUSED" in partner.name:
            raise ValidationError(self.env._("%s is refused", item["key"]))
        return {"res_model": "res.partner", "res_id": partner.id, "message": f"Created {partner.ref}."}


@tagged("post_install", "-at_install")
class TestBatchCreate(EngineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_models(cls, [ItemBatchTestWriter])
        (cls.flow_in | cls.flow_out).active = False
        cls.flow = cls.env["ml.connector.flow"].create(
            {
                "name": "Items in, per batch",
                "backend_id": cls.backend.id,
                "source_backend_id": cls.backend.id,
                "document_type": "test_item",
                "writer_model": ItemBatchTestWriter._name,
            }
        )

    def count_creates(self):
        calls = []
        Partner = self.registry["res.partner"]
        original = Partner.create

        def create(records, vals_list):
            calls.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return original(records, vals_list)

        return calls, patch.object(Partner, "create", create)

    def test_the_records_of_a_batch_are_created_in_one_call(self):
        for i in range(7):
            self.sim.add_item(f"B{i}", f"Batch item {i}")
        calls, counting = self.count_creates()
        with counting:
            run = self.run_backend(self.backend)
        self.assertEqual(calls, [3, 3, 1], "batches of 3 (the connection's batch size)")
        lines = self.lines(self.flow)
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(run.done_count, 7)
        for line in lines:
            partner = self.env["res.partner"].browse(line.res_id)
            self.assertEqual(line.error_message, f"Created {partner.ref}.")
            self.assertEqual(partner.ref, line.document_key)

    def test_a_document_that_cannot_be_created_fails_alone(self):
        self.sim.add_item("G1", "Good one")
        self.sim.add_item("R1", "REFUSED one")
        self.sim.add_item("G2", "Good two")
        calls, counting = self.count_creates()
        with counting:
            run = self.run_backend(self.backend)
        self.assertEqual(calls, [3, 1, 1, 1], "together, then one by one once that failed")
        refused = self.lines(self.flow, document_key="R1")
        self.assertEqual((refused.state, refused.error_kind), ("failed", "permanent"))
        self.assertIn("R1 is refused", refused.error_message)
        self.assertEqual(set(self.lines(self.flow, state="done").mapped("document_key")), {"G1", "G2"})
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "R1")]), "rolled back")
        self.assertEqual((run.done_count, run.failed_count), (2, 1))

    def test_a_document_that_depends_on_a_waiting_one_is_checked_after_it_exists(self):
        # two remote items for the same partner: the second must see the first one's partner
        self.sim.add_item("D1", "Same partner", ref="SAME")
        self.sim.add_item("D2", "Same partner again", ref="SAME")
        self.run_backend(self.backend)
        self.assertEqual(self.env["res.partner"].search_count([("ref", "=", "SAME")]), 1)
        self.assertEqual(self.lines(self.flow, document_key="D1").state, "done")
        second = self.lines(self.flow, document_key="D2")
        self.assertEqual((second.state, second.error_message), ("skipped", "already there"))

    def test_errors_before_creation_are_recorded_as_usual(self):
        self.sim.add_item("E1", "Fine")
        self.sim.add_item("E2", "")
        self.run_backend(self.backend)
        self.assertEqual(self.lines(self.flow, document_key="E1").state, "done")
        empty = self.lines(self.flow, document_key="E2")
        self.assertEqual(empty.state, "failed")
        self.assertIn("has no name", empty.error_message)

    def test_replay_of_one_line_creates_at_once(self):
        self.sim.add_item("P1", "REFUSED at first")
        self.run_backend(self.backend)
        line = self.lines(self.flow)
        self.assertEqual(line.state, "failed")
        line.request_payload = json.dumps({**json.loads(line.request_payload), "name": "Accepted now"})
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertEqual(self.env["res.partner"].browse(line.res_id).name, "Accepted now")


@tagged("post_install", "-at_install")
class TestSettledWindow(EngineCase):
    def count_builds(self):
        built = []
        Reader = self.registry[PartnerTestReader._name]
        original = Reader._read_record

        def build(reader, flow, partner):
            built.append(partner.ref)
            return original(reader, flow, partner)

        return built, patch.object(Reader, "_read_record", build)

    def test_the_overlap_window_is_read_again_until_it_settled(self):
        self.flow_in.active = False
        # written a minute ago: a transaction writing there could still be open at the first run
        minute_ago = fields.Datetime.now() - timedelta(minutes=1)
        recent = self.make_partners(2, same_write_date=minute_ago)
        self.run_backend(self.backend)
        self.assertFalse(self.flow_out.cursor["settled"])
        # such a transaction commits late: its record's write date is below the mark
        late = self.make_partners(1, prefix="MLCT-LATE-", same_write_date=minute_ago - timedelta(seconds=5))
        # a record of the window changed without its write date moving is not read again: the
        # window finds what was not read yet, a write date tells a new version
        self.env.cr.execute(
            "UPDATE res_partner SET email = 'quiet@example.com' WHERE id = %s", (recent[0].id,)
        )
        recent.invalidate_recordset(["email"])
        built, counting = self.count_builds()
        with counting:
            self.run_backend(self.backend)
            self.assertEqual(built, late.mapped("ref"), "the window is read again: what it finds is sent")
            self.assertEqual(len(self.lines(self.flow_out, state="done")), 3)
            # a rewound flow reads everything again, and sends what changed
            self.flow_out.action_reset_cursor()
            self.run_backend(self.backend)
        self.assertEqual(sorted(built), sorted(late.mapped("ref") + (recent | late).mapped("ref")))
        self.assertEqual(self.sim.contacts[recent[0].ref]["email"], "quiet@example.com")
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 4, "the quiet change, once")

    def test_a_settled_window_is_not_read_again(self):
        self.flow_in.active = False
        old = self.make_partners(2, same_write_date=fields.Datetime.now() - timedelta(minutes=10))
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 2)
        self.assertTrue(self.flow_out.cursor["settled"], "read 10 minutes after the last write: settled")
        built, counting = self.count_builds()
        with counting:
            self.run_backend(self.backend)
            self.assertEqual(built, [], "nothing read again")
            new = self.make_partners(1, prefix="MLCT-NEW-")
            old[0].email = "changed@example.com"
            self.run_backend(self.backend)
        self.assertEqual(sorted(built), sorted([new.ref, old[0].ref]), "new and changed records only")
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 4)

    def test_the_first_run_after_the_window_passed_reads_it_a_last_time(self):
        self.flow_in.active = False
        partner = self.make_partners(1, same_write_date=fields.Datetime.now() - timedelta(minutes=2))
        self.run_backend(self.backend)
        self.assertFalse(self.flow_out.cursor["settled"])
        # as if that run happened six minutes ago: the window has passed since
        earlier = fields.Datetime.now() - timedelta(minutes=8)
        self.env.cr.execute("UPDATE res_partner SET write_date = %s WHERE id = %s", (earlier, partner.id))
        partner.invalidate_recordset(["write_date"])
        self.flow_out.cursor = dict(self.flow_out.cursor, write_date=str(earlier))
        built, counting = self.count_builds()
        with counting:
            self.run_backend(self.backend)
            self.assertEqual(built, [partner.ref], "read a last time")
            self.assertTrue(self.flow_out.cursor["settled"])
            self.run_backend(self.backend)
            self.assertEqual(built, [partner.ref], "and no more")
        self.assertEqual(len(self.lines(self.flow_out)), 1, "unchanged: never sent again")


@tagged("post_install", "-at_install")
class TestTransactionLookups(EngineCase):
    def test_http_client_shared_within_a_transaction_and_renewed_on_change(self):
        client = self.backend._http()
        self.assertIs(self.backend._http(), client, "one client per transaction")
        self.backend.timeout = 7
        renewed = self.backend._http()
        self.assertIsNot(renewed, client, "a change to the connection drops it")
        self.assertEqual(renewed.timeout, 7)
        self.backend.client_secret = "rotated-secret"
        self.assertEqual(
            self.backend._http().auth.client_secret, "rotated-secret", "new credentials, new client"
        )

    def test_http_client_built_once_per_run(self):
        """Credentials decrypted and the connection opened once per run, not once per batch."""
        self.env["res.partner"].create([{"name": f"Client {n}", "ref": f"MLCT-{n}"} for n in range(3)])
        self.flow_out.batch_size = 1  # three batches, three commits, each sending
        System = type(self.env["ml.connector.system.generic"])
        built = []
        build = System._http

        def counting(system, backend, base_url=None):
            built.append(backend.id)
            return build(system, backend, base_url=base_url)

        with patch.object(System, "_http", counting):
            self.run_backend(self.backend)
            self.assertEqual(self.flow_out.line_ids.mapped("state"), ["done"] * 3)
            self.assertEqual(built, [self.backend.id], "one client for the run")
            self.run_backend(self.backend)
        self.assertEqual(built, [self.backend.id] * 2, "a new run, a new client")
        client = self.backend._http()
        self.env.cr.cache.clear()  # what a rollback does
        self.assertIsNot(self.backend._http(), client, "a rollback drops the clients")

    def test_mapping_written_in_the_transaction_is_seen(self):
        Mapping = self.env["ml.connector.mapping"]
        with self.assertRaises(NeedsReviewError):
            Mapping._resolve(self.backend, "Account", "4711")
        account = self.env["account.account"].search([], limit=1)
        mapping = Mapping.create(
            {"backend_id": self.backend.id, "mapping_type": "Account", "external_value": "4711"}
        )
        self.assertIsNone(Mapping._resolve(self.backend, "Account", "4711", required=False))
        mapping.record_ref = f"account.account,{account.id}"
        self.assertEqual(Mapping._resolve(self.backend, "Account", "4711"), account)

    def test_lookups_cached_before_a_batch_are_not_seen_by_it(self):
        # a cursor's cache outlives its commits: what an earlier transaction read may be stale
        writer = self.env["ml.connector.writer"]
        writer._transaction_cache("test_vendors")["V1"] = "read by an earlier transaction"
        self.assertIn("V1", writer._transaction_cache("test_vendors"), "kept within the transaction")
        self.flow_in._pipe().prepare_batch(self.env["ml.connector.audit.line"])
        self.assertNotIn("V1", writer._transaction_cache("test_vendors"), "dropped when a batch begins")

    def test_bind_many_updates_the_bound_and_creates_the_others(self):
        partners = self.make_partners(3)
        Binding = self.env["ml.connector.binding"]
        first = Binding._bind(self.backend, "test_many", "R0", record=partners[0])
        bindings = Binding._bind_many(
            self.backend,
            "test_many",
            [(f"R{i}", partner, {"external_key": f"K{i}"}) for i, partner in enumerate(partners)],
        )
        self.assertEqual(len(bindings), 3)
        self.assertIn(first, bindings, "the existing binding is updated, not duplicated")
        self.assertEqual(first.external_key, "K0")
        for i, partner in enumerate(partners):
            found = Binding._find(self.backend, "test_many", record=partner)
            self.assertEqual((found.external_id, found.external_key), (f"R{i}", f"K{i}"))


@tagged("post_install", "-at_install")
class TestBillsOfABatch(TransactionCase):
    """Bills created together: the purchase module's note on each logged in one insert, their
    lines given the amounts Odoo's tax computation would write on them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Batch Notes Vendor"})
        product = cls.env["product.product"].create({"name": "Batch Notes Gloves", "purchase_ok": True})
        cls.orders = cls.env["purchase.order"].create(
            [
                {
                    "partner_id": cls.vendor.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_qty": 4, "price_unit": 3.0})
                    ],
                }
                for _i in range(2)
            ]
        )
        cls.orders.button_confirm()

    def bill_vals(self, order):
        line = order.order_line
        return {
            "move_type": "in_invoice",
            "partner_id": self.vendor.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "quantity": 4,
                        "price_unit": 3.0,
                        "purchase_line_id": line.id,
                    }
                )
            ],
        }

    def created_from(self, bill):
        return bill.message_ids.filtered(lambda message: "created from" in str(message.body))

    def test_each_bill_keeps_its_note_without_a_post_per_bill(self):
        thread = type(self.env["account.move"])
        with patch.object(
            thread, "_notify_thread", autospec=True, side_effect=thread._notify_thread
        ) as notify:
            bills = (
                self.env["account.move"]
                .with_context(ml_connector_log_notes=True)
                .create([self.bill_vals(order) for order in self.orders])
            )
            self.assertFalse(notify.called, "no message_post() per bill")
            for bill, order in zip(bills, self.orders, strict=True):
                note = self.created_from(bill)
                self.assertEqual(len(note), 1)
                self.assertIn(order.name, str(note.body))
                self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
                self.assertEqual(note.author_id, self.env.user.partner_id)
            # once created, the bills' own posts are posted as asked
            bills[0].message_post(body="Checked against the delivery")
            self.assertTrue(notify.called)
            self.assertIn("Checked against the delivery", str(bills[0].message_ids[0].body))
        plain = self.env["account.move"].create(self.bill_vals(self.orders[0]))
        self.assertEqual(len(self.created_from(plain)), 1, "Odoo's own path posts it")

    def test_line_amounts_are_odoos_own(self):
        """Bills created with the lines' amounts are the bills Odoo makes without them (price
        included or not, refund, a price finer than the field keeps), and no line is written again."""
        Tax = self.env["account.tax"]
        excluded = Tax.create({"name": "Batch VAT 21", "amount": 21, "type_tax_use": "purchase"})
        included = Tax.create(
            {
                "name": "Batch VAT 7.7 incl.",
                "amount": 7.7,
                "type_tax_use": "purchase",
                "price_include_override": "tax_included",
            }
        )
        Line = type(self.env["account.move.line"])
        writes = []
        write = Line.write

        def counting_write(lines, vals):
            writes.extend(name for name in vals if name in ("balance", "amount_currency"))
            return write(lines, vals)

        def vals(move_type, taxes):
            prices = (12.3456, 45.0, 0.333)
            return {
                "move_type": move_type,
                "partner_id": self.vendor.id,
                "currency_id": self.env.company.currency_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"Line {price}",
                            "quantity": 3,
                            "price_unit": price,
                            "tax_ids": [(6, 0, taxes.ids)],
                        }
                    )
                    for price in prices
                ],
            }

        def amounts(move):
            return [
                (line.display_type, line.balance, line.amount_currency, line.price_subtotal, line.tax_line_id)
                for line in move.line_ids.sorted(lambda line: (line.display_type, line.balance))
            ]

        Writer = self.env["ml.connector.writer.odoo.invoice"]
        for move_type in ("in_invoice", "in_refund"):
            for taxes in (excluded, included, excluded | included, Tax):
                with self.subTest(move_type=move_type, taxes=taxes.mapped("name")):
                    plain = self.env["account.move"].create(vals(move_type, taxes))
                    given = vals(move_type, taxes)
                    lines = [command[2] for command in given["invoice_line_ids"]]
                    Writer._line_amounts(self.env.company, move_type, lines)
                    self.assertTrue(all("balance" in line for line in lines))
                    writes.clear()
                    with patch.object(Line, "write", counting_write):
                        hinted = self.env["account.move"].create(given)
                    self.assertEqual(amounts(hinted), amounts(plain))
                    self.assertEqual(writes, [], "no line written again")
        # a wrong figure is Odoo's to correct: the bill keeps its own amounts
        given = vals("in_invoice", excluded)
        for command in given["invoice_line_ids"]:
            command[2].update(balance=1.0, amount_currency=1.0)
        self.assertEqual(
            amounts(self.env["account.move"].create(given)),
            amounts(self.env["account.move"].create(vals("in_invoice", excluded))),
        )
