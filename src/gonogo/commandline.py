"""What every ``gonogo`` command line shares: argparse whose usage errors exit 4.

``gonogo`` (:mod:`gonogo.cli`), ``gonogo demo`` (:mod:`gonogo.demo.cli`) and ``gonogo plan`` /
``gonogo attest`` (:mod:`gonogo.plans.cli`) build their parsers from :class:`Parser`; it lives
here, below all three, so that no command module imports another to get it.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """argparse with gonogo's exit code for a usage error: 4 (configuration), not 2
    (which gonogo reserves for an interrupted run)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(4, f"{self.prog}: error: {message}\n")
