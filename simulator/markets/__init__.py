"""Regulated markets: jurisdiction profiles (data files), the rules a session is launched under, and the gate every
round of a regulated session passes (docs/jurisdictions.md)."""
