"""Stolen motor vehicles: indexed by VIN and by plate (per country, OCR-tolerant keys)."""
