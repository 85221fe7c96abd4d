"""LLM training workloads (`kind: llm`) end to end: the HDF5 contract (/summary step_time_s,
tflops_per_gpu, mfu; /steps breakdown columns), breakdowns that add up to the step, every
parallelism dimension showing up where it should (TP, PP bubble, DP, EP all-to-all, CP). (The
Megatron-LM Table 1 validation's small rows are a ctest entry: validation.megatron_table1_small.)

Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python/test_llm.py -q
"""

import os

import h5py
import numpy as np
import pytest

import gigasim_test
from gigasim_results import open_run
from gigasim_test import gigasim, write_run

BREAKDOWN = ["compute_s", "exposed_tp_s", "exposed_pp_s", "exposed_dp_s", "exposed_ep_s", "exposed_cp_s", "bubble_s"]

TOPO = {"kind": "rail_optimized", "servers": 16, "gpus_per_server": 8, "switch_radix": 64}


def simulate(tmp_path, workload, name="run", topology=None, extra=()):
    proc, out = gigasim_test.simulate(tmp_path, {"topology": topology or TOPO, "workload": workload}, name, extra)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_contract_and_breakdown(tmp_path):
    out, report = simulate(tmp_path, {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 8, "pp": 2, "dp": 8},
                                      "micro_batch": 1, "global_batch": 64, "steps": 2, "zero": 1,
                                      "schedule": "interleaved", "virtual_stages": 2})
    with h5py.File(out, "r") as f:
        for key in ("step_time_s", "tflops_per_gpu", "mfu"):
            assert key in f["summary"].attrs, key
        cols = list(f["steps"].attrs["columns"])
        for c in BREAKDOWN:
            assert c in cols, c
    r = open_run(out)
    steps = r.table("steps")
    assert len(steps) == 2
    # The critical rank's time, part by part, is the step.
    parts = steps[BREAKDOWN + ["exposed_other_s"]].sum(axis=1)
    np.testing.assert_allclose(parts, steps["duration_s"], rtol=1e-6)
    s = r.summary
    assert s["step_time_s"] == pytest.approx(steps["duration_s"].mean(), rel=1e-12)
    assert 0.15 < s["mfu"] < 0.7
    assert s["tflops_per_gpu"] == pytest.approx(s["mfu"] * 989.4, rel=1e-6)  # model FLOPs by default
    assert s["bubble_mean_s"] > 0 and s["exposed_tp_mean_s"] > 0
    assert "exposed     tp" in report and "throughput" in report and "MFU" in report


def test_every_dimension_is_accounted(tmp_path):
    # A Mixtral-like MoE with EP over DP and CP 2: all-to-alls and key/value gathers show up.
    out, _ = simulate(tmp_path, {"kind": "llm", "model": "mixtral-8x7b",
                                 "parallel": {"tp": 2, "cp": 2, "pp": 2, "dp": 16, "ep": 8},
                                 "micro_batch": 1, "global_batch": 32, "zero": 1,
                                 "collectives": {"ep": {"algorithm": "direct"}}}, "moe")
    r = open_run(out)
    s = r.summary
    for d in ("tp", "cp", "ep"):
        assert s[f"exposed_{d}_mean_s"] > 0, d
    coll = r.table("collectives")
    assert {"alltoall", "all_gather", "reduce_scatter"} <= set(coll["kind"].astype(str))
    assert {"tp", "cp", "pp", "dp", "ep"} <= set(r.table("groups")["dim"].astype(str))


def test_fsdp_and_ddp(tmp_path):
    base = {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 4, "dp": 32}, "micro_batch": 1, "global_batch": 64}
    ddp, _ = simulate(tmp_path, dict(base, zero=0), "ddp")
    fsdp, _ = simulate(tmp_path, dict(base, zero="fsdp"), "fsdp")
    cd, cf = open_run(ddp).table("collectives"), open_run(fsdp).table("collectives")
    assert set(cd["kind"].astype(str)) >= {"all_reduce"}
    # FSDP gathers parameters before every forward and backward and reduce-scatters gradients.
    assert (cf["kind"].astype(str) == "all_gather").sum() > (cd["kind"].astype(str) == "all_gather").sum()
    assert "reduce_scatter" in set(cf["kind"].astype(str))


