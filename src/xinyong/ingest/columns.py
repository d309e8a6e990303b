"""Column-wise validation of a chunk of rows: RowParser's checks, made once per distinct value.

Department files repeat most values (codes, dates, enumerations, amounts, authorities), and checking a row
field by field in Python costs far more than the check itself. ``ColumnParser`` takes a chunk of rows, turns
it into columns and converts each column with the very converter ``RowParser`` uses, memoised per distinct
raw value; free-text columns only need a length check. The checks that span fields (natural persons, personal
ID numbers against their type, dates after today, date order) run over the converted columns.

A row that fails any check goes through ``RowParser`` itself, so a reject names the same fields with the same
reasons and messages as before. A row that passes every check gives the same dict ``RowParser`` would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import is_not
from typing import Any

from xinyong.ingest import schema
from xinyong.ingest.parse import (
    MAX_TEXT,
    FieldProblem,
    RowError,
    RowParser,
    converter,
)
from xinyong.ingest.schema import HeaderMap
from xinyong.model.codes import hash_id_number, is_valid_resident_id, mask_id_number

_FAIL = object()  # a memoised conversion that raised FieldProblem
MEMO_LIMIT = 100_000  # distinct raw values kept per column; memory stays flat in file size

Chunk = Sequence[tuple[int, list[str] | None]]
Parsed = tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, list[RowError]]]]


class _Column:
    __slots__ = ("convert", "index", "key", "memo", "required", "type")

    def __init__(self, index: int, key: str, type_: str, required: bool, convert: Callable[[str], Any]):
        self.index = index
        self.key = key
        self.type = type_
        self.required = required
        self.convert = convert
        self.memo: dict[str, Any] | None = None if type_ == "text" else {}


class ColumnParser:
    """Validates a file's rows a chunk at a time, column by column, with ``RowParser`` for the failures."""

    def __init__(self, header_map: HeaderMap, *, today: dt.date, id_hash_key: str) -> None:
        self.row_parser = RowParser(header_map, today=today, id_hash_key=id_hash_key)
        self.today = today
        self.id_hash_key = id_hash_key
        self.width = self.row_parser.width
        self.columns = [
            _Column(index, spec.key, spec.type, spec.required, converter(spec))
            for index, spec in header_map.columns
        ]
        self.position = {column.key: i for i, column in enumerate(self.columns)}
        self.id_columns = [
            (self.position[spec.key], self.position.get(spec.id_type_field or ""))
            for _, spec in header_map.columns
            if spec.type == "id_number"
        ]
        self._ids: dict[str, tuple[bool, str, str]] = {}  # number → (valid resident ID, masked, hash)

    def parse(self, chunk: Chunk) -> Parsed:
        """The chunk's valid rows as ``(row number, row)`` and its invalid ones as ``(row number, errors)``,
        each in file order. Unparseable rows (``None``) are left to the caller."""
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
        bad: set[int] = set()
        by_index = list(zip(*values_list, strict=False)) if values_list else [() for _ in range(width)]
        converted = [self._convert(column, by_index[column.index], bad) for column in self.columns]
        keys = [column.key for column in self.columns]
        self._row_checks(converted, bad)
        for number_at, type_at in self.id_columns:
            key = self.columns[number_at].key
            masked, hashed = self._protect(
                converted[number_at], converted[type_at] if type_at is not None else None, bad
            )
            converted[number_at] = masked  # the number itself never survives
            keys[number_at] = key + "_masked"
            keys.append(key + "_hash")
            converted.append(hashed)

        valid: list[tuple[int, dict[str, Any]]] = []
        invalid: list[tuple[int, list[RowError]]] = []
        present = repeat(None)  # with is_not: which fields a row has (RowParser leaves empty ones out)
        parse_row = self.row_parser.parse
        rows = zip(numbers, zip(*converted, strict=True), strict=True)
        for position, (number, row_values) in enumerate(rows):
            if bad and position in bad:
                row, errors = parse_row(values_list[position])
                if errors:
                    invalid.append((number, errors))
                else:  # never expected: the column checks are RowParser's own; its answer stands
                    valid.append((number, row))
                continue
            fields = zip(keys, row_values, strict=True)
            valid.append((number, dict(compress(fields, map(is_not, row_values, present)))))
        return valid, invalid

    # -- one column ----------------------------------------------------------------------------------------

    def _convert(self, column: _Column, raws: Sequence[str], bad: set[int]) -> list[Any]:
        memo = column.memo
        if memo is None:  # free text: strip, required, length
            texts = list(map(str.strip, raws))
            if texts and max(map(len, texts)) > MAX_TEXT:
                bad.update(i for i, text in enumerate(texts) if len(text) > MAX_TEXT)
            if all(texts):
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
                except FieldProblem:
                    memo[raw] = _FAIL
        required = column.required
        failing = {raw for raw in distinct if memo[raw] is _FAIL or (required and memo[raw] is None)}
        if failing:
            bad.update(i for i, raw in enumerate(raws) if raw in failing)
        return list(map(memo.__getitem__, raws))

    # -- checks that span fields -----------------------------------------------------------------------------

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
        self, numbers: list[Any], id_types: list[Any] | None, bad: set[int]
    ) -> tuple[list[str | None], list[str | None]]:
        """Masked form and keyed hash of each personal ID number; an invalid resident ID marks its row."""
        masked: list[str | None] = [None] * len(numbers)
        hashed: list[str | None] = [None] * len(numbers)
        ids = self._ids
        resident_id = schema.id_types().resident_id
        for i, number in enumerate(numbers):
            if number is None or number is _FAIL:
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
            if id_type is None or id_type is _FAIL:
                id_type = resident_id
            if id_type == resident_id and not known[0]:
                bad.add(i)
                continue
            masked[i], hashed[i] = known[1], known[2]
        return masked, hashed
