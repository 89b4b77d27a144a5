"""The crawler: discover and download published reviews into the store (design.md, issue 5).

Entry point: :func:`crawler.run.run_crawl` (``dhr crawl``, ``dhr nightly``); ``scrapy list`` and
``scrapy crawl <source>`` work from the repository root too (``scrapy.cfg``). One spider per
source in config.yaml: ``spiders/homeoffice_library.py`` (the Home Office DHR Library) and
``spiders/site.py`` (council / CSP websites, rules in ``rules.yaml``, per-site subclasses in
``spiders/sites/``). Files go to the content-addressed store through ``pipelines.py``; the run
report is built by ``extensions.py`` + ``report.py``.

Metadata recorded with each sighting (``CorpusStore.record_sighting(metadata=...)``), merged into
the Document at ingest (``ingest/merge.py``):

- library: ``source_kind: homeoffice_library``, ``title`` (card label), ``pseudonym``, ``area``
  (CSP), ``region``, ``upload_month`` (YYYY-MM), ``date_of_death`` (YYYY-MM or YYYY), ``tags``,
  ``document_label``, ``found_on``;
- sites: ``source_kind: site``, ``area`` (configured), ``link_text``, ``heading`` (nearest heading
  or accordion title, e.g. "Case of Eleena, March 2018"), ``context``, ``found_on``;
- both: ``final_url`` when the link redirected elsewhere.
"""
