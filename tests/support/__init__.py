"""Helpers the test suites share: hypothesis strategies, source-case loading, assessment checks.

Why a package of its own: the suites live in folders by kind (``unit``, ``properties``,
``integration``, ``stress``), and each imports these as ``support.<module>`` (``tests/`` is on
``sys.path`` because ``tests/conftest.py`` sits there), so no helper is mistaken for a suite.
"""
