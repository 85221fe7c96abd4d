"""The examples that are too large for CI run here scaled down (same structure, fewer GPUs).

Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python/test_examples.py -q
"""

import json
import os
import subprocess

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
GIGASIM_BIN = os.environ.get("GIGASIM_BIN", os.path.join(REPO, "build", "gigasim"))


def test_link_failure_example_at_512_gpus(tmp_path):
    with open(os.path.join(REPO, "examples", "link-failure-16k", "run.yaml")) as f:
        run = yaml.safe_load(f)
    run["topology"]["servers"] = 64
    run["workload"]["parallel"]["dp"] = 16
    run["workload"]["global_batch"] = 128
    run["workload"]["collectives"] = {"dp": {"fidelity": "collapsed"}}
    for e in run["failures"]["events"]:
        if e["target"].startswith("gpu"):
            e["target"] = "gpu56"  # the last stage's first GPU of DP replica 1
        if e["target"].startswith("spine"):
            e["target"] = "spine[01]"  # 2 of the 8 spines of this smaller fabric
    run["output"] = str(tmp_path / "lf.h5")
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(run))
    proc = subprocess.run([GIGASIM_BIN, "run", str(path), "--json", "--progress", "none"], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    j = json.loads(proc.stdout)
    events = {e["target"]: e for e in j["failures"]}
    assert set(events) == {"leaf0-spine*", "spine[01]", "gpu56"}
    assert events["leaf0-spine*"]["targets"] > 1
    for e in events.values():
        print(f"{e['target']:>14} {e['kind']:>8}: lost {e['lost_s']:.4f} s, {e['flows_cut']} flows cut")
        assert e["applied"] and e["lost_s"] is not None and e["lost_s"] >= -1e-9
    assert events["gpu56"]["lost_s"] > 0
    assert j["failure_lost_time_s"] > 0
