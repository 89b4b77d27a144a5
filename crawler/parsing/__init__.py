"""Page parsers: pure functions from saved HTML to what the spiders follow and record."""
