"""The top of the layout: the command line, the nightly run, the ingest pipeline and the
demo. They drive the crawler, ingest, understanding, accountability and the web app;
nothing below imports from here."""
