"""Core of the DHR repository: configuration, the Document model, the store, search backends, CLI.

Data flows one way: crawler -> store -> ingest -> index -> search_api (see README).
"""

__version__ = "0.1.0"
