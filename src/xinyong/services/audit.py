"""The audit log (数据铁笼): every write, non-public read, check, denial and administrative action is a leaf
of an RFC 6962 Merkle tree; signed checkpoints fix its history; ``verify`` recomputes everything from the
entries and finds any modification, deletion, insertion or reordering of what a checkpoint covers.

A unit of work appends the entries of its change in its own transaction (``append_in``); other entries go
through one writer thread per process. The log is the one service that opens transactions of its own."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from xinyong.errors import InvalidInput, NotFound
from xinyong.security import merkle
from xinyong.security.principal import Principal
from xinyong.security.signing import Signer, checkpoint_message
from xinyong.services.platform import Platform
from xinyong.store import audit as store
from xinyong.store.db import read_snapshot

log = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # UTC, fixed width: sorts as text and hashes the same on every engine


def _now_text(platform: Platform) -> str:
    return platform.clock.now().astimezone(dt.UTC).strftime(TIME_FORMAT)


def canonical_detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def leaf_data(entry: dict[str, Any]) -> bytes:
    """The bytes a leaf hashes: every stored field of the entry, the index included (so moving an entry
    changes its hash)."""
    fields = {k: entry[k] for k in ("seq", "recorded_at", "actor", "role", "action", "target", "outcome")}
    fields["detail"] = entry["detail"]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def record(
    platform: Platform,
    principal: Principal,
    action: str,
    target: str = "",
    *,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    wait: bool = True,
) -> None:
    """Append one entry. With ``wait`` (writes, administrative actions, denials) the call returns once the
    entry is committed; reads of non-public data pass ``wait=False`` and the entry is committed with the next
    group, within milliseconds, in the order the calls were made."""
    if not platform.settings.audit_enabled:
        return
    _writer(platform).submit(new_entry(platform, principal, action, target, outcome, detail), wait)


def new_entry(
    platform: Platform,
    principal: Principal,
    action: str,
    target: str,
    outcome: str,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "recorded_at": _now_text(platform),
        "actor": principal.actor,
        "role": principal.role,
        "action": action,
        "target": target,
        "outcome": outcome,
        "detail": canonical_detail(detail),
    }


def append_in(platform: Platform, conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Append entries in the caller's transaction: they commit with the change they describe, or not at
    all. Call it last in the transaction: the log's head stays locked from here to the commit."""
    _writer(platform).append_in(conn, entries)


def flush(platform: Platform) -> None:
    """Wait until every entry submitted so far is committed."""
    if platform.audit_writer is not None:
        platform.audit_writer.submit(None, True)


_writers_lock = threading.Lock()


def _writer(platform: Platform) -> AuditWriter:
    with _writers_lock:
        if platform.audit_writer is None:
            platform.audit_writer = AuditWriter(platform)
        return platform.audit_writer


