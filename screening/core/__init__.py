"""Screening decisions: decoding, preparing look-ups and deciding, shared by worker and CLI."""
