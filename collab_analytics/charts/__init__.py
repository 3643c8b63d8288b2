"""Altair chart builders: a metric frame in, an ``alt.Chart`` out (zh/en labels, one theme)."""
