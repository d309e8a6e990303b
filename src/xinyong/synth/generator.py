"""``generate()``: a province's worth of department files, deterministic for (seed, as_of, entities,
penalties, province), streamed row by row, with a manifest describing every file."""

from __future__ import annotations

import copy
import gc
import hashlib
import multiprocessing
import os
import random
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import TextIO

import orjson

from xinyong.synth.bad import KIND_REASONS, REASONS, BadRows
from xinyong.synth.inspection import write_inspection
from xinyong.synth.lists import HeavyPenalty, ListMaker, transfer_due
from xinyong.synth.places import load_province
from xinyong.synth.records import LicenceMaker, PenaltyMaker, World
from xinyong.synth.registry import REGISTRARS, Authority, CodeBook, Departments, EntityFactory, People
from xinyong.synth.schema import STYLE_CODE, STYLE_NAME, STYLE_V1, accepts_header, header, schema
from xinyong.synth.workdays import Workdays
from xinyong.synth.writers import open_writer

MANIFEST = "manifest.json"
BAD_ROWS = "bad-rows.csv"  # path,row,reason for every deliberately bad row (row: 1-based, header excluded)
BAD_SHARE = 0.02  # of the rows of every file
UNKNOWN_PARTY_SHARE = 0.01  # penalties whose party has a valid code no entity file contains
CORRECTION_SHARE = 0.004
WITHDRAWAL_SHARE = 0.002
WINDOW_DAYS = 3 * 365  # decisions over the three years before as_of

PENALTY_SHARES = {
    "market": 0.40,
    "tax": 0.18,
    "ecology": 0.08,
    "emergency": 0.08,
    "health": 0.09,
    "transport": 0.10,
    "housing": 0.07,
}
LICENCE_SHARES = {
    "market": 0.40,
    "ecology": 0.08,
    "emergency": 0.08,
    "health": 0.14,
    "transport": 0.15,
    "housing": 0.15,
}


@dataclass(frozen=True)
class FileSpec:
    dept: str
    path: str
    kind: str
    fmt: str  # csv · xlsx · json · jsonl
    encoding: str | None = "utf-8"  # None for xlsx
    style: str = STYLE_NAME
    overrides: dict[str, str] = field(default_factory=dict)  # key → another accepted header
    numbers: bool = False  # amounts as numbers (JSON, XLSX) rather than text
    date_format: str = "%Y-%m-%d"
    skip_reasons: tuple[str, ...] = ()
    sheet: str = "Sheet1"


