"""Chakra execution-trace import: small ET files written by build/tests/make_chakra_et (our
schema, built only with Chakra support) are replayed with `kind: chakra`, converted with
`gigasim convert chakra`, and checked against the ring closed form.

Runs the real gigasim binary (env GIGASIM_BIN, default <repo>/build/gigasim); make_chakra_et sits
in the same build tree (env GIGASIM_MAKE_ET to override).
"""

import os
import subprocess

import h5py
import pytest

from gigasim_test import GIGASIM_BIN, gigasim

MAKE_ET = os.environ.get("GIGASIM_MAKE_ET", os.path.join(os.path.dirname(GIGASIM_BIN), "tests", "make_chakra_et"))

# 4 servers of one GPU behind one leaf: every ring hop is NIC, leaf, NIC.
NIC_BPS, NIC_LAT = 400e9 / 8, 1e-6
TOPOLOGY = """topology:
  kind: fat_tree
  servers: {servers}
  gpus_per_server: 1
  links:
    nic: {{bandwidth: 400Gbps, latency: 1us}}
"""


def has_chakra():
    return "\n  chakra " in gigasim("inspect", "--list").stdout


chakra_only = pytest.mark.skipif(not os.path.isfile(MAKE_ET) or not has_chakra(),
                                 reason="gigasim built without Chakra support (no protobuf)")


def make_et(prefix, *args):
    proc = subprocess.run([MAKE_ET, str(prefix), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def run_file(tmp_path, workload, servers=4):
    path = tmp_path / "run.yaml"
    path.write_text(TOPOLOGY.format(servers=servers) + f"workload: {workload}\n")
    return str(path)


def collectives(h5):
    with h5py.File(h5, "r") as f:
        c = f["collectives"]
        return {k: list(c[k][()]) for k in ("duration_s", "closed_form_s", "alpha_s", "bytes", "start_s")}, \
            {k: float(v) for k, v in f["summary"].attrs.items()}


@chakra_only
def test_microbenchmark_all_reduce_matches_the_ring_closed_form(tmp_path):
    # ASTRA-sim's microbenchmark shape: per rank a 100 us compute node, then a 1 MiB all-reduce.
    make_et(tmp_path / "ar", "--ranks", "4", "--bytes", str(1 << 20), "--compute-us", "100")
    run = run_file(tmp_path, "{kind: chakra, prefix: ar, template_ranks: 4, algorithm: ring}")
    out = str(tmp_path / "ar.h5")
    proc = gigasim("run", run, "-o", out, "--progress", "none", "--calibration", "ideal")
    assert proc.returncode == 0, proc.stderr
    assert "chakra: 4 ranks, 1 steps, 2 ops (1 collectives)" in proc.stdout
    c, s = collectives(out)
    n, size = 4, float(1 << 20)
    alpha = 2 * NIC_LAT
    expected = 2 * (n - 1) * (alpha + size / n / NIC_BPS)
    sim = c["duration_s"][0]
    print(f"chakra all_reduce n=4 1 MiB: simulated {sim:.9g} s, recorded closed form {c['closed_form_s'][0]:.9g} s, "
          f"2(n-1)(a+S/n/B) {expected:.9g} s, error {(sim - expected) / expected:+.2e}")
    assert c["bytes"] == [size]
    assert c["alpha_s"][0] == pytest.approx(alpha, rel=1e-12)
    assert c["start_s"][0] == pytest.approx(100e-6, rel=1e-12)  # after the compute node
    assert sim == pytest.approx(c["closed_form_s"][0], rel=1e-9)
    assert sim == pytest.approx(expected, rel=1e-9)
    assert s["step_time_mean_s"] == pytest.approx(100e-6 + expected, rel=1e-9)


@chakra_only
def test_convert_then_replay_the_trace_gives_the_same_run(tmp_path):
    make_et(tmp_path / "ag", "--ranks", "4", "--collective", "2", "--gzip", "--version", "1.0.0")
    trace = tmp_path / "ag.trace.yaml"
    proc = gigasim("convert", "chakra", str(tmp_path / "ag"), "--template-ranks", "4", "--replicas", "4",
                   "-o", str(trace))
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout.strip())
    text = trace.read_text()
    assert "source: chakra" in text and "ranks: 16" in text
    assert "{name: template, dim: custom, size: 4}" in text
    assert "kind: all_gather" in text and "bytes: 4194304" in text  # 4 x the 1 MiB per-rank input
    outs = []
    for name, workload in (("chakra", "{kind: chakra, prefix: ag, template_ranks: 4}"),
                           ("trace", f"{{kind: trace, file: {trace.name}}}")):
        out = str(tmp_path / f"{name}.h5")
        proc = gigasim("run", run_file(tmp_path, workload, servers=16), "-o", out, "--progress", "none")
        assert proc.returncode == 0, proc.stderr
        outs.append(collectives(out))
    assert outs[0][0] == outs[1][0]
    assert len(outs[0][0]["duration_s"]) == 1  # one record for the 4 replicas' groups
    assert outs[0][1]["step_time_mean_s"] == outs[1][1]["step_time_mean_s"]


@chakra_only
def test_unknown_version_warns_and_bad_files_fail_cleanly(tmp_path):
    make_et(tmp_path / "v", "--ranks", "2", "--version", "9.9")
    run = run_file(tmp_path, "{kind: chakra, prefix: v, template_ranks: 2}", servers=2)
    out = str(tmp_path / "v.h5")
    proc = gigasim("run", run, "-o", out, "--progress", "none")
    assert proc.returncode == 0, proc.stderr
    assert "v.0.et: warning: Chakra schema version '9.9'" in proc.stderr

    # Truncated: the last node loses its tail.
    et1 = tmp_path / "v.1.et"
    et1.write_bytes(et1.read_bytes()[:-4])
    proc = gigasim("run", run, "-o", str(tmp_path / "t.h5"), "--progress", "none")
    assert proc.returncode == 2, proc.stderr
    assert f"{et1}: error: message 2 (" in proc.stderr and "truncated" in proc.stderr
    assert not os.path.exists(tmp_path / "t.h5")

    # Missing rank file: the error points at `prefix` in the run file.
    et1.unlink()
    proc = gigasim("run", run, "-o", str(tmp_path / "t.h5"), "--progress", "none")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{run}:7:") and "v.1.et' not found" in proc.stderr

    proc = gigasim("convert", "chakra", str(tmp_path / "v"), "--template-ranks", "1", "-o", "/proc/x.yaml")
    assert proc.returncode == 3 and "cannot write the trace" in proc.stderr


@pytest.mark.skipif(has_chakra() if os.path.isfile(GIGASIM_BIN) else True, reason="this build has Chakra support")
def test_without_chakra_support_the_kind_says_how_to_get_it(tmp_path):
    run = run_file(tmp_path, "{kind: chakra, prefix: x, template_ranks: 1}")
    proc = gigasim("run", run, "-o", str(tmp_path / "x.h5"), "--progress", "none")
    assert proc.returncode == 2
    assert "built without Chakra support" in proc.stderr
    proc = gigasim("convert", "chakra", "x", "--template-ranks", "1", "-o", str(tmp_path / "x.yaml"))
    assert proc.returncode == 2
    assert "built without Chakra support" in proc.stderr
    assert not os.path.exists(tmp_path / "x.yaml")
