"""Operator faults: signals, concurrent sweep runners, full and read-only disks.

- SIGINT, SIGTERM and SIGHUP during `gigasim run` (inside the SimGrid engine) and `gigasim sweep
  run`: one line on stderr, exit 130 / 143 / 129, no .tmp, no SimGrid actor dump; a sweep's
  points stop with it, stay not ok, and a second `sweep run` finishes them.
- The soak test: 200 tiny points run by three concurrent `sweep run` processes while a fourth
  kills one of them with SIGKILL at random moments and restarts it; at the end every point is ok,
  each ran exactly once (the point processes' own lines in DIR/runs.log) and the merge has 200
  rows.
- I/O errors on a small tmpfs (needs root and mount; skipped otherwise, saying why): no space
  left for the result (refused before simulating, or failing at the write), for the timeline, for
  a sweep directory and for the merge; a read-only file system; permission denied (as an
  unprivileged user). EDQUOT needs a filesystem with quotas: skipped.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gigasim_test import ANALYSIS, GIGASIM_BIN, PYTHON, QUICKSTART, REPO, gigasim, require_binary, write_run

SIGNALS = [(signal.SIGINT, "SIGINT", 130), (signal.SIGTERM, "SIGTERM", 143), (signal.SIGHUP, "SIGHUP", 129)]


def _wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _long_run(tmp_path):
    """A run of a few seconds: the quickstart with many steps."""
    return [GIGASIM_BIN, "run", QUICKSTART, "-o", str(tmp_path / "long.h5"), "--progress", "log",
            "--set", "workload.steps=400"]


@pytest.mark.parametrize("sig,name,code", SIGNALS)
def test_signal_during_a_run(tmp_path, sig, name, code):
    require_binary()
    err = tmp_path / "stderr.txt"
    with open(err, "w") as e:
        proc = subprocess.Popen(_long_run(tmp_path), stdout=subprocess.DEVNULL, stderr=e)
    # Inside the engine: SimGrid installs its own SIGINT handler when the engine starts.
    _wait_for(lambda: "simulating" in err.read_text(), 60, "the simulation to start")
    time.sleep(0.5)
    assert proc.poll() is None, "the run ended before the signal"
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == code
    lines = err.read_text().strip().splitlines()
    print(lines[-1])
    assert lines[-1] == (f"gigasim run {QUICKSTART}: interrupted by {name}; nothing was written "
                         f"({tmp_path / 'long.h5'} not created)")
    assert not any("Actor" in line or "CTRL-C" in line for line in lines)
    assert sorted(os.listdir(tmp_path)) == ["stderr.txt"]


def _sweep(tmp_path, name, points, slow=False):
    """A sweep of `points` runs planned into TMP/NAME: tiny ones (one 8-GPU server, a DDP step:
    tens of milliseconds each), or with `slow` the quickstart's 128 GPUs for 60 steps (seconds)."""
    if slow:
        base = QUICKSTART
        grid = {"workload.steps": [60]}
    else:
        base = write_run(tmp_path, {
            "topology": os.path.join(REPO, "topologies", "presets", "dgx-h100-node.yaml"),
            "workload": {"kind": "data_parallel", "steps": 1, "compute": {"forward": "1ms", "backward": "2ms"},
                         "gradients": "64MiB", "bucket_size": "16MiB", "overlap": True}}, name=f"{name}-base")
        grid = {}
    sweep = tmp_path / f"{name}.yaml"
    spec = {"name": name, "base": base, "seeds": list(range(1, points + 1))}
    if grid:
        spec["grid"] = grid
    sweep.write_text(json.dumps(spec))
    d = tmp_path / name
    proc = gigasim("sweep", "plan", str(sweep), "-o", str(d))
    assert proc.returncode == 0, proc.stderr
    return str(d)


