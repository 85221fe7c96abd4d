"""NCCL validation: simulated all-reduce bus bandwidth of one 8-GPU server against published
nccl-tests measurements, with the error printed. busbw = algbw x 2(n-1)/n for all-reduce, as
nccl-tests reports it (NVIDIA/nccl-tests, doc/PERFORMANCE.md).

Case A: 8 x H100 SXM (NVLink 4, NVSwitch with NVLS), within 10 % at >= 64 MiB, knee between
1 MiB and 64 MiB. Source: Azure/AI-benchmarking-guide, Azure_Results/ND_H100_v5_results.md
(ND H100 v5, NCCL 2.18.5, NVLS algorithm; in-place busbw, GB/s). The 479 GB/s plateau is above
the 450 GB/s per-direction NVLink bandwidth because NVLS reduces inside the NVSwitch.
Case B: 8 x A100 SXM 80 GB (NVLink 3), within 10 % at >= 128 MiB. Source:
Azure/AI-benchmarking-guide, Azure_Results/ND_A100_v4_results.md (ND A100 v4; busbw, GB/s).
Sizes are powers of two (1K = 1024 bytes).
"""

import json
import os

from gigasim_test import PRESETS, gigasim

K, M, G = 1024, 1024 ** 2, 1024 ** 3

CASE_A = {1 * K: 0.07, 4 * K: 0.27, 16 * K: 0.95, 64 * K: 2.72, 256 * K: 10.86, 1 * M: 43.70, 2 * M: 81.93,
          4 * M: 128.73, 8 * M: 172.13, 16 * M: 234.45, 32 * M: 295.53, 64 * M: 361.78, 128 * M: 400.61,
          256 * M: 423.38, 512 * M: 438.46, 1 * G: 466.35, 2 * G: 472.36, 4 * G: 475.54, 8 * G: 478.87}
CASE_B = {1 * M: 36.22, 16 * M: 109.22, 128 * M: 174.18, 1 * G: 228.10, 8 * G: 231.58}


def collbench(topology, sizes):
    out = {}
    lo, hi = min(sizes), max(sizes)
    proc = gigasim("collbench", topology, "-b", lo, "-e", hi, "-f", "2", "--op", "all_reduce", "--json")
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        j = json.loads(line)
        for key in ("op", "algorithm", "ranks", "size_bytes", "time_s", "algbw_GBps", "busbw_GBps"):
            assert key in j
        out[int(j["size_bytes"])] = j
    return out


def report(name, sim, published, threshold, capsys):
    rows, worst = [], 0.0
    for size, pub in sorted(published.items()):
        s = sim[size]["busbw_GBps"]
        err = s / pub - 1
        if size >= threshold:
            worst = max(worst, abs(err))
        rows.append(f"  {size:>12,} B  simulated {s:8.2f}  published {pub:8.2f} GB/s  error {err:+7.1%}"
                    f"  ({sim[size]['algorithm']}/{sim[size]['protocol']}){'  *' if size >= threshold else ''}")
    with capsys.disabled():
        print(f"\n{name} (busbw; * = within-10 % target)\n" + "\n".join(rows) + f"\n  worst targeted error {worst:.1%}")
    return worst


def test_case_a_h100_nvls(capsys):
    sim = collbench(os.path.join(PRESETS, "dgx-h100-node.yaml"), CASE_A)
    worst = report("Case A: 8 x H100, all_reduce", sim, CASE_A, 64 * M, capsys)
    assert worst <= 0.10
    assert sim[8 * G]["algorithm"] == "nvls"
    # The knee: simulated and published curves reach half their plateau in the same decade,
    # between 1 MiB and 64 MiB.
    def knee(curve):
        plateau = max(curve.values())
        return min(s for s, v in curve.items() if v >= plateau / 2)
    sim_curve = {s: sim[s]["busbw_GBps"] for s in CASE_A}
    assert 1 * M < knee(sim_curve) <= 64 * M
    assert 1 * M < knee(CASE_A) <= 64 * M
    assert 0.25 <= knee(sim_curve) / knee(CASE_A) <= 4


def test_case_b_a100_ring(capsys):
    sim = collbench(os.path.join(PRESETS, "dgx-a100-node.yaml"), CASE_B)
    worst = report("Case B: 8 x A100, all_reduce", sim, CASE_B, 128 * M, capsys)
    assert worst <= 0.10
    assert sim[8 * G]["algorithm"] == "ring"


def test_collbench_table_and_hdf5(tmp_path):
    out = tmp_path / "cb.h5"
    proc = gigasim("collbench", os.path.join(PRESETS, "dgx-h100-node.yaml"), "-b", "8", "-e", "1M", "-f", "4",
                   "--op", "all_gather", "-o", out, timeout=300)
    assert proc.returncode == 0, proc.stderr
    header = [l for l in proc.stdout.splitlines() if l.startswith("#") and "size" in l][0]
    for col in ("size", "count", "type", "redop", "time", "algbw", "busbw"):
        assert col in header
    rows = [l for l in proc.stdout.splitlines() if l and not l.startswith("#")]
    assert len(rows) == 9  # 8, 32, ..., 512K
    import h5py
    with h5py.File(out, "r") as f:
        assert f.attrs["status"] == "ok"
        assert len(f["collectives/busbw_Bps"]) == 9
