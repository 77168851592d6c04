"""Rulesets as data: read the YAML strictly, check it, compile it; the one table of fact keys."""
