"""Alembic migrations of the tracker database (run by ``dhr db upgrade``)."""
