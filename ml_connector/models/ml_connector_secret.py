import threading

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..tools.auth import TokenStore
from ..tools.vault import Vault, VaultError


class MlConnectorSecret(models.Model):
    """Encrypted values of a connection: credentials and cached access tokens.

    Only the system group may read this model at all; connector code reaches it through
    ``sudo()`` in the helpers below, which is the one place secrets are decrypted.
    """

    _name = "ml.connector.secret"
    _description = "Connector secret (encrypted)"
    _log_access = True

    backend_id = fields.Many2one("ml.connector.backend", required=True, ondelete="cascade", index=True)
    name = fields.Char(required=True)
    ciphertext = fields.Text(required=True)
    expires_at = fields.Float(help="Unix time at which a cached token expires.")

    _backend_name_uniq = models.Constraint(
        "UNIQUE(backend_id, name)", "A connection stores each secret once."
    )

    @api.model
    def _vault(self):
        try:
            return Vault.from_settings(config.get("ml_connector_key"))
        except VaultError as exc:
            raise UserError(str(exc)) from exc

    @api.model
    def _store(self, backend, name, value, expires_at=0.0):
        secret = self.sudo().search([("backend_id", "=", backend.id), ("name", "=", name)], limit=1)
        if not value:
            secret.unlink()
            return
        vals = {"ciphertext": self._vault().encrypt(value), "expires_at": expires_at}
        if secret:
            secret.write(vals)
        else:
            self.sudo().create({"backend_id": backend.id, "name": name, **vals})

    @api.model
    def _read(self, backend, name):
        """Decrypted value and expiry, or ``(None, 0)``."""
        secret = self.sudo().search([("backend_id", "=", backend.id), ("name", "=", name)], limit=1)
        if not secret:
            return None, 0.0
        try:
            return self._vault().decrypt(secret.ciphertext), secret.expires_at
        except VaultError as exc:
            raise UserError(str(exc)) from exc


class BackendTokenStore(TokenStore):
    """Token cache of one connection: process memory first, then the database (encrypted).

    The database copy lets every worker process share a token: token endpoints rate-limit
    issuance, so each process asking for its own would be wasteful and get 429s.
    """

    _memory: dict = {}
    _memory_lock = threading.Lock()

    def __init__(self, backend, fingerprint):
        super().__init__()
        self.backend = backend
        self.fingerprint = fingerprint  # changes with the credentials: a new secret, a new token

    def _memory_key(self, key):
        return (self.backend.env.cr.dbname, self.backend.id, key, self.fingerprint)

    def get(self, key):
        with self._memory_lock:
            cached = self._memory.get(self._memory_key(key))
        if cached:
            return cached
        value, expires_at = self.backend.env["ml.connector.secret"]._read(self.backend, f"token:{key}")
        if not value:
            return None
        fingerprint, _, token = value.partition(":")
        if fingerprint != self.fingerprint:
            return None
        with self._memory_lock:
            self._memory[self._memory_key(key)] = (token, expires_at)
        return token, expires_at

    def put(self, key, token, expires_at):
        with self._memory_lock:
            self._memory[self._memory_key(key)] = (token, expires_at)
        self.backend.env["ml.connector.secret"]._store(
            self.backend, f"token:{key}", f"{self.fingerprint}:{token}", expires_at
        )

    def clear(self, key):
        with self._memory_lock:
            self._memory.pop(self._memory_key(key), None)
        self.backend.env["ml.connector.secret"]._store(self.backend, f"token:{key}", None)

    @classmethod
    def forget_backend(cls, dbname, backend_id):
        with cls._memory_lock:
            for memory_key in [k for k in cls._memory if k[0] == dbname and k[1] == backend_id]:
                del cls._memory[memory_key]
