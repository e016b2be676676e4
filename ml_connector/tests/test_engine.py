import hashlib
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_open

from odoo.addons.ml_connector.tools.errors import NeedsReviewError

from tests.simulators.base import iso_ms

from .common import ContactTestWriter, EngineCase


@tagged("post_install", "-at_install")
class TestHighWaterMark(EngineCase):
    def test_same_second_records_none_lost_none_duplicated(self):
        # 10 partners written in the same second, batches of 3: keyset paging on
        # (write_date, id) must hand over every one of them exactly once.
        stamp = fields.Datetime.now() - timedelta(minutes=1)
        partners = self.make_partners(10, same_write_date=stamp)
        run = self.run_backend(self.backend)
        lines = self.lines(self.flow_out)
        self.assertEqual(sorted(lines.mapped("res_id")), sorted(partners.ids))
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(len(self.sim.contacts), 10)
        self.assertEqual(run.done_count, 10)
        self.assertEqual(self.flow_out.cursor["id"], max(partners.ids))

        # a later record in that same second, committed after the first run moved the mark
        late = self.make_partners(1, prefix="MLCT-LATE-", same_write_date=stamp)
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out)), 11, "the late one, and only it")
        self.assertEqual(self.lines(self.flow_out, res_id=late.id).state, "done")

        # nothing changed: the overlap window re-reads but the content hash skips
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out)), 11)
        self.assertEqual(len(self.sim.requests_to("/api/contacts", "POST")), 11)

        # one real change: exactly one new line, one more send, same remote item
        partners[4].email = "changed@example.com"
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out)), 12)
        self.assertEqual(len(self.sim.contacts), 11)
        self.assertEqual(self.sim.contacts[partners[4].ref]["email"], "changed@example.com")

    def test_a_document_changed_back_is_sent_again(self):
        partner = self.make_partners(1)
        partner.email = "first@example.com"
        self.run_backend(self.backend)
        partner.email = "second@example.com"
        self.run_backend(self.backend)
        # back to a version an older line already carried: still a change for the remote
        partner.email = "first@example.com"
        self.run_backend(self.backend)
        self.assertEqual(self.sim.contacts[partner.ref]["email"], "first@example.com")
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 3)
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out)), 3, "and nothing more once it is there")

    def test_remote_cursor_with_same_millisecond_items(self):
        now = self.sim.clock.now()
        for i in range(7):
            self.sim.add_item(f"R{i}", f"Remote {i}", updated=iso_ms(now))
        self.sim.configure(page_size=2)
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_in, state="done")), 7)
        self.assertEqual(self.env["res.partner"].search_count([("ref", "=like", "R_")]), 7)
        # one more item in the very same millisecond after the run: picked up, nothing else
        self.sim.add_item("R7", "Remote 7", updated=iso_ms(now))
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_in)), 8)
        self.assertEqual(self.env["res.partner"].search_count([("ref", "=like", "R_")]), 8)

    def test_mark_advances_only_with_stored_lines(self):
        self.make_partners(4)
        self.sim.inject("status", status=500, path="/api/items", method="GET", count=10)
        self.sim.add_item("X1", "Remote")
        run = self.run_backend(self.backend)
        self.assertFalse(self.flow_in.cursor, "the inbound mark did not move on a failed read")
        self.assertIn("Items in", run.error_message)
        self.assertEqual(run.state, "partial")
        self.assertFalse(self.backend.last_success_date)
        self.sim.faults.reset()
        self.run_backend(self.backend)
        self.assertTrue(self.flow_in.cursor)
        self.assertTrue(self.backend.last_success_date)


