"""Events pushed to the operator: signed webhook deliveries through the settlement outbox (docs/webhooks.md)."""
