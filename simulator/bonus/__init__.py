"""Bonuses the provider grants and pays: free-round campaigns and promotional wins (docs/bonus.md)."""