@tagged("post_install", "-at_install")
class TestProcessing(EngineCase):
    def test_bad_record_does_not_block_the_batch(self):
        partners = self.make_partners(5)
        partners[2].comment = "BROKEN on purpose"
        self.sim.add_item("I1", "Good")
        self.sim.add_item("I2", "")
        self.sim.add_item("I3", "Also good")
        run = self.run_backend(self.backend)
        failed = self.lines(self.flow_out, state="failed")
        self.assertEqual(failed.res_id, partners[2].id)
        self.assertIn("marked broken", failed.error_message)
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 4)
        bad_item = self.lines(self.flow_in, state="failed")
        self.assertEqual(bad_item.document_key, "I2")
        self.assertIn("has no name", bad_item.error_message)
        self.assertIn('"key": "I2"', bad_item.request_payload)
        self.assertEqual(len(self.lines(self.flow_in, state="done")), 2)
        self.assertEqual((run.done_count, run.failed_count), (6, 2))

    def test_a_document_needing_a_later_one_goes_after_it_in_the_same_run(self):
        # listed oldest first, the contacts come before the company they belong to
        self.sim.add_item("C1", "Contact one", parent="P1")
        self.sim.add_item("C2", "Contact two", parent="P1")
        self.sim.add_item("X1", "Unrelated one")
        self.sim.add_item("X2", "Unrelated two")
        self.sim.add_item("P1", "The company")
        self.sim.add_item("O1", "Orphan", parent="NOPE")
        run = self.run_backend(self.backend)
        company = self.env["res.partner"].search([("ref", "=", "P1")])
        for key in ("C1", "C2"):
            line = self.lines(self.flow_in, document_key=key)
            self.assertEqual((line.state, line.attempts), ("done", 1), line.error_message)
            self.assertEqual(self.env["res.partner"].browse(line.res_id).parent_id, company)
        orphan = self.lines(self.flow_in, document_key="O1")
        self.assertEqual((orphan.state, orphan.attempts, orphan.error_kind), ("pending", 1, "transient"))
        self.assertTrue(orphan.next_attempt_at, "then it waits like a temporary failure")
        self.assertIn("NOPE, not imported yet", orphan.error_message)
        self.assertEqual((run.done_count, run.retrying_count, run.failed_count), (5, 1, 0))
        # its parent never comes: bounded attempts, then a clear failure
        for _attempt in range(4):
            orphan.next_attempt_at = False
            self.run_backend(self.backend)
        self.assertEqual(orphan.state, "failed")
        self.assertIn("Gave up after 5 attempts", orphan.error_message)
        self.assertIn("NOPE, not imported yet", orphan.error_message)
        self.assertFalse(self.env["res.partner"].search([("ref", "=", "O1")]))

    def test_remote_rejection_is_recorded_with_its_answer(self):
        partner = self.make_partners(1)
        partner.name = " "
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "failed")
        self.assertEqual(line.error_kind, "permanent")
        self.assertIn("'name' is required", line.error_message)
        self.assertIn("validation", line.response_payload)

    def test_transient_failures_retry_a_bounded_number_of_times(self):
        self.make_partners(1)
        self.sim.inject("status", status=503, path="/api/contacts", method="POST", count=1000)
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual((line.state, line.attempts), ("pending", 1))
        self.assertTrue(line.next_attempt_at)
        for expected in range(2, 6):
            line.next_attempt_at = False
            self.run_backend(self.backend)
            self.assertEqual(line.attempts, expected)
        self.assertEqual(line.state, "failed")
        self.assertIn("Gave up after 5 attempts", line.error_message)
        # it is not retried any more: no new request
        before = len(self.sim.requests_to("/api/contacts", "POST"))
        self.run_backend(self.backend)
        self.assertEqual(len(self.sim.requests_to("/api/contacts", "POST")), before)

    def test_outcome_unknown_is_looked_up_before_resending(self):
        partner = self.make_partners(1)
        self.sim.inject("lost", path="/api/contacts", method="POST")
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "pending")
        self.assertTrue(line.outcome_unknown)
        self.assertEqual(len(self.sim.contacts), 1, "the remote got it although we could not know")
        line.next_attempt_at = False
        self.run_backend(self.backend)
        self.assertEqual(line.state, "done")
        self.assertEqual(len(self.sim.requests_to("/api/contacts", "POST")), 1, "found by lookup, not resent")
        self.assertEqual(len(self.sim.requests_to("/api/contacts/by-key/")), 1)
        binding = self.env["ml.connector.binding"]._find(self.backend, "test_partner", record=partner)
        self.assertEqual(binding.external_id, str(self.sim.contacts[partner.ref]["id"]))

    def test_a_batch_redone_after_a_conflict_sends_nothing_twice(self):
        """PostgreSQL cancels a transaction that raced another one; the engine redoes the batch,
        but what its first try already sent must be looked up, not sent a second time."""
        partners = self.make_partners(3)
        original = ContactTestWriter._write
        conflicts = []

        def process_then_conflict(handler, line, document):
            result = original(handler, line, document)
            if line.res_id == partners[1].id and not conflicts:
                conflicts.append(line.id)
                # what a concurrent update of the same rows raises (REPEATABLE READ)
                handler.env.cr.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'raced' USING ERRCODE = 'serialization_failure'; END $$"
                )
            return result

        with (
            patch.object(ContactTestWriter, "_write", process_then_conflict),
            patch("odoo.addons.ml_connector.tools.db.time.sleep"),
            mute_logger(
                "odoo.addons.ml_connector.models.ml_connector_flow", "odoo.addons.ml_connector.tools.db"
            ),
        ):
            self.run_backend(self.backend)
        self.assertTrue(conflicts, "the conflict was raised")
        lines = self.lines(self.flow_out)
        self.assertEqual(lines.mapped("state"), ["done"] * 3)
        self.assertEqual(len(self.sim.requests_to("/api/contacts", "POST")), 3, "each partner sent once")
        # the two sent before the conflict were found by a lookup; the third one was never sent
        self.assertEqual(len(self.sim.requests_to("/api/contacts/by-key/")), 3)
        self.assertEqual(len(self.sim.contacts), 3)
        self.assertEqual(set(lines.mapped("attempts")), {1})

    def test_superseded_version_is_skipped(self):
        partner = self.make_partners(1)
        self.sim.inject("status", status=503, path="/api/contacts", method="POST", count=4)
        self.run_backend(self.backend)
        first = self.lines(self.flow_out)
        self.assertEqual(first.state, "pending")
        partner.email = "new@example.com"
        self.sim.faults.reset()
        self.run_backend(self.backend)
        self.assertEqual(first.state, "skipped")
        self.assertIn("Superseded", first.error_message)
        newest = self.lines(self.flow_out, state="done")
        self.assertEqual(json.loads(newest.request_payload)["email"], "new@example.com")
        self.assertEqual(self.sim.contacts[partner.ref]["email"], "new@example.com")


