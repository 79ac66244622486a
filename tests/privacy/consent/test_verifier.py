"""The offline verifier: RFC 9162 proof checks, Ed25519 JWS, signed tree heads and the CLI."""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from privacy.consent import verifier
from privacy.consent.merkle import (
    MemoryNodeStore,
    consistency_proof,
    inclusion_proof,
    nodes_to_add,
    root_hash,
)
from privacy.consent.signing import (
    generate_private_key,
    head_sign,
    jwk_of,
    jwks_of,
    jws_sign,
    kid_of,
    load_private_key,
    private_key_pem,
)
from privacy.consent.verifier import (
    EMPTY_ROOT,
    TreeHead,
    VerificationError,
    b64_encode,
    b64url_decode,
    b64url_encode,
    head_verify,
    jwk_thumbprint,
    jws_verify,
    leaf_hash,
    load_jwks,
    main,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.privacy.consent.vectors import CONSISTENCY_PROOFS, INCLUSION_PROOFS, LEAVES, ROOTS

VERIFIER = Path(verifier.__file__)
NOW = datetime(2025, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
LOG = "leadgen-consent-log"

# Known answers from transparency-dev/merkle: rfc6962/rfc6962_test.go (hashes) and
# proof/verify_test.go (in vectors.py).
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
# The same tree as test_merkle.py; here only the proofs that have hashes.
INCLUSION = [(index, size, proof) for (index, size), proof in INCLUSION_PROOFS.items() if proof]
CONSISTENCY = [(old, new, proof) for (old, new), proof in CONSISTENCY_PROOFS.items() if proof]

# RFC 8037 appendix A.1 (the key), A.3 (its thumbprint) and A.4 (its signature of a payload).
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def flip(value: bytes, position: int = 0, bit: int = 8) -> bytes:
    changed = bytearray(value)
    changed[position] ^= bit
    return bytes(changed)


# Hashing and proofs.


def test_hashes_match_the_rfc_6962_known_answers():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_the_published_inclusion_proofs_verify(index, size, proof):
    assert verify_inclusion(
        leaf_hash=leaf_hash(LEAVES[index]),
        index=index,
        tree_size=size,
        proof=hexes(proof),
        root=ROOTS[size - 1],
    )


def inclusion_corruptions(index, size, proof, root, leaf):
    """The probes of transparency-dev/merkle corruptInclusionProof, as keyword sets."""
    base = {"leaf_hash": leaf, "index": index, "tree_size": size, "proof": proof, "root": root}
    probes = {
        "index - 1": {"index": index - 1},
        "index + 1": {"index": index + 1},
        "index ^ 2": {"index": index ^ 2},
        "size * 2": {"tree_size": size * 2},
        "size // 2": {"tree_size": size // 2},
        "wrong leaf": {"leaf_hash": leaf_hash(b"WrongLeaf")},
        "empty root": {"root": EMPTY_ROOT},
        "random root": {"root": SOME_HASH},
        "trailing garbage": {"proof": [*proof, b""]},
        "trailing root": {"proof": [*proof, root]},
        "preceding garbage": {"proof": [b"", *proof]},
        "preceding root": {"proof": [root, *proof]},
    }
    for n in range(len(proof)):
        probes[f"bit flipped in proof[{n}]"] = {
            "proof": [flip(h) if i == n else h for i, h in enumerate(proof)]
        }
    if proof:
        probes["truncated proof"] = {"proof": proof[:-1]}
    if len(proof) > 1:
        probes["inserted hash"] = {"proof": [proof[0], SOME_HASH, *proof[1:]]}
    return {name: {**base, **change} for name, change in probes.items()}


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_every_corruption_of_a_published_inclusion_proof_is_refused(index, size, proof):
    probes = inclusion_corruptions(
        index, size, hexes(proof), ROOTS[size - 1], leaf_hash(LEAVES[index])
    )
    accepted = [name for name, probe in probes.items() if verify_inclusion(**probe)]
    assert accepted == []


def test_an_inclusion_proof_for_another_tree_size_is_refused():
    store = tree_store([f"r{n}".encode() for n in range(20)])
    proof = inclusion_proof(index=3, tree_size=13, store=store)
    for size in (12, 14, 16, 20):
        root = root_hash(tree_size=size, store=store)
        assert not verify_inclusion(
            leaf_hash=leaf_hash(b"r3"), index=3, tree_size=size, proof=proof, root=root
        )


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_the_published_consistency_proofs_verify(size1, size2, proof):
    assert verify_consistency(
        size1=size1,
        size2=size2,
        root1=ROOTS[size1 - 1],
        root2=ROOTS[size2 - 1],
        proof=hexes(proof),
    )


def consistency_corruptions(size1, size2, root1, root2, proof):
    """The probes of transparency-dev/merkle corruptConsistencyProof, as keyword sets."""
    base = {"size1": size1, "size2": size2, "root1": root1, "root2": root2, "proof": proof}
    probes = {
        "size1 - 1": {"size1": size1 - 1},
        "size1 + 1": {"size1": size1 + 1},
        "size1 ^ 2": {"size1": size1 ^ 2},
        "size2 * 2": {"size2": size2 * 2},
        "size2 // 2": {"size2": size2 // 2},
        "wrong root1": {"root1": SOME_HASH},
        "wrong root2": {"root2": SOME_HASH},
        "swapped roots": {"root1": root2, "root2": root1},
        "empty proof": {"proof": []},
        "trailing garbage": {"proof": [*proof, b""]},
        "trailing root1": {"proof": [*proof, root1]},
        "trailing root2": {"proof": [*proof, root2]},
        "preceding garbage": {"proof": [b"", *proof]},
        "preceding root1": {"proof": [root1, *proof]},
        "preceding root2": {"proof": [root2, *proof]},
        "preceding proof[0]": {"proof": [proof[0], *proof]},
        "truncated proof": {"proof": proof[:-1]},
    }
    for n in range(len(proof)):
        probes[f"bit flipped in proof[{n}]"] = {
            "proof": [flip(h, bit=16) if i == n else h for i, h in enumerate(proof)]
        }
    return {name: {**base, **change} for name, change in probes.items()}


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_every_corruption_of_a_published_consistency_proof_is_refused(size1, size2, proof):
    probes = consistency_corruptions(size1, size2, ROOTS[size1 - 1], ROOTS[size2 - 1], hexes(proof))
    accepted = [name for name, probe in probes.items() if verify_consistency(**probe)]
    assert accepted == []


def test_the_cases_rfc_9162_leaves_out_of_consistency_are_decided_strictly():
    root = ROOTS[4]
    assert verify_consistency(size1=0, size2=5, root1=EMPTY_ROOT, root2=root, proof=[])
    assert verify_consistency(size1=5, size2=5, root1=root, root2=root, proof=[])
    assert not verify_consistency(size1=0, size2=5, root1=SOME_HASH, root2=root, proof=[])
    assert not verify_consistency(size1=5, size2=5, root1=root, root2=SOME_HASH, proof=[])
    assert not verify_consistency(size1=5, size2=5, root1=root, root2=root, proof=[root])
    assert not verify_consistency(size1=6, size2=5, root1=root, root2=root, proof=[])
    assert not verify_consistency(size1=True, size2=5, root1=root, root2=root, proof=[root])


def tree_store(leaves: list[bytes]) -> MemoryNodeStore:
    store = MemoryNodeStore()
    hashes = [leaf_hash(data) for data in leaves]
    store.put_many(nodes_to_add(old_size=0, new_leaf_hashes=hashes, store=store))
    return store


def test_two_roots_that_rewrite_history_fail_the_consistency_check():
    honest = [f"record {n}".encode() for n in range(12)]
    rewritten = [*honest[:3], b"record 3, edited", *honest[4:]]
    old_root = root_hash(tree_size=7, store=tree_store(honest[:7]))
    new_store = tree_store(rewritten)
    new_root = root_hash(tree_size=12, store=new_store)
    # The best the log can offer is an honest proof over the rewritten tree.
    proof = consistency_proof(size1=7, size2=12, store=new_store)
    assert not verify_consistency(size1=7, size2=12, root1=old_root, root2=new_root, proof=proof)
    with pytest.raises(VerificationError, match="older root"):
        verifier.check_consistency(size1=7, size2=12, root1=old_root, root2=new_root, proof=proof)


# Encodings.


def test_base64url_round_trips_without_padding_and_refuses_any_other_spelling():
    for length in range(0, 40):
        data = bytes(range(256))[:length]
        assert b64url_decode(b64url_encode(data)) == data
        assert "=" not in b64url_encode(data)
    for bad in ("AQ==", "A", "AQ+/", "AQ\n", "AR", " AQ", "A Q"):
        with pytest.raises(VerificationError):
            b64url_decode(bad)


def test_standard_base64_refuses_urlsafe_letters_missing_padding_and_junk():
    assert verifier.b64_decode(b64_encode(b"\xfb\xff")) == b"\xfb\xff"
    for bad in ("-_8=", "+/8", "+/8=\n", "+/9=", "????"):
        with pytest.raises(VerificationError):
            verifier.b64_decode(bad)


# Keys and JWS.


def test_the_thumbprint_of_the_rfc_8037_key_is_the_published_one():
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}
    assert jwk_thumbprint(jwk) == RFC8037_THUMBPRINT


def test_signing_with_the_rfc_8037_key_reproduces_its_published_signature_and_jwk():
    key = Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC8037_D))
    signing_input, _, signature = RFC8037_JWS.rpartition(".")
    assert b64url_encode(key.sign(signing_input.encode())) == signature
    assert jwk_of(key.public_key()) == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": RFC8037_X,
        "kid": RFC8037_THUMBPRINT,
        "use": "sig",
        "alg": "EdDSA",
    }


