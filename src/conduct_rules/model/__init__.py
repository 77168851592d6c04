"""The contracts: the case given, the assessment returned, the JSON shapes, the views registry."""
