"""Every setting and every command is documented in README.md."""

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
