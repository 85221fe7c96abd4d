"""`gigasim run --timeline`: a Chrome trace-event file Perfetto opens (structure checks)."""

import gzip
import json
from collections import defaultdict

from gigasim_test import QUICKSTART, gigasim


def trace(tmp_path, *extra):
    out = tmp_path / "trace.json.gz"
    proc = gigasim("run", QUICKSTART, "-o", tmp_path / "r.h5", "--progress", "none", "--timeline", out, *extra,
                   timeout=300)
    assert proc.returncode == 0, proc.stderr
    with open(out, "rb") as f:
        assert f.read(2) == b"\x1f\x8b"  # gzip
    with gzip.open(out, "rt") as f:     # one gzip stream
        return json.load(f)


def test_structure_and_tracks(tmp_path):
    j = trace(tmp_path)
    assert j["displayTimeUnit"] == "ns"
    assert j["otherData"]["status"] == "ok"
    events = j["traceEvents"]
    meta = [e for e in events if e["ph"] == "M"]
    spans = [e for e in events if e["ph"] == "X"]
    assert spans and meta
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    for e in spans:
        for key in ("name", "cat", "ts", "dur", "pid", "tid", "args"):
            assert key in e
        assert e["dur"] >= 0 and e["ts"] >= 0
        assert (e["pid"], e["tid"]) in names  # every track is named
        stream = "compute" if e["cat"] == "compute" else "comm"
        assert names[(e["pid"], e["tid"])].endswith(stream)  # compute and comm on separate tracks
        assert e["args"]["step"] == 0  # default: the first step only
        if stream == "comm":
            assert {"bytes", "algorithm", "fidelity", "group"} <= set(e["args"])
    # Default sample: the 8 GPUs of the first server plus ranks spread over the rest.
    ranks = {e["tid"] // 2 for e in spans}
    assert set(range(8)) <= ranks and len(ranks) > 8
    # Perfetto needs events on one track to nest: here they must not overlap at all.
    by_track = defaultdict(list)
    for e in spans:
        by_track[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"]))
    for spans_of_track in by_track.values():
        spans_of_track.sort()
        for (s0, e0), (s1, e1) in zip(spans_of_track, spans_of_track[1:]):
            assert s1 >= e0 - 1e-6
    # Compute and communication overlap in time (DDP overlap): some comm span starts before the
    # backward pass of its rank ends.
    compute_end = max(e["ts"] + e["dur"] for e in spans if e["cat"] == "compute" and e["tid"] == 0)
    assert any(e["ts"] < compute_end for e in spans if e["cat"] != "compute" and e["tid"] == 1)


def test_rank_and_step_selection(tmp_path):
    j = trace(tmp_path, "--timeline-ranks", "0-3,64", "--timeline-steps", "2")
    spans = [e for e in j["traceEvents"] if e["ph"] == "X"]
    assert {e["tid"] // 2 for e in spans} == {0, 1, 2, 3, 64}
    assert {e["args"]["step"] for e in spans} == {0, 1}


def test_bad_selection_is_a_usage_error(tmp_path):
    proc = gigasim("run", QUICKSTART, "-o", tmp_path / "r.h5", "--timeline", tmp_path / "t.json.gz",
                   "--timeline-ranks", "banana", timeout=60)
    assert proc.returncode == 2
    assert "--timeline-ranks" in proc.stderr
    assert not (tmp_path / "r.h5").exists()
