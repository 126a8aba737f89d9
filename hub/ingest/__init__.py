"""Ingestion: agency topics in, verified domain events (and dead letters) out."""