def test_the_rfc_8037_token_is_refused_for_lacking_a_kid():
    jwks = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}]}
    load_jwks(jwks)[RFC8037_THUMBPRINT].verify(
        b64url_decode(RFC8037_JWS.split(".")[2]), RFC8037_JWS.rpartition(".")[0].encode()
    )
    with pytest.raises(VerificationError, match="alg and kid"):
        jws_verify(RFC8037_JWS, jwks)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture(scope="module")
def jwks(key) -> dict:
    return jwks_of([key.public_key()])


def test_a_signed_payload_verifies_and_comes_back_unchanged(key, jwks):
    payload = {"receipt": "r-1", "leaf_hashes": [b64_encode(leaf_hash(b"x"))], "n": 1}
    token = jws_sign(payload, key, kid_of(key.public_key()))
    assert jws_verify(token, jwks) == payload
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": kid_of(key.public_key())}


def test_a_private_key_survives_pem_with_and_without_a_password(key):
    again = load_private_key(private_key_pem(key))
    locked = load_private_key(private_key_pem(key, b"pass phrase"), b"pass phrase")
    assert jwk_of(again.public_key()) == jwk_of(locked.public_key()) == jwk_of(key.public_key())


def test_a_pem_of_another_key_type_is_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(TypeError):
        load_private_key(pem)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda jwk: {**jwk, "d": "AAAA"}, "private part"),
        (lambda jwk: {**jwk, "kid": "my-key-1"}, "thumbprint"),
        (lambda jwk: {**jwk, "kty": "RSA"}, "Ed25519"),
        (lambda jwk: {**jwk, "crv": "Ed448"}, "Ed25519"),
        (lambda jwk: {**jwk, "use": "enc"}, "EdDSA"),
        (lambda jwk: {**jwk, "alg": "HS256"}, "EdDSA"),
        (lambda jwk: {**jwk, "x": jwk["x"][:-2]}, "x"),
        (lambda jwk: {**jwk, "x": jwk["x"] + "="}, "x"),
    ],
)
def test_a_key_set_with_a_doubtful_key_is_refused_whole(key, change, reason):
    good = jwk_of(key.public_key())
    with pytest.raises(VerificationError, match=reason):
        load_jwks({"keys": [good, change(good)]})


