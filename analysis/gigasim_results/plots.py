"""Standard figures of gigasim results (matplotlib only).

Every function takes data (a merged sweep table, a :class:`~gigasim_results.io.Run`, or DataFrames)
and returns a ``matplotlib.figure.Figure``; nothing is shown or saved. Figures are created without
pyplot and render with the Agg backend, so this module works headless:
``fig.savefig("x.png")``. Where there is nothing to plot the figure holds one Axes with a centered
message instead of raising.

Every function also takes ``ax=None`` (the pandas / seaborn convention): given an Axes, it draws
into it instead of making a figure and returns ``ax.figure``; the figure's size, layout and title
are then the caller's (the plot's title goes on the Axes). The two-panel figures
(:func:`link_util_cdf`, :func:`ecmp_imbalance`, :func:`ettr_curves`) take either a sequence of two
Axes (e.g. ``fig.subplots(1, 2)``), drawn left panel first, or a single Axes, whose place is split
into two side by side (the given Axes is removed and replaced by the two panels)::

    fig = Figure(figsize=(12, 8), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    plots.step_breakdown(df, ax=top.subplots())
    plots.link_util_cdf(run, ax=bottom.subplots(1, 2))

- :func:`step_breakdown`: compute vs exposed communication per sweep point.
- :func:`link_util_heatmap`, :func:`link_util_cdf`: utilization of NIC and switch-to-switch links.
- :func:`ecmp_imbalance` (and :func:`ecmp_imbalance_table`): spread of bytes over each switch's up links.
- :func:`busbw_curves`: nccl-tests style bus bandwidth vs message size.
- :func:`ettr_curves` (and :func:`goodput_curves`): effective training time ratio from ``/goodput/curves``
  (the two detailed goodput figures are in :mod:`gigasim_results.goodput`).
"""

from __future__ import annotations

import os
from typing import List, Optional, Sequence, Union

import h5py
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .io import Run, open_run, read_table

#: Link kinds that face a switch (NVLink stays inside a server).
SWITCH_LINK_KINDS = ("nic", "fabric", "trunk")


def _figure(nrows: int = 1, ncols: int = 1, size=(8.0, 4.5)):
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _axes_list(ax) -> List[Axes]:
    """A caller's ``ax`` (one Axes, or a sequence or numpy array of them) as a flat list."""
    if isinstance(ax, Axes):
        return [ax]
    try:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
    except TypeError:
        axes = []
    if not axes or not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"ax: expected a matplotlib Axes or a sequence of Axes, got {type(ax).__name__}")
    return axes


def _split(ax: Axes, n: int) -> List[Axes]:
    """``n`` Axes side by side in the place of ``ax``: its subplot cell split with a sub-gridspec (``ax``
    is removed), or, for an Axes placed by position, ``n`` insets of it (``ax`` is hidden)."""
    fig = ax.figure
    spec = getattr(ax, "get_subplotspec", lambda: None)()
    if spec is not None:
        grid = spec.subgridspec(1, n)
        ax.remove()
        return [fig.add_subplot(grid[0, i]) for i in range(n)]
    ax.set_axis_off()
    gap = 0.12
    width = (1.0 - gap * (n - 1)) / n
    return [ax.inset_axes([i * (width + gap), 0.0, width, 1.0]) for i in range(n)]


def _target(ax, n: int = 1, size=(8.0, 4.5)):
    """Where a plot function draws: ``(figure, [n Axes], own)``. With ``ax=None`` a new figure of
    ``size`` with ``n`` Axes in a row (``own`` True); else the caller's Axes (one, or a sequence of
    ``n``; with ``n > 1`` a single Axes is split, :func:`_split`) and the first one's figure."""
    if ax is None:
        fig, axes = _figure(1, n, size=size)
        return fig, list(axes[0]), True
    axes = _axes_list(ax)
    if n > 1 and len(axes) == 1:
        axes = _split(axes[0], n)
    if len(axes) != n:
        raise ValueError(f"ax: expected one Axes{f' or a sequence of {n}' if n > 1 else ''}, got {len(axes)}")
    return axes[0].figure, axes, False


def _title(fig, axes: List[Axes], own: bool, title: str) -> None:
    """A multi-panel plot's title: the figure's suptitle on its own figure, else the first Axes' title
    (a caller's figure keeps its own suptitle)."""
    if own:
        fig.suptitle(title)
    else:
        axes[0].set_title(title, loc="left", fontsize=10)


def _message(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=12, color="0.3")
    ax.set_axis_off()


