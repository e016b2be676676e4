import html
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import EngineCase


@tagged("post_install", "-at_install")
class TestAuditTrail(EngineCase):
    def run_retention(self):
        with self.enter_registry_test_mode():
            self.env.ref("ml_connector.ir_cron_ml_connector_retention").method_direct_trigger()
        self.env.invalidate_all()

    def test_a_replay_adds_an_attempt_and_keeps_the_first(self):
        partner = self.make_partners(1)
        partner.comment = "BROKEN"
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.attempt_ids.mapped("state"), ["failed"])
        first = line.attempt_ids
        self.assertIn("marked broken", first.message)
        partner.comment = False
        partner.email = "fixed@example.com"
        action = line.action_replay()
        self.assertEqual(line.state, "done")
        self.assertEqual(len(line.attempt_ids), 2)
        second = line.attempt_ids - first
        self.assertEqual(second.trigger, "replay")
        self.assertEqual(second.state, "done")
        self.assertIn("fixed@example.com", second.request_payload, "the replay's own payload")
        self.assertTrue(second.response_payload, "and its own answer")
        self.assertNotIn("fixed@example.com", first.request_payload or "", "the first attempt is untouched")
        self.assertEqual(first.state, "failed")
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Done", action["params"]["title"])

    def test_replay_of_one_line_processes_that_line_only(self):
        partners = self.make_partners(2)
        partners.comment = "BROKEN"
        self.run_backend(self.backend)
        first, second = self.lines(self.flow_out).sorted("id")
        partners.comment = False
        first.action_replay()
        self.assertEqual(first.state, "done")
        self.assertEqual(second.state, "failed", "the other line is left alone")
        self.assertEqual(len(self.sim.contacts), 1)

    def test_bulk_replay_says_how_many_were_queued(self):
        partners = self.make_partners(3)
        partners.comment = "BROKEN"
        self.run_backend(self.backend)
        lines = self.lines(self.flow_out)
        partners.comment = False
        action = lines.action_replay()
        self.assertIn("3 document(s) queued for replay", action["params"]["message"])
        self.assertEqual(self.backend.next_trigger, "replay")
        run = self.run_backend(self.backend)
        self.assertEqual(run.trigger, "replay", "the run says why it ran")
        self.assertFalse(self.backend.next_trigger)
        self.assertEqual(set(lines.mapped("state")), {"done"})

    def test_the_chain_verifies_and_finds_the_first_edited_link(self):
        self.make_partners(3)
        self.sim.add_item("I1", "Item one")
        self.run_backend(self.backend)
        attempts = self.env["ml.connector.audit.attempt"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(attempts), 4)
        self.assertEqual(sorted(attempts.mapped("sequence")), [1, 2, 3, 4], "sealed by the run")
        result = self.backend.action_verify_audit_chain()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertIn("4 attempts verified", result["params"]["message"])
        # someone edits what was sent, behind the ORM's back
        target = attempts.sorted("sequence")[1]
        self.env.cr.execute(
            "UPDATE ml_connector_audit_attempt SET request_payload = %s WHERE id = %s",
            (target.request_payload.replace("Partner", "Pirate"), target.id),
        )
        self.env["ml.connector.audit.attempt"].invalidate_model()
        result = self.backend.action_verify_audit_chain()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("link 2", result["params"]["message"])
        self.assertIn("changed after it was recorded", result["params"]["message"])

    def test_a_removed_link_and_an_edited_line_are_found(self):
        self.make_partners(3)
        self.run_backend(self.backend)
        attempts = self.env["ml.connector.audit.attempt"].search(
            [("backend_id", "=", self.backend.id)], order="sequence"
        )
        line = attempts[0].line_id
        line_json = json.loads(line.request_payload)
        self.env.cr.execute(
            "UPDATE ml_connector_audit_line SET request_payload = %s WHERE id = %s",
            (json.dumps({**line_json, "name": "Edited"}), line.id),
        )
        line.invalidate_recordset()
        result = self.backend.action_verify_audit_chain()
        self.assertIn(f"Audit line {line.id}", result["params"]["message"])
        self.assertIn("it was edited", result["params"]["message"])
        self.env.cr.execute("DELETE FROM ml_connector_audit_attempt WHERE id = %s", (attempts[1].id,))
        result = self.backend.action_verify_audit_chain()
        self.assertIn("Link 2 is missing", result["params"]["message"])

    def test_attempts_are_kept_as_recorded(self):
        self.make_partners(1)
        self.run_backend(self.backend)
        attempt = self.lines(self.flow_out).attempt_ids
        with self.assertRaises(UserError):
            attempt.write({"state": "failed"})
        with self.assertRaises(UserError):
            attempt.unlink()

    def test_retention_keeps_everything_for_the_legal_period_by_default(self):
        self.make_partners(2)
        self.run_backend(self.backend)
        old = fields.Datetime.now() - timedelta(days=400)
        self.env.cr.execute(
            "UPDATE ml_connector_audit_line SET write_date = %s WHERE flow_id = %s", (old, self.flow_out.id)
        )
        self.run_retention()
        lines = self.lines(self.flow_out)
        self.assertEqual(len(lines), 2, "a year old is well inside the default legal period (10 years)")
        self.assertTrue(all(line.request_payload for line in lines))

    def test_retention_per_connection_payloads_then_metadata(self):
        partners = self.make_partners(3)
        partners[2].comment = "BROKEN"
        self.run_backend(self.backend)
        self.backend.write({"retention_payload_days": 30, "retention_metadata_days": 365})
        self.env.flush_all()
        lines = self.lines(self.flow_out)
        failed = lines.filtered(lambda line: line.state == "failed")
        self.env.cr.execute(
            "UPDATE ml_connector_audit_line SET write_date = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=60), tuple(lines.ids)),
        )
        self.run_retention()
        done = lines - failed
        self.assertTrue(all(line.payloads_purged and not line.request_payload for line in done))
        self.assertFalse(failed.payloads_purged, "a failed line is not finished: kept whole")
        result = self.backend.action_verify_audit_chain()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.env.cr.execute(
            "UPDATE ml_connector_audit_line SET write_date = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(days=400), tuple(lines.ids)),
        )
        self.run_retention()
        self.assertEqual(self.lines(self.flow_out), failed, "finished lines past a year removed, failed kept")
        result = self.backend.action_verify_audit_chain()
        self.assertEqual(result["params"]["type"], "success", "the chain still verifies over purged links")