def test_megatron_convention(tmp_path):
    w = {"kind": "llm", "model": "megatron-gpt-1.7b", "parallel": {"tp": 1, "dp": 32}, "micro_batch": 16,
         "global_batch": 512, "recompute": "full", "attention": "standard", "flops": "megatron"}
    topo = dict(TOPO, servers=4, gpu_model="a100", gpu_flops="312TFLOPS")
    out, _ = simulate(tmp_path, w, "megatron", topology=topo)
    s = open_run(out).summary
    B, sq, l, h, V = 512, 2048, 24, 2304, 51200
    flops = 96 * B * sq * l * h * h * (1 + sq / (6 * h) + V / (16 * l * h))
    assert s["tflops_per_gpu"] == pytest.approx(flops / (s["step_time_s"] * 32) / 1e12, rel=1e-9)


def test_bad_llm_input(tmp_path):
    run = {"topology": TOPO, "workload": {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 2, "pp": 40}}}
    out = tmp_path / "bad.h5"
    proc = gigasim("run", write_run(tmp_path, run, "bad"), "-o", out)
    assert proc.returncode == 2
    assert "more than the 32 layers" in proc.stderr and "bad.yaml:1:" in proc.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".tmp")


def test_llm_trace_round_trip(tmp_path):
    # An LLM step exported as a collective trace (one program per stage, p2p streams) replays
    # to the same step time and breakdown.
    w = {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 8, "pp": 2, "dp": 8}, "global_batch": 32,
         "schedule": "interleaved", "virtual_stages": 2, "zero": 1}
    direct, _ = simulate(tmp_path, w, "direct")
    run = tmp_path / "direct.yaml"
    trace = tmp_path / "trace.yaml"
    proc = gigasim("trace", "export", run, "-o", trace)
    assert proc.returncode == 0, proc.stderr
    replayed, _ = simulate(tmp_path, {"kind": "trace", "file": str(trace)}, "replayed")
    a, b = open_run(direct), open_run(replayed)
    for key in ("step_time_s", "mfu", "tflops_per_gpu", "bubble_mean_s", "exposed_tp_mean_s"):
        assert a.summary[key] == b.summary[key], key
    # The direct run folds its TP ranks (one simulated per group); the trace says so (fold_by: tp),
    # so its replay folds the same way: the same flows.
    assert "fold_by: tp" in trace.read_text()
    assert a.summary["fold_factor"] == 8 and b.summary["fold_factor"] == 8
    assert a.summary["flows"] == b.summary["flows"]
    np.testing.assert_array_equal(a.table("steps")[BREAKDOWN].to_numpy(), b.table("steps")[BREAKDOWN].to_numpy())
    # fold: none replays every rank: the same step, the same flows counted once per rank.
    every, _ = simulate(tmp_path, {"kind": "trace", "file": str(trace), "fold": "none"}, "every")
    c = open_run(every)
    assert c.summary["fold_factor"] == 1 and c.summary["flows"] == 8 * a.summary["flows"]
    assert c.summary["step_time_s"] == a.summary["step_time_s"]


def test_trace_fold_by_is_checked(tmp_path):
    # A hand-edited trace that names the pipeline group as symmetric: its positions run different
    # programs, so the replay declines to fold and says why (and the step is unchanged).
    w = {"kind": "llm", "model": "llama3-8b", "parallel": {"tp": 8, "pp": 2, "dp": 2}, "global_batch": 8}
    simulate(tmp_path, w, "direct")
    trace = tmp_path / "trace.yaml"
    proc = gigasim("trace", "export", tmp_path / "direct.yaml", "-o", trace)
    assert proc.returncode == 0, proc.stderr
    text = trace.read_text()
    assert "programs_by: pp" in text and "fold_by: tp" in text
    trace.write_text(text.replace("fold_by: tp", "fold_by: pp"))
    out, report = simulate(tmp_path, {"kind": "trace", "file": str(trace)}, "wrong")
    assert "each fold position runs its own program" in report
    assert open_run(out).summary["fold_factor"] == 1
