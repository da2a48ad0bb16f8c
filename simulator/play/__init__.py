"""The game client API (/play), its HTML client, and the orchestration of rounds."""
