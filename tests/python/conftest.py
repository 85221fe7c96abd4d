"""pytest configuration for the Python tests.

Makes analysis/gigasim_results and this directory's helper module gigasim_test importable (the
paths, the binary under test and how to run it: REPO, GIGASIM_BIN, gigasim(), simulate(), ...),
and names the binary in pytest's header.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (os.path.join(_HERE, os.pardir, os.pardir, "analysis"), _HERE):
    _path = os.path.abspath(_path)
    if _path not in sys.path:
        sys.path.insert(0, _path)

import gigasim_test  # noqa: E402  (after the path set-up above)


def pytest_report_header(config):
    built = "" if os.path.isfile(gigasim_test.GIGASIM_BIN) else " (not built)"
    return f"gigasim binary: {gigasim_test.GIGASIM_BIN}{built}"
