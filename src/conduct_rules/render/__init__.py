"""Rendering for people: text and HTML reports, labels, citations, typography, charts."""
