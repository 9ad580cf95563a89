"""The ``kg`` command as installed (:func:`kg.cli.console`): it ends the process without
tearing the interpreter down, so its exit code, its whole output and a closed pipe are
checked here, in a real subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from kg.cli import main
from kg.project import Project

from test_add_store import ADD, fresh, quads_of

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = "import sys; from kg.cli import console; sys.argv[0] = 'kg'; console()"
#: Output buffered as a user's shell has it (this environment may set PYTHONUNBUFFERED).
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def kg(*argv: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CONSOLE, "--root", str(root), *argv],
                          capture_output=True, text=True, timeout=120, env=BUFFERED)


def test_exit_codes_are_main_s(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix kg: <https://kg.example/def/> .\n"
                      "<https://kg.example/id/obs/x> a kg:SourceArticle .\n", encoding="utf-8")
    assert kg("validate").returncode == 0
    assert kg("validate", str(broken)).returncode == 1
    unknown = kg("no-such-command")
    assert unknown.returncode == 2
    assert "invalid choice" in unknown.stderr


def test_the_whole_output_is_written() -> None:
    """Output still buffered when the process ends is written: a short one (all of it in
    the buffer at the end) and a long one."""
    for argv in (["queries"], ["export", "-f", "nquads"]):
        expected = io.StringIO()
        assert main(["--root", str(ROOT), *argv], out=expected) == 0
        done = kg(*argv)
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected.getvalue() != ""


def test_a_reader_that_is_gone_is_no_error() -> None:
    """`kg queries | true`: exit 0, nothing on stderr (no "Exception ignored ... BrokenPipe")."""
    process = subprocess.Popen([sys.executable, "-c", CONSOLE, "--root", str(ROOT), "queries"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=BUFFERED)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before kg writes: its output is all in its buffer at the end
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""


def test_what_is_written_to_a_store_is_kept(project_copy: Project, tmp_path: Path) -> None:
    """`kg load` then `kg add --store`, each ending without a teardown: the store holds what
    a fresh load of the files holds, and answers a second addition."""
    store = tmp_path / "store"
    loaded = kg("load", "--store", str(store), root=project_copy.root)
    assert loaded.returncode == 0, loaded.stderr
    added = kg("add", "--store", str(store), str(ADD / "new-article.trig"), root=project_copy.root)
    assert added.returncode == 0, added.stderr
    assert quads_of(store) == fresh(project_copy, tmp_path / "again")
    again = kg("add", "--store", str(store), str(ADD / "new-article.trig"), root=project_copy.root)
    assert again.returncode == 0 and "nothing to add" in again.stdout, again
