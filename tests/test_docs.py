"""Every setting and every command is documented in README.md."""

import re
from pathlib import Path

from tests.test_cli_errors import command_paths

from xinyong.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_documented():
    for name in Settings.model_fields:
        assert f"`XINYONG_{name.upper()}`" in README, name


def test_two_setup_commands():
    assert "make demo" in README and "make test" in README


def test_every_command_documented():
    for path in command_paths():
        assert f"`xinyong {' '.join(path)}" in README, path


def test_every_design_reference_resolves():
    """Code, rule files and data cite docs/design.md as ``DESIGN x.y`` (or ``DESIGN principle x.y``)."""
    root = Path(__file__).parents[1]
    design = (root / "docs" / "design.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^### (\d+\.\d+) ", design, flags=re.M))
    principles = {f"2.{n}" for n in re.findall(r"^(\d+)\. \*\*", design, flags=re.M)}
    cited = []
    for path in (root / "src").rglob("*"):
        if path.suffix in (".py", ".toml") and "egg-info" not in str(path):
            text = path.read_text(encoding="utf-8")
            for principle, number in re.findall(r"DESIGN (principle )?§?(\d+\.\d+)", text):
                cited.append((path.name, number, bool(principle or number.startswith("2."))))
    assert len(cited) >= 10
    for name, number, is_principle in cited:
        assert number in (principles if is_principle else sections), (name, number)
