"""One self-contained HTML report of a sweep, a directory of result files, or one result file.

    import gigasim_results as g
    g.write_report("out", "out/report.html")     # sweep dir (manifest.csv), dir of *.h5, or one .h5

The page holds a summary table (the merged table of a sweep, else one row per result file), the
step time breakdown, the link utilization heatmap and CDF and the ECMP imbalance of the first ok
run (named on the page), bus bandwidth curves over every run's collectives, and the ETTR curves of
``/goodput/curves`` when the runs have them. Figures are PNGs embedded as base64 data URIs, so the
file can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import glob
import html
import io
import os
from typing import List, Tuple

import pandas as pd

from . import plots
from .io import open_run
from .sweep import _atomic, counts, is_sweep_dir, merge, runs_table

#: Runs whose collectives feed the bus bandwidth and ETTR figures, at most.
MAX_RUNS_FOR_CURVES = 200

_CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #eee; position: sticky; top: 0; }
.scroll { overflow: auto; max-height: 30em; max-width: 100%; }
img { max-width: 100%; }
.note { color: #555; }
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return '<img src="data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode("ascii") + '">'


def _load(path: str) -> Tuple[str, pd.DataFrame, List[str]]:
    """(kind of input, summary table, paths of the ok result files)."""
    if os.path.isdir(path) and is_sweep_dir(path):
        df = merge(path)
        manifest = pd.read_csv(os.path.join(path, "manifest.csv"), dtype=str, keep_default_na=False)
        outputs = dict(zip(manifest["point_id"], manifest["output"]))
        ok_paths = [os.path.join(path, outputs[pid]) for pid in df.loc[df["status"] == "ok", "point_id"]]
        return "sweep", df, ok_paths
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "*.h5")))
        kind = "directory"
    elif os.path.isfile(path):
        files, kind = [path], "file"
    else:
        raise FileNotFoundError(f"{path}: no such file or directory")
    df = runs_table(files)
    return kind, df, list(df.loc[df["status"] == "ok", "path"])


def write_report(path_or_dir: "str | os.PathLike[str]", out_html: "str | os.PathLike[str]") -> str:
    """Writes the HTML report of ``path_or_dir`` to ``out_html`` (atomically); returns ``out_html``.

    ``path_or_dir``: a sweep directory (with ``manifest.csv``), a directory of ``.h5`` result files,
    or one result file. Raises FileNotFoundError if it does not exist.
    """
    path, out_html = os.fspath(path_or_dir), os.fspath(out_html)
    kind, df, ok_paths = _load(path)
    c = counts(df)
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>gigasim report: {e(path)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>gigasim report: {e(os.path.basename(os.path.normpath(path)) or path)}</h1>",
             f"<p class='note'>{e(kind)} <code>{e(os.path.abspath(path))}</code>: {len(df)} run(s), "
             f"{c['ok']} ok, {c['failed']} failed, {c['missing']} missing.</p>",
             "<h2>Summary</h2><div class='scroll'>",
             df.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.6g}", border=0),
             "</div>",
             "<h2>Step time breakdown</h2>", _png(plots.step_breakdown(df))]
    if ok_paths:
        first = open_run(ok_paths[0])
        parts += [f"<h2>Links of the first ok run</h2><p class='note'>Run <code>{e(ok_paths[0])}</code> "
                  f"({e(str(df.loc[df['status'] == 'ok', 'point_id'].iloc[0]))}).</p>",
                  "<h3>Utilization heatmap</h3>", _png(plots.link_util_heatmap(first)),
                  "<h3>Utilization CDF</h3>", _png(plots.link_util_cdf(first)),
                  "<h3>ECMP imbalance</h3>", _png(plots.ecmp_imbalance(first))]
    else:
        parts.append("<h2>Links</h2><p class='note'>No ok run: no link figures.</p>")
    curve_runs = [open_run(p) for p in ok_paths[:MAX_RUNS_FOR_CURVES]]
    note = (f" (first {MAX_RUNS_FOR_CURVES} of {len(ok_paths)} ok runs)" if len(ok_paths) > MAX_RUNS_FOR_CURVES
            else f" ({len(curve_runs)} ok run(s))")
    parts += [f"<h2>Bus bandwidth</h2><p class='note'>Collectives of all runs pooled{e(note)}.</p>",
              _png(plots.busbw_curves(curve_runs) if curve_runs else plots.message_figure("no ok runs")),
              "<h2>Goodput (ETTR)</h2><p class='note'>From <code>/goodput/curves</code> "
              "(checkpoint_interval_s, gpus, ettr) where present.</p>",
              _png(plots.ettr_curves(curve_runs)),
              "</body></html>\n"]
    text = "\n".join(parts)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    parent = os.path.dirname(os.path.abspath(out_html))
    os.makedirs(parent, exist_ok=True)
    _atomic(out_html, write)
    return out_html
