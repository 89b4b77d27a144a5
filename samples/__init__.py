"""Synthetic sample data: report generator (``samples.reports``) and fixture websites
(``samples.sites``).

Everything here is synthetic: no real person, no real report. Used by tests, benchmarks and the
demo.
"""
