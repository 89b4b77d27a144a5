"""Enrichment: facts about reviews that come from outside the reports (the DHRD dataset).

Kept apart from extracted Documents (its own SQLite file in the data directory), so that
re-extracting every stored file keeps it; merged into the index records at indexing time.
"""
