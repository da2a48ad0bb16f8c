"""``casino-sim rng-cert``: run the certification battery on one of our random sources, exit 0 only on PASS.

Everything is seeded, by default with fixed seeds, so two runs with the same arguments print the same
report and write the same export files. Exports come from a fresh copy of the source: the raw file holds
exactly the words the raw-bit tests analysed, the CSV the first outcomes a game would show.

Exit codes: 0 every test passed, 1 at least one failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from games.rng import BitGeneratorName, Mapping, SeededSource
from simulator.commands.progress import progress_line

if TYPE_CHECKING:
    from games.certify import BatteryConfig, CertifiableSource

DEFAULT_SERVER_SEED = "casino-sim rng-cert server seed"
DEFAULT_CLIENT_SEED = "casino-sim rng-cert client seed"
DEFAULT_ENTROPY = 20_240_601
MIN_SAMPLES = 20_000  # games.certify.battery.MIN_SAMPLES, repeated to keep scipy out of CLI start-up
MAX_SAMPLES = 100_000_000


class BadInput(Exception):
    """Raised for arguments argparse accepted but the command cannot use; becomes exit code 2."""


def source_factory(kind: str, seed: str | None, mapping: Mapping) -> Callable[[], CertifiableSource]:
    """A function returning a fresh, identically seeded source each time (battery and exports each get one)."""
    if kind == "pf":
        from games.certify.streams import ConsecutiveNonces

        server_seed = DEFAULT_SERVER_SEED if seed is None else seed
        return lambda: ConsecutiveNonces(server_seed, DEFAULT_CLIENT_SEED, mapping=mapping)
    if kind not in ("pcg64dxsm", "philox"):
        raise BadInput(f"unknown source {kind!r}")
    if seed is None:
        entropy = DEFAULT_ENTROPY
    elif seed.isdecimal():
        entropy = int(seed)
    else:
        raise BadInput(f"--seed must be a non-negative integer for {kind}, got {seed!r}")
    bit_generator: BitGeneratorName = "philox" if kind == "philox" else "pcg64dxsm"
    return lambda: SeededSource(entropy, bit_generator=bit_generator, mapping=mapping)


def _config(samples: int) -> BatteryConfig:
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise BadInput(f"--samples must be between {MIN_SAMPLES} and {MAX_SAMPLES}, got {samples}")
    from games.certify import BatteryConfig

    return BatteryConfig(samples=samples)


def _export(make: Callable[[], CertifiableSource], args: argparse.Namespace, config: BatteryConfig) -> None:
    from games.certify import export_outcomes, export_raw

    try:
        if args.export_raw is not None:
            written = export_raw(make(), args.export_raw, config.raw_word_count)
            print(f"rng-cert: wrote {written} bytes of raw words to {args.export_raw}", file=sys.stderr)
        if args.export_outcomes is not None:
            export_outcomes(make(), args.export_outcomes, config.samples)
            print(f"rng-cert: wrote {config.samples} rounds to {args.export_outcomes}", file=sys.stderr)
    except OSError as exc:
        raise BadInput(f"cannot write export: {exc.strerror or exc} ({exc.filename})") from exc


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("scipy") is None:
        print("rng-cert: the battery needs scipy: pip install 'casino-provider-simulator[certify]'", file=sys.stderr)
        return 2
    try:
        config = _config(args.samples)
        make = source_factory(args.source, args.seed, Mapping(args.mapping))
        _export(make, args, config)
    except BadInput as exc:
        print(f"rng-cert: {exc}", file=sys.stderr)
        return 2
    from games.certify import run_battery

    line = progress_line(args.progress, f"rng-cert {args.source}", "checks")
    try:
        report = run_battery(make(), config, progress=line)
    finally:
        if line is not None:
            line.close()
    print(report.dumps() if args.json else report.render_text())
    return 0 if report.passed else 1
