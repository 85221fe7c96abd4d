"""What the Python tests share: the repository's paths, the gigasim binary and how to run it.

Imported by conftest.py and by the test files (`from gigasim_test import REPO, gigasim, ...`).
GIGASIM_BIN (environment) names the binary under test; default build/gigasim.
"""

import json
import os
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
GIGASIM_BIN = os.environ.get("GIGASIM_BIN", os.path.join(REPO, "build", "gigasim"))
ANALYSIS = os.path.join(REPO, "analysis")
PRESETS = os.path.join(REPO, "topologies", "presets")
QUICKSTART = os.path.join(REPO, "examples", "quickstart", "run.yaml")
# Debian's interpreter, the one with h5py, pandas and matplotlib (the first python3 on PATH may lack them).
PYTHON = "/usr/bin/python3"


def require_binary():
    """Fail (not error) the calling test when the binary is not built."""
    if not os.path.isfile(GIGASIM_BIN):
        pytest.fail(f"gigasim binary not built: {GIGASIM_BIN} (run scripts/build, or set GIGASIM_BIN)")


def gigasim(*args, cwd=None, timeout=600, env=None):
    """Run `gigasim ARGS...` and return the CompletedProcess (text stdout and stderr captured).

    env: variables added to this process's environment.
    """
    require_binary()
    return subprocess.run([GIGASIM_BIN, *(str(a) for a in args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=None if env is None else {**os.environ, **env})


def write_run(tmp_path, run, name="run"):
    """Write a run (or topology) given as a dict to TMP/NAME.yaml (as JSON, which is YAML); returns its path."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(json.dumps(run))
    return str(path)


def simulate(tmp_path, run, name="run", extra=(), timeout=600):
    """`gigasim run` a run given as a dict: TMP/NAME.yaml -> TMP/NAME.h5 (no progress on stderr).

    Returns (CompletedProcess, path of the result file); extra: more command-line arguments.
    """
    path = write_run(tmp_path, run, name)
    out = str(tmp_path / f"{name}.h5")
    return gigasim("run", path, "-o", out, "--progress", "none", *extra, timeout=timeout), out


def link_failure_at_512_gpus():
    """examples/link-failure-16k/run.yaml scaled down to 512 GPUs (same structure), as a dict.

    64 servers (8 spines), DP 16, 8 micro-batches per pipeline as in the example, collapsed DP
    collectives; the failures aimed at this fabric: the straggler is the last stage's first GPU of
    DP replica 1 (gpu56), the spines that go down are 2 of the 8.
    """
    import yaml

    with open(os.path.join(REPO, "examples", "link-failure-16k", "run.yaml")) as f:
        run = yaml.safe_load(f)
    run["topology"]["servers"] = 64
    run["workload"]["parallel"]["dp"] = 16
    run["workload"]["global_batch"] = 128
    run["workload"]["collectives"] = {"dp": {"fidelity": "collapsed"}}
    for e in run["failures"]["events"]:
        if e["target"].startswith("gpu"):
            e["target"] = "gpu56"
        if e["target"].startswith("spine"):
            e["target"] = "spine[01]"
    return run