@tagged("post_install", "-at_install")
class TestHostileDocuments(EngineCase):
    """Documents the database cannot take as they are never take their batch or run down."""

    def test_a_value_the_database_refuses_fails_only_its_document(self):
        # a reference too long for the B-tree index on res.partner.ref (incompressible digits)
        long_ref = "".join(str(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(120))
        self.sim.add_item("I1", "Good")
        self.sim.add_item(long_ref, "Too long a key")
        self.sim.add_item("I3", "Also good")
        self.run_backend(self.backend)
        failed = self.lines(self.flow_in, state="failed")
        self.assertEqual(failed.error_kind, "permanent")
        self.assertIn("The database refused to store this document", failed.error_message)
        self.assertEqual(len(self.lines(self.flow_in, state="done")), 2)
        self.assertFalse(self.env["res.partner"].search_count([("name", "=", "Too long a key")]))

    def test_a_document_with_text_postgresql_cannot_store_still_gets_its_line(self):
        self.sim.add_item("I1", "Good")
        self.sim.add_item("NUL\x00KEY", "Nul\x00name")
        self.sim.add_item("SURROGATE-\ud800", "Broken \udc00 text")
        self.sim.add_item("I4", "Also good")
        # the test handler does not check its texts: the database error is logged as unexpected
        with mute_logger("odoo.addons.ml_connector.models.ml_connector_audit_line"):
            self.run_backend(self.backend)
        lines = self.lines(self.flow_in)
        self.assertEqual(len(lines), 4, "one line per document, whatever it holds")
        self.assertEqual(len(lines.filtered(lambda line: line.state == "done")), 2)
        bad = lines.filtered(lambda line: line.state == "failed")
        self.assertEqual(sorted(bad.mapped("document_key")), ["NUL\\u0000KEY", "SURROGATE-\\ud800"])
        self.assertIn("\\u0000", bad.filtered(lambda line: "NUL" in line.document_key).request_payload)

    def test_a_review_the_database_refuses_fails_only_its_document(self):
        # a review keyed by a value too long for its unique index
        huge = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(120))
        writer = type(self.env[self.flow_in.writer_model])
        write = writer._write

        def wait_for_a_huge_review(records, line, document):
            if '"key": "BAD"' not in line.request_payload:
                return write(records, line, document)
            review = {
                "name": "Huge",
                "binding_type": "test_item",
                "external_id": huge,
                "res_model": "res.partner",
            }
            raise NeedsReviewError(
                "Waits for a person.", blocking_key=f"review:test_item:{huge}", review=review
            )

        self.sim.add_item("I1", "Good")
        self.sim.add_item("BAD", "Waits")
        self.sim.add_item("I3", "Also good")
        with patch.object(writer, "_write", wait_for_a_huge_review):
            run = self.run_backend(self.backend)
        failed = self.lines(self.flow_in, state="failed")
        self.assertEqual(failed.document_key, "BAD")
        self.assertIn("Waits for a person. The database refused to record what", failed.error_message)
        self.assertFalse(failed.blocking_key)
        self.assertEqual(len(self.lines(self.flow_in, state="done")), 2)
        self.assertFalse(run.error_message)

    def test_an_unexpected_error_in_one_flow_leaves_the_others_running(self):
        self.make_partners(2)
        self.sim.add_item("I1", "Good")
        reader = type(self.env[self.flow_out.reader_model])
        with (
            patch.object(reader, "_collect", side_effect=RuntimeError("handler bug")),
            mute_logger("odoo.addons.ml_connector.models.ml_connector_flow"),
        ):
            run = self.run_backend(self.backend)
        self.assertIn("stopped by an unexpected error: RuntimeError: handler bug", run.error_message)
        self.assertIn("handler bug", self.flow_out.last_error)
        self.assertFalse(self.lines(self.flow_out))
        self.assertEqual(len(self.lines(self.flow_in, state="done")), 1, "the next flow still ran")
        self.run_backend(self.backend)
        self.assertEqual(len(self.lines(self.flow_out, state="done")), 2, "nothing lost once it works again")


