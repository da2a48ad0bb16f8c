"""Small operator integrations written from the aggregators' public documentation alone. They import nothing
from ``simulator`` or ``games``: they are what an operator who integrated the real aggregator already runs."""
