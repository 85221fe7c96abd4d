"""analysis/ as a package a researcher installs: analysis/pyproject.toml (version = gigasim's), the
``ax=`` convention of every plot function (drawn into a caller's Axes, on real result files written
by the gigasim binary: GIGASIM_BIN, default <repo>/build/gigasim), and an offline
``pip install --no-build-isolation --no-deps`` into a venv with the system's site packages.
Run with: cd <repo> && /usr/bin/python3 -m pytest tests/python -q -k analysis_package
"""

import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import gigasim_results as g
from gigasim_results import goodput, plots
from gigasim_test import ANALYSIS, QUICKSTART, REPO, gigasim


# --- pyproject.toml --------------------------------------------------------------------------------

def test_version_is_the_projects():
    with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as f:
        cmake = re.search(r"project\(\s*gigasim\s+VERSION\s+([0-9.]+)", f.read())
    assert cmake, "no project(gigasim VERSION ...) in CMakeLists.txt"
    assert g.__version__ == cmake.group(1)
    with open(os.path.join(ANALYSIS, "pyproject.toml"), "rb") as f:
        meta = tomllib.load(f)
    assert meta["build-system"]["build-backend"] == "setuptools.build_meta"
    assert meta["project"]["dynamic"] == ["version"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gigasim_results.__version__"}
    assert sorted(meta["project"]["dependencies"]) == ["h5py", "matplotlib", "numpy", "pandas"]
    assert meta["tool"]["setuptools"]["packages"] == ["gigasim_results"]


# --- ax= -------------------------------------------------------------------------------------------

def _public_plot_functions():
    """Every public function of plots and goodput annotated to return a Figure."""
    found = []
    for module in (plots, goodput):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__ \
                    and inspect.signature(fn).return_annotation in (Figure, "Figure"):
                found.append(f"{module.__name__.rsplit('.', 1)[1]}.{name}")
    return sorted(found)


#: name -> (how to call it on the fixtures' data, number of panels).
PLOTS = {
    "plots.step_breakdown": (lambda d, **kw: plots.step_breakdown(d["table"], **kw), 1),
    "plots.link_util_heatmap": (lambda d, **kw: plots.link_util_heatmap(d["run"], **kw), 1),
    "plots.link_util_cdf": (lambda d, **kw: plots.link_util_cdf(d["run"], **kw), 2),
    "plots.ecmp_imbalance": (lambda d, **kw: plots.ecmp_imbalance(d["run"], **kw), 2),
    "plots.busbw_curves": (lambda d, **kw: plots.busbw_curves([d["run"], d["run"].table("collectives")], **kw), 1),
    "plots.slowdown_cdf": (lambda d, **kw: plots.slowdown_cdf(d["run"], **kw), 1),
    "plots.ettr_curves": (lambda d, **kw: plots.ettr_curves(d["goodput_run"], **kw), 2),
    "plots.message_figure": (lambda d, **kw: plots.message_figure("nothing here", "Title", **kw), 1),
    "goodput.ettr_vs_interval": (lambda d, **kw: goodput.ettr_vs_interval(d["goodput"], **kw), 1),
    "goodput.ettr_vs_gpus": (lambda d, **kw: goodput.ettr_vs_gpus(d["goodput"], **kw), 1),
}


def test_every_plot_function_takes_ax():
    names = _public_plot_functions()
    assert set(names) == set(PLOTS), "a plot function is missing from PLOTS (and from this test)"
    for name in names:
        module, fn = name.split(".")
        param = inspect.signature(getattr({"plots": plots, "goodput": goodput}[module], fn)).parameters.get("ax")
        assert param is not None and param.default is None, f"{name} has no ax=None"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Real results: one step of the quickstart (128 GPUs, switch-to-switch traffic), its one-row runs
    table, and a small goodput file with curves over intervals and over job sizes."""
    base = tmp_path_factory.mktemp("analysis_package")
    run_file, goodput_file = str(base / "quickstart.h5"), str(base / "goodput.h5")
    proc = gigasim("run", QUICKSTART, "-o", run_file, "--steps", "1", "--progress", "none", cwd=str(base))
    assert proc.returncode == 0, proc.stderr
    proc = gigasim("goodput", "--gpus", "4096", "--sweep-interval", "5min:4h:4", "--sweep-gpus", "1024,4096",
                   "--replicas", "20", "-o", goodput_file, cwd=str(base))
    assert proc.returncode == 0, proc.stderr
    run = g.open_run(run_file)
    assert run.summary["fabric_bytes"] > 0
    return {"run": run, "table": g.runs_table([run_file]), "goodput": g.load_goodput(goodput_file),
            "goodput_run": g.open_run(goodput_file)}


def _drawn(ax: Axes) -> bool:
    return bool(ax.lines or ax.patches or ax.images or ax.collections or ax.texts or ax.containers)


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plot_draws_into_callers_axes(name, data, tmp_path):
    call, panels = PLOTS[name]
    fig = Figure(figsize=(10, 8), layout="constrained")
    fig.suptitle("the caller's title")
    axes = fig.subplots(2, panels, squeeze=False)
    target = axes[0, 0] if panels == 1 else list(axes[0])
    assert call(data, ax=target) is fig
    assert all(_drawn(ax) for ax in axes[0])
    assert fig._suptitle.get_text() == "the caller's title"   # the caller's figure keeps its title
    assert not any(_drawn(ax) for ax in axes[1])                # and its other Axes stay untouched
    if panels == 2:
        # One Axes: its place is split into the two panels.
        before = set(fig.axes)
        assert call(data, ax=axes[1, 0]) is fig
        added = [ax for ax in fig.axes if ax not in before]
        assert axes[1, 0] not in fig.axes and len(added) == 2 and all(_drawn(ax) for ax in added)
        assert not _drawn(axes[1, 1])
    fig.savefig(tmp_path / "caller.png")
    assert (tmp_path / "caller.png").stat().st_size > 0
    # Without ax: a figure of its own, as before.
    own = call(data)
    assert isinstance(own, Figure) and own is not fig and len(own.axes) >= 1


def test_ax_in_a_subfigure_and_a_numpy_array(data):
    fig = Figure(figsize=(12, 8), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    ax = top.subplots()
    assert g.busbw_curves(data["run"], ax=ax) is ax.figure is top
    pair = bottom.subplots(1, 2)                         # a numpy array of two Axes
    assert g.link_util_cdf(data["run"], ax=pair) is bottom
    assert pair[0].lines and pair[1].lines


def test_no_data_message_goes_into_callers_axes(data):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert g.ettr_curves(data["run"], ax=[left, right]) is fig     # the quickstart run has no goodput
    assert "no goodput data in these runs" in [t.get_text() for t in left.texts]
    assert not left.axison and not right.axison


def test_bad_ax(data):
    fig = Figure()
    pair = fig.subplots(1, 2)
    with pytest.raises(ValueError, match="expected one Axes"):
        g.busbw_curves(data["run"], ax=pair)
    with pytest.raises(TypeError, match="Axes"):
        g.busbw_curves(data["run"], ax=fig)


# --- installing ------------------------------------------------------------------------------------

def _skip_unless_venv_tools():
    if importlib.util.find_spec("ensurepip") is None:
        pytest.skip("python3-venv (ensurepip) is not installed: apt-get install python3-venv (scripts/install-deps)")
    probe = subprocess.run([sys.executable, "-c", "import setuptools, wheel"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("setuptools/wheel not importable: apt-get install python3-setuptools python3-wheel "
                    "(python3-pip brings both; scripts/install-deps)")


def test_offline_install_into_a_venv(tmp_path):
    _skip_unless_venv_tools()
    # Install from a copy, so the build's build/ and *.egg-info stay out of the repository.
    src = tmp_path / "analysis"
    shutil.copytree(ANALYSIS, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True, timeout=300)
    if made.returncode != 0 and "ensurepip" in (made.stdout + made.stderr):
        pytest.skip(f"cannot make a venv with pip: {made.stdout}{made.stderr}")
    assert made.returncode == 0, made.stdout + made.stderr
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_FIND_LINKS")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")   # offline: nothing from an index
    install = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-deps", str(src)],
                             cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "Successfully installed gigasim-results-" + g.__version__ in install.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = subprocess.run(
        [python, "-c", "import gigasim_results as g; from gigasim_results import plots, goodput, report; "
                       "print(g.__file__); print(g.__version__)"],
        cwd=str(elsewhere), env=env, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    where, version = probe.stdout.split()
    assert where.startswith(str(venv)) and "site-packages" in where, where
    assert version == g.__version__
    cli = subprocess.run([python, "-m", "gigasim_results", "--help"], cwd=str(elsewhere), env=env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0 and "merge" in cli.stdout and "goodput" in cli.stdout, cli.stderr
    shown = subprocess.run([python, "-m", "pip", "show", "gigasim-results"], env=env, capture_output=True, text=True)
    assert f"Version: {g.__version__}" in shown.stdout


def test_module_runs_in_place_with_pythonpath(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = ANALYSIS
    proc = subprocess.run([sys.executable, "-m", "gigasim_results", "--help"], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "report" in proc.stdout, proc.stderr
