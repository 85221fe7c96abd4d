"""The examples that are too large for CI run here scaled down (same structure, fewer GPUs).

Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python/test_examples.py -q
"""

import json

from gigasim_test import gigasim, link_failure_at_512_gpus, write_run


def test_link_failure_example_at_512_gpus(tmp_path):
    run = link_failure_at_512_gpus()
    run["output"] = str(tmp_path / "lf.h5")
    proc = gigasim("run", write_run(tmp_path, run), "--json", "--progress", "none", timeout=900)
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
