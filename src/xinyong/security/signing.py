"""The platform's one signer (Ed25519): audit checkpoints and signed documents (check receipts). The private
key lives in a file only the platform reads (mode 0600), never in the store: whoever can rewrite the database
still cannot sign a root for the rewritten log, nor a receipt.

A signed document is a JSON object whose ``receipt`` member holds ``key_id``, ``algorithm``, ``signed_at``
and ``signature``: the signature covers the canonical JSON (``model.canonical``) of the whole object with
``receipt.signature`` left out, so the printed object is itself what was signed."""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from xinyong.model.canonical import canonical_json

ALGORITHM = "Ed25519"


def checkpoint_message(tree_size: int, root_hex: str, signed_at: str) -> bytes:
    """The exact bytes signed: a checkpoint can be checked by anyone with the public key and these fields."""
    return f"xinyong audit checkpoint\n{tree_size}\n{root_hex}\n{signed_at}\n".encode()


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
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
        return verify_with(self.public_key_hex, message, signature_hex)

    def sign_document(self, document: dict[str, Any], signed_at: str) -> dict[str, Any]:
        """`document` with its ``receipt`` completed: key, algorithm, time and the signature over it all."""
        signed = {**document, "receipt": {**document.get("receipt", {})}}
        signed["receipt"].update(key_id=self.key_id, algorithm=ALGORITHM, signed_at=signed_at)
        signed["receipt"].pop("signature", None)
        signed["receipt"]["signature"] = self.sign(canonical_json(signed_without_signature(signed)))
        return signed


def signed_without_signature(document: dict[str, Any]) -> dict[str, Any]:
    """The object a document's signature covers: the document with ``receipt.signature`` left out."""
    unsigned = copy.copy(document)
    unsigned["receipt"] = {k: v for k, v in document["receipt"].items() if k != "signature"}
    return unsigned


def verify_with(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def document_problem(document: Any, public_key_hex: str) -> str | None:
    """Why a signed document does not verify with `public_key_hex`, or None when it does."""
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        return "not a signed document: no receipt object"
    receipt = document["receipt"]
    for key in ("key_id", "algorithm", "signed_at", "signature"):
        if not isinstance(receipt.get(key), str):
            return f"the receipt has no {key}"
    if receipt["algorithm"] != ALGORITHM:
        return f"algorithm {receipt['algorithm']!r} is not {ALGORITHM}"
    expected_id = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]
    if receipt["key_id"] != expected_id:
        return f"signed with key {receipt['key_id']}, not this platform's key {expected_id}"
    try:
        message = canonical_json(signed_without_signature(document))
    except TypeError as error:
        return f"not JSON the platform signs: {error}"
    if not verify_with(public_key_hex, message, receipt["signature"]):
        return "the signature does not match the document: it was changed after signing, or forged"
    return None
