"""Bad input gets a clear error, the right exit code and no output file.

Each file in tests/data/bad/ starts with a line
    # expect: exit=N error="text the message must contain" [hint="more text"]
and is run as `gigasim run FILE -o OUT.h5`. The message must start with the file's path when the
expected text starts with ':' (file:line:col), and neither OUT.h5 nor OUT.h5.tmp may exist after.
"""

import os
import re
import shlex
import stat
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
GIGASIM_BIN = os.environ.get("GIGASIM_BIN", os.path.join(REPO, "build", "gigasim"))
BAD_DIR = os.path.join(REPO, "tests", "data", "bad")
QUICKSTART = os.path.join(REPO, "examples", "quickstart", "run.yaml")


def gigasim(*args, cwd=None):
    if not os.path.isfile(GIGASIM_BIN):
        pytest.fail(f"gigasim binary not built: {GIGASIM_BIN}")
    return subprocess.run([GIGASIM_BIN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def expectation(path):
    with open(path) as f:
        first = f.readline()
    m = re.match(r"#\s*expect:\s*(.*)", first)
    assert m, f"{path}: first line must be '# expect: exit=N error=\"...\"'"
    fields = dict(tok.split("=", 1) for tok in shlex.split(m.group(1)))
    return int(fields["exit"]), fields["error"], fields.get("hint")


def assert_nothing_written(out):
    assert not os.path.exists(out), "an output file was written"
    assert not os.path.exists(out + ".tmp"), "a temporary output file was left behind"


@pytest.mark.parametrize("name", sorted(f for f in os.listdir(BAD_DIR) if f.endswith(".yaml")))
def test_bad_input_corpus(name, tmp_path):
    path = os.path.join(BAD_DIR, name)
    code, error, hint = expectation(path)
    out = str(tmp_path / "out.h5")
    proc = gigasim("run", path, "-o", out, "--progress", "none")
    print(f"{name}: exit {proc.returncode}: {proc.stderr.strip()}")
    assert proc.returncode == code, proc.stderr
    first_line = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else ""
    assert error in first_line, f"expected {error!r} in {first_line!r}"
    if error.startswith(":"):
        assert first_line.startswith(path + ":"), f"message must start with the file path: {first_line!r}"
    if hint:
        assert hint in first_line
    assert_nothing_written(out)


def test_missing_run_file(tmp_path):
    out = str(tmp_path / "out.h5")
    proc = gigasim("run", str(tmp_path / "nope.yaml"), "-o", out)
    assert proc.returncode == 2
    assert "nope.yaml: error: no such file" in proc.stderr
    assert_nothing_written(out)


def test_output_directory_missing(tmp_path):
    out = str(tmp_path / "no_such_dir" / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    assert proc.returncode == 3, proc.stderr
    assert "out.h5: error: output directory" in proc.stderr
    assert_nothing_written(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_output_not_writable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    out = str(ro / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    ro.chmod(stat.S_IRWXU)
    assert proc.returncode == 3, proc.stderr
    assert_nothing_written(out)


def test_output_on_readonly_filesystem(tmp_path):
    # /proc is read-only even for root: the same path as a read-only directory for a user.
    out = "/proc/gigasim_out.h5"
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    assert proc.returncode == 3, proc.stderr
    assert "cannot write output" in proc.stderr


def test_bad_override(tmp_path):
    out = str(tmp_path / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--set", "topology.servers=-3", "--progress", "none")
    assert proc.returncode == 2
    assert "(--set topology.servers): error: 'topology.servers' must be positive" in proc.stderr
    assert_nothing_written(out)
    proc = gigasim("run", QUICKSTART, "-o", out, "--set", "novalue")
    assert proc.returncode == 2
    assert "--set expects key.path=value" in proc.stderr


def test_usage_errors_exit_2():
    assert gigasim("run").returncode == 2
    assert gigasim("run", QUICKSTART, "--no-such-flag").returncode == 2
    assert gigasim("frobnicate").returncode == 2
    assert gigasim().returncode == 2


def test_help_on_every_verb():
    for verb in ([], ["run"], ["inspect"]):
        proc = gigasim(*verb, "--help")
        assert proc.returncode == 0
        assert "Usage" in proc.stdout or "usage" in proc.stdout.lower()
    assert "gigasim" in gigasim("--version").stdout
