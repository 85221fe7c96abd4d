"""Tests of gigasim's HDF5 result files and of the analysis/gigasim_results loader.

Runs the real gigasim binary (env GIGASIM_BIN, default <repo>/build/gigasim) once per session on
examples/quickstart/run.yaml. Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python -q
"""

import importlib.util
import json
import os

import h5py
import numpy as np
import pandas as pd
import pytest

import gigasim_results
from gigasim_results import Run, open_run
from gigasim_test import PRESETS, QUICKSTART, gigasim

PRESET_128 = os.path.join(PRESETS, "fat_tree_128.yaml")

ROOT_ATTRS = ["schema", "schema_version", "gigasim_version", "git_sha", "simgrid_version", "hdf5_version",
              "created_utc", "hostname", "command_line", "status", "wall_time_s", "seed", "sim_time_s",
              "network_model", "network_crosstraffic", "fidelity", "flows_simulated", "topology_kind", "routing",
              "workload_kind"]
TABLES = ["steps", "collectives", "slowdown", "groups", "nodes", "links"]
SUMMARY_KEYS = ["step_time_mean_s", "step_time_p50_s", "step_time_p99_s", "step_time_min_s", "step_time_max_s",
                "compute_time_mean_s", "exposed_comm_mean_s", "comm_exposed_frac", "steps", "collectives",
                "collective_time_mean_s", "algbw_mean_Bps", "busbw_mean_Bps", "max_link_util", "fabric_bytes",
                "sim_time_s", "flows", "ranks", "gpus", "build_wall_s", "replay_wall_s", "wall_us_per_flow",
                "peak_rss_bytes"]
UTIL_TOL = 1.0 + 1e-6


@pytest.fixture(scope="session")
def result_file(tmp_path_factory):
    """Path of the quickstart's result file, written by the real binary."""
    out_dir = tmp_path_factory.mktemp("quickstart")
    out = out_dir / "quickstart.h5"
    proc = gigasim("run", QUICKSTART, "-o", str(out), "--progress", "none", cwd=str(out_dir))
    assert proc.returncode == 0, f"gigasim run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert out.is_file()
    return str(out)


@pytest.fixture(scope="session")
def run(result_file):
    return open_run(result_file)


# --- the file itself, read with plain h5py ----------------------------------------------------------

def test_plain_h5py_root_attrs(result_file):
    with h5py.File(result_file, "r") as f:
        missing = [a for a in ROOT_ATTRS if a not in f.attrs]
        assert not missing, f"missing root attributes: {missing}"
        assert f.attrs["schema"] == "gigasim-results"
        assert f.attrs["schema_version"].split(".")[0] == "1"
        assert f.attrs["status"] == "ok"
        assert "error" not in f.attrs
        assert f.attrs["network_model"] == "CM02"
        assert f.attrs["fidelity"] in {"stepwise", "collapsed", "mixed"}
        assert f.attrs["topology_kind"] == "fat_tree"
        assert f.attrs["workload_kind"] == "data_parallel"
        assert f.attrs["seed"] == 1
        assert f.attrs["network_crosstraffic"] in (0, 1)
        assert f.attrs["flows_simulated"] > 0
        assert f.attrs["sim_time_s"] > 0
        # h5py 3: vlen string attributes are str, string datasets are bytes unless read via .asstr().
        assert isinstance(f.attrs["schema"], str)
        assert isinstance(f["config/run_yaml"][()], bytes)
        assert isinstance(f["config/run_yaml"].asstr()[()], str)
        for group in ("config", "params", "summary"):
            assert isinstance(f[group], h5py.Group)
        assert sorted(f["config"].keys()) == ["run_yaml", "topology_yaml", "workload_yaml"]


def test_plain_h5py_tables_layout(result_file):
    with h5py.File(result_file, "r") as f:
        for name in TABLES:
            g = f[name]
            assert g.attrs["kind"] == "table"
            columns = list(g.attrs["columns"])
            assert sorted(columns) == sorted(g.keys())
            lengths = {g[c].shape for c in columns}
            assert len(lengths) == 1 and len(next(iter(lengths))) == 1, f"{name}: {lengths}"


def test_no_tmp_file_left(result_file):
    directory = os.path.dirname(result_file)
    assert [n for n in os.listdir(directory) if n.endswith(".tmp")] == []


# --- the loader ------------------------------------------------------------------------------------

