"""Word lists and templates shipped in ``xinyong/synth/data`` (TOML, so they travel as package data)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def load(name: str) -> dict:
    text = resources.files(__package__).joinpath("data", f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def chars(text: str) -> list[str]:
    """The non-space characters of a word-list string (given-name characters)."""
    return [c for c in text if not c.isspace()]


def words(text: str) -> list[str]:
    return text.split()
