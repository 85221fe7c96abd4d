"""The fast path against the exact path (issue 6, point 3): every shortcut a large run takes —
one simulated rank per symmetric TP group (rank folding), collapsed synchronous collective phases,
closed-form NVLink stages — switched on together, against the same 1,024-GPU LLM step with all of
them off (every rank an actor, every ring step a set of flows, NVLink stages as flows). The step
times must agree within 2 %: on a d-mod-k fabric where folding is exact and automatic, and on the
benchmark's fabric (topologies/presets/rail-optimized-98k.yaml cut to 1,024 GPUs, hashed ECMP)
with folding forced, as `bench/run --case step405b` runs by default; and the benchmark's own
step405b case at 4,096 GPUs (TP8 PP16 DP32), its default fast path against one actor per rank.
Also: folding declines on hashed (ECMP) routing over shared links, where the copies of a flow
would not meet the same contention, and says why; and folded link statistics (bytes and
utilization per link) equal the unfolded ones where folding is exact.

Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python/test_fast_path.py -q
"""

import json
import os
import subprocess

import h5py

import gigasim_test
from gigasim_test import GIGASIM_BIN, PRESETS, PYTHON, REPO

# Three tiers, so DP rings cross spines and cores that all eight rails share; 2:1 above the leaves.
TOPO = {"kind": "rail_optimized", "servers": 128, "servers_per_su": 8, "gpus_per_server": 8, "switch_radix": 16,
        "tiers": 3, "oversubscription": [1, 2], "routing": {"policy": "dmodk"}}
WORK = {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 8, "pp": 2, "dp": 64}, "micro_batch": 1,
        "global_batch": 256, "schedule": "1f1b", "zero": 1}
FAST = ["--set", "workload.collectives.dp.fidelity=collapsed"]
EXACT = ["--set", "workload.fold=none", "--set", "workload.collectives.dp.fidelity=stepwise",
         "--set", "workload.collectives.tp.nvlink=flows", "--set", "workload.collectives.dp.nvlink=flows"]


PRESET = os.path.join(PRESETS, "rail-optimized-98k.yaml")


def simulate(tmp_path, name, extra, topology=TOPO):
    proc, out = gigasim_test.simulate(tmp_path, {"topology": topology, "workload": WORK}, name, extra, timeout=900)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        s = f["summary"].attrs
        return {"step": float(s["step_time_s"]), "flows": float(s["flows"]), "fold": int(f.attrs["rank_folding"]),
                "exact": int(f.attrs["rank_folding_exact"]), "report": proc.stdout}


def test_fast_path_matches_exact_path_at_1k_gpus(tmp_path):
    fast = simulate(tmp_path, "fast", FAST)
    exact = simulate(tmp_path, "exact", EXACT)
    assert fast["fold"] == 8 and fast["exact"] == 1
    assert exact["fold"] == 1
    err = fast["step"] / exact["step"] - 1
    print(f"1,024 GPUs: fast {fast['step'] * 1e3:.2f} ms ({fast['flows']:.0f} flows), exact "
          f"{exact['step'] * 1e3:.2f} ms ({exact['flows']:.0f} flows), error {err * 100:+.3f} %")
    assert abs(err) < 0.02
    assert exact["flows"] > 100 * fast["flows"]


def test_forced_folding_on_the_benchmark_fabric_matches_exact_path(tmp_path):
    cut = ["--set", "topology.servers=128"]
    fast = simulate(tmp_path, "fast", FAST + cut + ["--set", "workload.fold=force"], topology=PRESET)
    exact = simulate(tmp_path, "exact", EXACT + cut, topology=PRESET)
    assert fast["fold"] == 8 and fast["exact"] == 0
    err = fast["step"] / exact["step"] - 1
    print(f"rail-optimized-98k cut to 1,024 GPUs, ECMP, folding forced: fast {fast['step'] * 1e3:.2f} ms, exact "
          f"{exact['step'] * 1e3:.2f} ms, error {err * 100:+.3f} %")
    assert abs(err) < 0.02


