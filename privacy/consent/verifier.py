"""Check, offline, what the consent log has signed: receipts, tree heads and Merkle proofs.

This one file is the offline verifier that the site offers for download, and the one place of
every verification rule: the server imports it too. It needs Python 3.12+ and, for signatures,
the `cryptography` package (hashes and proofs work without it). It reads local files only and
never opens a network connection.

    python verifier.py receipt bundle.json [--keys keys.json]
    python verifier.py head HEAD --keys keys.json
    python verifier.py consistency OLD_HEAD NEW_HEAD PROOF --keys keys.json

Each check prints one line, "OK ..." or "FAIL ...: reason"; the exit code is 0 when every check
passed and 1 otherwise (usage errors included). HEAD, OLD_HEAD and NEW_HEAD are files holding a
tree head token, or the token itself.

Merkle tree (RFC 9162 §2.1): leaf hash SHA-256(0x00 || data), node hash SHA-256(0x01 || left ||
right), the empty tree's root SHA-256(""). Inclusion proofs are checked by §2.1.3.2 and
consistency proofs by §2.1.4.2, literally.

Key set: a JWK Set (RFC 7517) of Ed25519 public keys (RFC 8037), each
    {"kty": "OKP", "crv": "Ed25519", "x": <base64url>, "kid": <thumbprint>, "use": "sig",
     "alg": "EdDSA"}
where kid is the RFC 7638 thumbprint (base64url SHA-256 of {"crv","kty","x"} as canonical JSON).
"kid", "use" and "alg" are optional but, when present, must hold those values; a key set with a
private part ("d") or with a key of any other type is refused whole. Get the key set from the
site's published keys, not from whoever handed you the bundle.

Signatures: compact JWS (RFC 7515), header {"alg": "EdDSA", "kid": <thumbprint>} plus an optional
"typ"; any other header parameter, any other alg ("none", "HS256", ...) and an unknown kid are
refused. Payloads are JSON objects (duplicate names refused).

Tree head: a JWS whose header "typ" is "tree-head+jws" and whose payload is exactly
    {"log": "<log id>", "tree_size": 42, "root_hash": "<standard base64, padded, 32 bytes>",
     "timestamp": "2025-05-01T12:00:00.123Z"}
with the timestamp in RFC 3339 UTC, always with milliseconds and "Z" (a string, not int ms, so a
person can read it). A head of size 0 carries the empty tree's root.

Proof bundle (the `receipt` subcommand), a JSON object:
    {
      "format": "leadgen-consent-proof/1",
      "keys": "keys.json",              optional: a file name beside the bundle, or an inline JWK
                                        Set; --keys wins; URLs are refused (nothing is fetched)
      "receipt": "<compact JWS>",       the consent receipt
      "head": "<tree head token>",      needed when "records" is given
      "records": [                      optional: consent records proven to be in the log
        {"leaf": "<standard base64 of the leaf data>",   or "leaf_hash": "<standard base64>"
         "index": 3,                    the leaf's index in the log
         "proof": ["<standard base64>", ...]}           RFC 9162 inclusion path for the head
      ]
    }
A receipt whose records are proven binds them: its payload has "leaf_hashes", a list of the
standard base64 leaf hashes of its records, and every proven leaf must be one of them. A receipt
token must not carry the tree head "typ".

Consistency proof file (the `consistency` subcommand): {"proof": ["<standard base64>", ...]},
optionally with "size1" and "size2", which must then equal the two heads' sizes.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BUNDLE_FORMAT = "leadgen-consent-proof/1"
HEAD_TYP = "tree-head+jws"
HEAD_FIELDS = frozenset({"log", "tree_size", "root_hash", "timestamp"})
HASH_SIZE = 32
SIGNATURE_SIZE = 64
# RFC 9162 sizes are uint64; a bigger number is an attack or a bug, not a log.
MAX_TREE_SIZE = 2**64 - 1
EMPTY_ROOT = hashlib.sha256(b"").digest()

_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_JWS_HEADER_REQUIRED = frozenset({"alg", "kid"})
_JWS_HEADER_ALLOWED = frozenset({"alg", "kid", "typ"})


class VerificationError(Exception):
    """A check failed; `reason` says why in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# RFC 9162 §2.1.1 hashing.


