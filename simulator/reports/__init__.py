"""Reports built from the store: money by day, hour, studio, game, currency and player (``ledger``), observed RTP
against the catalogue's (``rtp``), and their CSV, JSON and HTML renderings (``render``). docs/reporting.md says
what every figure means."""
