"""Notices on persons: indexed by blocking keys of their names and by their documents."""