def test_package_exports():
    assert gigasim_results.__all__[:2] == ["open_run", "Run"]
    for name in ("merge", "save", "write_report", "step_breakdown", "busbw_curves", "ettr_curves"):
        assert name in gigasim_results.__all__
        assert callable(getattr(gigasim_results, name))
    assert gigasim_results.__doc__


def test_loader_meta_summary_config(run, result_file):
    assert isinstance(run, Run)
    assert run.path == result_file
    assert run.status == "ok"
    assert run.meta["schema"] == "gigasim-results"
    for key in ROOT_ATTRS:
        assert key in run.meta
    for key, value in run.meta.items():
        assert type(value) in (str, int, float), f"meta[{key!r}] is {type(value)}"
    assert isinstance(run.meta["seed"], int) and isinstance(run.meta["sim_time_s"], float)
    assert run.params == {}
    missing = [k for k in SUMMARY_KEYS if k not in run.summary]
    assert not missing, f"missing summary keys: {missing}"
    assert all(type(v) is float for v in run.summary.values())
    assert run.summary["steps"] == 3
    assert run.summary["gpus"] == 128
    assert run.summary["sim_time_s"] == run.meta["sim_time_s"]
    assert sorted(run.config) == ["run_yaml", "topology_yaml", "workload_yaml"]
    assert all(isinstance(t, str) and t for t in run.config.values())
    assert run.tables == TABLES
    assert result_file in repr(run) and "ok" in repr(run)


def test_config_run_yaml(run):
    text = run.config["run_yaml"]
    assert "data_parallel" in text
    assert "data_parallel" in run.config["workload_yaml"]
    assert "fat_tree" in run.config["topology_yaml"]
    if importlib.util.find_spec("yaml") is None:
        return  # PyYAML absent: the plain string checks above are all we can do
    import yaml
    doc = yaml.safe_load(text)
    assert doc["workload"]["kind"] == "data_parallel"
    assert doc["topology"]["kind"] == "fat_tree"
    assert isinstance(yaml.safe_load(run.config["topology_yaml"]), dict)
    assert isinstance(yaml.safe_load(run.config["workload_yaml"]), dict)


def test_table_column_order_matches_attr(run, result_file):
    with h5py.File(result_file, "r") as f:
        for name in TABLES:
            df = run.table(name)
            assert list(df.columns) == list(f[name].attrs["columns"]), name
            assert len(df) == f[name][df.columns[0]].shape[0]


def test_steps(run):
    df = run.table("steps")
    assert len(df) == 3
    assert list(df["step"]) == [0, 1, 2]
    assert (df["duration_s"] > 0).all()
    np.testing.assert_allclose(df["end_s"] - df["start_s"], df["duration_s"], rtol=1e-12, atol=0)
    # A step starts when the previous one ended; the first at its earliest rank.
    assert df["start_s"].iloc[0] == df["first_start_s"].iloc[0]
    np.testing.assert_array_equal(df["start_s"].iloc[1:].to_numpy(), df["end_s"].iloc[:-1].to_numpy())
    assert (df["failed"] == 0).all()
    assert df["exposed_comm_s"].ge(0).all()
    breakdown = [f"exposed_{d}_s" for d in ("tp", "pp", "dp", "ep", "cp")] + ["bubble_s", "exposed_other_s"]
    assert df.attrs["units"] == {c: "s" for c in
                                 ["first_start_s", "start_s", "end_s", "duration_s", "compute_s", "exposed_comm_s"]
                                 + breakdown}
    # A data-parallel step's exposed communication is all DP; the parts add up to the step.
    np.testing.assert_allclose(df["compute_s"] + df[breakdown].sum(axis=1), df["duration_s"], rtol=1e-6)


def test_summary_step_time_mean(run):
    durations = run.table("steps")["duration_s"]
    assert run.summary["step_time_mean_s"] == pytest.approx(durations.mean(), rel=1e-9)
    assert run.summary["step_time_p50_s"] == pytest.approx(durations.median(), rel=1e-9)
    assert run.summary["compute_time_mean_s"] == pytest.approx(run.table("steps")["compute_s"].mean(), rel=1e-9)