def test_folding_declines_on_hashed_routing_and_can_be_forced(tmp_path):
    ecmp = dict(TOPO, routing={"policy": "ecmp", "qps_per_pair": 4})
    auto = simulate(tmp_path, "auto", FAST, topology=ecmp)
    assert auto["fold"] == 1
    assert "no rank folding: ecmp routing" in auto["report"]
    forced = simulate(tmp_path, "forced", FAST + ["--set", "workload.fold=force"], topology=ecmp)
    assert forced["fold"] == 8 and forced["exact"] == 0
    assert "forced" in forced["report"]
    # Copies in lockstep at the slowest copy's rate: within the documented ~10 % (usually slower).
    err = forced["step"] / auto["step"] - 1
    print(f"ECMP, folding forced: {err * 100:+.2f} % against unfolded")
    assert -0.05 < err < 0.2


def links_table(path):
    with h5py.File(path) as f:
        g = f["links"]
        return {k: g[k][()] for k in ("link_id", "bytes", "max_util")}, dict(f["summary"].attrs)


def test_folded_link_statistics_are_the_unfolded_ones(tmp_path):
    # d-mod-k, where folding is exact: every link the folded run reports traffic on (rail 0's own
    # links, and the shared spine/core links carrying every rail's copy) carries what it carries
    # unfolded, byte for byte; utilizations stay physical (a shared link once read 8.0).
    simulate(tmp_path, "folded", FAST)
    simulate(tmp_path, "unfolded", FAST + ["--set", "workload.fold=none"])
    (fl, fs), (ul, us) = links_table(tmp_path / "folded.h5"), links_table(tmp_path / "unfolded.h5")
    assert (fl["link_id"] == ul["link_id"]).all()
    seen = fl["bytes"] > 0
    assert seen.sum() > 0 and not seen.all()  # the other rails' own links were not simulated
    rel = abs(fl["bytes"][seen] / ul["bytes"][seen] - 1)
    print(f"{seen.sum()} links with traffic folded, worst byte error {rel.max():.2e}")
    assert rel.max() < 1e-9
    assert abs(fs["fabric_bytes"] / us["fabric_bytes"] - 1) < 1e-9
    assert fs["max_link_util"] <= 1 + 1e-6
    assert abs(fs["max_link_util"] - us["max_link_util"]) < 1e-6


BENCH = os.path.join(REPO, "bench", "run")


def bench(case, gpus, *extra):
    proc = subprocess.run([PYTHON, BENCH, "--case", case, "--gpus", str(gpus), "--json", *extra],
                          capture_output=True, text=True, timeout=900, env=dict(os.environ, GIGASIM_BIN=GIGASIM_BIN))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_bench_step405b_fast_path_matches_every_rank_at_4k_gpus():
    # The benchmark's headline case as it runs by default (folding forced on the preset's ECMP),
    # against one actor per rank, at the upper guard size: 4,096 GPUs (TP8 PP16 DP32).
    fast = bench("step405b", 4096)
    exact = bench("step405b", 4096, "--fold", "none")
    for key in ("wall_s", "build_s", "flows", "peak_rss_bytes", "sim_step_time_s", "fidelity"):
        assert key in fast, key
    assert fast["fold"] == 8 and not fast["fold_exact"] and exact["fold"] == 1
    err = fast["sim_step_time_s"] / exact["sim_step_time_s"] - 1
    print(f"step405b at 4,096 GPUs: fast path {fast['sim_step_time_s']:.4f} s ({fast['flows']:,} flows, "
          f"{fast['wall_s']:.1f} s wall), every rank {exact['sim_step_time_s']:.4f} s ({exact['flows']:,} flows, "
          f"{exact['wall_s']:.1f} s wall), error {err * 100:+.2f} %")
    assert abs(err) < 0.02