class AuditWriter:
    """Appends entries in groups from one thread per process: one transaction (and one commit flush) for
    all the entries that arrived while the previous group was written. The thread stops when idle and
    starts again on the next entry."""

    MAX_GROUP = 1000
    # Entries nobody waits for are held this long to share a transaction with those that follow: under a
    # stream of audited reads, one commit serves many of them.
    LINGER_SECONDS = 0.05

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.queue: queue.SimpleQueue[tuple[dict[str, Any] | None, Future[None] | None]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.hurry = threading.Event()  # set when somebody waits: ends the linger
        self.thread: threading.Thread | None = None
        self.next_checkpoint: float | None = None  # monotonic time of the next automatic checkpoint
        atexit.register(flush, platform)

    def submit(self, entry: dict[str, Any] | None, wait: bool) -> None:
        done: Future[None] | None = Future() if wait else None
        self.queue.put((entry, done))
        if done is not None:
            self.hurry.set()
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self.thread.start()
        if done is not None:
            done.result()

    def _run(self) -> None:
        while True:
            try:
                group = [self.queue.get(timeout=1.0)]
            except queue.Empty:
                with self.lock:
                    if self.queue.empty():
                        self.thread = None
                        return
                continue
            self._gather(group)
            waiting = [done for _, done in group if done is not None]
            try:
                self._append([entry for entry, _ in group if entry is not None])
            except Exception as error:  # handed to every caller that waits
                log.exception("%d audit entries could not be appended", len(group))
                for done in waiting:
                    done.set_exception(error)
            else:
                for done in waiting:
                    done.set_result(None)

    def _gather(self, group: list[tuple[dict[str, Any] | None, Future[None] | None]]) -> None:
        """Add what is queued; linger for more first unless somebody is waiting. The linger is one sleep,
        not a wake-up per entry that arrives: under a stream of audited reads (a check is one) the callers
        pay a queue put each and no thread switch."""
        if all(done is None for _, done in group):
            self.hurry.wait(self.LINGER_SECONDS)
        self.hurry.clear()
        while len(group) < self.MAX_GROUP:
            try:
                group.append(self.queue.get_nowait())
            except queue.Empty:
                return

    def _append(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        with self.platform.engine.begin() as conn:
            self.append_in(conn, entries)

    def append_in(self, conn: Connection, entries: list[dict[str, Any]]) -> None:
        """Add the entries as the next leaves, in `conn`'s transaction; sign a checkpoint when one is due."""
        if not entries:
            return
        platform = self.platform
        start, edge = store.reserve_leaves(conn, len(entries))
        frontier = merkle.Frontier(start, edge)
        completed = []
        for seq, entry in enumerate(entries, start):
            entry["seq"] = seq
            leaf = merkle.leaf_hash(leaf_data(entry))
            entry["leaf_hash"] = leaf.hex()
            completed += frontier.append(leaf)
        store.append_leaves(conn, entries, completed, frontier.hashes)
        if time.monotonic() >= self._next_checkpoint(conn):
            _sign_checkpoint(platform, conn, frontier.size)
            self.next_checkpoint = time.monotonic() + platform.settings.audit_checkpoint_seconds

    def _next_checkpoint(self, conn: Connection) -> float:
        if self.next_checkpoint is None:
            latest = store.latest_checkpoint(conn)
            self.next_checkpoint = 0.0
            if latest is not None:
                signed_at = dt.datetime.strptime(latest["signed_at"], TIME_FORMAT).replace(tzinfo=dt.UTC)
                age = (self.platform.clock.now() - signed_at).total_seconds()
                self.next_checkpoint = (
                    time.monotonic() - age + self.platform.settings.audit_checkpoint_seconds
                )
        return self.next_checkpoint


def _sign_checkpoint(platform: Platform, conn: Connection, size: int) -> dict[str, Any]:
    root_hex = merkle.root(store.StoredSubtrees(conn), size).hex()
    signed_at = _now_text(platform)
    signer = platform.signer
    checkpoint = {
        "tree_size": size,
        "root_hash": root_hex,
        "signed_at": signed_at,
        "key_id": signer.key_id,
        "signature": signer.sign(checkpoint_message(size, root_hex, signed_at)),
    }
    store.insert_checkpoint(conn, checkpoint)
    return checkpoint


def checkpoint(platform: Platform) -> dict[str, Any]:
    """Sign the current tree now (``xinyong audit checkpoint``); the same checkpoint if nothing was added."""
    flush(platform)
    with platform.engine.begin() as conn:
        size = store.tree_size(conn)
        latest = store.latest_checkpoint(conn)
        if latest is not None and latest["tree_size"] == size:
            return dict(latest)
        if size == 0:
            raise InvalidInput(key="audit.log_empty")
        return _sign_checkpoint(platform, conn, size)


def published_checkpoints(platform: Platform, limit: int = 100) -> dict[str, Any]:
    flush(platform)
    signer = platform.signer
    with read_snapshot(platform.engine) as conn:
        rows = store.checkpoints(conn, limit)
        size = store.tree_size(conn)
    return {
        "algorithm": "Ed25519",
        "key_id": signer.key_id,
        "public_key": signer.public_key_hex,
        "signed_message": "xinyong audit checkpoint\\n{tree_size}\\n{root_hash}\\n{signed_at}\\n",
        "hashing": "RFC 6962: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)",
        "tree_size": size,
        "checkpoints": [dict(row) for row in rows],
    }


def inclusion(platform: Platform, seq: int, tree_size: int | None = None) -> dict[str, Any]:
    """The proof that entry ``seq`` is in the tree a checkpoint signed (by default the oldest one that
    covers it; the current, unsigned tree when none does yet)."""
    flush(platform)
    with read_snapshot(platform.engine) as conn:
        current = store.tree_size(conn)
        if not 0 <= seq < current:
            raise NotFound(key="audit.entry_not_found", params={"seq": seq, "size": current})
        signed = (
            store.checkpoint_covering(conn, seq + 1)
            if tree_size is None
            else store.checkpoint_covering(conn, tree_size)
        )
        if tree_size is None:
            tree_size = signed["tree_size"] if signed else current
        if not seq < tree_size <= current:
            raise InvalidInput(key="audit.tree_size_invalid", params={"seq": seq, "size": current})
        if signed is not None and signed["tree_size"] != tree_size:
            signed = None
        source = store.StoredSubtrees(conn)
        leaf = source.subtree(seq, 1)
        proof = merkle.inclusion_proof(source, seq, tree_size)
        root_hash = merkle.root(source, tree_size)
    return {
        "entry": seq,
        "leaf_hash": leaf.hex(),
        "tree_size": tree_size,
        "root_hash": root_hash.hex(),
        "proof": [p.hex() for p in proof],
        "checkpoint": dict(signed) if signed else None,
    }


def consistency(platform: Platform, old_size: int, new_size: int) -> dict[str, Any]:
    flush(platform)
    with read_snapshot(platform.engine) as conn:
        current = store.tree_size(conn)
        if not 0 < old_size <= new_size <= current:
            raise InvalidInput(key="audit.range_invalid", params={"size": current})
        source = store.StoredSubtrees(conn)
        proof = merkle.consistency_proof(source, old_size, new_size)
        old_root, new_root = merkle.root(source, old_size), merkle.root(source, new_size)
    return {
        "from": old_size,
        "to": new_size,
        "from_root": old_root.hex(),
        "to_root": new_root.hex(),
        "proof": [p.hex() for p in proof],
    }


def search(
    platform: Platform,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: str | None = None,
    until: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Entries, newest first; ``action`` matches a prefix (``batch.``), the others exactly."""
    flush(platform)
    with read_snapshot(platform.engine) as conn:
        rows = store.search_entries(
            conn,
            actor=actor,
            action=action,
            target=target,
            since=since,
            until=until,
            offset=offset,
            limit=limit,
        )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def prune(platform: Platform, principal: Principal, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Empty the content of entries older than the retention period that a signed checkpoint already
    covers. Their leaf hashes stay, so every checkpoint and proof still verifies. The prune is announced in
    the log first, so a boundary without its announcement shows up in ``verify``."""
    flush(platform)
    retention = platform.settings.audit_retention_days
    moment = (now or platform.clock.now()) - dt.timedelta(days=retention)
    cutoff = moment.astimezone(dt.UTC).strftime(TIME_FORMAT)
    with read_snapshot(platform.engine) as conn:
        latest = store.latest_checkpoint(conn)
        before = min(store.last_seq_before(conn, cutoff), latest["tree_size"] if latest else 0)
        already = store.pruned_below(conn)
    if before <= already:
        return {"pruned": 0, "before_seq": already, "cutoff": cutoff, "retention_days": retention}
    detail = {"before_seq": before, "cutoff": cutoff, "retention_days": retention}
    announcement = new_entry(platform, principal, "audit.prune", f"entries below {before}", "ok", detail)
    with platform.engine.begin() as conn:  # the announcement and the prune commit together
        append_in(platform, conn, [announcement])
        count = store.prune_below(conn, before, _now_text(platform), retention)
    return {"pruned": count, "before_seq": before, "cutoff": cutoff, "retention_days": retention}


@dataclass
class Verification:
    entries: int = 0
    checkpoints_verified: int = 0
    unsigned_tail: int = 0  # entries after the last checkpoint: protected only once the next one is signed
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoints_verified": self.checkpoints_verified,
            "unsigned_tail": self.unsigned_tail,
            "problems": self.problems,
        }


def verify_for(platform: Platform, principal: Principal) -> Verification:
    """``verify`` as `principal`'s administrative action: its outcome is appended to the log."""
    report = verify(platform)
    record(
        platform,
        principal,
        "audit.verify",
        "audit-log",
        outcome="ok" if report.ok else "failed",
        detail={"entries": report.entries, "problems": len(report.problems)},
    )
    return report


def verify(platform: Platform, max_problems: int = 50) -> Verification:
    """Recompute every leaf from its entry and every root from the leaves; check each checkpoint's root and
    signature, the stored subtree hashes, and the head. Reads only."""
    flush(platform)
    report = Verification()
    signer = platform.signer

    def problem(message: str) -> None:
        if len(report.problems) < max_problems:
            report.problems.append(message)

    with read_snapshot(platform.engine) as conn:
        signed = {row["tree_size"]: row for row in store.checkpoints(conn)}
        head, head_frontier = store.head(conn)
        pruned_below = store.pruned_below(conn)
        attested: set[int] = set()
        frontier = merkle.Frontier()
        computed_nodes: dict[tuple[int, int], bytes] = {}
        for row in store.stream_entries(conn):
            if row["seq"] != frontier.size:
                problem(f"entry {frontier.size} is missing or out of place (found entry {row['seq']} there)")
            if row["outcome"] == store.PRUNED:
                if row["seq"] >= pruned_below:
                    problem(
                        f"entry {row['seq']} was emptied, but the log was pruned only below {pruned_below}"
                    )
                leaf = bytes.fromhex(row["leaf_hash"])  # its content is gone; the tree still vouches for it
            else:
                leaf = merkle.leaf_hash(leaf_data(dict(row)))
                if leaf.hex() != row["leaf_hash"]:
                    problem(f"entry {row['seq']} does not match its leaf hash: it was modified")
                if row["action"] == "audit.prune":
                    attested.add(json.loads(row["detail"]).get("before_seq"))
            for height, index, value in frontier.append(leaf):
                computed_nodes[(height, index)] = value
            _check_checkpoint(signed.get(frontier.size), frontier, signer, report, problem)
        report.entries = frontier.size
        if pruned_below and pruned_below not in attested:
            problem(f"entries below {pruned_below} were pruned without an audit.prune entry saying so")
        if head != frontier.size:
            problem(f"the head says {head} entries, the log holds {frontier.size}")
        elif head_frontier != "".join(h.hex() for h in frontier.hashes):
            problem("the head's right edge differs from the entries': the next appends would be wrong")
        for size in sorted(signed):
            if size > frontier.size:
                problem(
                    f"checkpoint at size {size} covers entries that are gone (the log holds {frontier.size})"
                )
        stored_nodes = 0
        for node in store.stream_nodes(conn):
            stored_nodes += 1
            expected = computed_nodes.get((node["height"], node["idx"]))
            if expected is None or expected.hex() != node["hash"]:
                problem(f"stored subtree hash ({node['height']}, {node['idx']}) is wrong: proofs would lie")
        if stored_nodes != len(computed_nodes):
            problem(f"{len(computed_nodes) - stored_nodes} subtree hashes are missing")
    covered = max((size for size in signed if size <= frontier.size), default=0)
    report.unsigned_tail = frontier.size - covered
    return report


def _check_checkpoint(
    checkpoint: Mapping[str, Any] | None,
    frontier: merkle.Frontier,
    signer: Signer,
    report: Verification,
    problem: Callable[[str], None],
) -> None:
    if checkpoint is None:
        return
    size = checkpoint["tree_size"]
    root_hex = frontier.root().hex()
    if checkpoint["key_id"] != signer.key_id or not signer.verify(
        checkpoint_message(size, checkpoint["root_hash"], checkpoint["signed_at"]), checkpoint["signature"]
    ):
        problem(f"checkpoint at size {size} is not signed by this platform's key")
    elif checkpoint["root_hash"] != root_hex:
        problem(f"the entries no longer give the root signed at size {size}: history was changed")
    else:
        report.checkpoints_verified += 1
