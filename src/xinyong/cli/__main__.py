"""``python -m xinyong.cli``: the ``xinyong`` command."""

from xinyong.cli import main

main()