@pytest.mark.parametrize("key_set", [{}, {"keys": []}, {"keys": {}}, [], "keys"])
def test_a_malformed_or_empty_key_set_is_refused(key_set):
    with pytest.raises(VerificationError):
        load_jwks(key_set)


def forge(header: dict, payload: dict, signature: bytes) -> str:
    parts = (verifier.canonical_json(header), verifier.canonical_json(payload), signature)
    return ".".join(b64url_encode(part) for part in parts)


def head_token(key, *, tree_size=10, root=None, log=LOG, timestamp=NOW) -> str:
    return head_sign(
        log=log,
        tree_size=tree_size,
        root_hash=SOME_HASH if root is None else root,
        timestamp=timestamp,
        private_key=key,
        kid=kid_of(key.public_key()),
    )


def test_a_signed_tree_head_verifies_with_its_timestamp_kept_to_the_millisecond(key, jwks):
    head = head_verify(head_token(key), jwks)
    assert head == TreeHead(
        log=LOG,
        tree_size=10,
        root_hash=SOME_HASH,
        timestamp=datetime(2025, 5, 1, 12, 0, 0, 123000, tzinfo=UTC),
        kid=kid_of(key.public_key()),
    )
    payload = json.loads(b64url_decode(head_token(key).split(".")[1]))
    assert payload == {
        "log": LOG,
        "root_hash": b64_encode(SOME_HASH),
        "timestamp": "2025-05-01T12:00:00.123Z",
        "tree_size": 10,
    }


