"""Elasticsearch index settings, mappings and the search-time synonym list, as data files.

A package only so that a regular (non-editable) install carries them next to the code that reads
them (``dhr/search/elasticsearch.py``, ``dhr/query.py``).
"""
