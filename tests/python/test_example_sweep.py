"""examples/topology-comparison at 512 GPUs: plan, run, status, merge and report end to end."""

import json
import os
import subprocess

import pandas as pd

from gigasim_test import ANALYSIS, PYTHON, REPO, gigasim

SWEEP = os.path.join(REPO, "examples", "topology-comparison", "sweep.yaml")


def test_topology_comparison_sweep(tmp_path):
    d = str(tmp_path / "tc")
    p = gigasim("sweep", "plan", SWEEP, "-o", d, "--set", "topology.servers=64")
    assert p.returncode == 0, p.stderr
    p = gigasim("sweep", "run", d, "--jobs", "2", "--progress", "none")
    assert p.returncode == 0, p.stderr
    status = json.loads(gigasim("sweep", "status", d, "--json").stdout)
    assert status["ok"] == status["points"] == 9 and status["failed"] == status["missing"] == 0
    env = dict(os.environ, PYTHONPATH=ANALYSIS)
    for args in (["merge", d, "-o", os.path.join(d, "summary.h5"), "--csv"], ["report", d, "-o", os.path.join(d, "r.html")]):
        p = subprocess.run([PYTHON, "-m", "gigasim_results", *args], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 0, p.stderr
    df = pd.read_hdf(os.path.join(d, "summary.h5"), "runs")
    assert len(df) == 9 and set(df["topology_kind"]) == {"fat_tree", "rail_optimized", "rail_only"}
    assert (df["gpus"] == 512).all()