def _status(d):
    proc = gigasim("sweep", "status", d, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _runs_per_point(d):
    """How many times each point's process ran, from its own lines in DIR/runs.log."""
    counts = {}
    with open(os.path.join(d, "runs.log")) as f:
        for line in f:
            fields = line.split()
            if fields[3] == "run":
                counts[fields[4]] = counts.get(fields[4], 0) + 1
    return counts


@pytest.mark.parametrize("sig,name,code", SIGNALS)
def test_signal_during_a_sweep(tmp_path, sig, name, code):
    d = _sweep(tmp_path, "s", 6, slow=True)
    err = tmp_path / "stderr.txt"
    with open(err, "w") as e:
        proc = subprocess.Popen([GIGASIM_BIN, "sweep", "run", d, "--jobs", "2", "--progress", "log"],
                                stdout=subprocess.DEVNULL, stderr=e)
    _wait_for(lambda: _status(d)["running"] == 2, 60, "two points to run")
    st = _status(d)
    running = [p for p in st["status"] if p["status"] == "running"]
    assert all(p["host"] and p["pid"] > 0 for p in running)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == code
    last = err.read_text().strip().splitlines()[-1]
    print(last)
    assert last.startswith(f"gigasim sweep run {d}: interrupted by {name}: ")
    assert f"2 stopped and not ok; 'gigasim sweep run {d}' resumes" in last
    # The stopped points are not ok, nothing half-written is left, no point process lives on.
    st = _status(d)
    assert st["running"] == 0 and st["ok"] < 6
    assert not [f for f in os.listdir(os.path.join(d, "results")) if f.endswith(".tmp")]
    assert subprocess.run(["pgrep", "-f", f"run {d}/points"], capture_output=True).returncode == 1
    # Resuming finishes them.
    proc = gigasim("sweep", "run", d, "--jobs", "2", "--progress", "none")
    assert proc.returncode == 0, proc.stderr
    assert _status(d)["ok"] == 6


def test_soak_concurrent_runners_each_point_once(tmp_path):
    """200 points, three runners, one of them SIGKILLed at random moments and restarted."""
    d = _sweep(tmp_path, "soak", 200)
    rng = random.Random(7)
    cmd = [GIGASIM_BIN, "sweep", "run", d, "--progress", "none"]
    runners = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(3)]
    kills = 0
    t0 = time.monotonic()
    while any(r.poll() is None for r in runners) and time.monotonic() - t0 < 50:
        time.sleep(rng.uniform(0.05, 0.4))
        alive = [i for i, r in enumerate(runners) if r.poll() is None]
        if not alive:
            break
        i = rng.choice(alive)
        runners[i].send_signal(signal.SIGKILL)
        runners[i].wait()
        kills += 1
        runners[i] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for r in runners:
        r.wait(timeout=60)
    # Point processes orphaned by a SIGKILLed runner finish on their own: wait for them.
    _wait_for(lambda: _status(d)["running"] == 0, 60, "orphaned points to finish")
    # A point claimed by a runner killed before it started one is still to run: a last runner.
    proc = gigasim("sweep", "run", d, "--progress", "none")
    assert proc.returncode == 0, proc.stderr
    st = _status(d)
    runs = _runs_per_point(d)
    twice = {k: n for k, n in runs.items() if n != 1}
    print(f"soak: {kills} runners killed in {time.monotonic() - t0:.1f} s; {st['ok']} points ok; "
          f"{sum(runs.values())} point runs")
    assert kills >= 3
    assert st["ok"] == 200 and st["failed"] == 0 and st["missing"] == 0
    assert len(runs) == 200 and not twice, twice
    merged = subprocess.run([PYTHON, "-m", "gigasim_results", "merge", d], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ANALYSIS})
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith("200 points: 200 ok")


# ---- I/O errors ----------------------------------------------------------------------------------

@pytest.fixture
def small_fs(tmp_path):
    """mount(size, ro=False) -> a directory on a fresh tmpfs of that size (skips unless root can mount)."""
    mounts = []

    def mount(size, ro=False):
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a small tmpfs")
        d = tmp_path / f"fs{len(mounts)}"
        d.mkdir()
        opts = f"size={size}" + (",ro" if ro else "")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        mounts.append(d)
        return d

    yield mount
    for d in mounts:
        subprocess.run(["umount", str(d)], capture_output=True)


