"""Stolen and lost travel documents: indexed by (normalised document number, issuing state),
in a compact layout of about 44 bytes a record (layout.py)."""
