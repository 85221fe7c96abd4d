"""Collective traces: `gigasim trace export` writes a run's workload as a trace file, and
`workload: {kind: trace, file: ...}` replays it with the same results.

Runs the real gigasim binary (env GIGASIM_BIN, default <repo>/build/gigasim).
"""

import os

import h5py
import pytest

from gigasim_test import PRESETS, QUICKSTART, gigasim

PRESET_128 = os.path.join(PRESETS, "fat_tree_128.yaml")

# Everything the simulation decides (wall-clock costs left out).
SIMULATED = ["step_time_mean_s", "step_time_p50_s", "step_time_p99_s", "step_time_min_s", "step_time_max_s",
             "compute_time_mean_s", "exposed_comm_mean_s", "comm_exposed_frac", "steps", "collectives",
             "collective_time_mean_s", "algbw_mean_Bps", "busbw_mean_Bps", "max_link_util", "fabric_bytes",
             "sim_time_s", "flows", "ranks"]


def summary_and_steps(path):
    with h5py.File(path, "r") as f:
        summary = {k: float(f["summary"].attrs[k]) for k in SIMULATED}
        steps = list(f["steps/duration_s"][()])
        coll = list(f["collectives/end_s"][()])
    return summary, steps, coll


def test_export_then_replay_gives_identical_step_times(tmp_path):
    trace = tmp_path / "quickstart.trace.yaml"
    proc = gigasim("trace", "export", QUICKSTART, "-o", str(trace))
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout.strip())
    assert "data_parallel workload, 128 ranks, 3 steps" in proc.stdout
    assert not os.path.exists(str(trace) + ".tmp")
    text = trace.read_text()
    assert text.count("kind: all_reduce") == 123
    run = tmp_path / "run.yaml"
    run.write_text(f"topology: {PRESET_128}\nworkload: {{kind: trace, file: {trace.name}}}\n")

    direct, replayed = str(tmp_path / "direct.h5"), str(tmp_path / "replayed.h5")
    for src, out in ((QUICKSTART, direct), (str(run), replayed)):
        proc = gigasim("run", src, "-o", out, "--progress", "none")
        assert proc.returncode == 0, proc.stderr
    a, b = summary_and_steps(direct), summary_and_steps(replayed)
    print(f"step times direct {a[1]} replayed {b[1]}")
    assert a[0] == b[0]
    assert a[1] == b[1]
    assert a[2] == b[2]

    # --steps cuts a trace to its first steps.
    one = str(tmp_path / "one.h5")
    proc = gigasim("run", str(run), "-o", one, "--progress", "none", "--steps", "1")
    assert proc.returncode == 0, proc.stderr
    c = summary_and_steps(one)
    assert c[0]["steps"] == 1
    assert c[1] == a[1][:1]


def test_export_of_a_collective_workload_with_overrides(tmp_path):
    trace = tmp_path / "ar.yaml"
    proc = gigasim("trace", "export", QUICKSTART, "-o", str(trace), "--set",
                   "workload={kind: collective, op: broadcast, size: 1GiB, ranks: 64, group: {size: 8, stride: 8}, "
                   "root: 3, iterations: 2}")
    assert proc.returncode == 0, proc.stderr
    text = trace.read_text()
    assert "ranks: 64\n" in text and "{name: world, dim: custom, size: 8, stride: 8}" in text
    assert "kind: broadcast" in text and "root: 3" in text and "step: 1" in text


@pytest.mark.parametrize("out", ["/proc/gigasim_trace.yaml", "no_such_dir/t.yaml"])
def test_export_to_an_unwritable_place_exits_3_and_writes_nothing(tmp_path, out):
    path = out if out.startswith("/") else str(tmp_path / out)
    proc = gigasim("trace", "export", QUICKSTART, "-o", path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith(f"{path}: error: ") and "cannot write the trace" in proc.stderr
    assert not os.path.exists(path) and not os.path.exists(path + ".tmp")


def test_export_config_error_exits_2(tmp_path):
    out = str(tmp_path / "t.yaml")
    proc = gigasim("trace", "export", QUICKSTART, "-o", out, "--set", "workload.bucket_sise=1MiB")
    assert proc.returncode == 2
    assert "unknown key 'bucket_sise'" in proc.stderr
    assert not os.path.exists(out)


def test_trace_help_teaches():
    proc = gigasim("trace", "export", "--help")
    assert proc.returncode == 0
    assert "kind: trace" in gigasim("trace", "--help").stdout
    assert "Example: gigasim trace export" in proc.stdout