@tagged("post_install", "-at_install")
class TestReplay(EngineCase):
    def test_replay_of_a_sent_record_does_not_duplicate_it(self):
        partners = self.make_partners(2)
        self.run_backend(self.backend)
        line = self.lines(self.flow_out, res_id=partners[0].id)
        self.assertEqual(line.state, "done")
        line.action_replay()
        self.assertEqual(line.state, "done")
        self.assertEqual(line.replay_count, 1)
        self.assertEqual(len(self.sim.contacts), 2)
        self.assertEqual(self.sim.contacts[partners[0].ref]["version"], 1)

    def test_replay_of_an_imported_record_does_not_duplicate_it(self):
        self.sim.add_item("IMP-1", "Imported")
        self.run_backend(self.backend)
        line = self.lines(self.flow_in)
        partner = self.env["res.partner"].browse(line.res_id)
        (line | line).action_replay()
        self.assertEqual(line.state, "done")
        self.assertEqual(self.env["res.partner"].search_count([("ref", "=", "IMP-1")]), 1)
        self.assertEqual(line.res_id, partner.id)

    def test_replay_after_fixing_the_source(self):
        partner = self.make_partners(1)
        partner.comment = "BROKEN"
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "failed")
        partner.comment = False
        line.action_replay()
        self.assertEqual(line.state, "done", line.error_message)
        self.assertIn(partner.ref, self.sim.contacts)

    def test_bulk_replay_is_processed_by_the_next_run(self):
        partners = self.make_partners(3)
        partners.comment = "BROKEN"
        self.run_backend(self.backend)
        lines = self.lines(self.flow_out, state="failed")
        self.assertEqual(len(lines), 3)
        partners.comment = False
        lines.action_replay()
        self.assertEqual(set(lines.mapped("state")), {"pending"})
        self.run_backend(self.backend)
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(len(self.sim.contacts), 3)


