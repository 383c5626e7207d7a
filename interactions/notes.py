"""A log's private note as the table keeps it: encrypted, so that a copy of the table alone reveals no note.

AES-256-GCM under a key derived (HKDF-SHA256) from the app's secret under a label of its own, so that the
pseudonyms and the notes never share a key. Each note gets a random 96-bit nonce and is bound to the row it
is stored in (the owner's partition and the row's key): a note copied to another row or another member's
partition does not decrypt.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The label the notes' key is derived under; another label gives another key, unrelated to this one.
NOTE_KEY_LABEL = b"interactions/notes/aes-256-gcm/v1"
# Stored first, so that a later format or key can be told from this one rather than guessed at.
_VERSION = b"\x01"
_NONCE_BYTES = 12


class NoteCipher:
    """Seals a note for one row and opens it again from that row only."""

    def __init__(self, app_secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=NOTE_KEY_LABEL).derive(app_secret)
        self._aead = AESGCM(key)

    def seal(self, note: str, owner: str, row_key: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, note.encode(), _row(owner, row_key))

    def open(self, sealed: bytes, owner: str, row_key: str) -> str | None:
        """The note, or None when it does not decrypt here: tampered with, sealed under another key, or for
        another row."""
        if len(sealed) <= len(_VERSION) + _NONCE_BYTES or not sealed.startswith(_VERSION):
            return None
        nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, _row(owner, row_key)).decode()
        except (InvalidTag, UnicodeDecodeError):
            return None


def _row(owner: str, row_key: str) -> bytes:
    # Table keys cannot hold control characters, so the separator makes the pair read one way only.
    return f"{owner}\x00{row_key}".encode()
