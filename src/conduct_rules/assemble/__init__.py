"""From what an engine concluded to the ``Assessment`` a user reads."""
