"""Goodput results of ``gigasim goodput`` (effective training time ratio, ETTR) and their two figures.

    import gigasim_results as g
    gp = g.load_goodput("goodput.h5")            # or the output of `gigasim goodput ... --json`
    gp.attrs["ettr_monte_carlo"], gp.attrs["ettr_closed_form"], gp.attrs["optimal_checkpoint_interval_s"]
    gp.causes                                    # DataFrame: cause, rate, interruptions, lost_gpu_hours, ...
    gp.curves                                    # DataFrame or None: gpus, checkpoint_interval_s, at_optimum, ettr, ...
    g.ettr_vs_interval(gp).savefig("interval.png")
    g.ettr_vs_gpus(gp).savefig("gpus.png")
    g.ettr_vs_gpus(gp, ax=my_axes)               # or draw into an Axes of your own figure (returns it)
    gp = g.run_goodput(["--gpus", "100000", "--sweep-interval", "5min:4h:16"])   # runs the binary

The HDF5 layout (``/goodput`` attributes and the tables ``causes``, ``replicas``, ``curves``) is in
analysis/README.md; JSON keys are the same names (``curves`` is a list of row objects).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any, Dict, Optional, Sequence, Union

import h5py
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .io import _attrs, read_table
from .plots import _target, message_figure

#: The JSON keys of the scalars in ``gigasim goodput --json`` that are also ``/goodput`` attributes
#: under another name.
_JSON_RENAMES = {"interruptions": "interruptions_mean"}


class Goodput:
    """One goodput estimate: ``attrs`` (headline numbers and inputs, plain Python), ``causes`` (a
    DataFrame, one row per cause) and ``curves`` (a DataFrame, or None without curves)."""

    def __init__(self, source: str, attrs: Dict[str, Any], causes: pd.DataFrame, curves: Optional[pd.DataFrame]):
        self.source = source
        self.attrs = attrs
        self.causes = causes
        self.curves = curves

    def __repr__(self) -> str:
        a = self.attrs
        return (f"Goodput({self.source!r}, gpus={a.get('gpus')}, ettr_monte_carlo={a.get('ettr_monte_carlo'):.4f}, "
                f"ettr_closed_form={a.get('ettr_closed_form'):.4f}, curves={0 if self.curves is None else len(self.curves)})")


def from_json(obj: Dict[str, Any], source: str = "<json>") -> Goodput:
    """A :class:`Goodput` from the parsed output of ``gigasim goodput --json``."""
    attrs = {_JSON_RENAMES.get(k, k): v for k, v in obj.items() if not isinstance(v, (list, dict))}
    lo, hi = obj.get("ettr_monte_carlo_ci95", [np.nan, np.nan])
    attrs.update(ettr_monte_carlo_ci95_low=lo, ettr_monte_carlo_ci95_high=hi)
    causes = pd.DataFrame(obj.get("causes", [])).rename(columns={"rate_per_1000_node_days": "rate"})
    curves = pd.DataFrame(obj["curves"]) if obj.get("curves") else None
    return Goodput(source, attrs, causes, curves)


def load_goodput(path: "str | os.PathLike[str]") -> Goodput:
    """Reads a goodput result: an HDF5 file written by ``gigasim goodput -o`` (``/goodput``), or a
    ``.json`` file holding the output of ``gigasim goodput --json``.

    Raises FileNotFoundError if ``path`` does not exist and ValueError if it holds no goodput result.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            try:
                return from_json(json.load(f), path)
            except (json.JSONDecodeError, TypeError, ValueError) as e:
                raise ValueError(f"{path}: not the output of gigasim goodput --json ({e})") from e
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"{path}: not an HDF5 file ({e})") from e
    with f:
        group = f.get("goodput")
        if not isinstance(group, h5py.Group):
            raise ValueError(f"{path}: no /goodput group (write one with: gigasim goodput ... -o {os.path.basename(path)})")
        attrs = _attrs(group)
        causes = read_table(group["causes"])
        curves = read_table(group["curves"]) if "curves" in group else None
    return Goodput(path, attrs, causes, curves)


