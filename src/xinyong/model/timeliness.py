"""Timeliness of publication: lags in working days from decision to publication, kept as counts per lag so
that a median over millions of records needs no list of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as value → how many times it occurs; None when there are none."""
    total = sum(counts.values())
    if not total:
        return None
    seen, middle = 0, []
    for value in sorted(counts):
        before, seen = seen, seen + counts[value]
        for position in ((total - 1) // 2, total // 2):
            if before <= position < seen:
                middle.append(value)
    return (middle[0] + middle[-1]) / 2


def add_counts(parts: Iterable[Mapping[str, int] | None]) -> dict[int, int]:
    """Lag counts of several batches added up (stored as JSON objects, so their keys are text)."""
    total: dict[int, int] = {}
    for part in parts:
        for lag, n in (part or {}).items():
            total[int(lag)] = total.get(int(lag), 0) + n
    return total
