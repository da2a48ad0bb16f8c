"""Amounts the checks stake."""

STAKE = 100  # minor units: 1.00 USD
WIN = 250
