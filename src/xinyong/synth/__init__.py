"""Synthetic data for xinyong: a realistic province of market entities and the files its departments send
(registrations, double-publicity penalties and licences, annual reports, lists), with deliberate bad rows.

    from xinyong.synth import generate
    summary = generate(Path("demo-data"), entities=20_000, seed=1, as_of=date(2026, 5, 1))

Deterministic for (seed, as_of, entities, penalties, province); ``manifest.json`` in the output directory
describes every file (kind, department, format, encoding, row counts, bad rows by reason), and
``bad-rows.csv`` lists each deliberately bad row (path, 1-based row number, reason).
"""

from xinyong.synth.bad import REASONS as BAD_ROW_REASONS
from xinyong.synth.generator import BAD_ROWS, FILES, MANIFEST, FileSpec, GenerationSummary, generate

__all__ = ["BAD_ROWS", "BAD_ROW_REASONS", "FILES", "MANIFEST", "FileSpec", "GenerationSummary", "generate"]
