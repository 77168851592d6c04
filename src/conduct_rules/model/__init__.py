"""The contracts: the case given, the assessment returned, flat records, the JSON shapes."""
