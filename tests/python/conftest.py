"""pytest configuration for the Python analysis tests: makes analysis/gigasim_results importable."""

import os
import sys

_ANALYSIS = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "analysis"))
if _ANALYSIS not in sys.path:
    sys.path.insert(0, _ANALYSIS)
