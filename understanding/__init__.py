"""Understanding of a document's text, whatever its file format: review metadata,
agencies, themes, recommendations, owners, action plans. Pure functions on text and
tables; the rules are data in rules/. Imports only the core (dhr)."""
