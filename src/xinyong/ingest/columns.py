"""Column-wise validation of a chunk of rows: RowParser's checks, made once per distinct value.

Department files repeat most values (codes, dates, enumerations, amounts, authorities), and checking a row
field by field in Python costs far more than the check itself. ``ColumnParser`` takes a chunk of rows, turns
it into columns and converts each column with the very converter ``RowParser`` uses, memoised per distinct
raw value; free-text columns only need a length check and a look for placeholders. What a conversion says
besides a value (a warning, a value left out of an optional field, the form a file wrote kept beside the
value) is memoised with it and spread over the rows that have that value. The checks that span fields
(derived fields, natural persons, personal ID numbers against their type, dates after today, date order)
run over the converted columns.

A row that fails any check goes through ``RowParser`` itself, so a reject names the same fields with the same
reasons and messages as before. A row that passes every check gives the same dict and the same warnings, in
the same order, as ``RowParser`` would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import is_not
from typing import Any, NamedTuple

from xinyong.ingest import schema
from xinyong.ingest.parse import (
    MAX_TEXT,
    Converted,
    FieldProblem,
    RowError,
    RowParser,
    converter,
)
from xinyong.ingest.schema import FieldSpec, HeaderMap
from xinyong.model.codes import hash_id_number, is_valid_resident_id, mask_id_number

MEMO_LIMIT = 100_000  # distinct raw values kept per column; memory stays flat in file size

Chunk = Sequence[tuple[int, list[str] | None]]
Rows = list[tuple[int, dict[str, Any]]]
Problems = list[tuple[int, list[RowError]]]


class Parsed(NamedTuple):
    valid: Rows  # (row number, row), in file order
    invalid: Problems  # (row number, errors) of rejected rows
    warnings: Problems  # (row number, warnings) of valid rows that have any


class _Failed(NamedTuple):
    """A memoised conversion that raised FieldProblem (not the exception: it would hold its frames)."""

    reason: str
    message: str


_ODD = (_Failed, Converted)  # memoised answers that are more than a value


class _Column:
    __slots__ = ("convert", "index", "key", "label", "memo", "rejects", "required", "type")

    def __init__(self, index: int, spec: FieldSpec, convert: Callable[[str], Any]):
        self.index = index
        self.key = spec.key
        self.label = spec.label
        self.type = spec.type
        self.required = spec.required and spec.derive is None  # a derived field is checked once derived
        self.rejects = spec.rejects_invalid
        self.convert = convert
        self.memo: dict[str, Any] | None = None if spec.type == "text" else {}


class ColumnParser:
    """Validates a file's rows a chunk at a time, column by column, with ``RowParser`` for the failures."""

    def __init__(self, header_map: HeaderMap, *, today: dt.date, id_hash_key: str) -> None:
        self.row_parser = RowParser(header_map, today=today, id_hash_key=id_hash_key)
        self.today = today
        self.id_hash_key = id_hash_key
        self.width = self.row_parser.width
        self.placeholders = schema.value_rules().placeholders
        self.columns = [
            _Column(index, spec, converter(spec, header_map.factor(index)))
            for index, spec in header_map.columns
        ]
        present = {column.key for column in self.columns}
        # A derived field no column gives is a column of its own, empty until derived.
        self.virtual = [spec.key for spec in self.row_parser.derived if spec.key not in present]
        self.position = {key: i for i, key in enumerate([c.key for c in self.columns] + self.virtual)}
        self.derivations = [
            (spec, self.position[spec.key], self.position.get(spec.derive.source))
            for spec in self.row_parser.derived
            if spec.derive is not None
        ]
        self.id_columns = [
            (self.position[spec.key], self.position.get(spec.id_type_field or ""), spec)
            for _, spec in header_map.columns
            if spec.type == "id_number"
        ]
        self._ids: dict[str, tuple[bool, str, str]] = {}  # number → (valid resident ID, masked, hash)

    def parse(self, chunk: Chunk) -> Parsed:
        """The chunk's valid rows, its invalid ones with their errors and the valid ones' warnings, each in
        file order. Unparseable rows (``None``) are left to the caller."""
        width = self.width
        numbers: list[int] = []
        values_list: list[list[str]] = []
        for number, values in chunk:
            if values is None:
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            numbers.append(number)
            values_list.append(values)
        count = len(values_list)
        bad: set[int] = set()
        warned: dict[int, list[RowError]] = {}  # position → warnings, in RowParser's order
        extras: dict[str, list[Any]] = {}  # payload fields conversions keep beside a value
        by_index = list(zip(*values_list, strict=False)) if values_list else [() for _ in range(width)]
        converted = [
            self._convert(column, by_index[column.index], bad, warned, extras) for column in self.columns
        ]
        converted.extend([None] * count for _ in self.virtual)
        keys = [column.key for column in self.columns] + self.virtual
        for spec, at, source_at in self.derivations:
            sources = converted[source_at] if source_at is not None else None
            flags = self._derive(spec, converted[at], sources, bad)
            if flags is not None:
                keys.append(spec.key + "_derived")
                converted.append(flags)
        self._row_checks(converted, bad)
        for number_at, type_at, spec in self.id_columns:
            masked, hashed = self._protect(
                converted[number_at],
                converted[type_at] if type_at is not None else None,
                spec,
                bad,
                warned,
            )
            converted[number_at] = masked  # the number itself never survives
            keys[number_at] = spec.key + "_masked"
            keys.append(spec.key + "_hash")
            converted.append(hashed)
        keys.extend(extras)
        converted.extend(extras.values())

        valid: Rows = []
        invalid: Problems = []
        warnings: Problems = []
        present = repeat(None)  # with is_not: which fields a row has (RowParser leaves empty ones out)
        parse_row = self.row_parser.parse
        rows = zip(numbers, zip(*converted, strict=True), strict=True)
        for position, (number, row_values) in enumerate(rows):
            if bad and position in bad:
                row, errors, row_warnings = parse_row(values_list[position])
                if errors:
                    invalid.append((number, errors))
                    continue
                # An optional free text too long to keep: RowParser leaves it out with a warning.
                valid.append((number, row))
                if row_warnings:
                    warnings.append((number, row_warnings))
                continue
            fields = zip(keys, row_values, strict=True)
            valid.append((number, dict(compress(fields, map(is_not, row_values, present)))))
            if warned and position in warned:
                warnings.append((number, warned[position]))
        return Parsed(valid, invalid, warnings)

    # -- one column ----------------------------------------------------------------------------------------

    def _convert(
        self,
        column: _Column,
        raws: Sequence[str],
        bad: set[int],
        warned: dict[int, list[RowError]],
        extras: dict[str, list[Any]],
    ) -> list[Any]:
        memo = column.memo
        if memo is None:  # free text: strip, placeholders, required, length
            texts = list(map(str.strip, raws))
            if texts and max(map(len, texts)) > MAX_TEXT:
                bad.update(i for i, text in enumerate(texts) if len(text) > MAX_TEXT)
            placeholders = self.placeholders
            if not placeholders.isdisjoint(texts):
                texts = ["" if text in placeholders else text for text in texts]
            elif all(texts):
                return texts
            if column.required:
                bad.update(i for i, text in enumerate(texts) if not text)
            return [text or None for text in texts]
        distinct = set(raws)
        new = distinct.difference(memo)
        if new:
            if len(memo) + len(new) > MEMO_LIMIT:
                memo.clear()
                new = distinct
            convert = column.convert
            for raw in new:
                text = raw.strip()
                if not text:
                    memo[raw] = None
                    continue
                try:
                    memo[raw] = convert(text)
                except FieldProblem as problem:
                    memo[raw] = _Failed(problem.reason, problem.message)
        required = column.required
        values = list(map(memo.__getitem__, raws))
        odd = {raw for raw in distinct if ((v := memo[raw]) is None and required) or v.__class__ in _ODD}
        if not odd:
            return values
        label, rejects = column.label, column.rejects
        for i in [i for i, raw in enumerate(raws) if raw in odd]:
            value = values[i]
            if value is None:  # a required field left empty
                bad.add(i)
            elif value.__class__ is _Failed:
                if rejects:
                    bad.add(i)
                else:  # the row loads without the field
                    values[i] = None
                    warned.setdefault(i, []).append(RowError(label, value.reason, value.message))
            else:  # Converted
                if value.warning is not None:
                    warned.setdefault(i, []).append(RowError(label, *value.warning))
                values[i] = value.value
                if value.value is None:
                    if required:
                        bad.add(i)
                    continue
                for key, extra in value.extras:
                    extras.setdefault(key, [None] * len(raws))[i] = extra
        return values

    # -- checks that span fields -----------------------------------------------------------------------------

    def _derive(
        self, spec: FieldSpec, values: list[Any], sources: list[Any] | None, bad: set[int]
    ) -> list[bool | None] | None:
        """Fill empty values of a derived field from its source as ``RowParser`` does; the `_derived` flags
        (None: nothing derived)."""
        if None not in values:
            return None
        derive = spec.derive
        assert derive is not None
        flags: list[bool | None] = [None] * len(values)
        for i in [i for i, value in enumerate(values) if value is None]:
            source = sources[i] if sources is not None else None
            found = derive(source) if source.__class__ is str else None
            if found is None:
                if spec.required:
                    bad.add(i)
                continue
            values[i] = found
            flags[i] = True
        return flags

    def _row_checks(self, converted: list[list[Any]], bad: set[int]) -> None:
        """The kind's checks across fields, as ``RowParser`` makes them, over whole columns."""
        position, spec, today = self.position, self.row_parser.spec, self.today
        scope = spec.out_of_scope
        if scope is not None and scope.field in position:  # RowParser reports only this
            bad.update(i for i, value in enumerate(converted[position[scope.field]]) if value == scope.value)
        for check in spec.checks:
            if not all(key in position for key in check.fields):
                continue
            columns = [converted[position[key]] for key in check.fields]
            fails = check.fails
            bad.update(i for i, values in enumerate(zip(*columns, strict=True)) if fails(today, *values))

    def _protect(
        self,
        numbers: list[Any],
        id_types: list[Any] | None,
        spec: FieldSpec,
        bad: set[int],
        warned: dict[int, list[RowError]],
    ) -> tuple[list[str | None], list[str | None]]:
        """Masked form and keyed hash of each personal ID number; an invalid resident ID rejects its row, or
        in an optional field is left out with a warning."""
        masked: list[str | None] = [None] * len(numbers)
        hashed: list[str | None] = [None] * len(numbers)
        ids = self._ids
        resident_id = schema.id_types().resident_id
        rejects = spec.rejects_invalid
        for i, number in enumerate(numbers):
            if number is None or number.__class__ is _Failed:
                continue
            known = ids.get(number)
            if known is None:
                if len(ids) >= MEMO_LIMIT:
                    ids.clear()
                known = ids[number] = (
                    is_valid_resident_id(number),
                    mask_id_number(number),
                    hash_id_number(number, self.id_hash_key),
                )
            id_type = id_types[i] if id_types is not None else None
            if id_type is None or id_type.__class__ is _Failed:
                id_type = resident_id
            if id_type == resident_id and not known[0]:
                if rejects:
                    bad.add(i)
                else:
                    problem = RowError(spec.label, "invalid_id_number", "not a valid resident ID number")
                    warned.setdefault(i, []).append(problem)
                continue
            masked[i], hashed[i] = known[1], known[2]
        return masked, hashed
