"""Ledger sheets of the directory app (units, people, links, households)."""