def leaf_hash(data: bytes) -> bytes:
    """Return the hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def parent_hashes(row: Sequence[bytes]) -> list[bytes]:
    """Return node_hash of each adjacent pair (row[0], row[1]), (row[2], row[3]), ...

    An odd last hash has no parent here. Batched because a bulk append hashes one row per
    level, and the per-call overhead of node_hash would double its time.
    """
    sha256 = hashlib.sha256
    pairs = zip(row[::2], row[1::2], strict=False)
    return [sha256(b"\x01" + left + right).digest() for left, right in pairs]


def _check_hashes(*hashes: bytes) -> None:
    for value in hashes:
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise VerificationError(f"a hash must be {HASH_SIZE} bytes")


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TREE_SIZE:
        raise VerificationError(f"{name} must be an integer from 0 to 2^64-1")


def _shift_until_odd_or_zero(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


# RFC 9162 §2.1.3.2.


def root_from_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes]
) -> bytes:
    """Return the root an inclusion proof leads to, or raise VerificationError."""
    _check_size("index", index)
    _check_size("tree_size", tree_size)
    _check_hashes(leaf_hash, *proof)
    if index >= tree_size:
        raise VerificationError(f"index {index} is outside a tree of size {tree_size}")
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise VerificationError("the proof has more hashes than a tree of this size needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the proof has fewer hashes than a tree of this size needs")
    return r


def check_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise VerificationError unless the proof puts the leaf at `index` under `root`."""
    _check_hashes(root)
    computed = root_from_inclusion(
        leaf_hash=leaf_hash, index=index, tree_size=tree_size, proof=proof
    )
    if computed != root:
        raise VerificationError("the proof does not lead to the signed root")


def verify_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Return whether the proof puts the leaf at `index` under `root`."""
    try:
        check_inclusion(
            leaf_hash=leaf_hash, index=index, tree_size=tree_size, proof=proof, root=root
        )
    except VerificationError:
        return False
    return True


# RFC 9162 §2.1.4.2, plus the trivial cases it leaves out (0 = size1 or size1 = size2).


def _check_trivial_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    if proof:
        raise VerificationError(f"a proof from size {size1} to {size2} must be empty")
    if size1 == 0 and root1 != EMPTY_ROOT:
        raise VerificationError("the root of the empty tree is not SHA-256 of nothing")
    if size1 == size2 and root1 != root2:
        raise VerificationError("two different roots for the same tree size")


def check_consistency(
    *, size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise VerificationError unless the tree of size2 extends the tree of size1."""
    _check_size("size1", size1)
    _check_size("size2", size2)
    _check_hashes(root1, root2, *proof)
    if size1 > size2:
        raise VerificationError(f"size {size1} is larger than size {size2}")
    if size1 == 0 or size1 == size2:
        _check_trivial_consistency(size1, size2, root1, root2, proof)
        return
    if not proof:
        raise VerificationError("the proof is empty")
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the proof has more hashes than these sizes need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the proof has fewer hashes than these sizes need")
    if fr != root1:
        raise VerificationError("the proof does not lead to the older root")
    if sr != root2:
        raise VerificationError("the proof does not lead to the newer root")