def run_goodput(args: Sequence[str], gigasim: Optional[str] = None) -> Goodput:
    """Runs ``gigasim goodput ARGS --json`` and returns its result. ``gigasim`` defaults to
    ``$GIGASIM_BIN`` or ``build/gigasim``. Raises RuntimeError (with gigasim's message) on failure."""
    binary = gigasim or os.environ.get("GIGASIM_BIN", os.path.join("build", "gigasim"))
    proc = subprocess.run([binary, "goodput", *args, "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"gigasim goodput exited with {proc.returncode}: {proc.stderr.strip()}")
    return from_json(json.loads(proc.stdout), "gigasim goodput " + " ".join(args))


def _curves(data: Union[Goodput, pd.DataFrame, str, "os.PathLike[str]"]) -> Optional[pd.DataFrame]:
    if isinstance(data, pd.DataFrame):
        df = data
    else:
        df = (data if isinstance(data, Goodput) else load_goodput(data)).curves
    if df is None or df.empty:
        return None
    df = df.copy()
    if "at_optimum" not in df.columns:
        df["at_optimum"] = 0
    df["at_optimum"] = df["at_optimum"].astype(bool)
    return df


#: Tick positions of the interval axis (s): 1, 2, 5, 10, 20, 30 min, 1, 2, 4, 8, 24 h.
_INTERVAL_TICKS = (60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400)


def _minutes(value: float, _pos=None) -> str:
    """A duration in seconds as "7.8 min" or "2 h"."""
    return f"{value / 3600:.3g} h" if value >= 3600 else f"{value / 60:.3g} min"


def _mc_points(ax, part: pd.DataFrame, x: str, label: str, color, scale: float = 1.0, marker: str = "o") -> None:
    """Monte Carlo ETTR with its 95 % CI (when the table has it) and the closed form beside it."""
    xs = part[x].to_numpy(dtype=float) * scale
    y = part["ettr"].to_numpy(dtype=float)
    if {"ettr_ci95_low", "ettr_ci95_high"} <= set(part.columns):
        err = np.vstack([y - part["ettr_ci95_low"].to_numpy(dtype=float), part["ettr_ci95_high"].to_numpy(dtype=float) - y])
        ax.errorbar(xs, y, yerr=err, fmt=marker, ms=4, capsize=2, color=color, label=f"{label}: Monte Carlo (95 % CI)")
    else:
        ax.plot(xs, y, marker, ms=4, color=color, label=f"{label}: Monte Carlo")
    if "ettr_closed_form" in part.columns:
        ax.plot(xs, part["ettr_closed_form"].to_numpy(dtype=float), "-", lw=1.2, color=color, alpha=0.8,
                label=f"{label}: closed form")


def ettr_vs_interval(data, gpus: Optional[int] = None, ax=None) -> Figure:
    """ETTR against the checkpoint interval for one job size (default: the size with the most
    intervals): Monte Carlo points with their 95 % CI, the closed-form curve through the same
    intervals, and the Young/Daly interval marked (the ``at_optimum`` row).

    ``data``: a :class:`Goodput`, a path for :func:`load_goodput`, or a curves DataFrame.
    ``ax``: an Axes to draw into (returns its figure); None makes a new figure.
    """
    df = _curves(data)
    title = "ETTR vs checkpoint interval"
    if df is None:
        return message_figure("no goodput curves (gigasim goodput --sweep-interval FROM:TO:COUNT)", title, ax=ax)
    sweep = df[~df["at_optimum"]]
    if gpus is None:
        counts = sweep.groupby("gpus")["checkpoint_interval_s"].nunique()
        if counts.empty or counts.max() < 2:
            return message_figure("no curve over checkpoint intervals (gigasim goodput --sweep-interval)", title, ax=ax)
        gpus = int(counts.idxmax())
    part = sweep[sweep["gpus"] == gpus].sort_values("checkpoint_interval_s")
    if len(part) < 2:
        return message_figure(f"no curve over checkpoint intervals for {gpus} GPUs", title, ax=ax)
    fig, (ax,), _ = _target(ax, size=(8.0, 4.8))
    _mc_points(ax, part, "checkpoint_interval_s", f"{gpus:,} GPUs", "tab:blue")
    opt = df[df["at_optimum"] & (df["gpus"] == gpus)]
    if not opt.empty:
        row = opt.iloc[0]
        ax.axvline(row["checkpoint_interval_s"], color="tab:red", ls=":", lw=1)
        ax.plot([row["checkpoint_interval_s"]], [row["ettr"]], "*", ms=12, color="tab:red",
                label=f"Young/Daly sqrt(2 cost MTBF) = {_minutes(row['checkpoint_interval_s'])}: ETTR {row['ettr']:.3f}")
    ax.set_xscale("log")
    lo, hi = part["checkpoint_interval_s"].min(), part["checkpoint_interval_s"].max()
    ticks = [t for t in _INTERVAL_TICKS if lo / 1.5 <= t <= hi * 1.5]
    if len(ticks) >= 2:
        ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(_minutes))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _p: ""))
    ax.set_xlabel("checkpoint interval (training time between checkpoints)")
    ax.set_ylabel("ETTR (useful training / elapsed)")
    mtbf = part["mtbf_s"].iloc[0] if "mtbf_s" in part.columns else np.nan
    ax.set_title(f"{title}: {gpus:,} GPUs" + (f", job MTBF {_minutes(mtbf)}" if np.isfinite(mtbf) else ""))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig


