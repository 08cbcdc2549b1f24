"""Importers that bring outside data sets into the catalog, idempotently."""
