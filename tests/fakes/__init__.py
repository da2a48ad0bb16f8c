"""Test doubles shared by the test suite and the benchmarks: a tiny game engine pair, a faulty wallet proxy,
and wallets for the conformance suite to judge (the reference one, and broken ones)."""