def message_figure(text: str, title: Optional[str] = None, ax=None) -> Figure:
    """A figure with one Axes showing ``text`` centered (used where there is no data).

    ``ax``: draw into this Axes instead (the title on it) and return its figure; given a sequence of
    Axes, the message goes into the first and the others are hidden.
    """
    if ax is not None:
        axes = _axes_list(ax)
        _message(axes[0], text)
        for other in axes[1:]:
            other.set_axis_off()
        if title:
            axes[0].set_title(title)
        return axes[0].figure
    fig, axes = _figure(size=(8.0, 2.5))
    _message(axes[0, 0], text)
    if title:
        fig.suptitle(title)
    return fig


def _as_run(run: Union[Run, str, "os.PathLike[str]"]) -> Run:
    return run if isinstance(run, Run) else open_run(run)


def _bytes_label(value: float, _pos=None) -> str:
    """Tick label of a byte count in binary units: 1K, 64M, 1G (no mathtext)."""
    for unit, scale in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if value >= scale:
            return f"{value / scale:g}{unit}"
    return f"{value:g}"


def _short(key: str) -> str:
    return key.rsplit(".", 1)[-1]


# --- sweeps ----------------------------------------------------------------------------------------

def point_labels(df: pd.DataFrame) -> List[str]:
    """One label per row from the swept parameters (``oversubscription=3 steps=1``), plus the seed
    when the table has several, falling back to ``point_id``."""
    from .sweep import param_columns
    params = [c for c in param_columns(df) if df[c].nunique(dropna=False) > 1] or param_columns(df)
    if "seed" in df.columns and df["seed"].nunique() > 1:
        params = params + ["seed"]
    def value(v):
        # Section files (topology=/path/to/fat_tree.yaml) read best as their name.
        text = str(v)
        return os.path.splitext(os.path.basename(text))[0] if text.endswith((".yaml", ".yml")) else text

    labels = []
    for _, row in df.iterrows():
        parts = [f"{_short(c)}={value(row[c])}" for c in params]
        labels.append(" ".join(parts) if parts else str(row.get("point_id", "")))
    return labels


def step_breakdown(df: pd.DataFrame, ax=None) -> Figure:
    """Stacked bars per point: ``compute_time_mean_s`` and ``exposed_comm_mean_s`` (ms), from a merged
    sweep table (:func:`~gigasim_results.sweep.merge`); rows whose status is not ``ok`` are skipped.
    ``ax``: an Axes to draw into (returns its figure); None makes a figure sized for the points."""
    ok = df[df["status"] == "ok"] if "status" in df.columns else df
    need = ("compute_time_mean_s", "exposed_comm_mean_s")
    if ok.empty or not all(c in ok.columns for c in need):
        return message_figure("no ok runs with step times", "Step time breakdown", ax=ax)
    labels = point_labels(ok)
    compute = ok["compute_time_mean_s"].fillna(0).to_numpy() * 1e3
    exposed = ok["exposed_comm_mean_s"].fillna(0).to_numpy() * 1e3
    rotate = len(ok) > 4 or max(map(len, labels)) > 20
    fig, (ax,), _ = _target(ax, size=(max(6.0, 0.45 * len(ok) + 3),
                                      4.0 + (0.055 * max(map(len, labels)) if rotate else 0.5)))
    x = np.arange(len(ok))
    ax.bar(x, compute, label="compute", color="tab:blue")
    ax.bar(x, exposed, bottom=compute, label="exposed communication", color="tab:orange")
    ax.set_xticks(x, labels, rotation=60 if rotate else 0, ha="right" if rotate else "center", fontsize=8)
    ax.set_ylabel("mean step time (ms)")
    ax.set_title("Step time breakdown per point")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


# --- links -----------------------------------------------------------------------------------------

def _switch_links(run: Run) -> pd.DataFrame:
    links = run.table("links") if "links" in run.tables else pd.DataFrame()
    if links.empty:
        return links
    links = links[links["kind"].astype(str).isin(SWITCH_LINK_KINDS)].copy()
    links["kind"] = links["kind"].astype(str)
    links["dir"] = np.where(links["name"].astype(str).str.endswith("_DOWN"), "down", "up")
    return links.sort_values("link_id")


