"""The project's settings with the benchmark's reference view mounted (``benchmarks/reference_enrol.py``)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.reference_enrol"
