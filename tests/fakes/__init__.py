"""Test doubles shared by the test suite and the benchmarks: a tiny game engine pair and a faulty wallet
proxy."""
