"""Every check, registered on import; reports list them by group (``registry.GROUPS``), then in the order
each module defines them."""

from simulator.conformance.checks import (  # noqa: F401 - imported to register
    auth,
    bets,
    bonus,
    campaigns,
    formats,
    idempotency,
    rollbacks,
    rounds,
    stress,
)
