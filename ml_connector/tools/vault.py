"""Encryption at rest for connection credentials (Fernet, key outside the database).

The key comes from the environment variable ``ML_CONNECTOR_KEY`` or the odoo.conf option
``ml_connector_key``. Several comma-separated keys enable rotation: the first encrypts,
all decrypt (``MultiFernet``). There is deliberately no fallback to clear text.
"""

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_ENV = "ML_CONNECTOR_KEY"
KEY_OPTION = "ml_connector_key"


class VaultError(Exception):
    pass


class VaultKeyMissing(VaultError):
    def __init__(self):
        super().__init__(
            "No encryption key for connector credentials. Set the odoo.conf option "
            f"'{KEY_OPTION}' or the environment variable {KEY_ENV} to a Fernet key "
            '(python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
        )


class Vault:
    def __init__(self, keys):
        if not keys:
            raise VaultKeyMissing()
        self.key_count = len(keys)
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except (ValueError, TypeError) as exc:
            raise VaultError(f"Invalid connector encryption key: {exc}") from exc

    @classmethod
    def from_settings(cls, config_value=None, environ=None):
        environ = os.environ if environ is None else environ
        raw = environ.get(KEY_ENV) or config_value or ""
        keys = [k for k in str(raw).split(",") if k.strip()]
        if not keys:
            raise VaultKeyMissing()
        return cls(keys)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise VaultError(
                "Stored credentials cannot be decrypted with the configured key: "
                "the key changed or the data was tampered with. Enter the credentials again."
            ) from exc
