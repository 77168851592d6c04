"""The ``conduct-rules`` command line: the click group in ``main``, one module per subcommand."""

from conduct_rules.cli.main import main

__all__ = ["main"]
