"""Signed digests: the audit chain's head signed with an Ed25519 key, written to a small JSON
file an inspector keeps; anyone with the public key checks it offline, and the chain can
later be checked to still pass through it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from store.audit import Digest


@dataclass(frozen=True)
class SignedDigest:
    digest: Digest
    recorded_at: datetime | None  # when the head was recorded (database time)
    signature: bytes

    @staticmethod
    def message(digest: Digest, recorded_at: datetime | None) -> bytes:
        """What is signed: every field of the file but the signature."""
        moment = recorded_at.isoformat() if recorded_at else ""
        return f"dengta-digest-v1\n{digest}\n{moment}\n".encode()

    def to_json(self) -> str:
        return json.dumps({
            "position": self.digest.position, "hash": self.digest.hash.hex(),
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "signature": base64.b64encode(self.signature).decode(),
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SignedDigest:
        try:
            data = json.loads(text)
            digest = Digest.parse(f"{data['position']}:{data['hash']}")
            recorded_at = (datetime.fromisoformat(data["recorded_at"])
                           if data.get("recorded_at") else None)
            return cls(digest, recorded_at, base64.b64decode(data["signature"], validate=True))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a digest file: {error}") from None

    def is_signed_by(self, public_key_pem: bytes) -> bool:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the public key is not an Ed25519 key")
        try:
            key.verify(self.signature, self.message(self.digest, self.recorded_at))
        except InvalidSignature:
            return False
        return True


def generate_key() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as PEM: (private, public)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def sign(digest: Digest, recorded_at: datetime | None, private_key_pem: bytes) -> SignedDigest:
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 key")
    return SignedDigest(digest, recorded_at,
                        key.sign(SignedDigest.message(digest, recorded_at)))
