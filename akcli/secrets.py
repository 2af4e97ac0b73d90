"""Secret var values are encrypted at rest with Fernet (AES-CBC + HMAC).

The key lives in `<config home>/secret.key` (0600), created on first use, so the
SQLite file alone never reveals a secret.
"""

from __future__ import annotations

from pathlib import Path

from akcli.errors import AkError
from akcli.paths import write_private

SECRET_MASK = "<secret>"


class Cipher:
    def __init__(self, key_file: Path) -> None:
        from cryptography.fernet import Fernet

        if not key_file.exists():
            write_private(key_file, Fernet.generate_key())
        self._fernet = Fernet(key_file.read_bytes().strip())

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise AkError(
                "cannot decrypt a secret var: the secret key in the config home changed"
            ) from None
