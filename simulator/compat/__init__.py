"""The operator-facing APIs of real aggregators, served beside our own under a path prefix each: what an
operator's existing integration calls to list and launch games (``/hub88/...``, ``/groove/...``). Their wallet
calls are the ``hub88`` and ``groove`` dialects (``simulator.dialects``); docs/compatibility/ lists what is
emulated, endpoint by endpoint and field by field."""
