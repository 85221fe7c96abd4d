"""Failures inside a run (`failures:` in a run file) through the real binary: the /failures table
and its impact column, the summary's lost time against the replay without failures, stochastic
processes that are reproducible for a seed, a GPU failure ending the run with status failed, and
bad failure specifications refused at file:line:col with nothing written.

Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python/test_failures.py -q
"""

import json
import os

import h5py
import pytest

from gigasim_results import open_run
from gigasim_test import PRESETS, simulate

TOPO = os.path.join(PRESETS, "fat_tree_128.yaml")
# Compute-bound DDP steps: the gradient buckets' all-reduces hide behind the backward pass.
WORK = {"kind": "data_parallel", "steps": 2, "compute": {"forward": "20ms", "backward": "40ms"},
        "gradients": "64MiB", "bucket_size": "16MiB", "algorithm": "ring", "fidelity": "collapsed"}
RING = {"kind": "collective", "op": "all_reduce", "size": "256MiB", "algorithm": "ring", "fidelity": "collapsed"}


def gigasim(tmp_path, failures, name="run", extra=(), workload=None):
    run = {"topology": TOPO, "workload": workload or WORK, "failures": failures}
    return simulate(tmp_path, run, name, extra=["--json", *extra])


def test_events_and_their_impact(tmp_path):
    failures = {"events": [{"at": "33ms", "target": "leaf0-spine0", "class": "link", "kind": "degrade",
                            "factor": 0.25, "duration": "20ms"},
                           {"at": "0", "target": "gpu3", "kind": "slow", "factor": 1.5}]}
    proc, out = gigasim(tmp_path, failures)
    assert proc.returncode == 0, proc.stderr
    j = json.loads(proc.stdout)
    events = j["failures"]
    assert len(events) >= 2 and all(e["applied"] for e in events)
    assert all(e["lost_s"] is not None and e["lost_s"] >= -1e-9 for e in events)
    straggler = [e for e in events if e["target"] == "gpu3"][0]
    # 1.5x compute on one rank: half the 60 ms of compute per step, twice.
    assert straggler["lost_s"] == pytest.approx(2 * 0.5 * 0.060, rel=0.1)
    # The run's total loss is its step times against the replay without failures.
    base = j["step_time_without_failures_s"]
    assert j["failure_lost_time_s"] == pytest.approx(sum(d - base for d in j["step_durations_s"]), rel=1e-6)
    r = open_run(str(out))
    f = r.table("failures")
    assert list(f.columns[:8]) == ["event_id", "time_s", "target_kind", "target_id", "target", "targets", "kind",
                                   "duration_s"]
    assert set(f["kind"].astype(str)) == {"degrade", "slow"}
    assert f.attrs["units"]["lost_s"] == "s"
    with h5py.File(out, "r") as h:
        assert "failures_yaml" in h["config"]


def test_link_down_reroutes_and_counts_cut_flows(tmp_path):
    failures = {"events": [{"at": "1ms", "target": "spine0", "kind": "down"}], "recovery": {"reissue_delay": "1ms"}}
    proc, out = gigasim(tmp_path, failures, "down", workload=RING)
    assert proc.returncode == 0, proc.stderr
    j = json.loads(proc.stdout)
    assert j["flows_cut"] > 0
    assert j["failures"][0]["flows_cut"] == j["flows_cut"]
    assert j["failures"][0]["lost_s"] > 0


def test_stochastic_processes_are_seeded(tmp_path):
    failures = {"processes": [{"class": "link", "mtbf": "2s", "kind": "degrade", "factor": 0.5, "repair": "5ms"},
                              {"class": "gpu", "rate": 2e9, "kind": "slow", "factor": 1.2, "repair": "5ms"}],
                "horizon": "40ms", "seed": 11}
    times = []
    for i, seed in enumerate([11, 11, 12]):
        failures["seed"] = seed
        proc, out = gigasim(tmp_path, failures, f"s{i}", extra=["--failure-impact", "none"])
        assert proc.returncode == 0, proc.stderr
        f = open_run(str(out)).table("failures")
        assert len(f) > 3
        times.append((list(f["time_s"]), list(f["target"])))
    assert times[0] == times[1]
    assert times[0] != times[2]


def test_gpu_failure_ends_the_run(tmp_path):
    proc, out = gigasim(tmp_path, {"events": [{"at": "1ms", "target": "server2", "kind": "down"}]}, "gpu",
                        extra=["--failure-impact", "none"])
    assert proc.returncode == 1
    assert "server2 failed at t=0.001 s: step 0 aborted" in proc.stderr
    r = open_run(str(out))
    assert r.meta["status"] == "failed"
    assert bool(r.table("failures")["applied"].iloc[0])
    assert r.table("steps")["failed"].iloc[0] == 1


@pytest.mark.parametrize("failures,message", [
    ({"events": [{"at": "1ms", "target": "nosuch", "kind": "down"}]}, "target 'nosuch' matches no component"),
    ({"events": [{"at": "1ms", "target": "nic3", "kind": "degrade", "factor": 2}]}, "factor in (0, 1)"),
    ({"events": [{"at": "1ms", "target": "leaf0-spine0", "kind": "slow", "factor": 2}]}, "kind slow applies to GPUs"),
    ({"events": [{"at": "-1ms", "target": "gpu1"}]}, "error:"),
    ({"processes": [{"class": "link", "mtbf": "1h", "rate": 3}]}, "exactly one of mtbf"),
    ({"processes": [{"class": "cable", "mtbf": "1h"}]}, "class must be link, switch, nic, gpu or server"),
    ({"events": [{"at": "1ms", "target": "gpu1", "kind": "explode"}]}, "kind must be down, degrade or slow"),
    ({"evnts": []}, "did you mean 'events'"),
])
def test_bad_failure_specs(tmp_path, failures, message):
    proc, out = gigasim(tmp_path, failures, "bad")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "bad.yaml:1:" in proc.stderr
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")