def forged_heads(key, jwks):
    """Tokens an attacker could make from a genuine head and the public key set."""
    genuine = head_token(key)
    header_part, payload_part, signature_part = genuine.split(".")
    header = json.loads(b64url_decode(header_part))
    payload = json.loads(b64url_decode(payload_part))
    signature = b64url_decode(signature_part)
    other = generate_private_key()
    public_x = b64url_decode(jwks["keys"][0]["x"])
    hs256_input = f"{b64url_encode(verifier.canonical_json({**header, 'alg': 'HS256'}))}."
    hs256_input += b64url_encode(verifier.canonical_json(payload))
    hs256 = hmac.new(public_x, hs256_input.encode(), hashlib.sha256).digest()
    return {
        "signed by another key, under the trusted kid": forge(
            header, payload, other.sign(f"{header_part}.{payload_part}".encode())
        ),
        "signed by another key, under its own kid": head_token(other),
        "alg none": forge({**header, "alg": "none"}, payload, b""),
        "alg none, no signature part": f"{forge({**header, 'alg': 'none'}, payload, b'')[:-1]}",
        "HS256 keyed with the public key": f"{hs256_input}.{b64url_encode(hs256)}",
        "tree size changed": forge(header, {**payload, "tree_size": 11}, signature),
        "root changed": forge(
            header, {**payload, "root_hash": b64_encode(flip(SOME_HASH))}, signature
        ),
        "signature bit flipped": forge(header, payload, flip(signature, 5, 1)),
        "signature truncated": forge(header, payload, signature[:-1]),
        "crit header": forge({**header, "crit": ["exp"]}, payload, signature),
        "jwk header": forge({**header, "jwk": jwk_of(other.public_key())}, payload, signature),
        "four parts": f"{genuine}.",
        "two parts": f"{header_part}.{payload_part}",
        "padded signature": f"{genuine}==",
        "not text": genuine.encode(),
    }


def test_no_forged_tree_head_verifies(key, jwks):
    accepted = []
    for name, token in forged_heads(key, jwks).items():
        try:
            head_verify(token, jwks)
        except VerificationError:
            continue
        accepted.append(name)
    assert accepted == []


def test_forged_heads_are_refused_with_a_reason_a_person_can_act_on(key, jwks):
    forged = forged_heads(key, jwks)
    reasons = {
        "signed by another key, under the trusted kid": "bad signature",
        "signed by another key, under its own kid": "unknown kid",
        "alg none": "alg 'none' is refused",
        "HS256 keyed with the public key": "alg 'HS256' is refused",
        "tree size changed": "bad signature",
        "crit header": "may hold typ only",
    }
    for name, reason in reasons.items():
        with pytest.raises(VerificationError, match=reason):
            head_verify(forged[name], jwks)


