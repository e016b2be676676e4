import logging

from odoo.tests import tagged
from odoo.tools import SQL

from tests.simulators.fusion import DEFAULT_CLIENT

from .common import FusionCase


@tagged("post_install", "-at_install")
class TestSecretsNeverInClear(FusionCase):
    def test_no_secret_or_token_in_logs_messages_or_tables(self):
        with self.assertLogs(level=logging.DEBUG) as captured:
            logging.getLogger("odoo.addons.ml_connector").setLevel(logging.DEBUG)
            self.check_connection()
            self.sim.expire_tokens()
            list(self.env["ml.connector.system.fusion"]._client(self.backend).items("invoices"))
            self.backend.sudo().client_secret = "rotated-fusion-secret"
            self.check_connection(expect="danger")  # the identity domain does not know it
        tokens = list(self.sim.tokens.tokens)
        self.assertEqual(len(tokens), 2, "a token, then a renewed one after the 401")
        secrets = [DEFAULT_CLIENT["client_secret"], "rotated-fusion-secret", *tokens]
        text = "\n".join(captured.output)
        self.assertIn("purchaseOrders", text, "requests were logged")
        for secret in secrets:
            self.assertNotIn(secret, text)
        self.env.flush_all()
        stored = self.env["ml.connector.secret"].sudo().search([("backend_id", "=", self.backend.id)])
        self.assertTrue(stored.filtered(lambda s: s.name == "client_secret"), "the secret is kept, encrypted")
        for table, columns in (
            ("ml_connector_secret", ("ciphertext", "name")),
            ("ml_connector_backend", ("last_error", "paused_reason", "client_id", "fusion_scope")),
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