def test_collectives(run):
    df = run.table("collectives")
    assert len(df) == run.summary["collectives"] > 0
    for column in ("kind", "fidelity", "algorithm", "protocol"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
        assert not df[column].isna().any(), column
    assert list(df["kind"].cat.categories) == ["all_reduce", "reduce_scatter", "all_gather", "alltoall",
                                               "broadcast", "reduce", "sendrecv"]
    assert list(df["fidelity"].cat.categories) == ["stepwise", "collapsed", "analytic"]
    assert set(df["kind"]) == {"all_reduce"}
    assert set(df["algorithm"]) <= {"ring", "tree", "nvls"}  # NCCL-like selection across 16 servers
    assert (df["closed_form_s"] > 0).all()
    assert run.meta["fidelity"] == "mixed" or set(df["fidelity"]) == {run.meta["fidelity"]}
    assert all(isinstance(s, str) for s in df["label"])
    assert (df["duration_s"] > 0).all()
    assert (df["start_s"] >= df["first_start_s"]).all()
    np.testing.assert_allclose(df["end_s"] - df["start_s"], df["duration_s"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(df["algbw_Bps"], df["bytes"] / df["duration_s"], rtol=1e-9)
    assert run.summary["collective_time_mean_s"] == pytest.approx(df["duration_s"].mean(), rel=1e-9)
    assert df.attrs["units"]["bytes"] == "B" and df.attrs["units"]["busbw_Bps"] == "B/s"
    assert "kind" not in df.attrs["units"] and "flows" not in df.attrs["units"]


def test_groups_and_nodes(run):
    groups = run.table("groups")
    assert list(groups["name"]) == ["dp"]
    assert list(groups["dim"].astype(str)) == ["dp"]
    assert groups["size"].iloc[0] == 128
    nodes = run.table("nodes")
    assert isinstance(nodes["kind"].dtype, pd.CategoricalDtype)
    counts = nodes["kind"].value_counts()
    assert counts["gpu"] == run.summary["gpus"] == 128
    assert counts["nvswitch"] == 16 and counts["switch"] == 6
    assert list(nodes["node_id"]) == list(range(len(nodes)))
    assert all(isinstance(s, str) for s in nodes["name"])


def test_links(run, tmp_path):
    proc = gigasim("inspect", PRESET_128, "--json", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    df = run.table("links")
    assert isinstance(df["kind"].dtype, pd.CategoricalDtype)
    fabric = df[df["kind"] == "fabric"]
    assert len(fabric) == info["cables"]["leaf-spine"] * 2
    assert (df["kind"] != "nvlink").all()  # NVLink links only with --record-nvlink
    for column in ("avg_util", "max_util"):
        assert df[column].between(0.0, UTIL_TOL).all(), column
    assert (df["busy_s"] >= 0).all() and (df["busy_s"] <= run.meta["sim_time_s"] * UTIL_TOL).all()
    np.testing.assert_allclose(df["avg_util"], df["bytes"] / (df["bandwidth_Bps"] * run.meta["sim_time_s"]),
                               rtol=1e-9, atol=0)
    assert run.summary["max_link_util"] == pytest.approx(df["max_util"].max(), rel=1e-12)
    assert run.summary["fabric_bytes"] == pytest.approx(fabric["bytes"].sum(), rel=1e-9)
    assert df.attrs["units"]["max_util"] == "1" and df.attrs["units"]["bandwidth_Bps"] == "B/s"


def test_unknown_table(run):
    with pytest.raises(KeyError) as err:
        run.table("no_such_table")
    assert "steps" in str(err.value) and "links" in str(err.value)


def test_file_not_held_open(result_file, tmp_path):
    copy = tmp_path / "copy.h5"
    copy.write_bytes(open(result_file, "rb").read())
    r = open_run(copy)
    assert len(r.table("steps")) == 3
    moved = tmp_path / "moved.h5"
    os.replace(copy, moved)
    os.remove(moved)
    assert r.summary["steps"] == 3  # eagerly read metadata survives
    with pytest.raises(FileNotFoundError):
        r.table("steps")


# --- files that are not gigasim results -------------------------------------------------------------

def test_open_run_rejects_other_hdf5(tmp_path):
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f.create_dataset("x", data=np.arange(3))
    with pytest.raises(ValueError, match="not a gigasim-results file"):
        open_run(plain)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["schema"] = "something-else"
    with pytest.raises(ValueError, match="something-else"):
        open_run(other)
    future = tmp_path / "future.h5"
    with h5py.File(future, "w") as f:
        f.attrs["schema"] = "gigasim-results"
        f.attrs["schema_version"] = "2.0"
    with pytest.raises(ValueError, match="schema_version"):
        open_run(future)


def test_open_run_rejects_non_hdf5_and_missing(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5\n")
    with pytest.raises(ValueError):
        open_run(text)
    with pytest.raises(FileNotFoundError):
        open_run(tmp_path / "missing.h5")