def link_util_heatmap(run: Union[Run, str], value: str = "max_util", max_cols: int = 2000, ax=None) -> Figure:
    """Heatmap of ``value`` (``max_util`` or ``avg_util``) over NIC, fabric and trunk links.

    Rows are link classes (kind, tier of the upper end, direction), columns the links of a class
    ordered by ``link_id``; a class with more than ``max_cols`` links is binned into ``max_cols``
    columns holding the maximum of their bin. Shorter rows are padded with blanks.
    ``ax``: an Axes to draw into (its colorbar takes room from it); returns its figure.
    """
    run = _as_run(run)
    links = _switch_links(run)
    title = f"Link utilization ({value}) — {os.path.basename(run.path)}"
    if links.empty:
        return message_figure("no NIC or fabric links in this run", title, ax=ax)
    order = {k: i for i, k in enumerate(SWITCH_LINK_KINDS)}
    groups = sorted(links.groupby(["kind", "tier", "dir"]), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2] != "up"))
    rows, names, binned = [], [], False
    for (kind, tier, direction), part in groups:
        v = part[value].to_numpy(dtype=float)
        names.append(f"{kind} t{tier} {direction} ({len(v)})")
        if len(v) > max_cols:
            v = np.maximum.reduceat(v, np.linspace(0, len(v), max_cols + 1).astype(int)[:-1])
            binned = True
        rows.append(v)
    width = max(len(r) for r in rows)
    grid = np.full((len(rows), width), np.nan)
    for i, r in enumerate(rows):
        grid[i, :len(r)] = r
    fig, (ax,), _ = _target(ax, size=(10.0, 1.0 + 0.6 * len(rows) + 1.0))
    im = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", interpolation="nearest", cmap="viridis",
                   vmin=0.0, vmax=max(1.0, float(np.nanmax(grid))))
    ax.set_yticks(np.arange(len(rows)), names, fontsize=8)
    ax.set_xlabel("link (by link_id" + (", binned: max per bin)" if binned else ")"))
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label=value)
    return fig


def link_util_cdf(run: Union[Run, str], ax=None) -> Figure:
    """CDFs of ``avg_util`` (left) and ``max_util`` (right) of the NIC and fabric (and trunk) links,
    one line per kind. ``ax``: two Axes (a sequence, left then right) or one Axes to split in two."""
    run = _as_run(run)
    links = _switch_links(run)
    title = f"Link utilization CDF — {os.path.basename(run.path)}"
    if links.empty:
        return message_figure("no NIC or fabric links in this run", title, ax=ax)
    fig, panels, own = _target(ax, 2, size=(10.0, 4.0))
    for ax, metric in zip(panels, ("avg_util", "max_util")):
        for kind in SWITCH_LINK_KINDS:
            v = np.sort(links.loc[links["kind"] == kind, metric].dropna().to_numpy())
            if len(v):
                ax.step(v, np.arange(1, len(v) + 1) / len(v), where="post", label=f"{kind} ({len(v)} links)")
        ax.set_xlabel(metric)
        ax.set_ylabel("fraction of links")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    _title(fig, panels, own, title)
    return fig


def ecmp_imbalance_table(run: Union[Run, str], up_only: bool = True) -> pd.DataFrame:
    """Per switch, how evenly its outgoing fabric links carried bytes.

    Groups the ``fabric`` (and ``trunk``) links by ``src_node`` — with ``up_only``, only the links
    going up (source tier lower than destination tier, from ``/nodes``; ``_UP`` names without it),
    which are the ECMP choices. Columns: ``src_node``, ``switch`` (node name), ``tier`` (of the
    switch), ``links``, ``bytes_total``, ``bytes_mean``, ``bytes_min``, ``bytes_max`` and
    ``imbalance`` = ``bytes_max / bytes_mean`` (1 = perfectly even; NaN for a switch that sent
    nothing). Switches with a single such link are left out.
    """
    run = _as_run(run)
    cols = ["src_node", "switch", "tier", "links", "bytes_total", "bytes_mean", "bytes_min", "bytes_max", "imbalance"]
    links = _switch_links(run)
    if links.empty:
        return pd.DataFrame(columns=cols)
    fabric = links[links["kind"] != "nic"]
    nodes = run.table("nodes").set_index("node_id") if "nodes" in run.tables else None
    if up_only:
        if nodes is not None:
            tier = nodes["tier"]
            fabric = fabric[fabric["src_node"].map(tier).to_numpy() < fabric["dst_node"].map(tier).to_numpy()]
        else:
            fabric = fabric[fabric["dir"] == "up"]
    g = fabric.groupby("src_node")["bytes"]
    t = pd.DataFrame({"links": g.size(), "bytes_total": g.sum(), "bytes_mean": g.mean(), "bytes_min": g.min(),
                      "bytes_max": g.max()}).reset_index()
    t = t[t["links"] > 1]
    t["imbalance"] = t["bytes_max"] / t["bytes_mean"].where(t["bytes_mean"] > 0)
    if nodes is not None:
        t["switch"] = t["src_node"].map(nodes["name"]).astype(str)
        t["tier"] = t["src_node"].map(nodes["tier"])
    else:
        t["switch"] = t["src_node"].astype(str)
        t["tier"] = -1
    return t[cols].reset_index(drop=True)


