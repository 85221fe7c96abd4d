"""The malformed-input corpus (tests/corpus/): every bad input is refused cleanly.

Each case tests/corpus/<area>/<name>.yaml (area: topology, workload, failures, run, sweep;
tests/corpus/files/ holds the files cases point at) starts with a line
    # expect: exit=N error="fragment" [hint="more"] [verb=run|validate|sweep] [args="..."]
and is run as
    run:      gigasim run CASE -o TMP/out.h5 --progress none ARGS   (no -o when ARGS has one)
    validate: gigasim validate CASE ARGS
    sweep:    gigasim sweep plan CASE -o TMP/sweep ARGS
It must exit N (2: config error, 3: I/O error), the first line of stderr must contain the
fragment (and the hint), a fragment starting with ':' (":line:col: error: ...") means the
message starts with the case's own path, and no file may be left under TMP: no result, no
.tmp, no sweep manifest or point file. Nothing may crash (no exit 1 "internal error", no signal).
"""

import os
import re
import shlex
import subprocess

import pytest

from gigasim_test import GIGASIM_BIN, REPO, gigasim, require_binary

CORPUS = os.path.join(REPO, "tests", "corpus")
AREAS = ("topology", "workload", "failures", "run", "sweep")


def cases():
    out = []
    for area in AREAS:
        for name in sorted(os.listdir(os.path.join(CORPUS, area))):
            if name.endswith(".yaml"):
                out.append(f"{area}/{name}")
    return out


def expectation(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline()
    m = re.match(r"#\s*expect:\s*(.*)", first)
    assert m, f"{path}: first line must be '# expect: exit=N error=\"...\"'"
    fields = dict(tok.split("=", 1) for tok in shlex.split(m.group(1)))
    return fields


def command(case_path, fields, tmp_path):
    verb = fields.get("verb", "run")
    args = shlex.split(fields.get("args", ""))
    if verb == "run":
        out = [] if "-o" in args else ["-o", str(tmp_path / "out.h5")]
        return [GIGASIM_BIN, "run", case_path, *out, "--progress", "none", *args]
    if verb == "validate":
        return [GIGASIM_BIN, "validate", case_path, *args]
    if verb == "sweep":
        return [GIGASIM_BIN, "sweep", "plan", case_path, "-o", str(tmp_path / "sweep"), *args]
    raise AssertionError(f"unknown verb {verb}")


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_corpus_is_large_enough():
    all_cases = cases()
    assert len(all_cases) >= 40
    for area in AREAS:
        assert any(c.startswith(area + "/") for c in all_cases), f"no {area} case"


@pytest.mark.parametrize("case", cases())
def test_corpus_case(case, tmp_path):
    require_binary()
    path = os.path.join(CORPUS, case)
    fields = expectation(path)
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(command(path, fields, work), cwd=work, capture_output=True, text=True, timeout=120,
                          errors="replace")
    err = proc.stderr.strip()
    print(f"{case}: exit {proc.returncode}: {err}")
    assert proc.returncode == int(fields["exit"]), err
    first_line = err.splitlines()[0] if err else ""
    assert "internal error" not in err
    assert fields["error"] in first_line, f"expected {fields['error']!r} in {first_line!r}"
    if fields["error"].startswith(":"):
        assert first_line.startswith(path + ":"), f"message must start with the file path: {first_line!r}"
        if re.match(r":\d+:\d+:", fields["error"]):
            assert re.match(re.escape(path) + r":\d+:\d+: error: ", first_line), "file:line:col expected"
    if "hint" in fields:
        assert fields["hint"] in first_line
    assert files_under(work) == [], "files were left behind"
    if fields.get("args", "").startswith("-o "):
        out = shlex.split(fields["args"])[1]
        assert not os.path.exists(out) and not os.path.exists(out + ".tmp")


def test_missing_input_files(tmp_path):
    # The file named on the command line does not exist: exit 2 naming it, for every verb.
    missing = str(tmp_path / "nope.yaml")
    for cmd in (["run", missing, "-o", str(tmp_path / "o.h5")], ["validate", missing],
                ["sweep", "plan", missing, "-o", str(tmp_path / "s")]):
        proc = gigasim(*cmd, timeout=60)
        assert proc.returncode == 2, (cmd, proc.stderr)
        assert missing in proc.stderr
    assert files_under(tmp_path) == []


def test_output_is_a_directory(tmp_path):
    # -o names an existing directory: an I/O error (exit 3) before anything is computed.
    base = os.path.join(CORPUS, "files", "base.yaml")
    proc = gigasim("run", base, "-o", tmp_path, "--progress", "none", timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert files_under(tmp_path) == []
