"""SQL of the audit log: append a leaf with the subtree hashes it completes, read subtrees for proofs,
checkpoints, and the streams ``verify`` reads. Nothing here updates or deletes an entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, func, insert, select, update

from xinyong.security.merkle import node_hash
from xinyong.store.tables import audit_checkpoint, audit_entry, audit_head, audit_node


def reserve_seq(conn: Connection) -> int:
    """The next leaf index. Updating the head row first takes the write lock on both engines, so concurrent
    appends are serialized and indexes stay contiguous."""
    size = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(tree_size=audit_head.c.tree_size + 1)
        .returning(audit_head.c.tree_size)
    ).scalar_one()
    return size - 1


def append_entry(conn: Connection, entry: dict[str, Any], leaf: bytes) -> None:
    """Insert the leaf and every subtree hash it completes (one per trailing 1-bit of its index)."""
    seq = entry["seq"]
    conn.execute(insert(audit_entry).values(**entry, leaf_hash=leaf.hex()))
    height, index, value = 0, seq, leaf
    nodes = []
    while index & 1:
        value = node_hash(subtree_hash(conn, height, index - 1), value)
        height += 1
        index >>= 1
        nodes.append({"height": height, "idx": index, "hash": value.hex()})
    if nodes:
        conn.execute(insert(audit_node), nodes)


def subtree_hash(conn: Connection, height: int, index: int) -> bytes:
    if height == 0:
        value = conn.execute(select(audit_entry.c.leaf_hash).where(audit_entry.c.seq == index)).scalar_one()
    else:
        value = conn.execute(
            select(audit_node.c.hash).where(and_(audit_node.c.height == height, audit_node.c.idx == index))
        ).scalar_one()
    return bytes.fromhex(value)


class StoredSubtrees:
    """``merkle.SubtreeSource`` over the stored subtree hashes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def subtree(self, start: int, size: int) -> bytes:
        height = size.bit_length() - 1
        return subtree_hash(self.conn, height, start >> height)


def tree_size(conn: Connection) -> int:
    return conn.execute(select(audit_head.c.tree_size).where(audit_head.c.id == 1)).scalar_one()


def entry(conn: Connection, seq: int) -> RowMapping | None:
    return conn.execute(select(audit_entry).where(audit_entry.c.seq == seq)).mappings().first()


def insert_checkpoint(conn: Connection, checkpoint: dict[str, Any]) -> None:
    conn.execute(insert(audit_checkpoint).values(**checkpoint))


def latest_checkpoint(conn: Connection) -> RowMapping | None:
    return (
        conn.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.tree_size.desc()).limit(1))
        .mappings()
        .first()
    )


def checkpoint_covering(conn: Connection, size: int) -> RowMapping | None:
    """The oldest checkpoint whose tree holds at least ``size`` leaves."""
    return (
        conn.execute(
            select(audit_checkpoint)
            .where(audit_checkpoint.c.tree_size >= size)
            .order_by(audit_checkpoint.c.tree_size)
            .limit(1)
        )
        .mappings()
        .first()
    )


def checkpoints(conn: Connection, limit: int | None = None) -> list[RowMapping]:
    query = select(audit_checkpoint).order_by(audit_checkpoint.c.tree_size.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).mappings())


def stream_entries(conn: Connection) -> Iterator[RowMapping]:
    result = conn.execution_options(yield_per=5000).execute(select(audit_entry).order_by(audit_entry.c.seq))
    yield from result.mappings()


def stream_nodes(conn: Connection) -> Iterator[RowMapping]:
    result = conn.execution_options(yield_per=5000).execute(
        select(audit_node).order_by(audit_node.c.height, audit_node.c.idx)
    )
    yield from result.mappings()


def count_nodes(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(audit_node)).scalar_one()


def search_entries(
    conn: Connection,
    *,
    actor: str | None,
    action: str | None,
    target: str | None,
    since: str | None,
    until: str | None,
    offset: int,
    limit: int,
) -> list[RowMapping]:
    conditions = []
    if actor:
        conditions.append(audit_entry.c.actor == actor)
    if action:
        conditions.append(audit_entry.c.action.startswith(action, autoescape=True))
    if target:
        conditions.append(audit_entry.c.target == target)
    if since:
        conditions.append(audit_entry.c.recorded_at >= since)
    if until:
        conditions.append(audit_entry.c.recorded_at < until)
    query = (
        select(audit_entry)
        .where(and_(True, *conditions))
        .order_by(audit_entry.c.seq.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(conn.execute(query).mappings())
