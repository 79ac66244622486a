"""Sign consent receipts and tree heads with Ed25519 as compact JWS; verifier.py checks them.

Tokens carry the header {"alg": "EdDSA", "kid": <RFC 7638 thumbprint>}; tree heads add
"typ": "tree-head+jws" so that a head and a receipt can never stand in for each other. Header and
payload are compact, key-sorted JSON. The formats themselves are defined in verifier.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .verifier import HEAD_TYP, b64url_encode, canonical_json, head_payload, jwk_thumbprint


def generate_private_key() -> Ed25519PrivateKey:
    """Return a new Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def load_private_key(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    """Return the Ed25519 private key of a PEM (PKCS #8) document."""
    key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("the PEM holds a private key, but not an Ed25519 one")
    return key


def private_key_pem(key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    """Return the key as PKCS #8 PEM, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def jwk_of(public_key: Ed25519PublicKey) -> dict[str, str]:
    """Return the public JWK (RFC 8037) of a key, its kid the RFC 7638 thumbprint."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    return {**jwk, "kid": jwk_thumbprint(jwk), "use": "sig", "alg": "EdDSA"}


def jwks_of(public_keys: Iterable[Ed25519PublicKey]) -> dict[str, list[dict[str, str]]]:
    """Return the JWK Set to publish for these keys."""
    return {"keys": [jwk_of(key) for key in public_keys]}


def kid_of(public_key: Ed25519PublicKey) -> str:
    """Return the kid of a key."""
    return jwk_of(public_key)["kid"]


def jws_sign(
    payload: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    kid: str,
    *,
    typ: str | None = None,
) -> str:
    """Return the compact JWS of a JSON object payload."""
    header = {"alg": "EdDSA", "kid": kid}
    if typ is not None:
        header["typ"] = typ
    encoded = b64url_encode(canonical_json(header)), b64url_encode(canonical_json(payload))
    signing_input = ".".join(encoded)
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def head_sign(
    *,
    log: str,
    tree_size: int,
    root_hash: bytes,
    timestamp: datetime,
    private_key: Ed25519PrivateKey,
    kid: str,
) -> str:
    """Return the signed tree head token; the timestamp is kept to the millisecond."""
    payload = head_payload(log=log, tree_size=tree_size, root_hash=root_hash, timestamp=timestamp)
    return jws_sign(payload, private_key, kid, typ=HEAD_TYP)
