"""Statistical certification of random sources: the battery a test lab would run, and the files it asks for.

Modules: ``nist`` (SP 800-22 on raw bits), ``outcome_tests`` (chi-square, KS, runs, serial, gap, poker,
coupon collector on scaled outcomes), ``shuffle``, ``independence``, ``battery`` (runs them all into a
``report.Report``), ``export`` (raw binary and outcome CSV), ``bias`` (exact scaling bias), ``streams``
(the provably-fair stream over consecutive nonces) and ``sources`` (deliberately bad generators).
"""

from games.certify.battery import CHECK_NAMES, BatteryConfig, BetPath, CertifiableSource, run_battery
from games.certify.bias import ScalingBias, cell_counts, low_cells_bias, scaling_bias
from games.certify.export import export_outcomes, export_raw, read_raw
from games.certify.report import CheckResult, Report
from games.certify.streams import ConsecutiveNonces

__all__ = [
    "CHECK_NAMES",
    "BatteryConfig",
    "BetPath",
    "CertifiableSource",
    "CheckResult",
    "ConsecutiveNonces",
    "Report",
    "ScalingBias",
    "cell_counts",
    "export_outcomes",
    "export_raw",
    "low_cells_bias",
    "read_raw",
    "run_battery",
    "scaling_bias",
]