@tagged("post_install", "-at_install")
class TestHonestRuns(EngineCase):
    def test_run_log_counts_and_duration(self):
        self.make_partners(3)
        self.sim.add_item("I1", "Item one")
        self.sim.add_item("I2", "")
        run = self.run_backend(self.backend)
        self.assertIn("Partners out: 3 read, 3 done", run.log)
        self.assertIn("Items in: 2 read, 1 done, 1 failed", run.log)
        self.assertGreater(run.duration, 0)
        self.assertLess(run.duration, 60)
        self.assertEqual(run.trigger, "cron")
        self.flow_out.action_reset_cursor()
        idle = self.run_backend(self.backend)
        self.assertIn("Partners out: 3 unchanged", idle.log, "read again, unchanged: not 'skipped'")
        self.assertEqual(idle.skipped_count, 0)
        self.assertEqual(idle.collected_count, 0)
        self.assertGreaterEqual(idle.unchanged_count, 3)

    def test_a_manual_run_says_so(self):
        self.backend.action_run_now()
        run = self.run_backend(self.backend)
        self.assertEqual(run.trigger, "manual")


@tagged("post_install", "-at_install")
class TestDryRun(EngineCase):
    def test_a_dry_run_shows_what_a_replay_would_send_and_sends_nothing(self):
        partner = self.make_partners(1)
        self.run_backend(self.backend)
        line = self.lines(self.flow_out)
        self.assertEqual(line.state, "done")
        partner.email = "new@example.com"
        before = dict(self.sim.contacts[partner.ref])
        requests = len(self.sim.request_log)
        action = line.action_dry_run()
        wizard = self.env["ml.connector.dry.run"].browse(action["res_id"])
        self.assertEqual(self.sim.contacts[partner.ref], before, "nothing sent")
        self.assertFalse(
            [r for r in self.sim.request_log[requests:] if r["method"] != "GET"],
            "only reads reached the remote",
        )
        self.assertEqual(
            (line.state, line.replay_count, len(line.attempt_ids)), ("done", 0, 1), "nothing kept"
        )
        self.assertIn("A replay would send POST", wizard.outcome)
        self.assertTrue(wizard.changed)
        self.assertIn("new@example.com", wizard.would_send)
        diff = html.unescape(str(wizard.diff_html))
        self.assertIn('<div class=\'text-bg-success\'>+  "email": "new@example.com",</div>', diff)
        self.assertIn('<div class=\'text-bg-danger\'>-  "email": "",</div>', diff)

    def test_a_dry_run_of_a_flow_keeps_nothing(self):
        self.make_partners(2)
        action = self.flow_out.action_dry_run()
        preview = self.env["ml.connector.dry.run"].browse(action["res_id"])
        self.assertIn("2 document(s) would be processed; 2 would change or create", preview.outcome)
        self.assertFalse(self.sim.contacts)
        self.assertFalse(self.lines(self.flow_out))
        self.assertFalse(self.env["ml.connector.run"].search([("backend_id", "=", self.backend.id)]))
