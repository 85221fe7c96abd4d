"""Tests of sweeps end to end: `gigasim sweep plan/run/status` with the real binary, then
gigasim_results.merge/save, the plots, the HTML report and `python3 -m gigasim_results`.

One small sweep per session (env GIGASIM_BIN, default <repo>/build/gigasim): the quickstart with
one step, two ok points (oversubscription 1 and 3) and one point that fails at run time
(ranks = 99999, planned with --no-validate). Run with:
cd <repo> && /usr/bin/python3 -m pytest tests/python -q
"""

import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import gigasim_results as g
from gigasim_results import plots
from gigasim_test import ANALYSIS, QUICKSTART, gigasim

SWEEP_YAML = f"""name: analysis-test
base: {QUICKSTART}
grid:
  workload.steps: [1]
zip:
  - {{topology.oversubscription: [1, 3, 1], workload.ranks: [128, 128, 99999]}}
"""
PARAMS = ["topology.oversubscription", "workload.ranks", "workload.steps"]


def _module(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ANALYSIS + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "gigasim_results", *args], cwd=cwd, env=env,
                           capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory):
    """A planned and run sweep: 3 points, the last one failed."""
    base = tmp_path_factory.mktemp("sweep")
    (base / "sweep.yaml").write_text(SWEEP_YAML)
    plan = gigasim("sweep", "plan", "sweep.yaml", "-o", "out", "--no-validate", cwd=str(base))
    assert plan.returncode == 0, plan.stderr
    run = gigasim("sweep", "run", "out", "--jobs", "2", "--progress", "none", cwd=str(base))
    assert run.returncode == 1, f"expected exit 1 (one point fails):\n{run.stdout}\n{run.stderr}"
    return str(base / "out")


@pytest.fixture(scope="session")
def merged(sweep_dir):
    return g.merge(sweep_dir)


@pytest.fixture(scope="session")
def ok_run(merged, sweep_dir):
    pid = merged.loc[merged["status"] == "ok", "point_id"].iloc[0]
    return g.open_run(os.path.join(sweep_dir, "results", f"{pid}.h5"))


def _check_figure(fig, path):
    assert isinstance(fig, Figure)
    assert len(fig.axes) >= 1
    fig.savefig(path)
    assert os.path.getsize(path) > 0


def test_package_exports_analysis_functions():
    for name in ("merge", "save", "write_report", "step_breakdown", "link_util_heatmap", "link_util_cdf",
                 "ecmp_imbalance", "ecmp_imbalance_table", "busbw_curves", "ettr_curves", "open_run", "Run"):
        assert callable(getattr(g, name)), name


# --- gigasim sweep ---------------------------------------------------------------------------------

def test_sweep_status_json(sweep_dir):
    proc = gigasim("sweep", "status", sweep_dir, "--json", cwd=os.path.dirname(sweep_dir))
    j = json.loads(proc.stdout)
    assert (j["points"], j["ok"], j["failed"], j["missing"]) == (3, 2, 1, 0)
    statuses = [p["status"] for p in j["status"]]
    assert statuses == ["ok", "ok", "failed"]
    assert "99999" in j["status"][2]["error"]


