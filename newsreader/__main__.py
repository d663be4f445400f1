"""`python -m newsreader` and the `newsreader` script: a command runs in the CLI, none
opens the window. Only here are both reached, so the CLI never imports the UI."""

import sys
from collections.abc import Sequence
from pathlib import Path

from newsreader.cli import main as cli_main


def open_window(location: Path | str, qt_args: list[str]) -> int:
    from newsreader.ui.app import open_window as open_app  # Qt loads only for the window

    return open_app(location, qt_args)


def run(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, open_gui=open_window)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
