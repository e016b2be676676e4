import json
import logging
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .common import EngineCase


@tagged("post_install", "-at_install")
class TestSecretsOverJson2(EngineCase, HttpCase):
    """Through Odoo 19's JSON-2 API (what integrations and scripts use), a non-admin API key
    never reaches a credential."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "mlc_json2_manager", groups="ml_connector.group_ml_connector_manager"
        )
        expiry = fields.Datetime.now() + timedelta(hours=12)
        cls.api_key = cls.env["res.users.apikeys"].with_user(cls.manager)._generate("rpc", "test", expiry)

    def json2(self, model, method, **body):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(body),
            headers={"Authorization": f"bearer {self.api_key}", "Content-Type": "application/json"},
        )

    def test_credentials_unreachable(self):
        ok = self.json2(
            "ml.connector.backend", "search_read", domain=[], fields=["name", "client_secret_set"]
        )
        self.assertEqual(ok.status_code, 200, ok.text)
        self.assertEqual(ok.json()[0]["client_secret_set"], True)
        denied = self.json2("ml.connector.backend", "read", ids=self.backend.ids, fields=["client_secret"])
        self.assertEqual(denied.status_code, 403, denied.text)
        self.assertNotIn("engine-secret", denied.text)
        denied = self.json2("ml.connector.secret", "search_read", domain=[], fields=["ciphertext"])
        self.assertEqual(denied.status_code, 403, denied.text)
        private = self.json2(
            "ml.connector.backend", "_get_secret", ids=self.backend.ids, name="client_secret"
        )
        self.assertEqual(private.status_code, 403, private.text)
        self.assertIn("Private methods", private.text)
        self.assertNotIn("engine-secret", private.text)


@tagged("post_install", "-at_install")
class TestSecretsNeverWritten(EngineCase):
    def test_no_secret_in_logs_payloads_or_runs(self):
        self.make_partners(3)[0].comment = "BROKEN"
        self.sim.add_item("S-1", "item")
        self.sim.expire_tokens()
        with self.assertLogs(level=logging.DEBUG) as captured:
            logging.getLogger("odoo.addons.ml_connector").setLevel(logging.DEBUG)
            self.run_backend(self.backend)
            self.backend.sudo().client_secret = "rotated-secret-value"
            self.backend.action_test_connection()
        tokens = list(self.sim.tokens.tokens)
        self.assertTrue(tokens, "tokens were issued during the run")
        secrets = ["engine-secret", "rotated-secret-value", *tokens]
        text = "\n".join(captured.output)
        self.assertIn("/oauth/token", text, "requests were logged")
        for secret in secrets:
            self.assertNotIn(secret, text)
        self.env.flush_all()
        for table, columns in (
            ("ml_connector_audit_line", ("request_payload", "response_payload", "error_message")),
            ("ml_connector_run", ("log", "error_message")),
            ("ml_connector_backend", ("last_error", "paused_reason")),
            ("mail_message", ("body",)),
        ):
            for column in columns:
                for secret in secrets:
                    self.env.cr.execute(
                        SQL(
                            "SELECT count(*) FROM %s WHERE %s::text LIKE %s",
                            SQL.identifier(table),
                            SQL.identifier(column),
                            f"%{secret}%",
                        )
                    )
                    self.assertEqual(self.env.cr.fetchone()[0], 0, f"{secret[:6]}… found in {table}.{column}")
