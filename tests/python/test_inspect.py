"""`gigasim inspect`: the JSON contract, --set on presets, several files, and every preset."""

import glob
import json
import os

import pytest

from gigasim_test import PRESETS, gigasim


def inspect(*args):
    proc = gigasim("inspect", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_json_contract_and_superpod_override():
    j = json.loads(inspect(os.path.join(PRESETS, "dgx-superpod-h100.yaml"), "--set", "scalable_units=16", "--json"))
    for key in ("gpus", "servers", "switches", "cables", "bisection_bandwidth_bps"):
        assert key in j
    assert j["gpus"] == 4096 and j["servers"] == 512
    assert j["switches"]["leaf"] == 128 and j["switches"]["spine"] == 128 and j["switches"]["core"] == 64
    assert j["cables"]["gpu-leaf"] == 4096 and j["cables"]["leaf-spine"] == 4096 and j["cables"]["spine-core"] == 4096
    # Non-blocking: half the GPUs times 400 Gb/s, in bits per second.
    assert j["bisection_bandwidth_bps"] == pytest.approx(2048 * 400e9)
    assert j["cost"]["total_usd"] > 0 and j["power"]["total_watts"] > 0
    assert j["ecmp_paths"]["count"] > 1


@pytest.mark.parametrize("preset", sorted(glob.glob(os.path.join(PRESETS, "*.yaml"))), ids=os.path.basename)
def test_every_preset_builds(preset):
    j = json.loads(inspect(preset, "--json"))
    assert j["connected"]
    assert j["gpus"] > 0
    assert set(j["switches"]) >= {"leaf", "spine", "core"}
    assert set(j["cables"]) >= {"gpu-leaf", "leaf-spine", "spine-core"}


def test_meta_style_pods():
    j = json.loads(inspect(os.path.join(PRESETS, "meta-24k.yaml"), "--json"))
    assert j["gpus"] == 24576
    assert j["oversubscription"]["leaf"] == pytest.approx(1.0)
    assert 6.5 < j["oversubscription"]["spine"] <= 7.0          # 1:7 between pods
    assert j["bisection_ratio"] == pytest.approx(1 / j["oversubscription"]["spine"], rel=1e-6)
    # Within one 3,072-GPU pod the fabric is non-blocking.
    pod = json.loads(inspect(os.path.join(PRESETS, "meta-24k.yaml"), "--set", "servers=384", "--json"))
    assert pod["bisection_ratio"] == pytest.approx(1.0)


def test_side_by_side_and_list():
    a = os.path.join(PRESETS, "fat_tree_128.yaml")
    b = os.path.join(PRESETS, "dgx-superpod-h100.yaml")
    out = inspect(a, b)
    first = out.splitlines()[0]
    assert "fat_tree_128.yaml" in first and "dgx-superpod-h100.yaml" in first
    assert any(line.startswith("bisection") for line in out.splitlines())
    both = json.loads(inspect(a, b, "--json"))
    assert isinstance(both, list) and len(both) == 2
    listing = inspect("--list")
    for name in ("fat_tree", "rail_optimized", "rail_only", "graph", "data_parallel", "ring", "adaptive"):
        assert name in listing


def test_list_json_names_every_seam():
    """`inspect --list --json`: every seam's list and the routing policies, each {name, description}."""
    j = json.loads(inspect("--list", "--json"))
    assert set(j) == {"topologies", "workloads", "collectives", "failures", "routing"}
    for key, entries in j.items():
        assert entries, key
        for e in entries:
            assert set(e) == {"name", "description"} and e["name"] and len(e["description"]) > 10, (key, e)
    names = {k: [e["name"] for e in v] for k, v in j.items()}
    assert {"fat_tree", "rail_optimized", "rail_only", "graph"} <= set(names["topologies"])
    assert {"collective", "data_parallel", "llm", "trace"} <= set(names["workloads"])
    assert {"ring", "tree", "nvls", "nvls_tree", "collnet", "pxn", "direct"} <= set(names["collectives"])
    assert names["failures"] == ["scheduled", "stochastic"]
    assert names["routing"] == ["dmodk", "ecmp", "adaptive", "spray"]
    # The text form lists the same, one line each.
    text = inspect("--list")
    for entries in names.values():
        for n in entries:
            assert any(line.split()[:1] == [n] for line in text.splitlines()), n


def test_price_table_override(tmp_path):
    prices = tmp_path / "prices.yaml"
    prices.write_text("switch_usd_per_port_gbps: 0\ntransceiver_usd_per_gbps: 0\ncable_usd: 1\n")
    j = json.loads(inspect(os.path.join(PRESETS, "fat_tree_128.yaml"), "--prices", str(prices), "--json"))
    assert j["cost"]["total_usd"] == pytest.approx(j["cables"]["gpu-leaf"] + j["cables"]["leaf-spine"])
