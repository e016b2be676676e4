from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import EngineCase


@tagged("post_install", "-at_install")
class TestHealthAndAlerts(EngineCase):
    def setUp(self):
        super().setUp()
        self.manager = self.env.ref("base.user_admin")
        self.env.company.ml_connector_alert_user_ids = self.manager
        self.summary = f"Connection {self.backend.name} needs attention"

    def alerts(self):
        return self.backend.activity_ids.filtered(lambda a: a.summary == self.summary)

    def watch(self, mode="activity"):
        self.env["ir.config_parameter"].sudo().set_param("ml_connector.alert_mode", mode)
        with self.enter_registry_test_mode():
            self.env.ref("ml_connector.ir_cron_ml_connector_watchdog").method_direct_trigger()
        self.env.invalidate_all()

    def age(self, table, column, ids, **delta):
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {table} SET {column} = %s WHERE id IN %s",
            (fields.Datetime.now() - timedelta(**delta), tuple(ids)),
        )
        self.env.invalidate_all()

    def test_healthy_then_failing_then_healthy_again_told_once(self):
        self.make_partners(2)
        self.run_backend(self.backend)
        self.assertEqual(self.backend.health, "green", self.backend.health_reason)
        self.assertEqual((self.backend.moved_24h, self.backend.moved_7d), (2, 2))
        self.assertTrue(self.backend.trend.endswith("█"))

        broken = self.make_partners(1, prefix="MLCT-B-")
        broken.comment = "BROKEN"
        self.run_backend(self.backend)
        self.assertEqual(self.backend.health, "red")
        self.assertIn("1 document(s) failed", self.backend.health_reason)
        self.watch()
        alert = self.alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.user_id, self.manager)
        self.assertIn("1 document(s) failed", alert.note)
        self.watch()
        self.assertEqual(self.alerts(), alert, "told once, not at every check")
        self.assertEqual(alert.note.count("failed"), 1)

        # three more fail: the same activity says so, no new one per document
        more = self.make_partners(3, prefix="MLCT-C-")
        more.comment = "BROKEN"
        self.run_backend(self.backend)
        self.watch()
        self.assertEqual(self.alerts(), alert)
        self.assertIn("4 document(s) failed", alert.note)

        (broken | more).comment = False
        self.lines(self.flow_out, state="failed").action_replay()
        self.run_backend(self.backend)
        self.assertEqual(self.backend.health, "green", self.backend.health_reason)
        self.watch()
        self.assertFalse(self.alerts(), "closed once healthy again")

    def test_watchdog_finds_a_late_schedule_a_stuck_run_refused_credentials_and_a_growing_backlog(self):
        self.make_partners(1)
        self.run_backend(self.backend)
        self.assertEqual(self.backend.health, "green")
        self.backend.cron_id.nextcall = fields.Datetime.now() - timedelta(hours=2)
        self.backend.invalidate_recordset()
        self.assertIn("The schedule is late", self.backend.health_reason)
        self.assertEqual(self.backend.health, "red")
        self.backend.cron_id.nextcall = fields.Datetime.now()

        stuck = self.env["ml.connector.run"].create({"backend_id": self.backend.id, "trigger": "cron"})
        self.age("ml_connector_run", "write_date", stuck.ids, hours=2)
        self.backend.invalidate_recordset()
        self.assertIn(f"{stuck.name} has made no progress", self.backend.health_reason)
        stuck.state = "failed"

        refused = self.env["ml.connector.run"].create(
            [
                {
                    "backend_id": self.backend.id,
                    "state": "failed",
                    "error_message": "Credentials refused: 401",
                }
                for _i in range(3)
            ]
        )
        self.assertTrue(refused)
        self.backend.invalidate_recordset()
        self.assertIn("The credentials were refused 3 times in 24 hours", self.backend.health_reason)

        waiting = self.env["ml.connector.audit.line"].create(
            [{"name": f"Late {i}", "flow_id": self.flow_out.id, "source_key": f"late-{i}"} for i in range(2)]
        )
        self.age("ml_connector_audit_line", "create_date", waiting.ids, hours=3)
        self.backend.invalidate_recordset()
        self.assertIn("2 document(s) have been due for over an hour", self.backend.health_reason)

    def test_digest_mode_posts_one_message_to_the_people_told(self):
        partner = self.make_partners(1)
        partner.comment = "BROKEN"
        self.run_backend(self.backend)
        self.watch("digest")
        messages = self.backend.message_ids.filtered(lambda m: self.summary in (m.body or ""))
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages.partner_ids, self.manager.partner_id)
        self.assertFalse(self.alerts())
        self.watch("digest")
        self.assertEqual(
            len(self.backend.message_ids.filtered(lambda m: self.summary in (m.body or ""))), 1, "once"
        )

    def test_stat_buttons_lead_to_the_queue_and_to_waiting_lines_separately(self):
        self.assertEqual(self.backend.action_open_reviews()["res_model"], "ml.connector.review")
        waiting = self.backend.action_open_waiting()
        self.assertEqual(waiting["res_model"], "ml.connector.audit.line")
        self.assertEqual(waiting["context"], {"search_default_filter_review": 1})
        self.assertIn("Nothing waits", waiting["help"])
        failed = self.backend.action_open_failed()
        self.assertEqual(failed["context"], {"search_default_filter_failed": 1})
        self.assertIn("Nothing failed", failed["help"])


@tagged("post_install", "-at_install")
class TestConnectorDocumentsOnRecords(EngineCase):
    def test_a_partner_leads_to_its_audit_lines(self):
        partner = self.make_partners(1)
        self.run_backend(self.backend)
        self.assertEqual(partner.ml_connector_line_count, 1)
        action = partner.action_open_ml_connector_lines()
        lines = self.env["ml.connector.audit.line"].search(action["domain"])
        self.assertEqual(lines, self.lines(self.flow_out))

    def test_an_imported_record_leads_to_its_lines_through_its_binding(self):
        self.sim.add_item("IMP-9", "Imported")
        self.run_backend(self.backend)
        line = self.lines(self.flow_in)
        partner = self.env["res.partner"].browse(line.res_id)
        self.env.cr.execute("UPDATE ml_connector_audit_line SET res_id = NULL WHERE id = %s", (line.id,))
        self.env.invalidate_all()
        self.assertEqual(partner.ml_connector_line_count, 1, "found through the binding of the item")
