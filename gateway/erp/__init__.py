"""Delivery of canonical documents to the ERP: an outbox filled by the pipeline, then webhook, file
drop and pull channels, each in its own module."""