def ettr_vs_gpus(data, ax=None) -> Figure:
    """ETTR against job size: one series per fixed checkpoint interval that was run at several sizes,
    and one at each size's own Young/Daly interval (``at_optimum`` rows); Monte Carlo with 95 % CI
    and the closed form.

    ``data``: a :class:`Goodput`, a path for :func:`load_goodput`, or a curves DataFrame.
    ``ax``: an Axes to draw into (returns its figure); None makes a new figure.
    """
    df = _curves(data)
    title = "ETTR vs job size"
    if df is None:
        return message_figure("no goodput curves (gigasim goodput --sweep-gpus FROM:TO:COUNT)", title, ax=ax)
    series = []
    for interval, part in df[~df["at_optimum"]].groupby("checkpoint_interval_s"):
        if part["gpus"].nunique() >= 2:
            series.append((f"every {_minutes(interval)}", part))
    opt = df[df["at_optimum"]]
    if opt["gpus"].nunique() >= 2:
        series.append(("at each size's Young/Daly interval", opt))
    if not series:
        return message_figure("no curve over job sizes (gigasim goodput --sweep-gpus)", title, ax=ax)
    fig, (ax,), _ = _target(ax, size=(8.0, 4.8))
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown"]
    for i, (label, part) in enumerate(series):
        _mc_points(ax, part.sort_values("gpus"), "gpus", label, "tab:red" if label.startswith("at each") else colors[i % 5],
                   marker="s" if label.startswith("at each") else "o")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel("job size (GPUs)")
    ax.set_ylabel("ETTR (useful training / elapsed)")
    ax.set_title(title)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig


def write_figures(data, out_dir: "str | os.PathLike[str]") -> list:
    """Writes ``ettr_vs_interval.png`` and ``ettr_vs_gpus.png`` (those with data) into ``out_dir``;
    returns the paths written. Raises ValueError when the result has no curves."""
    gp = data if isinstance(data, Goodput) else load_goodput(data)
    df = _curves(gp)
    if df is None:
        raise ValueError(f"{gp.source}: no goodput curves; run gigasim goodput with --sweep-interval and/or --sweep-gpus")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    sweep = df[~df["at_optimum"]]
    if (sweep.groupby("gpus")["checkpoint_interval_s"].nunique() >= 2).any():
        written.append(os.path.join(out_dir, "ettr_vs_interval.png"))
        ettr_vs_interval(df).savefig(written[-1], dpi=110)
    if df["gpus"].nunique() >= 2:
        written.append(os.path.join(out_dir, "ettr_vs_gpus.png"))
        ettr_vs_gpus(df).savefig(written[-1], dpi=110)
    return written
