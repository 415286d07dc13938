"""Incident mode (issue 23 item 4, contract v2 "Modes"): `profiles` says what a profile
changes (pure), `control` signs, reads and verifies ModeChange messages, and `follow`
keeps a worker's mode current from `screening.control`."""
