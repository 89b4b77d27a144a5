"""Accountability: from published recommendations to evidence that they were delivered.

The second flow of the product (``../shared/spec/accountability.md``): the organisation registry,
review-level recommendations with stable ids, the tracker database (updates, accounts, tokens,
audit log), notifications and analysis. It sits beside the ingest and search pipelines and
imports only the core (``dhr``) below it.
"""