@tagged("post_install", "-at_install")
class TestConnectionSafety(EngineCase):
    def test_refused_credentials_pause_the_connection(self):
        self.make_partners(2)
        self.sim.clients["engine-client"] = "rotated-on-the-remote"
        run = self.run_backend(self.backend)
        self.assertEqual(self.backend.state, "paused")
        self.assertIn("Credentials refused", self.backend.paused_reason)
        self.assertEqual(run.state, "failed")
        self.assertEqual(set(self.lines(self.flow_out).mapped("state")), {"pending"})
        self.assertEqual(
            set(self.lines(self.flow_out).mapped("attempts")), {0}, "an auth failure costs no attempt"
        )
        before = len(self.sim.request_log)
        self.run_backend(self.backend)
        self.assertEqual(len(self.sim.request_log), before, "a paused connection sends nothing")

    def test_copied_database_sends_nothing(self):
        self.make_partners(2)
        params = self.env["ir.config_parameter"].sudo()
        # get_param is cached registry-wide: restore before the rollback or later tests see the fake
        self.addCleanup(params.set_param, "database.uuid", params.get_param("database.uuid"))
        params.set_param("database.uuid", "another-database")
        self.run_backend(self.backend)
        self.assertEqual(self.sim.request_log, [])
        self.assertEqual(self.backend.state, "paused")
        self.assertIn("not the one where the connection was activated", self.backend.paused_reason)
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(self.sim.request_log, [], "not even a token request")
        self.backend.action_activate()
        self.run_backend(self.backend)
        self.assertEqual(len(self.sim.contacts), 2)

    def test_a_run_stopped_by_a_database_error_releases_its_lock(self):
        self.make_partners(1)

        def conflict(*args, **kwargs):
            # what PostgreSQL raises when a concurrent transaction wrote the same row first
            self.env.cr.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'raced' USING ERRCODE = 'serialization_failure'; END $$"
            )

        with (
            patch.object(type(self.env["ml.connector.run"]), "_current_run", conflict),
            mute_logger("odoo.sql_db", "odoo.addons.base.models.ir_cron"),
        ):
            self.run_backend(self.backend)
        # the lock is free: another session takes it at once (a leaked lock would refuse every
        # later run of this connection until the server restarts)
        with self.env.registry.cursor() as other:
            other.execute("SELECT pg_try_advisory_lock(%s, %s)", (0x6D6C63, self.backend.id))
            self.assertTrue(other.fetchone()[0])
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (0x6D6C63, self.backend.id))
        self.run_backend(self.backend)
        self.assertEqual(len(self.sim.contacts), 1)

    def test_neutralized_database_sends_nothing(self):
        with file_open("ml_connector/data/neutralize.sql") as f:
            self.env.cr.execute(f.read())
        self.env.invalidate_all()
        self.assertEqual(self.backend.state, "paused")
        self.assertFalse(self.backend.client_secret_set)
        self.assertFalse(self.backend.cron_id.active)
        self.backend.state = "active"  # even forced back without re-activation
        self.make_partners(1)
        self.run_backend(self.backend)
        self.assertEqual(self.sim.request_log, [])

    def test_urls_must_be_https_outside_test_mode(self):
        with self.assertRaisesRegex(Exception, "must use https"):
            self.backend.test_mode = False
        self.env["ml.connector.backend"].create(
            {"name": "prod", "system_type": "generic", "base_url": "https://example.com/api"}
        )

    def test_runs_of_one_connection_never_overlap(self):
        self.make_partners(2)
        # another session holds the run lock of this connection
        with self.env.registry.cursor() as other:
            other.execute("SELECT pg_try_advisory_lock(%s, %s)", (0x6D6C63, self.backend.id))
            self.assertTrue(other.fetchone()[0])
            self.run_backend(self.backend)
            self.assertEqual(self.sim.request_log, [], "skipped while another run holds the lock")
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (0x6D6C63, self.backend.id))
        self.run_backend(self.backend)
        self.assertEqual(len(self.sim.contacts), 2)
