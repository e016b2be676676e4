import logging

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.ml_connector.models.ml_connector_secret import BackendTokenStore

from .common import AIS_PASSWORD, JdeCase


@tagged("post_install", "-at_install")
class TestSession(JdeCase):
    def test_token_reused_across_requests_and_clients(self):
        client = self.client()
        self.assertEqual(client.count("F0101"), 6)
        rows = [
            row for page in client.browse("po_detail", ["DOCO", "LNID"], page_size=4) for row in page.rows
        ]
        self.assertEqual(len(rows), 11)
        self.backend._forget_http_clients()  # a new transaction of the same run
        self.assertEqual(self.client().count("F0401"), 6)
        BackendTokenStore._memory.clear()  # another worker: the token comes from the database
        self.assertEqual(self.client().count("F0006"), 3)
        self.assertEqual(self.logins(), 1)
        tokens = {r["headers"]["jde-AIS-Auth"] for r in self.sim.requests_to("/jderest/v2/dataservice")}
        self.assertEqual(len(tokens), 1)

    def test_444_logs_in_once_more(self):
        client = self.client()
        client.count("F0101")
        self.sim.expire_tokens()
        self.assertEqual(client.count("F0101"), 6)
        self.assertEqual(self.logins(), 2)
        statuses = [r["status"] for r in self.sim.requests_to("/jderest/v2/dataservice")]
        self.assertEqual(statuses, [200, 444, 200])

    def test_token_renewed_once_older_than_configured(self):
        self.backend.jde_token_max_age = 60
        self.client().count("F0101")
        secret = (
            self.env["ml.connector.secret"]
            .sudo()
            .search([("backend_id", "=", self.backend.id), ("name", "=like", "token:%")])
        )
        self.assertEqual(len(secret), 1)
        secret.expires_at -= 61  # 61 s later
        BackendTokenStore._memory.clear()
        self.backend._forget_http_clients()
        self.client().count("F0101")
        self.assertEqual(self.logins(), 2)
        self.assertNotIn(444, [r["status"] for r in self.sim.requests_to("/jderest/v2/dataservice")])

    def test_run_finished_closes_the_session(self):
        system = self.env["ml.connector.system.jde"]
        self.assertFalse(system._run_finished(self.backend))  # nothing opened yet
        self.client().count("F0101")
        (session,) = self.sim.sessions.values()
        self.assertTrue(system._run_finished(self.backend))
        self.assertTrue(session.logged_out)
        self.assertEqual(self.sim.state()["logouts"], 1)
        stored = (
            self.env["ml.connector.secret"]
            .sudo()
            .search([("backend_id", "=", self.backend.id), ("name", "=like", "token:%")])
        )
        self.assertFalse(stored)
        self.backend._forget_http_clients()
        self.client().count("F0101")
        self.assertEqual(self.logins(), 2)

    def test_secrets_never_stored_or_logged_in_clear(self):
        with self.assertLogs(level=logging.DEBUG) as captured:
            logging.getLogger("odoo.addons").setLevel(logging.DEBUG)
            self.check_connection()
            self.sim.expire_tokens()
            self.client().count("F0401")
            self.env["ml.connector.system.jde"]._run_finished(self.backend)
            self.backend.sudo().client_secret = "Rotated-Jde-Pass-31"
            self.check_connection(expect="danger")
        tokens = [session.token for session in self.sim.sessions.values()]
        self.assertEqual(len(tokens), 2)
        secrets = [AIS_PASSWORD, "Rotated-Jde-Pass-31", *tokens]
        text = "\n".join(captured.output)
        self.assertIn("/jderest/v2/tokenrequest", text, "requests were logged")
        for secret in secrets:
            self.assertNotIn(secret, text)
        self.env.flush_all()
        for table, columns in (
            ("ml_connector_backend", ("client_id", "last_error", "paused_reason")),
            ("ml_connector_secret", ("name", "ciphertext")),
            ("mail_message", ("body",)),
            ("ml_connector_run", ("log", "error_message")),
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