def _assert_io_error(proc, path, reason):
    print(proc.stderr.strip())
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith(f"{path}: error: {reason}"), proc.stderr


def test_no_space_for_the_result(small_fs):
    # Too small even for half the result: refused before simulating.
    d = small_fs("40k")
    out = d / "q.h5"
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    _assert_io_error(proc, out, "no space left on device")
    assert "nothing was simulated" in proc.stderr
    assert os.listdir(d) == []
    # Room for the estimate's lower bound but not for the file: fails at the write.
    d = small_fs("100k")
    out = d / "q.h5"
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    _assert_io_error(proc, out, "no space left on device")
    assert "cannot write the result file, wrote " in proc.stderr and " of about " in proc.stderr
    assert os.listdir(d) == []


def test_no_space_for_the_timeline(small_fs, tmp_path):
    d = small_fs("8k")
    out, timeline = tmp_path / "q.h5", d / "trace.json"
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none", "--timeline", timeline)
    _assert_io_error(proc, timeline, "no space left on device")
    assert os.listdir(d) == [] and not out.exists()


def test_no_space_for_a_sweep_directory(small_fs, tmp_path):
    d = small_fs("12k")
    base = write_run(tmp_path, {"topology": os.path.join(REPO, "topologies", "presets", "dgx-h100-node.yaml"),
                                "workload": {"kind": "collective", "op": "all_reduce", "size": "1MiB"}}, "base")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(json.dumps({"name": "full", "base": base, "seeds": list(range(1, 201))}))
    proc = gigasim("sweep", "plan", sweep, "-o", d / "s")
    print(proc.stderr.strip())
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith(f"{d / 's'}/") and ": error: no space left on device" in proc.stderr
    assert not (d / "s").exists() or not (d / "s" / "manifest.csv").exists()


def test_no_space_for_the_merge(small_fs, tmp_path):
    sweep_dir = _sweep(tmp_path, "m", 3)
    assert gigasim("sweep", "run", sweep_dir, "--progress", "none").returncode == 0
    d = small_fs("4k")
    out = d / "summary.h5"
    proc = subprocess.run([PYTHON, "-m", "gigasim_results", "merge", sweep_dir, "-o", str(out), "--csv"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ANALYSIS})
    print(proc.stderr.strip())
    assert proc.returncode == 3, proc.stderr
    # The table is written as HDF5, then as CSV: whichever does not fit is named; neither is left.
    assert proc.stderr.startswith(f"{d}/summary.") and ": error: no space left on device" in proc.stderr
    assert os.listdir(d) == []


def test_read_only_file_system(small_fs):
    d = small_fs("1m", ro=True)
    for out, args in ((d / "q.h5", ("run", QUICKSTART, "--progress", "none")),
                      (d / "c.h5", ("collbench", os.path.join(REPO, "topologies", "presets", "dgx-h100-node.yaml"),
                                    "-b", "1M", "-e", "1M"))):
        proc = gigasim(*args, "-o", out)
        _assert_io_error(proc, out, "read-only file system")


def test_permission_denied(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to run gigasim as an unprivileged user (root is never denied)")
    require_binary()
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", GIGASIM_BIN, "--version"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot run {GIGASIM_BIN} here: {probe.stderr.strip()[:200]}")
    # A directory everyone may enter but only root may write (pytest's own is private to root).
    import tempfile
    d = Path(tempfile.mkdtemp(prefix="gigasim-locked-", dir="/tmp"))
    os.chmod(d, 0o755)
    out = d / "q.h5"
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", GIGASIM_BIN, "run",
                           QUICKSTART, "-o", str(out), "--progress", "none"], capture_output=True, text=True)
    try:
        _assert_io_error(proc, out, "permission denied")
        assert os.listdir(d) == []
    finally:
        os.rmdir(d)


def test_disk_quota_exceeded():
    pytest.skip("EDQUOT needs a filesystem with user quotas, which this machine's tmpfs does not enforce; "
                "the same path as ENOSPC reports it (describe_errno)")
