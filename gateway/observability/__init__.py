"""Operational visibility: Prometheus metrics read from the database, structured and redacted logs."""
