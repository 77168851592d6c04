"""Subcommands of the ``conduct-rules`` command line (one module each)."""
