"""Rulesets as data: read the YAML strictly, check it, compile it; what a ruleset says (parts),
its case vocabulary (the standard case or a flat record) and the one table of fact keys."""
