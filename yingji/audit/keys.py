"""The checkpoint key: Ed25519, its private half never in the database.

The sequencer signs with the private key, read from a file (`AUDIT_SIGNING_KEY_FILE`, PEM) or from the
environment (`YINGJI_AUDIT_SIGNING_KEY`, the 32-byte seed in base64). audit_verify checks with the public
keys in `AUDIT_PUBLIC_KEYS_FILE`: one per line, base64 of the 32 raw bytes, `#` comments allowed; more
than one while a key is being rotated (checkpoints name the key that signed them by its `key_id`).
`make run` makes a key under var/ when none is configured (`audit_keygen`); the tests make their own."""

import base64
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

logger = logging.getLogger("yingji.audit")

SIGNING_KEY_ENV = "YINGJI_AUDIT_SIGNING_KEY"


class KeyProblem(Exception):
    """A key that is configured but cannot be read."""


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 over the raw public key: what a checkpoint names."""
    return hashlib.sha256(raw_public(public)).hexdigest()[:16]


def public_line(public: Ed25519PublicKey, comment: str = "") -> str:
    text = base64.b64encode(raw_public(public)).decode()
    return f"{text}  # {key_id(public)} {comment}".rstrip() + "\n"


@dataclass(frozen=True)
class Signer:
    private: Ed25519PrivateKey
    key_id: str

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()


def signer() -> Signer | None:
    """The configured signing key, or None (then the sequencer chains but signs nothing)."""
    seed = os.environ.get(SIGNING_KEY_ENV, "").strip()
    if seed:
        try:
            private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed, validate=True))
        except ValueError as exc:
            raise KeyProblem(f"{SIGNING_KEY_ENV} is not a base64 Ed25519 seed of 32 bytes") from exc
    else:
        path = Path(settings.AUDIT_SIGNING_KEY_FILE)
        if not path.is_file():
            return None
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise KeyProblem(f"{path} is not a PEM private key") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyProblem(f"{path} is not an Ed25519 key")
    return Signer(private, key_id(private.public_key()))


def public_keys() -> dict[str, Ed25519PublicKey]:
    """The keys checkpoints are verified with, by key_id; empty when none is configured."""
    path = Path(settings.AUDIT_PUBLIC_KEYS_FILE)
    if not path.is_file():
        return {}
    found = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
        except ValueError as exc:
            raise KeyProblem(f"{path}, line {number}: not a base64 Ed25519 public key") from exc
        found[key_id(public)] = public
    return found


def signature_holds(public: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        public.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def generate(private_path: Path, public_path: Path, comment: str = "") -> str:
    """A new key: the private half (PEM, readable by its owner only) at private_path, its public half
    added to public_path (earlier keys stay, so older checkpoints still verify). Returns its key_id."""
    private = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    with public_path.open("a") as out:
        out.write(public_line(private.public_key(), comment))
    return key_id(private.public_key())