def verify_consistency(
    *, size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Return whether the tree of size2 with root2 extends the tree of size1 with root1."""
    try:
        check_consistency(size1=size1, size2=size2, root1=root1, root2=root2, proof=proof)
    except VerificationError:
        return False
    return True


# Encodings.


def b64url_encode(data: bytes) -> str:
    """Return base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical base64url without padding, or raise VerificationError."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise VerificationError("not base64url without padding")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Unused low bits must be zero, so that one value has exactly one spelling.
    if b64url_encode(data) != text:
        raise VerificationError("not canonical base64url")
    return data


def b64_encode(data: bytes) -> str:
    """Return standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def b64_decode(text: str) -> bytes:
    """Decode canonical standard base64 with padding, or raise VerificationError."""
    if not isinstance(text, str):
        raise VerificationError("not a base64 string")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError("not standard base64") from None
    if b64_encode(data) != text:
        raise VerificationError("not canonical standard base64")
    return data


def _b64_hash(value: Any, what: str) -> bytes:
    try:
        data = b64_decode(value)
    except VerificationError as error:
        raise VerificationError(f"{what}: {error.reason}") from None
    if len(data) != HASH_SIZE:
        raise VerificationError(f"{what} is not {HASH_SIZE} bytes")
    return data


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a name appears twice in one object")
    return result


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def json_loads(data: bytes | str, what: str) -> Any:
    """Parse strict JSON (no duplicate names, no NaN), or raise VerificationError."""
    try:
        return json.loads(
            data, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except (ValueError, RecursionError) as error:
        raise VerificationError(f"{what} is not valid JSON: {error}") from None


def canonical_json(value: Any) -> bytes:
    """Return compact, key-sorted UTF-8 JSON."""
    return json.dumps(
        value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def format_timestamp(moment: datetime) -> str:
    """Return RFC 3339 UTC with milliseconds, e.g. 2025-05-01T12:00:00.123Z."""
    if moment.tzinfo is None:
        raise ValueError("a tree head timestamp needs a time zone")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: Any) -> datetime:
    """Parse what format_timestamp writes, or raise VerificationError."""
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise VerificationError("timestamp is not RFC 3339 UTC with milliseconds")
    try:
        moment = datetime.strptime(text[:-1] + "000", "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        raise VerificationError("timestamp is not a real date and time") from None
    return moment.replace(tzinfo=UTC)


# Keys (RFC 7517, RFC 8037, RFC 7638).


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """Return the RFC 7638 thumbprint of an OKP key: base64url SHA-256 of crv, kty, x."""
    members = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    return b64url_encode(hashlib.sha256(canonical_json(members)).digest())


def _public_key(raw: bytes) -> Ed25519PublicKey:
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        raise VerificationError(
            "checking signatures needs the 'cryptography' package: pip install cryptography"
        ) from None
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise VerificationError("not an Ed25519 public key") from None


def _ed25519_jwk(jwk: Any) -> tuple[str, Ed25519PublicKey]:
    if not isinstance(jwk, dict):
        raise VerificationError("a key is not a JSON object")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise VerificationError("a key is not an Ed25519 key (kty OKP, crv Ed25519)")
    if "d" in jwk:
        raise VerificationError("a key holds a private part: never publish it")
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", "EdDSA") != "EdDSA":
        raise VerificationError("a key is not for EdDSA signatures")
    try:
        raw = b64url_decode(jwk.get("x", ""))
    except VerificationError as error:
        raise VerificationError(f"a key's x: {error.reason}") from None
    if len(raw) != HASH_SIZE:
        raise VerificationError("a key's x is not 32 bytes")
    kid = jwk_thumbprint(jwk)
    if jwk.get("kid", kid) != kid:
        raise VerificationError(f"kid {jwk.get('kid')!r} is not the key's RFC 7638 thumbprint")
    return kid, _public_key(raw)


def load_jwks(jwks: Any) -> dict[str, Ed25519PublicKey]:
    """Return the Ed25519 keys of a JWK Set by kid, or raise VerificationError."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise VerificationError('a key set is a JSON object {"keys": [...]}')
    keys = dict(_ed25519_jwk(jwk) for jwk in jwks["keys"])
    if not keys:
        raise VerificationError("the key set has no key")
    return keys


# Compact JWS (RFC 7515) with EdDSA (RFC 8037).


def _jws_header(encoded: str) -> dict[str, Any]:
    header = json_loads(b64url_decode(encoded), "the JWS header")
    if not isinstance(header, dict):
        raise VerificationError("the JWS header is not a JSON object")
    if header.get("alg") != "EdDSA":
        raise VerificationError(f"alg {header.get('alg')!r} is refused: only EdDSA is accepted")
    if not _JWS_HEADER_REQUIRED <= header.keys() <= _JWS_HEADER_ALLOWED:
        raise VerificationError("the JWS header must hold alg and kid, and may hold typ only")
    if not isinstance(header["kid"], str) or not isinstance(header.get("typ", ""), str):
        raise VerificationError("the JWS kid and typ must be strings")
    return header


def jws_verify_with_header(
    token: str, jwks: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (header, payload) of a compact JWS signed by a key of `jwks`, or raise."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise VerificationError("not a compact JWS (three base64url parts joined by dots)")
    encoded_header, encoded_payload, encoded_signature = token.split(".")
    try:
        header = _jws_header(encoded_header)
        payload_bytes = b64url_decode(encoded_payload)
        signature = b64url_decode(encoded_signature)
    except VerificationError as error:
        raise VerificationError(f"malformed JWS: {error.reason}") from None
    if len(signature) != SIGNATURE_SIZE:
        raise VerificationError("malformed JWS: an Ed25519 signature is 64 bytes")
    key = load_jwks(jwks).get(header["kid"])
    if key is None:
        raise VerificationError(f"unknown kid {header['kid']!r}: no such key in the key set")
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(signature, f"{encoded_header}.{encoded_payload}".encode("ascii"))
    except InvalidSignature:
        raise VerificationError(
            "bad signature: the token was altered or signed by another key"
        ) from None
    payload = json_loads(payload_bytes, "the JWS payload")
    if not isinstance(payload, dict):
        raise VerificationError("the JWS payload is not a JSON object")
    return header, payload


def jws_verify(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Return the payload of a compact JWS signed by a key of `jwks`, or raise."""
    return jws_verify_with_header(token, jwks)[1]


# Signed tree heads.


@dataclass(frozen=True)
class TreeHead:
    """A verified signed tree head."""

    log: str
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    kid: str

    def describe(self) -> str:
        """Return one line naming the head."""
        return (
            f"log {self.log!r}, tree size {self.tree_size}, root {b64_encode(self.root_hash)}, "
            f"at {format_timestamp(self.timestamp)}, key {self.kid}"
        )


def head_payload(
    *, log: str, tree_size: int, root_hash: bytes, timestamp: datetime
) -> dict[str, Any]:
    """Return the JSON payload of a tree head."""
    return {
        "log": log,
        "tree_size": tree_size,
        "root_hash": b64_encode(root_hash),
        "timestamp": format_timestamp(timestamp),
    }


def _head_from_payload(payload: dict[str, Any], kid: str) -> TreeHead:
    if payload.keys() != HEAD_FIELDS:
        raise VerificationError(f"a tree head holds exactly {', '.join(sorted(HEAD_FIELDS))}")
    log, tree_size = payload["log"], payload["tree_size"]
    if not isinstance(log, str) or not log:
        raise VerificationError("the tree head's log is not a non-empty string")
    _check_size("the tree head's tree_size", tree_size)
    root = _b64_hash(payload["root_hash"], "the tree head's root_hash")
    if tree_size == 0 and root != EMPTY_ROOT:
        raise VerificationError("a head of the empty tree must carry SHA-256 of nothing")
    return TreeHead(log, tree_size, root, parse_timestamp(payload["timestamp"]), kid)


def head_verify(token: str, jwks: dict[str, Any]) -> TreeHead:
    """Return the tree head a token signs, or raise VerificationError."""
    header, payload = jws_verify_with_header(token, jwks)
    if header.get("typ") != HEAD_TYP:
        raise VerificationError(f"not a tree head: the JWS typ is not {HEAD_TYP!r}")
    return _head_from_payload(payload, header["kid"])


# Command line.


class _Report:
    def __init__(self) -> None:
        self.failed = False

    def ok(self, message: str) -> None:
        print(f"OK {message}")

    def fail(self, what: str, reason: str) -> None:
        self.failed = True
        print(f"FAIL {what}: {reason}")

    def check(self, what: str, run: Callable[[], str]) -> bool:
        """Print the OK line `run` returns, or FAIL with the reason it raises."""
        try:
            self.ok(run())
        except VerificationError as error:
            self.fail(what, error.reason)
            return False
        return True


def _read_json(path: Path, what: str) -> Any:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise VerificationError(f"cannot read {what} {path}: {error.strerror}") from None
    return json_loads(data, f"{what} {path}")


def _read_token(argument: str) -> str:
    try:
        return Path(argument).read_text(encoding="utf-8").strip()
    # A token is no file name (and often too long to be one): then it is the token itself.
    except (OSError, UnicodeDecodeError):
        if argument.count(".") == 2:
            return argument
        raise VerificationError(f"{argument} is neither a token nor a readable file") from None


def _key_set(option: str | None, bundle: dict[str, Any], bundle_path: Path) -> tuple[Any, str]:
    if option is not None:
        return _read_json(Path(option), "key set"), option
    keys = bundle.get("keys")
    if isinstance(keys, dict):
        return keys, "inline in the bundle (compare its kids with the site's published keys)"
    if not isinstance(keys, str):
        raise VerificationError("give the key set with --keys FILE")
    if "://" in keys:
        raise VerificationError("nothing is downloaded: save the key set and pass --keys FILE")
    path = bundle_path.parent / keys
    return _read_json(path, "key set"), str(path)


def _load_keys(report: _Report, jwks: Any, source: str) -> bool:
    def run() -> str:
        kids = sorted(load_jwks(jwks))
        return f"key set {source}: {len(kids)} Ed25519 key(s): {', '.join(kids)}"

    return report.check("key set", run)


def _record_leaf_hash(record: Any) -> bytes:
    if not isinstance(record, dict):
        raise VerificationError("a record is not a JSON object")
    if ("leaf" in record) == ("leaf_hash" in record):
        raise VerificationError('a record holds either "leaf" or "leaf_hash"')
    if "leaf" in record:
        try:
            return leaf_hash(b64_decode(record["leaf"]))
        except VerificationError as error:
            raise VerificationError(f"leaf: {error.reason}") from None
    return _b64_hash(record["leaf_hash"], "leaf_hash")


def _check_record(record: Any, head: TreeHead) -> tuple[str, bytes]:
    hashed = _record_leaf_hash(record)
    index, proof = record.get("index"), record.get("proof")
    if isinstance(index, bool) or not isinstance(index, int):
        raise VerificationError("index is not an integer")
    if not isinstance(proof, list):
        raise VerificationError("proof is not a list of base64 hashes")
    path = [_b64_hash(item, f"proof[{n}]") for n, item in enumerate(proof)]
    check_inclusion(
        leaf_hash=hashed, index=index, tree_size=head.tree_size, proof=path, root=head.root_hash
    )
    return f"leaf {index} is in the tree of size {head.tree_size}", hashed


def _check_binding(receipt: dict[str, Any] | None, hashed: bytes) -> str:
    if receipt is None:
        raise VerificationError("the receipt did not verify, so it binds nothing")
    listed = receipt.get("leaf_hashes")
    if not isinstance(listed, list):
        raise VerificationError("the receipt lists no leaf_hashes: the proof is not bound to it")
    if b64_encode(hashed) not in listed:
        raise VerificationError("the receipt does not name this leaf")
    return "the receipt names this leaf"


def _check_receipt_token(token: Any, jwks: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(token, str):
        raise VerificationError('the bundle has no "receipt" token')
    header, payload = jws_verify_with_header(token, jwks)
    if header.get("typ") == HEAD_TYP:
        raise VerificationError("this token is a tree head, not a receipt")
    return header, payload


def _verify_records(
    report: _Report, bundle: dict[str, Any], jwks: Any, receipt: dict[str, Any] | None
) -> None:
    records = bundle.get("records", [])
    if not isinstance(records, list):
        report.fail("records", "not a list")
        return
    if not records and "head" not in bundle:
        return
    try:
        token = bundle.get("head")
        if not isinstance(token, str):
            raise VerificationError('the bundle has records but no "head" token')
        head = head_verify(token, jwks)
    except VerificationError as error:
        report.fail("tree head", error.reason)
        for number in range(len(records)):
            report.fail(f"record {number}", "no verified tree head to check it against")
        return
    report.ok(f"tree head: {head.describe()}")
    for number, record in enumerate(records):
        what = f"record {number}"
        try:
            message, hashed = _check_record(record, head)
            report.ok(f"{what}: {message}")
            report.ok(f"{what}: {_check_binding(receipt, hashed)}")
        except VerificationError as error:
            report.fail(what, error.reason)


def _command_receipt(args: argparse.Namespace, report: _Report) -> None:
    path = Path(args.bundle)
    try:
        bundle = _read_json(path, "bundle")
        if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
            raise VerificationError(f'the bundle is not a JSON object of format "{BUNDLE_FORMAT}"')
        jwks, source = _key_set(args.keys, bundle, path)
    except VerificationError as error:
        report.fail("bundle", error.reason)
        return
    if not _load_keys(report, jwks, source):
        return
    receipt: dict[str, Any] | None = None
    try:
        header, receipt = _check_receipt_token(bundle.get("receipt"), jwks)
        report.ok(f"receipt: signature valid, key {header['kid']}")
    except VerificationError as error:
        report.fail("receipt", error.reason)
    _verify_records(report, bundle, jwks, receipt)


def _verified_head(report: _Report, what: str, argument: str, jwks: Any) -> TreeHead | None:
    try:
        head = head_verify(_read_token(argument), jwks)
    except VerificationError as error:
        report.fail(what, error.reason)
        return None
    report.ok(f"{what}: {head.describe()}")
    return head


def _command_head(args: argparse.Namespace, report: _Report) -> None:
    try:
        jwks = _read_json(Path(args.keys), "key set")
    except VerificationError as error:
        report.fail("key set", error.reason)
        return
    if _load_keys(report, jwks, args.keys):
        _verified_head(report, "tree head", args.head, jwks)


def _consistency_path(path: Path, old: TreeHead, new: TreeHead) -> list[bytes]:
    document = _read_json(path, "consistency proof")
    if not isinstance(document, dict) or not isinstance(document.get("proof"), list):
        raise VerificationError('the proof file is a JSON object {"proof": [...]}')
    for name, head in (("size1", old), ("size2", new)):
        if name in document and document[name] != head.tree_size:
            raise VerificationError(
                f"the proof is for {name} {document[name]}, not {head.tree_size}"
            )
    return [_b64_hash(item, f"proof[{n}]") for n, item in enumerate(document["proof"])]


def _check_heads_consistent(path: Path, old: TreeHead, new: TreeHead) -> str:
    if old.log != new.log:
        raise VerificationError(f"the heads are of two logs, {old.log!r} and {new.log!r}")
    check_consistency(
        size1=old.tree_size,
        size2=new.tree_size,
        root1=old.root_hash,
        root2=new.root_hash,
        proof=_consistency_path(path, old, new),
    )
    return f"consistency: the tree of size {old.tree_size} is a prefix of size {new.tree_size}"


def _command_consistency(args: argparse.Namespace, report: _Report) -> None:
    try:
        jwks = _read_json(Path(args.keys), "key set")
    except VerificationError as error:
        report.fail("key set", error.reason)
        return
    if not _load_keys(report, jwks, args.keys):
        return
    old = _verified_head(report, "older tree head", args.old_head, jwks)
    new = _verified_head(report, "newer tree head", args.new_head, jwks)
    if old is None or new is None:
        report.fail("consistency", "both tree heads must verify first")
        return
    report.check("consistency", lambda: _check_heads_consistent(Path(args.proof), old, new))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"FAIL usage: {message}")
        sys.exit(1)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="verifier.py",
        description="Check consent receipts, signed tree heads and Merkle proofs, offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    receipt = commands.add_parser("receipt", help="a proof bundle: receipt, head, inclusion")
    receipt.add_argument("bundle", help="the proof bundle JSON file")
    receipt.add_argument("--keys", help="the JWK Set file (wins over the bundle's keys)")
    receipt.set_defaults(run=_command_receipt)
    head = commands.add_parser("head", help="a signed tree head")
    head.add_argument("head", help="a file holding the head token, or the token")
    head.add_argument("--keys", required=True, help="the JWK Set file")
    head.set_defaults(run=_command_head)
    consistency = commands.add_parser("consistency", help="two heads and a consistency proof")
    consistency.add_argument("old_head", help="the older head: a file or the token")
    consistency.add_argument("new_head", help="the newer head: a file or the token")
    consistency.add_argument("proof", help='JSON file {"proof": [base64, ...]}')
    consistency.add_argument("--keys", required=True, help="the JWK Set file")
    consistency.set_defaults(run=_command_consistency)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return 0 when every check passed, 1 otherwise."""
    args = _parser().parse_args(argv)
    report = _Report()
    args.run(args, report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