def test_rerun_skips_ok_points(sweep_dir, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(sweep_dir, copy)
    before = {p: os.path.getmtime(copy / "results" / p) for p in os.listdir(copy / "results") if p.endswith(".h5")}
    assert len(before) == 2
    proc = gigasim("sweep", "run", "out", "--progress", "log", cwd=str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert "2 already ok" in proc.stderr
    after = {p: os.path.getmtime(copy / "results" / p) for p in before}
    assert after == before
    df = g.merge(copy)
    assert list(df["status"]) == ["ok", "ok", "failed"]


# --- merge and save --------------------------------------------------------------------------------

def test_merge_rows_statuses_and_columns(merged, sweep_dir):
    manifest = pd.read_csv(os.path.join(sweep_dir, "manifest.csv"), dtype=str)
    assert list(merged["point_id"]) == list(manifest["point_id"])
    assert list(merged.columns[:3]) == ["point_id", "index", "seed"]
    assert list(merged.columns[3:3 + len(PARAMS)]) == PARAMS
    assert list(merged["status"]) == ["ok", "ok", "failed"]
    assert list(merged["error"][:2]) == ["", ""]
    assert "ranks = 99999" in merged["error"].iloc[2]
    for col in PARAMS + ["index"]:
        assert pd.api.types.is_numeric_dtype(merged[col]), col
    assert list(merged["topology.oversubscription"]) == [1, 3, 1]
    for col in ("step_time_mean_s", "compute_time_mean_s", "exposed_comm_mean_s", "max_link_util", "wall_time_s"):
        assert merged[col].dtype == float
        assert merged[col][:2].notna().all() and np.isnan(merged[col].iloc[2])
    assert list(merged.columns[-5:]) == ["wall_time_s", "network_model", "fidelity", "topology_kind", "workload_kind"]
    assert list(merged["network_model"]) == ["CM02", "CM02", ""]
    assert list(merged["topology_kind"][:2]) == ["fat_tree", "fat_tree"]


def test_merge_missing_point_and_not_a_sweep(sweep_dir, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(sweep_dir, copy)
    pid = g.merge(copy)["point_id"].iloc[1]
    os.remove(copy / "results" / f"{pid}.h5")
    assert list(g.merge(copy)["status"]) == ["ok", "missing", "failed"]
    with pytest.raises(ValueError, match="not a sweep directory"):
        g.merge(tmp_path)


def test_save_round_trip(merged, tmp_path):
    path = tmp_path / "summary.h5"
    written = g.save(merged, path)
    assert written == [str(path), str(tmp_path / "summary.csv")]
    back = pd.read_hdf(path, "runs")
    assert list(back.columns) == list(merged.columns)
    assert list(back["point_id"]) == list(merged["point_id"])
    assert list(back["error"]) == list(merged["error"])
    np.testing.assert_allclose(back["step_time_mean_s"], merged["step_time_mean_s"])
    csv = pd.read_csv(tmp_path / "summary.csv")
    assert len(csv) == 3 and list(csv["status"]) == ["ok", "ok", "failed"]
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_cli_merge(sweep_dir, tmp_path):
    out = tmp_path / "summary.h5"
    proc = _module("merge", sweep_dir, "-o", str(out), "--csv", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "2 ok, 1 failed, 0 missing" in proc.stdout
    assert str(out) in proc.stdout
    assert len(pd.read_hdf(out, "runs")) == 3
    assert (tmp_path / "summary.csv").is_file()
    bad = _module("merge", str(tmp_path), cwd=str(tmp_path))
    assert bad.returncode == 2 and "not a sweep directory" in bad.stderr


# --- plots -----------------------------------------------------------------------------------------

def _goodput_copy(ok_run, tmp_path):
    """A copy of an ok result file with a /goodput/curves table."""
    path = tmp_path / "goodput.h5"
    shutil.copy(ok_run.path, path)
    with h5py.File(path, "a") as f:
        t = f.create_group("goodput/curves")
        t.attrs["kind"] = "table"
        t.attrs["columns"] = list(plots.GOODPUT_COLUMNS)
        t["checkpoint_interval_s"] = np.array([60.0, 600.0, 60.0, 600.0])
        t["gpus"] = np.array([1024, 1024, 8192, 8192], dtype=np.int64)
        t["ettr"] = np.array([0.90, 0.95, 0.80, 0.88])
    return str(path)


def test_plots_return_figures(merged, ok_run, tmp_path):
    goodput = _goodput_copy(ok_run, tmp_path)
    figures = {
        "step_breakdown": g.step_breakdown(merged),
        "heatmap": g.link_util_heatmap(ok_run),
        "heatmap_binned": g.link_util_heatmap(ok_run, value="avg_util", max_cols=8),
        "cdf": g.link_util_cdf(ok_run),
        "ecmp": g.ecmp_imbalance(ok_run),
        "busbw": g.busbw_curves([ok_run, ok_run.table("collectives")]),
        "ettr_none": g.ettr_curves(ok_run),
        "ettr": g.ettr_curves(g.open_run(goodput)),
    }
    for name, fig in figures.items():
        _check_figure(fig, tmp_path / f"{name}.png")
    texts = [t.get_text() for ax in figures["ettr_none"].axes for t in ax.texts]
    assert "no goodput data in these runs" in texts
    assert len(figures["ettr"].axes) == 2 and figures["ettr"].axes[0].lines


def test_ecmp_imbalance_table(ok_run):
    t = g.ecmp_imbalance_table(ok_run)
    assert list(t.columns) == ["src_node", "switch", "tier", "links", "bytes_total", "bytes_mean", "bytes_min",
                               "bytes_max", "imbalance"]
    assert len(t) > 0 and (t["links"] > 1).all()
    loaded = t.dropna(subset=["imbalance"])
    assert (loaded["imbalance"] >= 1.0 - 1e-12).all()
    assert (loaded["imbalance"] <= loaded["links"] + 1e-9).all()


# --- report ----------------------------------------------------------------------------------------

def test_report_sweep(sweep_dir, merged, tmp_path):
    out = tmp_path / "report.html"
    assert g.write_report(sweep_dir, str(out)) == str(out)
    text = out.read_text()
    assert '<img src="data:image/png;base64,' in text
    for pid in merged["point_id"]:
        assert pid in text
    first = merged.loc[merged["status"] == "ok", "point_id"].iloc[0]
    assert f"results/{first}.h5" in text          # the link figures name their run
    assert "Goodput (ETTR)" in text


def test_report_file_and_directory(ok_run, tmp_path):
    for src in (ok_run.path, os.path.dirname(ok_run.path)):
        out = tmp_path / "r.html"
        g.write_report(src, out)
        assert '<img src="data:image/png;base64,' in out.read_text()


def test_cli_report(sweep_dir, tmp_path):
    out = tmp_path / "report.html"
    proc = _module("report", sweep_dir, "-o", str(out), cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and "data:image/png;base64," in out.read_text()
    help_ = _module("--help", cwd=str(tmp_path))
    assert help_.returncode == 0 and "merge" in help_.stdout and "report" in help_.stdout