# The files real departments would send, in the formats and encodings they tend to use.
FILES = (
    FileSpec("market", "market-regulation/entities.csv", "entity", "csv", "utf-8-sig"),
    FileSpec("market", "market-regulation/penalties.csv", "penalty", "csv", "gbk", STYLE_CODE),
    FileSpec("market", "market-regulation/licences.xlsx", "licence", "xlsx", None, sheet="行政许可"),
    FileSpec("market", "market-regulation/annual-reports.csv", "annual-report", "csv", "utf-8"),
    FileSpec("market", "market-regulation/abnormal-operation-list.csv", "list", "csv", "utf-8-sig"),
    FileSpec("market", "market-regulation/serious-illegal-list.csv", "list", "csv", "gbk"),
    FileSpec(
        "civil",
        "civil-affairs/social-organisations.xlsx",
        "entity",
        "xlsx",
        None,
        numbers=True,
        overrides={
            "name": "单位名称",
            "registered_capital": "开办资金（万元）",
            "business_scope": "业务范围",
        },
        skip_reasons=("bad_reg_no",),
        sheet="社会组织",
    ),
    FileSpec(
        "establishment",
        "establishment/public-bodies.json",
        "entity",
        "json",
        "utf-8",
        numbers=True,
        overrides={
            "name": "单位名称",
            "registered_capital": "开办资金（万元）",
            "business_scope": "业务范围",
        },
        skip_reasons=("bad_reg_no",),
    ),
    FileSpec(
        "justice",
        "justice/law-firms.csv",
        "entity",
        "csv",
        "utf-8-sig",
        overrides={"legal_rep": "负责人"},
        skip_reasons=("bad_reg_no",),
    ),
    FileSpec(
        "agriculture",
        "agriculture/collective-economic-organisations.csv",
        "entity",
        "csv",
        "utf-8",
        overrides={"legal_rep": "负责人"},
        skip_reasons=("bad_reg_no",),
    ),
    FileSpec("tax", "tax/penalties.json", "penalty", "json", "utf-8", numbers=True),
    FileSpec("tax", "tax/a-grade-taxpayers.xlsx", "list", "xlsx", None, sheet="A级纳税人"),
    FileSpec("tax", "tax/major-tax-violations.csv", "list", "csv", "utf-8-sig"),
    FileSpec("ecology", "ecology/penalties.csv", "penalty", "csv", "utf-8-sig"),
    FileSpec("ecology", "ecology/licences.csv", "licence", "csv", "utf-8-sig"),
    FileSpec(
        "emergency", "emergency/penalties.xlsx", "penalty", "xlsx", None, numbers=True, sheet="行政处罚"
    ),
    FileSpec("emergency", "emergency/licences.xlsx", "licence", "xlsx", None, sheet="行政许可"),
    FileSpec("health", "health/penalties.csv", "penalty", "csv", "gb18030", STYLE_CODE),
    FileSpec("health", "health/licences.csv", "licence", "csv", "gb18030", STYLE_CODE),
    FileSpec("transport", "transport/penalties.json", "penalty", "json", "utf-8", STYLE_CODE),
    FileSpec("transport", "transport/licences.json", "licence", "json", "utf-8", STYLE_CODE),
    FileSpec("housing", "housing/penalties.csv", "penalty", "csv", "gbk", STYLE_V1, date_format="%Y/%m/%d"),
    FileSpec("housing", "housing/licences.csv", "licence", "csv", "gbk", STYLE_V1, date_format="%Y/%m/%d"),
    FileSpec(
        "court",
        "court/dishonest-judgment-debtors.jsonl",
        "list",
        "jsonl",
        "utf-8",
        overrides={"name": "被执行人名称", "authority_name": "执行法院", "document_no": "案号"},
    ),
)
# Industry classes for the departments' own rows in the public-bodies file.
_DEPT_INDUSTRY = {"market": "9226", "tax": "9225", "court": "9223"}


