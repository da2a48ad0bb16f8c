"""Amounts the checks stake, and what a player needs for all of them."""

STAKE = 100  # minor units: 1.00 USD, 100 JPY
WIN = 250
DIGITS = 12_345  # format.amount-scale: an amount that uses every digit, then a win of one more
# the largest balance any check asks of a player before it starts (format.amount-scale bets DIGITS and 1); in minor
# units, so 123.46 USD but 12,346 JPY. A test runs every check with players holding exactly this much.
MINIMUM_BALANCE = DIGITS + 1
