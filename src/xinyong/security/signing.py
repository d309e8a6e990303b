"""Ed25519 signatures of audit checkpoints. The private key lives in a file only the platform reads (mode
0600), never in the store: whoever can rewrite the database still cannot sign a root for the rewritten log."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def checkpoint_message(tree_size: int, root_hex: str, signed_at: str) -> bytes:
    """The exact bytes signed: a checkpoint can be checked by anyone with the public key and these fields."""
    return f"xinyong audit checkpoint\n{tree_size}\n{root_hex}\n{signed_at}\n".encode()


@dataclass(frozen=True)
class CheckpointSigner:
    private_key: Ed25519PrivateKey

    @classmethod
    def load_or_create(cls, path: Path) -> CheckpointSigner:
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 private key")
            return cls(key)
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return cls(key)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_key_hex(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    @property
    def key_id(self) -> str:
        return hashlib.sha256(bytes.fromhex(self.public_key_hex)).hexdigest()[:16]

    def sign(self, message: bytes) -> str:
        return self.private_key.sign(message).hex()

    def verify(self, message: bytes, signature_hex: str) -> bool:
        try:
            self.public_key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True
