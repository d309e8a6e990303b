"""SQL of the audit log: append a leaf with the subtree hashes it completes, read subtrees for proofs,
checkpoints, and the streams ``verify`` reads. Nothing here updates or deletes an entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, func, insert, select, update

from xinyong.store.tables import audit_checkpoint, audit_entry, audit_head, audit_node, audit_prune

# Built once: an append is four statements, and building constructs would cost more than running them.
_RESERVE = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(tree_size=audit_head.c.tree_size + bindparam("count"))
    .returning(audit_head.c.tree_size, audit_head.c.frontier)
)
_INSERT_ENTRY = insert(audit_entry)
_INSERT_NODES = insert(audit_node)
_SET_FRONTIER = update(audit_head).where(audit_head.c.id == 1).values(frontier=bindparam("new_frontier"))


def reserve_leaves(conn: Connection, count: int) -> tuple[int, list[bytes]]:
    """The index of the first of ``count`` new leaves and the tree's right edge before them. Updating the
    head row first takes the write lock on both engines, so appends from several processes are serialized
    and indexes stay contiguous."""
    size, frontier = conn.execute(_RESERVE, {"count": count}).one()
    return size - count, [bytes.fromhex(frontier[i : i + 64]) for i in range(0, len(frontier), 64)]


def append_leaves(
    conn: Connection,
    entries: list[dict[str, Any]],
    completed: list[tuple[int, int, bytes]],
    frontier: list[bytes],
) -> None:
    """Store the entries (each with its ``leaf_hash``), the subtrees they complete and the new right edge."""
    conn.execute(_INSERT_ENTRY, entries)
    if completed:
        conn.execute(_INSERT_NODES, [{"height": h, "idx": i, "hash": v.hex()} for h, i, v in completed])
    conn.execute(_SET_FRONTIER, {"new_frontier": "".join(h.hex() for h in frontier)})


def head(conn: Connection) -> tuple[int, str]:
    return conn.execute(
        select(audit_head.c.tree_size, audit_head.c.frontier).where(audit_head.c.id == 1)
    ).one()


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


PRUNED = "pruned"


def last_seq_before(conn: Connection, moment: str) -> int:
    """One past the last entry recorded before ``moment``. Index order follows recording time to within one
    group's linger (50 ms), which a retention period in days does not notice."""
    last = conn.execute(
        select(func.max(audit_entry.c.seq)).where(audit_entry.c.recorded_at < moment)
    ).scalar()
    return 0 if last is None else last + 1


def prune_below(conn: Connection, before_seq: int, pruned_at: str, retention_days: int) -> int:
    """Empty the content of the entries below ``before_seq``, keeping index, time and leaf hash."""
    count = conn.execute(
        update(audit_entry)
        .where(and_(audit_entry.c.seq < before_seq, audit_entry.c.outcome != PRUNED))
        .values(actor="", role="", action=PRUNED, target="", outcome=PRUNED, detail="{}")
    ).rowcount
    conn.execute(
        insert(audit_prune).values(before_seq=before_seq, pruned_at=pruned_at, retention_days=retention_days)
    )
    return count


def pruned_below(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(audit_prune.c.before_seq), 0))).scalar_one()
