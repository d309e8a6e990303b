"""The synthetic province generator: determinism, valid codes, readable files, manifest, bad rows."""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import orjson
import pytest

from xinyong.model.codes import (
    check_uscc,
    is_valid_organization_code,
    is_valid_registration_number,
    is_valid_resident_id,
)
from xinyong.reference import decode_region, industries
from xinyong.synth import BAD_ROW_REASONS, BAD_ROWS, MANIFEST, generate, generator
from xinyong.synth.bad import KIND_REASONS
from xinyong.synth.data import load
from xinyong.synth.schema import accepts_header, schema

AS_OF = date(2026, 5, 1)
# Date fields that are naturally in the future (ends of validity), not events.
FUTURE_OK = {"valid_to", "valid_until", "publish_until"}
ID_TYPES = {"身份证", "护照号", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证"}
MULTI_SEP = re.compile("[;；、,，]")


# ------------------------------------------------------------------------------------------- helpers


def read_table(base: Path, entry: dict) -> tuple[list[str], list[list]]:
    """Header and data rows of a generated file, read in its declared format and encoding."""
    path = base / entry["path"]
    fmt = entry["format"]
    if fmt == "csv":
        with open(path, encoding=entry["encoding"], newline="") as f:
            rows = list(csv.reader(f))
        return rows[0], rows[1:]
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
        wb.close()
        return [str(h) for h in rows[0]], rows[1:]
    if fmt == "json":
        objs = orjson.loads(path.read_bytes())
    elif fmt == "jsonl":
        objs = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    else:
        raise AssertionError(f"unknown format {fmt}")
    header = list(objs[0]) if objs else []
    assert all(list(o) == header for o in objs), "every object has the same keys in the same order"
    return header, [list(o.values()) for o in objs]


def keyed_rows(base: Path, entry: dict) -> list[dict]:
    """Rows as dicts by schema field key (headers mapped by code, name or alias)."""
    header, rows = read_table(base, entry)
    fields = schema(entry["kind"]).fields
    keys = []
    for h in header:
        matches = [f.key for f in fields if accepts_header(f, h)]
        assert len(matches) == 1, f"{entry['path']}: header {h!r} maps to {matches}"
        keys.append(matches[0])
    return [dict(zip(keys, r, strict=True)) for r in rows]


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v).strip()