def test_a_receipt_token_is_not_a_tree_head_even_with_a_head_payload(key, jwks):
    payload = verifier.head_payload(log=LOG, tree_size=1, root_hash=SOME_HASH, timestamp=NOW)
    token = jws_sign(payload, key, kid_of(key.public_key()))
    with pytest.raises(VerificationError, match="typ"):
        head_verify(token, jwks)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"extra": 1}, "exactly"),
        ({"tree_size": None}, "tree_size"),
        ({"tree_size": -1}, "tree_size"),
        ({"tree_size": True}, "tree_size"),
        ({"tree_size": 1.0}, "tree_size"),
        ({"tree_size": "10"}, "tree_size"),
        ({"tree_size": 2**64}, "tree_size"),
        ({"log": ""}, "log"),
        ({"log": 7}, "log"),
        ({"root_hash": b64_encode(SOME_HASH[:31])}, "32 bytes"),
        ({"root_hash": b64url_encode(b"\xfb" * 32)}, "root_hash"),
        ({"root_hash": SOME_HASH.hex()}, "root_hash"),
        ({"timestamp": "2025-05-01T12:00:00Z"}, "milliseconds"),
        ({"timestamp": "2025-05-01T12:00:00.123+00:00"}, "milliseconds"),
        ({"timestamp": "2025-02-30T12:00:00.123Z"}, "real date"),
        ({"timestamp": 1746100800123}, "timestamp"),
        ({"tree_size": 0}, "empty tree"),
    ],
)
def test_a_well_signed_head_with_a_malformed_payload_is_refused(key, jwks, change, reason):
    payload = {**verifier.head_payload(log=LOG, tree_size=3, root_hash=SOME_HASH, timestamp=NOW)}
    payload = {k: v for k, v in {**payload, **change}.items() if v is not None}
    token = jws_sign(payload, key, kid_of(key.public_key()), typ=verifier.HEAD_TYP)
    with pytest.raises(VerificationError, match=reason):
        head_verify(token, jwks)