@dataclass
class GenerationSummary:
    out_dir: Path
    files: list[dict]
    seed: int = 0
    as_of: date | None = None
    province: str = ""
    entities: int = 0
    penalties: int = 0

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / MANIFEST

    def rows(self, kind: str | None = None) -> int:
        return sum(f["rows"] for f in self.files if kind is None or f["kind"] == kind)

    def bad_rows(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            for reason, n in f["bad_rows"].items():
                out[reason] = out.get(reason, 0) + n
        return dict(sorted(out.items()))


class Sink:
    """One output file: maps rows (dicts by field key) to the file's headers and counts what was written."""

    def __init__(
        self,
        out_dir: Path,
        spec: FileSpec,
        source: Authority,
        stamp: datetime,
        cursor: list[int],
        bad_log: TextIO | None = None,
    ):
        sch = schema(spec.kind)
        self.spec = spec
        self.source = source
        self.keys = [f.key for f in sch.fields]
        self._getter = itemgetter(*self.keys)
        headers = []
        for f in sch.fields:
            h = spec.overrides.get(f.key) or header(f, spec.style)
            if not accepts_header(f, h):
                raise ValueError(f"{spec.path}: {h!r} is not a header of {spec.kind}.{f.key}")
            headers.append(h)
        if len(set(headers)) != len(headers):
            raise ValueError(f"{spec.path}: duplicate headers")
        self._numeric = [i for i, f in enumerate(sch.fields) if f.type == "amount"] if spec.numbers else []
        path = out_dir / spec.path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.writer = open_writer(
            path,
            spec.fmt,
            headers,
            encoding=spec.encoding or "utf-8",
            stamp=stamp,
            sheet_name=spec.sheet,
            title=sch.title,
            creator=source.name,
            date_format=spec.date_format,
        )
        self.rows = 0
        self.bad: dict[str, int] = {}
        self.notes: dict[str, int] = {}
        self.reasons = [r for r in KIND_REASONS[spec.kind] if r not in spec.skip_reasons]
        # Bad-row reasons are cycled so that every reason shows up even in small files; files written one
        # after another share the cycle of their kind (a one-element list), so it continues across them.
        self._cursor = cursor
        self._last: list | None = None
        self._bad_log = bad_log  # bad-rows.csv: which data row (1-based) is bad and why

    def prepare(self, row: dict) -> dict:
        row.setdefault("source_name", self.source.name)
        row.setdefault("source_uscc", self.source.uscc)
        return row

    def _values(self, row: dict) -> list:
        try:
            values = list(self._getter(row))  # C speed when the row has every field (makers fill them all)
        except KeyError:
            values = [row.get(k) for k in self.keys]
        for i in self._numeric:
            v = values[i]
            if isinstance(v, str):
                with suppress(ValueError):  # a deliberately bad amount stays text
                    values[i] = float(v)
        return values

    def write(self, row: dict, note: str | None = None, original: bool = True) -> None:
        values = self._values(self.prepare(row))
        self.writer.writerow(values)
        self.rows += 1
        if note:
            self.notes[note] = self.notes.get(note, 0) + 1
        if original:
            self._last = values

    def write_bad(self, row: dict | list, reason: str) -> None:
        self.writer.writerow(row if isinstance(row, list) else self._values(row))
        self.rows += 1
        self.bad[reason] = self.bad.get(reason, 0) + 1
        if self._bad_log is not None:
            self._bad_log.write(f"{self.spec.path},{self.rows},{reason}\n")

    def next_reason(self) -> str:
        reason = self.reasons[self._cursor[0] % len(self.reasons)]
        self._cursor[0] += 1
        return reason

    def inject_bad(self, rng: random.Random, bad: BadRows, base: Callable[[], dict], region: str) -> None:
        """Write one bad row: an exact repeat of the last good row, or a fresh row with one defect."""
        reason = self.next_reason()
        if reason == "duplicate":
            if self._last is not None:
                self.write_bad(list(self._last), "duplicate")
                return
            reason = self.next_reason()
        row = self.prepare(base())
        self.write_bad(bad.mutate(rng, self.spec.kind, reason, row, region), reason)

    def close(self) -> dict:
        self.writer.close()
        digest = hashlib.sha256()
        with open(self.path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        n_bad = sum(self.bad.values())
        return {
            "path": self.spec.path,
            "kind": self.spec.kind,
            "department": self.source.name,
            "department_uscc": self.source.uscc,
            "format": self.spec.fmt,
            "encoding": self.spec.encoding,
            "header_style": self.spec.style,
            "date_format": self.spec.date_format,
            "rows": self.rows,
            "good_rows": self.rows - n_bad,
            "bad_rows": dict(sorted(self.bad.items())),
            **{k: self.notes[k] for k in sorted(self.notes)},
            "sha256": digest.hexdigest(),
        }


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of total by shares (deterministic, sums to total)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def generate(
    out_dir: Path,
    *,
    entities: int,
    seed: int,
    as_of: date,
    province: str = "33",
    penalties: int | None = None,
    workers: int | None = None,
) -> GenerationSummary:
    """Write a synthetic province's department files and ``manifest.json`` into ``out_dir``.

    ``workers``: processes for the penalty and licence files (default: the CPU count, at most 8; 1 = in
    this process). The output is the same for any number of workers."""
    if entities < 1:
        raise ValueError("entities must be at least 1")
    if penalties is None:
        penalties = round(entities * 0.3)
    if penalties < 0:
        raise ValueError("penalties must not be negative")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    master = random.Random(seed)
    # One child generator per stage: the registry does not change when only the penalty count does.
    stages = (
        "departments",
        "entities",
        "penalties",
        "licences",
        "reports",
        "serious",
        "tax",
        "court",
        "inspection",
    )
    rngs = {name: random.Random(master.getrandbits(64)) for name in stages}

    prov = load_province(province)
    book = CodeBook()
    depts = Departments(prov, rngs["departments"], book)
    factory = EntityFactory(prov, depts, book, as_of)
    world = World(
        prov,
        depts,
        book,
        factory,
        as_of,
        Workdays(date(as_of.year - 8, 1, 1), as_of),
        [],
        as_of - timedelta(days=WINDOW_DAYS),
    )
    bad = BadRows(factory.people, as_of)
    # XLSX document properties hold a wall-clock time without zone: the files' "created" stamp.
    stamp = datetime(as_of.year, as_of.month, as_of.day, 18, 0, 0)  # noqa: DTZ001
    specs = {spec.path: spec for spec in FILES}
    manifest_files: list[dict] = []

    bad_log = open(out_dir / BAD_ROWS, "w", encoding="utf-8", newline="", buffering=1 << 16)  # noqa: SIM115
    bad_log.write("path,row,reason\n")

    cursors: dict[str, list[int]] = {}

    def open_sink(spec: FileSpec) -> Sink:
        return Sink(out_dir, spec, depts.top[spec.dept], stamp, cursors.setdefault(spec.kind, [0]), bad_log)

    def by(kind: str, dept: str) -> FileSpec:
        return next(s for s in specs.values() if s.kind == kind and s.dept == dept)

    # ---- entities
    rng = rngs["entities"]
    entity_sinks = {s.dept: open_sink(s) for s in FILES if s.kind == "entity"}
    _write_departments(entity_sinks["establishment"], depts, factory.people, rng, prov.region)
    for _ in range(entities):
        ent, row = factory.make(rng)
        world.entities.append(ent)
        sink = entity_sinks[REGISTRARS[ent.kind]]
        sink.write(row)
        if rng.random() < BAD_SHARE:
            kind = ent.kind
            sink.inject_bad(rng, bad, lambda kind=kind: factory.make(rng, kind)[1], ent.area.code)
    manifest_files += [s.close() for s in entity_sinks.values()]
    world.index()
    # The registry lives until the end and holds no garbage: keep the cyclic GC from rescanning it on
    # every collection (that alone doubled the cost of a penalty row at 200,000 entities).
    gc.freeze()

    # ---- penalties and licences: independent files, run in parallel when there is enough work
    jobs = [
        _Job(by("penalty", dept), n, rngs["penalties"].getrandbits(64), dept == "market")
        for dept, n in _split(penalties, PENALTY_SHARES).items()
    ] + [
        _Job(by("licence", dept), n, rngs["licences"].getrandbits(64), False)
        for dept, n in _split(round(entities * 0.5), LICENCE_SHARES).items()
    ]
    heavy: list[HeavyPenalty] = []
    global _CONTEXT
    bad_log.flush()  # nothing buffered may be inherited by forked workers
    _CONTEXT = _Context(out_dir, world, bad, stamp, max(3, entities // 400))
    try:
        for entry, lines, found in _run_jobs(jobs, workers):
            manifest_files.append(entry)
            bad_log.writelines(lines)
            heavy += found
    finally:
        _CONTEXT = None

    # ---- annual reports, abnormal operation list, serious illegal list
    lists = ListMaker(world)
    rng = rngs["reports"]
    reports = open_sink(by("annual-report", "market"))
    abnormal = open_sink(specs["market-regulation/abnormal-operation-list.csv"])
    overdue: list[dict] = []  # still listed when their rule transfers them → serious illegal list

    def emitter(sink: Sink, rng: random.Random, keep: list[dict] | None = None) -> Callable[[dict], None]:
        def emit(row: dict) -> None:
            sink.write(row)
            if keep is not None and row["removed_on"] is None:
                due = transfer_due(row["listed_on"])
                if due is not None and due <= as_of:
                    keep.append(row)
            if rng.random() < BAD_SHARE:
                sink.inject_bad(rng, bad, lambda: dict(row), "")

        return emit

    lists.annual_reports(rng, emitter(reports, rng), emitter(abnormal, rng, overdue))
    manifest_files += [reports.close(), abnormal.close()]
    rng = rngs["serious"]
    serious = open_sink(specs["market-regulation/serious-illegal-list.csv"])
    lists.serious(rng, iter(overdue), heavy, emitter(serious, rng))
    manifest_files.append(serious.close())

    # ---- tax lists, dishonest judgment debtors
    rng = rngs["tax"]
    a_grade = open_sink(specs["tax/a-grade-taxpayers.xlsx"])
    lists.a_grade(rng, emitter(a_grade, rng))
    major = open_sink(specs["tax/major-tax-violations.csv"])
    lists.major_tax(rng, emitter(major, rng))
    manifest_files += [a_grade.close(), major.close()]
    rng = rngs["court"]
    court = open_sink(specs["court/dishonest-judgment-debtors.jsonl"])
    lists.court(rng, emitter(court, rng))
    manifest_files.append(court.close())
    inspection = write_inspection(out_dir, world, rngs["inspection"])

    bad_log.close()
    order = {spec.path: i for i, spec in enumerate(FILES)}
    manifest_files.sort(key=lambda f: order[f["path"]])
    summary = GenerationSummary(out_dir, manifest_files, seed, as_of, province, entities, penalties)
    manifest = {
        "generator": "xinyong.synth",
        "format_version": 1,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "province": {"code": prov.code, "name": prov.name},
        "entities": entities,
        "penalties": penalties,
        "departments": [{"key": k, "name": a.name, "uscc": a.uscc} for k, a in depts.top.items()],
        "bad_row_reasons": REASONS,
        "bad_rows_file": BAD_ROWS,
        "files": manifest_files,
        "inspection": inspection,
    }
    summary.manifest_path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    gc.unfreeze()
    return summary


def _write_departments(
    sink: Sink, depts: Departments, people: People, rng: random.Random, region: str
) -> None:
    """The provincial departments themselves are 机关 on record in the public-bodies file."""
    capital = depts.province.cities[0].name if depts.province.cities else depts.province.name
    for key, auth in depts.top.items():
        established = date(rng.randint(1950, 2018), rng.randint(1, 12), rng.randint(1, 28))
        sink.write(
            {
                "uscc": auth.uscc,
                "name": auth.name,
                "entity_form": "机关",
                "legal_rep": people.name(rng),
                "established_on": established,
                "address": f"{capital}{rng.choice(('省府路', '环城西路', '人民路'))}{rng.randint(1, 300)}号",
                "registration_authority": depts.top["establishment"].name,
                "region_code": region,
                "industry_code": _DEPT_INDUSTRY.get(key, "9221"),
                "status": "存续",
                "business_scope": "依法履行行政管理职能",
                "approved_on": established,
            },
            note="departments",
        )


@dataclass(frozen=True)
class _Job:
    spec: FileSpec
    rows: int
    seed: int
    collect_heavy: bool  # market penalties feed the serious illegal list


@dataclass
class _Context:
    out_dir: Path
    world: World
    bad: BadRows
    stamp: datetime
    heavy_cap: int


class _Lines(list):
    """A bad-row log kept in memory per file (2% of its rows), written out in file order."""

    def write(self, line: str) -> None:
        self.append(line)


# Set by generate() around the decision stage; forked workers inherit it instead of pickling the registry.
_CONTEXT: _Context | None = None
PARALLEL_MIN_ROWS = 50_000  # below this, starting processes costs more than it saves


def _run_job(job: _Job) -> tuple[dict, list[str], list[HeavyPenalty]]:
    """One penalty or licence file. Touches nothing shared: its own generator, its own view of the code
    book (unknown parties), its own bad-row log; so any order or process gives the same bytes."""
    ctx = _CONTEXT
    assert ctx is not None
    world = copy.copy(ctx.world)
    world.book = ctx.world.book.overlay()
    world.factory = copy.copy(ctx.world.factory)
    world.factory.book = world.book
    lines = _Lines()
    cursor = [FILES.index(job.spec)]  # private: jobs may run in parallel
    sink = Sink(ctx.out_dir, job.spec, world.depts.top[job.spec.dept], ctx.stamp, cursor, lines)
    maker_cls = PenaltyMaker if job.spec.kind == "penalty" else LicenceMaker
    heavy: list[HeavyPenalty] | None = [] if job.collect_heavy else None
    _write_decisions(
        sink,
        maker_cls(world, job.spec.dept),
        random.Random(job.seed),
        job.rows,
        ctx.bad,
        heavy,
        ctx.heavy_cap,
    )
    return sink.close(), list(lines), heavy or []


def _run_jobs(jobs: list[_Job], workers: int | None) -> list[tuple[dict, list[str], list[HeavyPenalty]]]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    parallel = (
        workers > 1
        and sum(j.rows for j in jobs) >= PARALLEL_MIN_ROWS
        and sys.platform == "linux"  # fork shares the registry copy-on-write; elsewhere run in-process
        and threading.active_count() == 1  # forking a threaded process (a web server) is unsafe
    )
    if not parallel:
        return [_run_job(job) for job in jobs]
    ctx = multiprocessing.get_context("fork")
    # Largest files first so the long ones do not start last.
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].rows)
    with ctx.Pool(min(workers, len(jobs))) as pool:
        results = pool.map(_run_job, [jobs[i] for i in order], chunksize=1)
    by_index = dict(zip(order, results, strict=True))
    return [by_index[i] for i in range(len(jobs))]


def _write_decisions(
    sink: Sink,
    maker: PenaltyMaker | LicenceMaker,
    rng: random.Random,
    target: int,
    bad: BadRows,
    heavy: list[HeavyPenalty] | None,
    heavy_cap: int,
) -> None:
    """Penalty or licence rows up to ``target``: mostly new decisions, ~2% bad rows, a few corrections and
    withdrawals after their originals, ~1% parties the registry does not know."""
    if maker.empty:
        return
    ring: list[dict] = []  # recent originals a correction or withdrawal may follow
    seen_heavy = 0
    unknown = UNKNOWN_PARTY_SHARE if maker.kind == "penalty" else 0.0
    while sink.rows < target:
        r = rng.random()
        if r < BAD_SHARE:
            tpl, ent = maker.choose(rng)
            sink.inject_bad(rng, bad, lambda tpl=tpl, ent=ent: maker.row(rng, tpl, ent), ent.area.code)
            continue
        if r < BAD_SHARE + CORRECTION_SHARE + WITHDRAWAL_SHARE and ring:
            original = ring.pop(rng.randrange(len(ring)))
            if r < BAD_SHARE + CORRECTION_SHARE:
                row, note = maker.correction(rng, original), "corrections"
            else:
                row, note = maker.withdrawal(rng, original), "withdrawals"
            if row is not None:
                sink.write(row, note, original=False)
                continue
        if r > 1.0 - unknown:
            tpl, _ = maker.choose(rng)
            row, note = maker.row(rng, tpl, maker.unknown_party(rng, tpl)), "unknown_parties"
        else:
            row, note = maker.row(rng), None
        sink.write(row, note)
        if note is None:  # corrections and withdrawals follow registered parties' decisions
            if len(ring) < 256:
                ring.append(row)
            else:
                ring[rng.randrange(256)] = row
        if heavy is not None and note is None and row["_heavy"]:
            seen_heavy += 1
            p = HeavyPenalty(
                row["party_uscc"],
                row["party_name"],
                row["violation_type"],
                row["penalty_types"],
                row["document_no"],
                row["decision_date"],
                row["authority_name"],
                row["authority_uscc"],
            )
            if len(heavy) < heavy_cap:
                heavy.append(p)
            else:
                j = rng.randrange(seen_heavy)
                if j < heavy_cap:
                    heavy[j] = p
