"""The audit log: RFC 6962 hashing against the Certificate Transparency reference vectors, proofs served
from the store, and tamper evidence: any update, deletion, insertion or swap of stored rows is found."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from xinyong.security import merkle
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.store.tables import audit_entry, audit_head, audit_node, audit_prune

# RFC 6962 reference data, as used by the Certificate Transparency implementations.
CT_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
}
CT_CONSISTENCY = {
    (1, 8): CT_INCLUSION[(0, 8)],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
LEAVES = [merkle.leaf_hash(bytes.fromhex(h)) for h in CT_LEAVES]


def test_roots_match_rfc6962_reference() -> None:
    for size, expected in enumerate(CT_ROOTS):
        assert merkle.root(merkle.LeafList(LEAVES), size).hex() == expected
        frontier = merkle.Frontier()
        for leaf in LEAVES[:size]:
            frontier.append(leaf)
        assert frontier.root().hex() == expected


def test_proofs_match_rfc6962_reference() -> None:
    source = merkle.LeafList(LEAVES)
    for (index, size), expected in CT_INCLUSION.items():
        proof = merkle.inclusion_proof(source, index, size)
        assert [p.hex() for p in proof] == expected
        assert merkle.verify_inclusion(index, size, LEAVES[index], proof, bytes.fromhex(CT_ROOTS[size]))
    for (old, new), expected in CT_CONSISTENCY.items():
        proof = merkle.consistency_proof(source, old, new)
        assert [p.hex() for p in proof] == expected
        roots = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
        assert merkle.verify_consistency(old, new, *roots, proof)


@given(st.integers(1, 70), st.data())
def test_every_proof_verifies_and_no_altered_one_does(size: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    source = merkle.LeafList(leaves)
    root = merkle.root(source, size)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(source, index, size)
    assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"forged"), proof, root)
    if size > 1:
        assert not merkle.verify_inclusion((index + 1) % size, size, leaves[index], proof, root)
    old = data.draw(st.integers(1, size))
    consistency = merkle.consistency_proof(source, old, size)
    old_root = merkle.root(source, old)
    assert merkle.verify_consistency(old, size, old_root, root, consistency)
    assert not merkle.verify_consistency(old, size, merkle.leaf_hash(b"other"), root, consistency)


ALICE = Principal("account", "alice", "department_officer", department_code="11330000002482129Y")


def _fill(platform, count: int) -> None:
    for i in range(count):
        audit.record(platform, ALICE, "batch.upload", f"batch:{i}", detail={"rows": i, "名称": "测试"})


def test_appended_entries_verify_and_prove(platform) -> None:
    _fill(platform, 13)
    checkpoint = audit.checkpoint(platform)
    assert checkpoint["tree_size"] == 13
    report = audit.verify(platform)
    assert report.ok, report.problems
    assert report.entries == 13 and report.checkpoints_verified >= 1 and report.unsigned_tail == 0
    published = audit.published_checkpoints(platform)
    root = bytes.fromhex(published["checkpoints"][0]["root_hash"])
    for seq in range(13):
        proof = audit.inclusion(platform, seq, tree_size=13)
        assert merkle.verify_inclusion(
            seq, 13, bytes.fromhex(proof["leaf_hash"]), [bytes.fromhex(p) for p in proof["proof"]], root
        )
    first = audit.published_checkpoints(platform)["checkpoints"][-1]  # signed on the first append
    consistency = audit.consistency(platform, first["tree_size"], 13)
    assert merkle.verify_consistency(
        first["tree_size"],
        13,
        bytes.fromhex(first["root_hash"]),
        root,
        [bytes.fromhex(p) for p in consistency["proof"]],
    )
    found = audit.search(
        platform,
        actor="account:alice",
        action="batch.",
        limit=5,
    )
    assert [e["seq"] for e in found] == [12, 11, 10, 9, 8] and found[0]["detail"]["名称"] == "测试"


def _rehash_everything(conn) -> None:
    """What a capable attacker does after editing rows: recompute every leaf, subtree hash and the head,
    so that only the signed checkpoints can give the change away."""
    rows = [dict(r) for r in conn.execute(select(audit_entry).order_by(audit_entry.c.seq)).mappings()]
    conn.execute(delete(audit_node))
    conn.execute(delete(audit_entry))
    frontier = merkle.Frontier()
    for seq, row in enumerate(rows):
        row["seq"] = seq
        leaf = merkle.leaf_hash(audit.leaf_data(row))
        row["leaf_hash"] = leaf.hex()
        conn.execute(insert(audit_entry).values(**row))
        for height, index, value in frontier.append(leaf):
            conn.execute(insert(audit_node).values(height=height, idx=index, hash=value.hex()))
    conn.execute(update(audit_head).values(tree_size=len(rows)))


def _update(conn) -> None:
    conn.execute(update(audit_entry).where(audit_entry.c.seq == 4).values(outcome="denied"))


def _delete(conn) -> None:
    conn.execute(delete(audit_entry).where(audit_entry.c.seq == 6))


def _insert(conn) -> None:
    row = dict(conn.execute(select(audit_entry).where(audit_entry.c.seq == 2)).mappings().one())
    conn.execute(update(audit_entry).where(audit_entry.c.seq >= 3).values(seq=audit_entry.c.seq + 100))
    conn.execute(insert(audit_entry).values(**{**row, "seq": 3, "target": "batch:forged"}))
    conn.execute(update(audit_entry).where(audit_entry.c.seq >= 103).values(seq=audit_entry.c.seq - 99))


def _swap(conn) -> None:
    conn.execute(update(audit_entry).where(audit_entry.c.seq == 1).values(seq=-1))
    conn.execute(update(audit_entry).where(audit_entry.c.seq == 2).values(seq=1))
    conn.execute(update(audit_entry).where(audit_entry.c.seq == -1).values(seq=2))


@pytest.mark.parametrize("tamper", [_update, _delete, _insert, _swap])
@pytest.mark.parametrize("cover_tracks", [False, True], ids=["raw", "rehashed"])
def test_tampering_with_stored_rows_is_detected(platform, tamper, cover_tracks) -> None:
    _fill(platform, 10)
    audit.checkpoint(platform)
    assert audit.verify(platform).ok
    with platform.engine.begin() as conn:
        tamper(conn)
        if cover_tracks:
            _rehash_everything(conn)
    report = audit.verify(platform)
    assert not report.ok
    if cover_tracks:
        assert any("history was changed" in p or "covers entries that are gone" in p for p in report.problems)


def test_a_checkpoint_signed_by_another_key_is_refused(platform, tmp_path) -> None:
    _fill(platform, 3)
    audit.checkpoint(platform)
    platform.settings.audit_key_path = tmp_path / "other.pem"
    del platform.settings.resolved_audit_key_path
    del platform.signer
    report = audit.verify(platform)
    assert not report.ok and "not signed by this platform's key" in report.problems[0]


def test_auditing_off_appends_nothing(platform) -> None:
    platform.settings.audit_enabled = False
    audit.record(platform, ALICE, "batch.upload", "batch:1")
    assert audit.verify(platform).entries == 0


def test_concurrent_appends_from_two_processes_stay_one_contiguous_tree(platform) -> None:
    """Threads of two platform instances on one store (as two server processes would be): every entry
    lands once, indexes are contiguous and the tree verifies."""
    from concurrent.futures import ThreadPoolExecutor

    from xinyong.services.platform import Platform

    other = Platform(platform.settings, platform.engine)

    def append(worker: int) -> None:
        target = platform if worker % 2 else other
        for i in range(25):
            audit.record(target, ALICE, "shared.read", f"w{worker}:{i}", wait=i % 5 == 0)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(append, range(6)))
    audit.flush(other)
    audit.checkpoint(platform)
    report = audit.verify(platform)
    assert report.ok, report.problems
    assert report.entries == 150
    targets = {
        e["target"]
        for e in audit.search(
            platform,
            action="shared.read",
            limit=500,
        )
    }
    assert len(targets) == 150


def test_prune_keeps_the_log_verifiable_and_is_itself_checked(platform) -> None:
    _fill(platform, 9)
    audit.checkpoint(platform)
    _fill(platform, 2)  # not yet under a checkpoint: never pruned
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=platform.settings.audit_retention_days + 1)
    result = audit.prune(platform, ALICE, now=later)
    assert result["pruned"] == 9 and result["before_seq"] == 9
    audit.checkpoint(platform)
    report = audit.verify(platform)
    assert report.ok, report.problems
    left = audit.search(
        platform,
        actor="account:alice",
        action="batch.",
        limit=50,
    )
    assert sorted(e["seq"] for e in left) == [9, 10]
    assert audit.prune(platform, ALICE, now=dt.datetime.now(dt.UTC))["pruned"] == 0  # nothing old enough
    with platform.engine.begin() as conn:  # hide a change by calling the entry pruned
        conn.execute(
            update(audit_entry).where(audit_entry.c.seq == 10).values(outcome="pruned", action="pruned")
        )
        conn.execute(update(audit_prune).values(before_seq=11))  # and move the boundary over it
    problems = audit.verify(platform).problems
    assert any("without an audit.prune entry" in p for p in problems)
