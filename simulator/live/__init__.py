"""Live tables: timed rounds shared by every player at a table, bets debited as placed, every bet settled against
the one result through the durable settlement, and the table's events pushed over a WebSocket (docs/live.md)."""
