from unittest.mock import patch

from cryptography.fernet import Fernet

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.ml_connector.tools.vault import Vault, VaultError, VaultKeyMissing

from .common import EngineCase


@tagged("post_install", "-at_install")
class TestVault(EngineCase):
    def test_round_trip_and_rotation(self):
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        token = Vault([old]).encrypt("s3cr3t")
        self.assertNotIn("s3cr3t", token)
        # rotation: new key first, old key still decrypts what it encrypted
        rotated = Vault([new, old])
        self.assertEqual(rotated.decrypt(token), "s3cr3t")
        self.assertEqual(Vault([new]).decrypt(rotated.encrypt("x")), "x")
        with self.assertRaises(VaultError):
            Vault([new]).decrypt(token)

    def test_missing_key_is_a_clear_error_never_clear_text(self):
        with self.assertRaises(VaultKeyMissing) as caught:
            Vault.from_settings(None, environ={})
        self.assertIn("ml_connector_key", str(caught.exception))
        with patch.dict(config.options, {"ml_connector_key": ""}), patch.dict("os.environ", {}, clear=True):
            with self.assertRaises(UserError) as caught:
                self.backend.sudo().write({"client_secret": "another-secret"})
            self.assertIn("ml_connector_key", str(caught.exception))
        # nothing was stored in clear text instead
        self.env.cr.execute(
            "SELECT ciphertext FROM ml_connector_secret WHERE backend_id = %s", (self.backend.id,)
        )
        self.assertFalse(any("another-secret" in row[0] for row in self.env.cr.fetchall()))

    def test_secret_is_encrypted_in_database_and_write_only(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ciphertext FROM ml_connector_secret WHERE backend_id = %s AND name = 'client_secret'",
            (self.backend.id,),
        )
        (ciphertext,) = self.env.cr.fetchone()
        self.assertNotIn("engine-secret", ciphertext)
        self.assertEqual(
            Vault.from_settings(config.get("ml_connector_key")).decrypt(ciphertext), "engine-secret"
        )
        self.assertFalse(self.backend.sudo().client_secret, "the form never shows the stored secret")
        self.assertTrue(self.backend.client_secret_set)
        self.assertEqual(self.backend._get_secret("client_secret"), "engine-secret")

    def test_copy_does_not_carry_credentials(self):
        copy = self.backend.copy()
        self.assertFalse(copy.client_secret_set)
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.client_id)
