"""`python -m newsreader` and the `newsreader` script."""

import sys

from newsreader.cli import main as cli_main


def main() -> None:
    sys.exit(cli_main())


if __name__ == "__main__":
    main()