def as_date(v, fmt: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    return datetime.strptime(str(v), fmt).date()  # noqa: DTZ007 (a date; the time part is unused)


def bad_rows_by_file(base: Path) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    with open(base / BAD_ROWS, encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            out.setdefault(rec["path"], {})[int(rec["row"])] = rec["reason"]
    return out


def manifest(base: Path) -> dict:
    return orjson.loads((base / MANIFEST).read_bytes())


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(out, entities=3000, seed=11, as_of=AS_OF, penalties=4000)
    return out


@pytest.fixture(scope="module")
def good(province) -> dict[str, list[dict]]:
    """Good rows of every file by path."""
    bad = bad_rows_by_file(province)
    out = {}
    for entry in manifest(province)["files"]:
        rows = keyed_rows(province, entry)
        skip = bad.get(entry["path"], {})
        out[entry["path"]] = [r for i, r in enumerate(rows, 1) if i not in skip]
    return out


@pytest.fixture(scope="module")
def registered(province, good) -> set[str]:
    return {
        text(r["uscc"]) for e in manifest(province)["files"] if e["kind"] == "entity" for r in good[e["path"]]
    }


# ---------------------------------------------------------------------------------------- determinism


def _digests(base: Path) -> dict[str, bytes]:
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, entities=600, seed=5, as_of=AS_OF, penalties=900)
    generate(b, entities=600, seed=5, as_of=AS_OF, penalties=900)
    generate(c, entities=600, seed=6, as_of=AS_OF, penalties=900)
    da, db, dc = _digests(a), _digests(b), _digests(c)
    assert da.keys() == db.keys() == dc.keys()
    assert all(da[k] == db[k] for k in da), [k for k in da if da[k] != db[k]]
    differing = [k for k in da if da[k] != dc[k]]
    assert "market-regulation/entities.csv" in differing
    assert "market-regulation/penalties.csv" in differing
    assert len(differing) >= len(da) - 2  # tiny lists may coincidentally both be empty


def test_parallel_and_sequential_runs_are_identical(tmp_path, monkeypatch):
    monkeypatch.setattr(generator, "PARALLEL_MIN_ROWS", 0)  # force the process pool on a small run
    # The generator forks only a single-threaded process. Earlier tests in this worker leave idle threads
    # behind (the audit writer, the ASGI test client's thread pool), which hold no lock a child could need.
    monkeypatch.setattr(generator.threading, "active_count", lambda: 1)
    pools = []
    real = generator.multiprocessing.get_context
    monkeypatch.setattr(generator.multiprocessing, "get_context", lambda m: pools.append(m) or real(m))
    generate(tmp_path / "one", entities=500, seed=9, as_of=AS_OF, penalties=800, workers=1)
    assert pools == []
    generate(tmp_path / "two", entities=500, seed=9, as_of=AS_OF, penalties=800, workers=2)
    if sys.platform == "linux":
        assert pools == ["fork"]
    assert _digests(tmp_path / "one") == _digests(tmp_path / "two")


def test_xlsx_properties_fixed(province):
    for entry in manifest(province)["files"]:
        if entry["format"] == "xlsx":
            wb = openpyxl.load_workbook(province / entry["path"], read_only=True)
            assert wb.properties.created == datetime(AS_OF.year, AS_OF.month, AS_OF.day, 18, 0)  # noqa: DTZ001
            assert wb.properties.modified == wb.properties.created
            wb.close()


# ---------------------------------------------------------------------------------------- manifest


def test_manifest_matches_files(province):
    m = manifest(province)
    assert m["seed"] == 11 and m["as_of"] == AS_OF.isoformat() and m["entities"] == 3000
    bad = bad_rows_by_file(province)
    paths = {e["path"] for e in m["files"]}
    assert set(bad) <= paths
    for entry in m["files"]:
        _, rows = read_table(province, entry)
        assert entry["rows"] == len(rows), entry["path"]
        counted = Counter(bad.get(entry["path"], {}).values())
        assert dict(counted) == entry["bad_rows"], entry["path"]
        assert entry["good_rows"] == entry["rows"] - sum(counted.values())
        assert set(entry["bad_rows"]) <= set(BAD_ROW_REASONS)
    assert sum(e["rows"] for e in m["files"] if e["kind"] == "penalty") == 4000
    kinds = Counter(e["kind"] for e in m["files"])
    assert kinds == {"entity": 5, "penalty": 7, "licence": 6, "annual-report": 1, "list": 5}


def test_every_bad_row_reason_is_exercised(province):
    by_kind: dict[str, set[str]] = {}
    for entry in manifest(province)["files"]:
        by_kind.setdefault(entry["kind"], set()).update(entry["bad_rows"])
    for kind in ("penalty", "licence", "entity", "annual-report", "list"):
        assert by_kind[kind] == set(KIND_REASONS[kind]), kind


def test_bad_rows_are_about_two_percent(province):
    for entry in manifest(province)["files"]:
        if entry["rows"] >= 1000:
            share = sum(entry["bad_rows"].values()) / entry["rows"]
            assert 0.01 <= share <= 0.035, (entry["path"], share)


# ----------------------------------------------------------------------------------- formats, headers


def test_files_readable_and_headers_map_to_schema(province):
    for entry in manifest(province)["files"]:
        header, _ = read_table(province, entry)
        if not header:
            continue
        fields = schema(entry["kind"]).fields
        for h in header:
            assert any(accepts_header(f, h) for f in fields), (entry["path"], h)
        required = {f.key for f in fields if f.required}
        present = {f.key for f in fields for h in header if accepts_header(f, h)}
        assert required <= present, entry["path"]


def test_header_styles(province):
    m = {e["path"]: e for e in manifest(province)["files"]}
    header, _ = read_table(province, m["market-regulation/penalties.csv"])
    assert header[:3] == ["cf_xdr_mc", "cf_xdr_lb", "cf_xdr_shxym"]
    assert (province / "market-regulation/penalties.csv").read_bytes()[:9] == b"cf_xdr_mc"
    header, _ = read_table(province, m["housing/penalties.csv"])
    assert {"处罚名称", "处罚事由", "处罚结果"} <= set(header)
    header, _ = read_table(province, m["housing/licences.csv"])
    assert {"审批类别", "项目名称"} <= set(header)
    assert (province / "market-regulation/entities.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (province / "market-regulation/annual-reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    raw = (province / "market-regulation/penalties.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK


# ------------------------------------------------------------------------------------------ entities


def test_entity_codes_valid_and_mix(province, good):
    kinds: Counter[str] = Counter()
    departments = {d["uscc"] for d in manifest(province)["departments"]}
    for entry in manifest(province)["files"]:
        if entry["kind"] != "entity":
            continue
        for r in good[entry["path"]]:
            res = check_uscc(text(r["uscc"]))
            assert res.valid, r["uscc"]
            assert res.organization_code_valid, r["uscc"]
            if text(r.get("org_code")):
                assert is_valid_organization_code(text(r["org_code"]))
                assert text(r["org_code"]) == text(r["uscc"])[8:17]
            if text(r.get("reg_no")):
                assert is_valid_registration_number(text(r["reg_no"]))
            assert text(r["industry_code"]) in industries()
            assert decode_region(text(r["region_code"])).known
            if text(r["uscc"]) not in departments:  # the provincial departments are listed on top of N
                kinds[text(r["uscc"])[:2]] += 1
    assert sum(kinds.values()) == 3000
    total = sum(kinds.values())
    share = {k: n / total for k, n in kinds.items()}
    assert 0.45 <= share["92"] <= 0.55
    assert 0.31 <= share["91"] <= 0.41
    assert 0.015 <= share["93"] <= 0.045
    assert 0.025 <= share["12"] <= 0.055
    assert 0.03 <= share["51"] + share["52"] + share["53"] <= 0.07
    assert kinds["N2"] + kinds["N3"] > 0 and kinds["31"] > 0


def test_entity_names_unique_and_realistic(province, good):
    rows = good["market-regulation/entities.csv"]
    names = [r["name"] for r in rows]
    assert len(set(names)) == len(names)
    forms = Counter(text(r["uscc"])[:2] for r in rows)
    assert forms["91"] and forms["92"] and forms["93"]
    for r in rows:
        code = text(r["uscc"])[:2]
        if code == "91":
            assert r["name"].endswith(("有限公司", "有限责任公司", "股份有限公司")), r["name"]
        if code == "93":
            assert r["name"].endswith("专业合作社")
    former = [r["former_names"] for r in rows if r["former_names"]]
    assert 0.02 <= len(former) / len(rows) <= 0.08


# ------------------------------------------------------------------------------------- good rows valid


def _check_value(entry: dict, f, value, row: dict) -> None:
    where = (entry["path"], f.key, value)
    v = text(value)
    if f.required:
        assert v, where
    if not v:
        return
    if f.type == "uscc":
        res = check_uscc(v)
        assert res.valid and res.organization_code_valid, where
    elif f.type == "org_code":
        assert is_valid_organization_code(v), where
    elif f.type == "reg_no":
        assert is_valid_registration_number(v), where
    elif f.type == "date":
        d = as_date(value, entry["date_format"])
        if f.key not in FUTURE_OK:
            assert d <= AS_OF, where
    elif f.type == "amount":
        assert float(v) >= 0, where
    elif f.type in ("int", "year"):
        assert int(v) >= 0, where
    elif f.type == "bool":
        assert v in ("是", "否"), where
    elif f.type == "enum":
        assert v in f.values, where
    elif f.type == "multi_enum":
        assert all(p in f.values for p in MULTI_SEP.split(v)), where
    elif f.type == "id_type":
        assert v in ID_TYPES, where
    elif f.type == "id_number":
        if text(row.get(f.key.replace("_no", "_type"))) == "身份证":
            assert is_valid_resident_id(v), where
    elif f.type == "industry":
        assert v in industries(), where
    elif f.type == "region":
        assert decode_region(v).known, where


def test_good_rows_fully_valid(province, good):
    for entry in manifest(province)["files"]:
        fields = schema(entry["kind"]).fields
        for r in good[entry["path"]]:
            for f in fields:
                if f.key in r:
                    _check_value(entry, f, r[f.key], r)
            if entry["kind"] in ("penalty", "licence"):
                assert r["party_class"] != "自然人"
                assert text(r["party_uscc"]), "good decisions always carry the party's code"
                fmt = entry["date_format"]
                assert as_date(r["published_on"], fmt) >= as_date(r["decision_date"], fmt)
            if entry["kind"] == "list" and text(r.get("removed_on")):
                fmt = entry["date_format"]
                assert as_date(r["removed_on"], fmt) >= as_date(r["listed_on"], fmt)


def test_parties_resolve_except_unknown(province, good, registered):
    for entry in manifest(province)["files"]:
        if entry["kind"] not in ("penalty", "licence", "list", "annual-report"):
            continue
        key = "party_uscc" if entry["kind"] in ("penalty", "licence") else "uscc"
        unknown = [r for r in good[entry["path"]] if text(r[key]) not in registered]
        assert len(unknown) == entry.get("unknown_parties", 0), entry["path"]
    penalties = [e for e in manifest(province)["files"] if e["kind"] == "penalty"]
    share = sum(e.get("unknown_parties", 0) for e in penalties) / sum(e["rows"] for e in penalties)
    assert 0.003 <= share <= 0.02


def test_corrections_and_withdrawals_follow_originals(province, good):
    total: Counter[str] = Counter()
    for entry in manifest(province)["files"]:
        if entry["kind"] not in ("penalty", "licence"):
            continue
        ops: Counter[str] = Counter()
        originals: set[str] = set()
        for r in good[entry["path"]]:
            op = r["operation"]
            ops[op] += 1
            if op == "新增":
                originals.add(r["document_no"])
            else:
                assert r["document_no"] in originals, (entry["path"], r["document_no"], op)
        assert ops["修改"] == entry.get("corrections", 0) and ops["撤销"] == entry.get("withdrawals", 0)
        assert ops["修改"] + ops["撤销"] <= 0.02 * entry["rows"] + 5
        total += ops
    assert total["修改"] and total["撤销"]


def test_penalty_content_is_realistic(province, good):
    rows = good["market-regulation/penalties.csv"] + good["tax/penalties.json"]
    docs = [r["document_no"] for r in rows if r["operation"] == "新增"]
    assert len(set(docs)) == len(docs)
    assert all(re.fullmatch(r".+罚〔20\d\d〕\d+号", d) for d in docs)
    assert all(text(r["basis"]).startswith("《") for r in rows)
    multi = [r for r in rows if MULTI_SEP.search(text(r["penalty_types"]))]
    assert multi
    fines = [float(text(r["fine_amount"])) for r in rows if text(r["fine_amount"])]
    assert fines and min(fines) > 0 and max(fines) < 300
    with_severity = sum(1 for r in rows if text(r["severity"]))
    assert 0.05 <= with_severity / len(rows) <= 0.3


def test_publication_delays(province, good):
    rows = good["market-regulation/penalties.csv"]
    fmt = "%Y-%m-%d"
    late = sum(
        1 for r in rows if (as_date(r["published_on"], fmt) - as_date(r["decision_date"], fmt)).days > 28
    )
    assert 0.01 <= late / len(rows) <= 0.12


def test_lists_have_reasons_and_removals(good):
    abnormal = good["market-regulation/abnormal-operation-list.csv"]
    assert any("第八条规定的期限公示年度报告" in r["reason"] for r in abnormal)
    assert any(r["removed_on"] for r in abnormal) and any(not r["removed_on"] for r in abnormal)
    court = good["court/dishonest-judgment-debtors.jsonl"]
    assert court and all(re.fullmatch(r"（20\d\d）浙\d{2,4}执\d+号", r["document_no"]) for r in court)
    assert {r["list_type"] for r in good["tax/a-grade-taxpayers.xlsx"]} == {"纳税信用A级纳税人"}


def test_annual_reports_in_reporting_period(good):
    rows = good["market-regulation/annual-reports.csv"]
    on_time = 0
    for r in rows:
        reported = date.fromisoformat(r["reported_on"])
        assert reported.year == int(r["year"]) + 1
        on_time += (reported.month, reported.day) <= (6, 30)
    assert on_time / len(rows) > 0.85


# ------------------------------------------------------------------------------- data and provinces


def test_word_lists_and_templates_match_reference_and_schema():
    classes = {code for code, ind in industries().items() if ind.level == 4}
    names = load("names")
    for group in ("company", "shop", "coop", "org"):
        for entry in names[group]:
            assert entry["code"] in classes, (group, entry)
    penalty_types = set(schema("penalty").by_key["penalty_types"].values)
    for dept, templates in load("penalties").items():
        for t in templates:
            assert all(set(combo) <= penalty_types for combo in t["types"]), (dept, t["violation"])
            assert len(t["types"]) == len(t["type_weights"])
            assert t["basis"].startswith("《")
            assert "罚款" not in {c for combo in t["types"] for c in combo} or "fine" in t
    licence_types = set(schema("licence").by_key["licence_type"].values)
    for dept, templates in load("licences").items():
        assert all(t["type"] in licence_types for t in templates), dept
    list_types = set(schema("list").by_key["list_type"].values)
    lists = load("lists")
    for key in ("abnormal", "serious", "court", "major_tax", "a_grade"):
        assert lists[key]["list_type"] in list_types
    brands = load("words")["brands"]
    assert len(set(brands)) == len(brands) >= 300
    assert not {"华为", "万达", "恒大", "海尔", "格力", "美的", "顺丰", "华润"} & set(brands)


@pytest.mark.parametrize("code", ["11", "42"])
def test_other_provinces(tmp_path, code):
    summary = generate(tmp_path, entities=400, seed=4, as_of=AS_OF, province=code, penalties=300)
    m = manifest(tmp_path)
    assert m["province"]["code"] == code and summary.rows("penalty") == 300
    entry = next(e for e in m["files"] if e["path"] == "market-regulation/entities.csv")
    bad = bad_rows_by_file(tmp_path).get(entry["path"], {})
    rows = [r for i, r in enumerate(keyed_rows(tmp_path, entry), 1) if i not in bad]
    assert rows
    for r in rows:
        res = check_uscc(r["uscc"])
        assert res.valid and res.organization_code_valid
        assert r["uscc"][2:4] == code and r["region_code"][:2] == code
        if r["legal_rep_id_no"]:
            assert is_valid_resident_id(r["legal_rep_id_no"])


def test_default_sizes(tmp_path):
    summary = generate(tmp_path, entities=1000, seed=1, as_of=AS_OF)
    assert summary.penalties == 300 and summary.rows("penalty") == 300
    assert summary.rows("licence") == 500
    assert summary.manifest_path.exists() and (tmp_path / BAD_ROWS).exists()


# -------------------------------------------------------------------------------------------- speed


def test_penalty_generation_speed(tmp_path, capsys):
    start = time.perf_counter()
    summary = generate(tmp_path, entities=2000, seed=3, as_of=AS_OF, penalties=100_000)
    elapsed = time.perf_counter() - start
    assert summary.rows("penalty") == 100_000
    with capsys.disabled():
        print(f"\n100,000 penalty rows (+2,000 entities and their files) in {elapsed:.1f} s")