def test_a_payload_naming_a_field_twice_is_refused(key, jwks):
    header = {"alg": "EdDSA", "kid": kid_of(key.public_key()), "typ": verifier.HEAD_TYP}
    encoded_header = b64url_encode(verifier.canonical_json(header))
    text = json.dumps(
        verifier.head_payload(log=LOG, tree_size=3, root_hash=SOME_HASH, timestamp=NOW)
    )
    encoded_payload = b64url_encode((text[:-1] + ', "tree_size": 99}').encode())
    signature = key.sign(f"{encoded_header}.{encoded_payload}".encode())
    with pytest.raises(VerificationError, match="twice"):
        head_verify(f"{encoded_header}.{encoded_payload}.{b64url_encode(signature)}", jwks)


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(VERIFIER.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import would break the standalone script"
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


# The command line, run as the person would: a copy of the file, Python in isolated mode, no
# environment, in a folder with nothing but the downloaded files.


def run_verifier(folder: Path, *args: str, block_django: bool = False):
    shutil.copy(VERIFIER, folder / "verifier.py")
    if block_django:
        # A None entry in sys.modules makes any `import django` fail.
        code = (
            "import runpy, sys; sys.modules['django'] = None; "
            f"sys.argv = ['verifier.py', *{list(args)!r}]; "
            "runpy.run_path('verifier.py', run_name='__main__')"
        )
        command = [sys.executable, "-I", "-c", code]
    else:
        command = [sys.executable, "-I", "verifier.py", *args]
    result = subprocess.run(
        command, cwd=folder, env={}, capture_output=True, text=True, timeout=60, check=False
    )
    return result.returncode, result.stdout.splitlines()


LOG_RECORDS = [
    verifier.canonical_json({"seq": n, "purpose": "processing", "decision": "granted"})
    for n in range(10)
]


def write_bundle(folder: Path, key, *, records=(3, 7), size=10, change=None) -> Path:
    """Write keys.json and bundle.json for a receipt covering log records `records`."""
    store = tree_store(LOG_RECORDS[:size])
    kid = kid_of(key.public_key())
    receipt = {
        "receipt_id": "0b5c1f0e-6a55-4f4e-9a38-5e2b8c1d2f3a",
        "leaf_hashes": [b64_encode(leaf_hash(LOG_RECORDS[n])) for n in records],
    }
    bundle = {
        "format": verifier.BUNDLE_FORMAT,
        "receipt": jws_sign(receipt, key, kid),
        "head": head_token(key, tree_size=size, root=root_hash(tree_size=size, store=store)),
        "records": [
            {
                "index": n,
                "proof": [
                    b64_encode(h) for h in inclusion_proof(index=n, tree_size=size, store=store)
                ],
            }
            for n in records
        ],
    }
    # One record proven by its data, the other by its leaf hash.
    bundle["records"][0]["leaf"] = b64_encode(LOG_RECORDS[records[0]])
    for record, n in zip(bundle["records"][1:], records[1:], strict=True):
        record["leaf_hash"] = b64_encode(leaf_hash(LOG_RECORDS[n]))
    if change:
        change(bundle)
    (folder / "keys.json").write_text(json.dumps(jwks_of([key.public_key()])))
    path = folder / "bundle.json"
    path.write_text(json.dumps(bundle, indent=2))
    return path


def test_the_cli_verifies_a_receipt_bundle_offline_without_django(tmp_path, key):
    write_bundle(tmp_path, key)
    code, lines = run_verifier(tmp_path, "receipt", "bundle.json", "--keys", "keys.json")
    assert code == 0, lines
    assert all(line.startswith("OK ") for line in lines)
    kid = kid_of(key.public_key())
    assert lines[0] == f"OK key set keys.json: 1 Ed25519 key(s): {kid}"
    assert lines[1] == f"OK receipt: signature valid, key {kid}"
    assert lines[2].startswith(f"OK tree head: log '{LOG}', tree size 10, root ")
    assert lines[3:] == [
        "OK record 0: leaf 3 is in the tree of size 10",
        "OK record 0: the receipt names this leaf",
        "OK record 1: leaf 7 is in the tree of size 10",
        "OK record 1: the receipt names this leaf",
    ]


def test_the_cli_runs_where_django_cannot_even_be_imported(tmp_path, key):
    write_bundle(tmp_path, key)
    code, lines = run_verifier(
        tmp_path, "receipt", "bundle.json", "--keys", "keys.json", block_django=True
    )
    assert code == 0, lines


def change_leaf_byte(bundle):
    data = bytearray(base64.b64decode(bundle["records"][0]["leaf"]))
    data[10] ^= 1
    bundle["records"][0]["leaf"] = b64_encode(bytes(data))


def change_receipt_byte(bundle):
    header, payload, signature = bundle["receipt"].split(".")
    data = bytearray(b64url_decode(payload))
    data[data.index(b"0b5c")] ^= 1
    bundle["receipt"] = f"{header}.{b64url_encode(bytes(data))}.{signature}"


def change_index(bundle):
    bundle["records"][1]["index"] = 6


def truncate_proof(bundle):
    bundle["records"][1]["proof"].pop()


def change_head_byte(bundle):
    header, payload, signature = bundle["head"].split(".")
    data = bytearray(b64url_decode(payload))
    data[data.index(b'"tree_size":10') + len('"tree_size":1')] = ord("1")
    bundle["head"] = f"{header}.{b64url_encode(bytes(data))}.{signature}"


@pytest.mark.parametrize(
    ("change", "fail_line"),
    [
        (change_leaf_byte, "FAIL record 0: the proof does not lead to the signed root"),
        (
            change_receipt_byte,
            "FAIL receipt: bad signature: the token was altered or signed by another key",
        ),
        (change_index, "FAIL record 1: the proof does not lead to the signed root"),
        (
            truncate_proof,
            "FAIL record 1: the proof has fewer hashes than a tree of this size needs",
        ),
        (
            change_head_byte,
            "FAIL tree head: bad signature: the token was altered or signed by another key",
        ),
    ],
)
def test_the_cli_fails_a_tampered_bundle_with_the_reason(tmp_path, key, change, fail_line):
    write_bundle(tmp_path, key, change=change)
    code, lines = run_verifier(tmp_path, "receipt", "bundle.json", "--keys", "keys.json")
    assert code == 1
    assert fail_line in lines


def test_the_cli_fails_a_proof_for_a_leaf_the_receipt_does_not_name(tmp_path, key, capsys):
    def prove_another_record(bundle):
        bundle["records"][1]["index"] = 8
        bundle["records"][1]["leaf_hash"] = b64_encode(leaf_hash(LOG_RECORDS[8]))
        store = tree_store(LOG_RECORDS)
        proof = inclusion_proof(index=8, tree_size=10, store=store)
        bundle["records"][1]["proof"] = [b64_encode(h) for h in proof]

    path = write_bundle(tmp_path, key, change=prove_another_record)
    assert main(["receipt", str(path), "--keys", str(tmp_path / "keys.json")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "OK record 1: leaf 8 is in the tree of size 10" in lines
    assert "FAIL record 1: the receipt does not name this leaf" in lines


def test_the_cli_takes_the_key_set_file_the_bundle_names_but_never_a_url(tmp_path, key, capsys):
    path = write_bundle(tmp_path, key, change=lambda bundle: bundle.update(keys="keys.json"))
    assert main(["receipt", str(path)]) == 0
    path = write_bundle(
        tmp_path, key, change=lambda bundle: bundle.update(keys="https://example.com/keys")
    )
    assert main(["receipt", str(path)]) == 1
    assert "nothing is downloaded" in capsys.readouterr().out


def test_the_cli_checks_a_head_given_as_a_file_or_as_the_token(tmp_path, key, capsys):
    write_bundle(tmp_path, key)
    token = head_token(key)
    (tmp_path / "head.jws").write_text(token + "\n")
    keys = str(tmp_path / "keys.json")
    assert main(["head", str(tmp_path / "head.jws"), "--keys", keys]) == 0
    assert main(["head", token, "--keys", keys]) == 0
    assert main(["head", token[:-3] + "AAA", "--keys", keys]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("FAIL tree head: bad signature")


def consistency_files(folder: Path, key, *, new_leaves: list[bytes]):
    old_store = tree_store(LOG_RECORDS[:6])
    new_store = tree_store(new_leaves)
    size2 = len(new_leaves)
    (folder / "old.jws").write_text(
        head_token(key, tree_size=6, root=root_hash(tree_size=6, store=old_store))
    )
    (folder / "new.jws").write_text(
        head_token(key, tree_size=size2, root=root_hash(tree_size=size2, store=new_store))
    )
    proof = consistency_proof(size1=6, size2=size2, store=new_store)
    document = {"size1": 6, "size2": size2, "proof": [b64_encode(h) for h in proof]}
    (folder / "proof.json").write_text(json.dumps(document))
    (folder / "keys.json").write_text(json.dumps(jwks_of([key.public_key()])))


def test_the_cli_accepts_two_heads_of_a_log_that_only_grew(tmp_path, key):
    consistency_files(tmp_path, key, new_leaves=[*LOG_RECORDS, b"record 10", b"record 11"])
    code, lines = run_verifier(
        tmp_path, "consistency", "old.jws", "new.jws", "proof.json", "--keys", "keys.json"
    )
    assert code == 0, lines
    assert lines[-1] == "OK consistency: the tree of size 6 is a prefix of size 12"


def test_the_cli_fails_two_heads_whose_roots_rewrite_history(tmp_path, key):
    rewritten = [*LOG_RECORDS[:2], b"record 2, withdrawn quietly", *LOG_RECORDS[3:]]
    consistency_files(tmp_path, key, new_leaves=rewritten)
    code, lines = run_verifier(
        tmp_path, "consistency", "old.jws", "new.jws", "proof.json", "--keys", "keys.json"
    )
    assert code == 1
    assert lines[-1] == "FAIL consistency: the proof does not lead to the older root"


def test_the_cli_fails_usage_errors_with_exit_code_1(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["nonsense"])
    assert stopped.value.code == 1
    assert main(["receipt", str(tmp_path / "missing.json")]) == 1
    assert "FAIL bundle: cannot read bundle" in capsys.readouterr().out