def ecmp_imbalance(run: Union[Run, str], ax=None) -> Figure:
    """Sorted curve (left) and histogram (right) of the per-switch ECMP imbalance (max/mean bytes over
    its up links, :func:`ecmp_imbalance_table`), one series per switch tier. ``ax``: two Axes (a
    sequence, curve then histogram) or one Axes to split in two."""
    run = _as_run(run)
    title = f"ECMP imbalance (max/mean bytes over a switch's up links) — {os.path.basename(run.path)}"
    t = ecmp_imbalance_table(run).dropna(subset=["imbalance"])
    if t.empty:
        return message_figure("no switch with several loaded up-going fabric links", title, ax=ax)
    fig, panels, own = _target(ax, 2, size=(10.0, 4.0))
    curve, hist = panels
    for tier, part in t.groupby("tier"):
        v = np.sort(part["imbalance"].to_numpy())[::-1]
        curve.plot(np.arange(len(v)), v, marker="." if len(v) < 100 else None, label=f"tier {tier} ({len(v)} switches)")
        hist.hist(v, bins=min(40, max(5, len(v) // 2)), alpha=0.6, label=f"tier {tier}")
    curve.axhline(1.0, color="0.5", lw=0.8, ls="--")
    curve.set_xlabel("switch (sorted by imbalance)")
    curve.set_ylabel("max / mean bytes")
    curve.legend(fontsize=8)
    hist.set_xlabel("max / mean bytes")
    hist.set_ylabel("switches")
    hist.legend(fontsize=8)
    _title(fig, panels, own, title)
    return fig


# --- collectives -----------------------------------------------------------------------------------

def _collectives(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (Run, str, os.PathLike)):
        run = _as_run(data)
        return run.table("collectives") if "collectives" in run.tables else pd.DataFrame()
    frames = [_collectives(d) for d in data]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    return pd.concat([f.assign(**{c: f[c].astype(str) for c in f.columns if isinstance(f[c].dtype, pd.CategoricalDtype)})
                      for f in frames], ignore_index=True)


def busbw_curves(runs_or_tables, by: Sequence[str] = ("kind", "algorithm"), ax=None) -> Figure:
    """Bus bandwidth (GB/s, mean over collectives of the same size) vs ``bytes`` (log2 axis), one line
    per ``by`` group (default kind and algorithm; add ``"protocol"`` to split protocols).

    Accepts a Run, a path, a ``/collectives`` DataFrame, or a list of them (their rows are pooled).
    Collectives that did not complete (NaN ``busbw_Bps``) are ignored. ``ax``: an Axes to draw into;
    returns its figure.
    """
    coll = _collectives(runs_or_tables)
    if coll.empty or "busbw_Bps" not in coll.columns:
        return message_figure("no collectives in these runs", "Bus bandwidth", ax=ax)
    coll = coll.dropna(subset=["busbw_Bps", "bytes"])
    coll = coll[coll["bytes"] > 0]
    if coll.empty:
        return message_figure("no completed collectives in these runs", "Bus bandwidth", ax=ax)
    by = [c for c in by if c in coll.columns] or ["all"]
    coll = coll.assign(all="all", **{c: coll[c].astype(str) for c in by if c in coll.columns})
    fig, (ax,), _ = _target(ax, size=(8.0, 5.0))
    for key, part in coll.groupby(by):
        curve = part.groupby("bytes")["busbw_Bps"].mean().sort_index()
        label = " ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        ax.plot(curve.index, curve.to_numpy() / 1e9, marker="o", ms=3, label=label)
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(_bytes_label))
    ax.set_xlabel("message size (bytes, nccl-tests S)")
    ax.set_ylabel("bus bandwidth (GB/s)")
    ax.set_title("Bus bandwidth vs message size")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig


def slowdown_table(run: Union[Run, str]) -> pd.DataFrame:
    """Per collective: its dimension (``dim``, from ``/groups``), kind and slowdown, the simulated
    duration over the contention-free closed form (``duration_s / closed_form_s``; 1 when nothing
    else shared its links). Collectives that did not complete are left out."""
    run = _as_run(run)
    coll = run.table("collectives")
    groups = run.table("groups")[["group_id", "dim"]]
    coll = coll.merge(groups, on="group_id", how="left")
    coll = coll[(coll["closed_form_s"] > 0) & coll["duration_s"].notna()].copy()
    coll["slowdown"] = coll["duration_s"] / coll["closed_form_s"]
    coll["dim"] = coll["dim"].astype(str)
    return coll[["step", "op_id", "dim", "kind", "slowdown"]].reset_index(drop=True)


def slowdown_cdf(run: Union[Run, str], ax=None) -> Figure:
    """Cumulative distribution of collective slowdown (simulated / contention-free closed form), one
    line per parallelism dimension. ``ax``: an Axes to draw into; returns its figure."""
    table = slowdown_table(run)
    if table.empty:
        return message_figure("no completed collectives with a closed form", "Collective slowdown", ax=ax)
    fig, (ax,), _ = _target(ax, size=(7.0, 4.5))
    for dim, part in table.groupby("dim"):
        v = np.sort(part["slowdown"].to_numpy())
        ax.step(v, np.arange(1, len(v) + 1) / len(v), where="post", label=f"{dim} ({len(v)})")
    ax.set_xlabel("slowdown: simulated / contention-free closed form")
    ax.set_ylabel("fraction of collectives")
    ax.set_title("Collective slowdown by dimension")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


# --- goodput ---------------------------------------------------------------------------------------

#: Columns of the ``/goodput/curves`` table (a gigasim table group: attrs kind="table", columns).
GOODPUT_COLUMNS = ("checkpoint_interval_s", "gpus", "ettr")


def goodput_curves(run: Union[Run, str]) -> Optional[pd.DataFrame]:
    """The ``/goodput/curves`` table of a result file (columns ``checkpoint_interval_s``, ``gpus``,
    ``ettr``; same layout as the other tables), or None when the file has none."""
    path = run.path if isinstance(run, Run) else os.fspath(run)
    with h5py.File(path, "r") as f:
        group = f.get("goodput/curves")
        if not isinstance(group, h5py.Group):
            return None
        df = read_table(group)
    return df if all(c in df.columns for c in GOODPUT_COLUMNS) else None


def ettr_curves(data, ax=None) -> Figure:
    """ETTR (effective training time ratio) vs checkpoint interval (one line per job size) and vs
    job size in GPUs (one line per checkpoint interval).

    ``data``: a DataFrame with the :data:`GOODPUT_COLUMNS`, a Run or path (its ``/goodput/curves``),
    or a list of those (pooled). Without goodput data the figure says so. ``ax``: two Axes (a sequence:
    vs interval, then vs job size) or one Axes to split in two.
    """
    items = data if isinstance(data, (list, tuple)) else [data]
    frames = []
    for item in items:
        df = item if isinstance(item, pd.DataFrame) else goodput_curves(item)
        if df is not None and not df.empty and all(c in df.columns for c in GOODPUT_COLUMNS):
            if "at_optimum" in df.columns:  # each size's own Young/Daly interval: see goodput.ettr_vs_gpus
                df = df[df["at_optimum"] == 0]
            frames.append(df[list(GOODPUT_COLUMNS)])
    if not frames:
        return message_figure("no goodput data in these runs", "ETTR", ax=ax)
    g = pd.concat(frames, ignore_index=True).groupby(["gpus", "checkpoint_interval_s"])["ettr"].mean().reset_index()
    fig, panels, own = _target(ax, 2, size=(10.0, 4.0))
    vs_interval, vs_gpus = panels
    for gpus, part in g.groupby("gpus"):
        vs_interval.plot(part["checkpoint_interval_s"], part["ettr"], marker="o", ms=3, label=f"{gpus:g} GPUs")
    for interval, part in g.groupby("checkpoint_interval_s"):
        if part["gpus"].nunique() < 2 and g["gpus"].nunique() > 1:
            continue  # an interval swept at one size only is a point, not a curve over sizes
        vs_gpus.plot(part["gpus"], part["ettr"], marker="o", ms=3, label=f"every {interval:g} s")
    vs_interval.set_xlabel("checkpoint interval (s)")
    vs_gpus.set_xlabel("job size (GPUs)")
    vs_gpus.set_xscale("log", base=2)
    vs_gpus.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    for ax in (vs_interval, vs_gpus):
        ax.set_ylabel("ETTR")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    _title(fig, panels, own, "Effective training time ratio")
    return fig
