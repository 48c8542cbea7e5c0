"""The README's commands run as written, on the sample corpus (issue 14, item 5).

Every ```sh (or bash/shell) and ```python block of README.md (Japanese and English halves),
reference_clauses/README.md and corpus/README.md is run, each block in its own fresh
temporary folder holding a copy of ``corpus/`` and ``tests/fixtures/`` — so the README's
relative paths resolve, every output (``reports/`` included) lands in the temporary folder,
and nothing is written into the repository. The copies must be unchanged afterwards
(no command writes into its input folder).

How a block says what it expects (the README's test section describes the same):

- one command per line, run with ``sh -c`` (a line starting with ``#`` is a comment);
- a trailing comment ``# … → …`` on a command: ``終了コード N`` or ``exit N`` is its exit
  code (0 when absent), and every path-like token after ``→`` (a name with a file suffix,
  or ending in ``/``) must be written by that command;
- the target of ``-o``, ``--output``, ``--out``, ``--db`` and ``>`` must be written by the
  command too (created, or modified when it existed);
- a comment holding a JSON object — ``# {…}`` on the line after a command, or trailing —
  lists fields of the command's JSON output (its stdout, or its ``>`` file) with their
  values; ``…`` stands for any value, a shown list must match element by element.

Commands that cannot run inside a test are left out by SKIP below (for ``A && B`` only the
matching part is left out); a block left with nothing to run is reported as skipped.
Blocks run concurrently, one per core (a scan of the 84 contracts takes ~6 s with two
workers, an eval ~15 s); a block repeated verbatim (the ja and en getting-started) runs once.
Those running ``tokki scan`` or ``tokki eval`` are marked slow (still run by default).
"""
from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from analyzer.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "reference_clauses/README.md", "corpus/README.md")
SHELL = {"sh", "bash", "shell"}
# Copied into every block's working folder (the README's commands name files in them).
INPUTS = ("corpus", "tests/fixtures")
# Commands a test cannot run, by prefix, with the reason. Keep this short: everything else runs.
SKIP = {
    "python3 -m pip install": "installs the project; the test runs in the installed one",
    "sudo apt-get install": "installs system programs; require_program (conftest.py) checks them, .ci/run installs them",
    "python3 -m pytest": "is the test suite this test belongs to",
    "tokki serve": "serves until stopped; tests/test_serve.py and test_serve_browser.py drive the page and the API",
}
TIMEOUT = 600  # seconds per command: a scan on a loaded machine, never a hang
ANY = "\u2026any\u2026"  # what `…` in a README JSON comment becomes
EXIT = re.compile(r"(?:終了コード|exit)\s*(\d+)")
PATHLIKE = re.compile(r"[\w.\-/]*\w(?:\.[A-Za-z]{2,8}|/)")
WRITE_OPTIONS = ("-o", "--output", "--out", "--db", ">")


# ---------------------------------------------------------------- reading the blocks


@dataclass(frozen=True)
class Command:
    line: int  # line number in the document
    source: str  # the line as written (without its comment)
    run: str  # what is run: source minus the skipped parts of an && chain ("" when nothing is left)
    exit: int = 0
    files: tuple[str, ...] = ()
    json: object | None = None
    skipped: tuple[str, ...] = ()  # reasons of the parts left out
    redirect: str | None = None  # the `> FILE` stdout goes to


@dataclass(frozen=True)
class Block:
    doc: str
    line: int  # line of the opening fence
    half: str  # "ja" / "en" for README.md, "" for the other documents
    lang: str
    text: str
    commands: tuple[Command, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}" + (f"-{self.half}" if self.half else "")

    @property
    def slow(self) -> bool:
        return bool(re.search(r"\btokki (?:scan|eval)\b", self.text))


def expected_json(text: str) -> object:
    """A README JSON comment, with ``{…}``, ``[…]`` and ``…`` read as "any value"."""
    return json.loads(re.sub(r"\{…\}|\[…\]|…", lambda _: json.dumps(ANY), text))


def parse_command(lineno: int, line: str) -> Command:
    parts = re.split(r"\s#(?:\s|$)", line, maxsplit=1)
    source, comment = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
    assert not source.endswith("\\"), f"line {lineno}: one command per line (no continuation)"
    kept, skipped = [], []
    for segment in (s.strip() for s in source.split("&&")):
        reason = next((r for prefix, r in SKIP.items() if segment.startswith(prefix)), None)
        if reason:
            skipped.append(f"`{segment}` {reason}")
        else:
            kept.append(segment)
    run = " && ".join(kept)
    files: list[str] = []
    tokens: list[str] = []
    for token in shlex.split(run) if run else []:  # `>out.json` as `>` `out.json`
        tokens += [">", token[1:]] if token.startswith(">") and len(token) > 1 else [token]
    for i, token in enumerate(tokens[:-1]):
        if token in WRITE_OPTIONS:
            files.append(tokens[i + 1])
    exit_code, expected = 0, None
    note = comment.removeprefix("→").strip()
    if note.startswith("{"):
        expected = expected_json(note)
    elif comment:
        if m := EXIT.search(comment):
            exit_code = int(m.group(1))
        if "→" in comment:
            after = comment.split("→", 1)[1]
            files += [t for t in re.split(r"[\s、，,（）()]+", after) if PATHLIKE.fullmatch(t)]
    redirect = tokens[tokens.index(">") + 1] if ">" in tokens[:-1] else None
    return Command(lineno, source, run, exit_code, tuple(dict.fromkeys(files)), expected, tuple(skipped), redirect)


def parse_block(doc: str, line: int, half: str, lang: str, body: list[str]) -> Block:
    commands: list[Command] = []
    if lang in SHELL:
        for offset, raw in enumerate(body, start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                note = stripped[1:].strip().removeprefix("→").strip()
                if note.startswith("{"):
                    assert commands, f"{doc}:{line + offset}: an output line before any command"
                    commands[-1] = replace(commands[-1], json=expected_json(note))
                continue
            commands.append(parse_command(line + offset, stripped))
    return Block(doc, line, half, lang, "\n".join(body), tuple(commands))


def read_blocks(doc: str, text: str | None = None) -> list[Block]:
    """Every fenced block of ``doc`` (a path under ROOT) with its language."""
    lines = (text if text is not None else (ROOT / doc).read_text(encoding="utf-8")).split("\n")
    english = next((i for i, ln in enumerate(lines) if '<a name="english">' in ln), None)
    blocks, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        half = "" if doc != "README.md" else ("en" if english is not None and i > english else "ja")
        blocks.append(parse_block(doc, i + 1, half, m.group(1).lower(), lines[i + 1 : end]))
        i = end + 1
    return blocks


ALL_BLOCKS = [b for doc in DOCS for b in read_blocks(doc)]
RUN_BLOCKS = [b for b in ALL_BLOCKS if b.lang in SHELL or b.lang == "python"]


# ---------------------------------------------------------------- running them


@dataclass
class Outcome:
    command: Command
    returncode: int
    stdout: str
    stderr: str
    not_written: list[str]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def environment() -> dict[str, str]:
    """PATH with the running interpreter's scripts first: `tokki` and `python3` are the installed ones."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def prepare(workdir: Path) -> dict[str, tuple[int, int]]:
    for rel in INPUTS:
        shutil.copytree(ROOT / rel, workdir / rel)
    return {rel: snapshot(workdir / rel) for rel in INPUTS}


def run_block(block: Block, workdir: Path) -> tuple[list[Outcome], list[str]]:
    """Run a block in ``workdir``; its outcomes and the inputs it changed."""
    before = prepare(workdir)
    env = environment()
    outcomes: list[Outcome] = []
    if block.lang == "python":
        proc = subprocess.run([sys.executable, "-c", block.text], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
        command = Command(block.line, block.text, block.text)
        outcomes.append(Outcome(command, proc.returncode, proc.stdout, proc.stderr, []))
    for command in block.commands:
        if not command.run:
            continue
        stamps = {f: stamp(workdir / f) for f in command.files}
        proc = subprocess.run(["sh", "-c", command.run], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
        not_written = [f for f, was in stamps.items() if stamp(workdir / f) in (None, was)]
        outcomes.append(Outcome(command, proc.returncode, proc.stdout, proc.stderr, not_written))
    changed = [rel for rel in INPUTS if snapshot(workdir / rel) != before[rel]]
    return outcomes, changed


def json_mismatches(expected: object, actual: object, where: str = "$") -> list[str]:
    """Where ``actual`` differs from the fields ``expected`` shows (ANY matches anything)."""
    if expected == ANY:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: README shows an object, got {actual!r}"]
        out = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}.{key}: README shows it, the output has no such field")
            else:
                out += json_mismatches(value, actual[key], f"{where}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: README shows {expected!r}, got {actual!r}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual)) for m in json_mismatches(e, a, f"{where}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return [] if math.isclose(expected, actual, abs_tol=5e-4) else [f"{where}: README shows {expected!r}, got {actual!r}"]
    return [] if expected == actual and type(expected) is type(actual) else [f"{where}: README shows {expected!r}, got {actual!r}"]


def problems(block: Block, outcomes: list[Outcome], changed: list[str], workdir: Path) -> list[str]:
    """Every way the run differs from what the block says (empty: as written)."""
    out = [f"{rel}/ was written into (a command wrote into its input folder)" for rel in changed]
    for o in outcomes:
        c = o.command
        what = f"{block.doc}:{c.line}: `{c.run}`"
        expected_exit = c.exit if block.lang in SHELL else 0
        if o.returncode != expected_exit:
            out.append(f"{what} exited {o.returncode}, the README says {expected_exit}\n{o.stderr.strip()[-2000:]}")
        out += [f"{what} did not write {f}" for f in o.not_written]
        if c.json is not None:
            text = (workdir / c.redirect).read_text(encoding="utf-8") if c.redirect else o.stdout
            try:
                actual = json.loads(text)
            except json.JSONDecodeError:
                out.append(f"{what}: the README shows JSON output, got {text[:300]!r}")
                continue
            out += [f"{what}: {m}" for m in json_mismatches(c.json, actual)]
    return out


@pytest.fixture(scope="module")
def results(request, tmp_path_factory):
    """block → Future of (outcomes, changed inputs, workdir); the selected blocks start together."""
    selected = [item.callspec.params["block"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec") and "block" in item.callspec.params]
    unique: dict[tuple[str, str], Block] = {}
    for block in sorted(selected, key=lambda b: not b.slow):  # long ones first
        unique.setdefault((block.lang, block.text), block)
    futures: dict[tuple[str, str], Future] = {}
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for key, block in unique.items():
            workdir = tmp_path_factory.mktemp("readme-block")
            futures[key] = pool.submit(lambda b=block, w=workdir: (*run_block(b, w), w))

        def result(block: Block):
            key = (block.lang, block.text)
            if key not in futures:  # not among the collected items (never expected): run it now
                futures[key] = pool.submit(lambda w=tmp_path_factory.mktemp("readme-block"): (*run_block(block, w), w))
            return futures[key].result()

        yield result


# ---------------------------------------------------------------- the README's blocks, run


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, id=b.id, marks=[pytest.mark.slow] if b.slow else []) for b in RUN_BLOCKS],
)
def test_readme_block_runs_as_written(block, results):
    if block.lang in SHELL and not any(c.run for c in block.commands):
        pytest.skip("; ".join(r for c in block.commands for r in c.skipped))
    outcomes, changed, workdir = results(block)
    found = problems(block, outcomes, changed, workdir)
    assert not found, "\n".join(found)


def test_the_readme_has_command_blocks_in_both_halves():
    halves = {b.half for b in RUN_BLOCKS if b.doc == "README.md" and any(c.run for c in b.commands)}
    assert halves == {"ja", "en"}
    # A block in another language would escape this test: README.md's blocks are sh or python.
    assert {b.lang for b in ALL_BLOCKS if b.doc == "README.md"} <= SHELL | {"python"}


def test_readme_commands_stay_inside_their_folder():
    """No absolute path, no `..`, no home folder: whatever a command writes lands in its temporary folder."""
    for block in RUN_BLOCKS:
        for command in block.commands:
            for token in shlex.split(command.run):
                assert not token.startswith(("/", "~")) and ".." not in Path(token).parts, (
                    f"{block.doc}:{command.line}: `{token}` leaves the working folder"
                )


def test_every_skip_rule_is_used():
    """The skip list names only commands the README has (it cannot grow stale)."""
    used = {reason for b in RUN_BLOCKS for c in b.commands for reason in c.skipped}
    for prefix in SKIP:
        assert any(f"`{prefix}" in r for r in used), f"SKIP has {prefix!r}, which no README command uses"


# ---------------------------------------------------------------- the docs test finds a difference


def _fake(text: str) -> Block:
    return read_blocks("README.md", "```sh\n" + text + "\n```\n")[0]


def test_annotations_are_read():
    block = _fake(
        "python3 -m pip install -e . && tokki scan corpus/   # → reports/tokki.sqlite と reports/summary.html など\n"
        "tokki check --format json x.docx >r.json   # 欠落 → 終了コード 1\n"
        "tokki identify --format json x.txt\n"
        '# {"reference":{"id":"a","version":"b"},"candidates":[…]}\n'
        "tokki fix d.docx -o 修正案.docx   # PDF → exit 0\n"
        "python3 -m pytest"
    )
    scan, check, identify, fix, pytest_ = block.commands
    assert scan.run == "tokki scan corpus/" and "pip install" in scan.skipped[0]
    assert scan.files == ("reports/tokki.sqlite", "reports/summary.html") and scan.exit == 0
    assert check.exit == 1 and check.files == ("r.json",) and check.redirect == "r.json"
    assert identify.json == {"reference": {"id": "a", "version": "b"}, "candidates": ANY}
    assert fix.files == ("修正案.docx",) and fix.exit == 0
    assert pytest_.run == "" and pytest_.skipped


def test_json_fields_are_compared():
    shown = expected_json('{"reference":{"id":"fukuoka-pref"},"confidence":1.0,"candidates":[…],"f1":{…}}')
    ok = {"reference": {"id": "fukuoka-pref", "version": "x"}, "confidence": 1, "candidates": [1], "f1": {}, "more": 2}
    assert json_mismatches(shown, ok) == []
    assert json_mismatches(shown, {**ok, "confidence": 0.5}) == ["$.confidence: README shows 1.0, got 0.5"]
    assert json_mismatches(shown, {**ok, "reference": {"id": "toshima"}}) == [
        "$.reference.id: README shows 'fukuoka-pref', got 'toshima'"]
    assert json_mismatches(shown, {k: v for k, v in ok.items() if k != "f1"}) == [
        "$.f1: README shows it, the output has no such field"]
    assert json_mismatches(["15", "16"], ["15"]) == ["$: README shows ['15', '16'], got ['15']"]


def test_a_block_that_differs_from_its_run_is_reported(tmp_path):
    block = _fake(
        "tokki refs list   # → 終了コード 1\n"
        "tokki refs list > list.txt   # → never.html\n"
        "tokki identify --format json corpus/C008-old-after.txt\n"
        '# {"reference":{"id":"fukuoka-pref","version":"2023-10-10"}}\n'
        "touch corpus/C001-clean/extra.txt"
    )
    outcomes, changed = run_block(block, tmp_path)
    found = problems(block, outcomes, changed, tmp_path)
    assert len(found) == 4, found
    assert "exited 0, the README says 1" in found[1]
    assert found[2].endswith("did not write never.html")
    assert "$.reference.version: README shows '2023-10-10', got 'pre-2023-10-10'" in found[3]
    assert found[0].startswith("corpus/ was written into")


# ---------------------------------------------------------------- every command and option in both halves


def _halves() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    ja, en = text.split('<a name="english">', 1)
    return {"ja": ja, "en": en}


def _commands(parser, prefix="tokki"):
    """(`tokki refs import`, its parser) for every command and subcommand, the top level included."""
    yield prefix, parser
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}")


@pytest.mark.parametrize("half", ["ja", "en"])
def test_every_command_and_option_is_in_each_half_of_the_readme(half):
    """Extends test_cli's check (whole README, top-level commands, long options) to each half,
    the `tokki refs` subcommands and short options."""
    text = _halves()[half]
    missing = []
    for name, parser in _commands(build_parser()):
        if name != "tokki" and name not in text:
            missing.append(name)
        for action in parser._actions:
            for opt in action.option_strings:
                if opt in ("-h", "--help") or (name == "tokki" and opt == "--version"):
                    continue
                if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text):
                    missing.append(f"{name} {opt}")
    assert not missing, f"README ({half}) does not mention: {missing}"


# ---------------------------------------------------------------- the test section: system programs and extras


def test_the_apt_line_is_the_readmes_and_ci_installs_the_same_packages():
    from conftest import APT_LINE

    for half, text in _halves().items():
        assert APT_LINE in text, f"README ({half}) lacks the apt line {APT_LINE!r}"
    run = (ROOT / ".ci/run").read_text(encoding="utf-8")
    installed = {pkg for line in re.findall(r'packages="\$packages ([^"]+)"', run) for pkg in line.split()}
    assert installed == set(APT_LINE.split()[3:])
    # CI=true is exported before pytest runs, so a missing program fails there.
    assert re.search(r"^export CI=true\b.*\n(?:.*\n)*?python3 -m pytest", run, re.M)


@pytest.mark.parametrize("program", ["soffice", "tesseract", "japanese-font"])
def test_require_program_skips_outside_ci_and_fails_under_ci(program, require_program, monkeypatch):
    conftest = sys.modules[require_program.__module__]
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(conftest, "FONT_FILES", ())
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_program(program)
    assert conftest.APT_LINE in str(skipped.value)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        require_program(program)
    assert conftest.APT_LINE in str(failed.value) and "CI=true" in str(failed.value)


def test_require_program_without_pytesseract_and_with_the_program(require_program, monkeypatch):
    monkeypatch.setitem(sys.modules, "pytesseract", None)  # import pytesseract → ImportError
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"pytesseract.*sudo apt-get install"):
        require_program("tesseract")
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: f"/opt/bin/{name}")
    assert require_program("soffice") == "/opt/bin/soffice"


# ---------------------------------------------------------------- scripts the README cites

README_TEXT = (ROOT / "README.md").read_text(encoding="utf-8")
CITED = sorted(set(re.findall(r"python3 ((?:benchmarks|corpus)/\w+\.py)", README_TEXT)))
NEEDS_TEST_EXTRA = [s for s in CITED if (ROOT / s).is_file() and "from builders import" in (ROOT / s).read_text("utf-8")]


def test_cited_scripts_exist_and_the_extra_they_need_is_named():
    assert {"benchmarks/tune_thresholds.py", "benchmarks/bench_scan.py", "corpus/generate.py"} <= set(CITED)
    for script in CITED:
        assert (ROOT / script).is_file(), f"README cites {script}, which does not exist"
    for script in NEEDS_TEST_EXTRA:  # reportlab, through tests/builders.py
        for line in README_TEXT.split("\n"):
            if f"python3 {script}" in line:
                assert re.search(r"\.\[test[],]", line), f"README cites {script} without naming .[test]: {line[:120]}"


@pytest.mark.parametrize("script", [s for s in NEEDS_TEST_EXTRA if s.startswith("benchmarks/")])
def test_a_benchmark_without_reportlab_says_which_extra(script, tmp_path):
    fake = tmp_path / "reportlab"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'reportlab'\", name='reportlab')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(ROOT / script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().split("\n") == [
        "reportlab がありません / reportlab is not installed: pip install -e '.[test]'"]


def test_tune_thresholds_runs_and_gives_the_readmes_figures():
    """The README's basis of the matching thresholds (it once died on an unidentifiable contract)."""
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks/tune_thresholds.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lowest_genuine = proc.stdout.split("lowest genuine scores")[1].split("\n")[1].split()[0]
    highest_impostor = proc.stdout.split("highest impostor scores")[1].split("\n")[1].split()[0]
    halves = _halves()
    assert f"本物の一致の最低 {lowest_genuine}、欠落条に対する最良の他条 {highest_impostor}" in halves["ja"]
    assert f"lowest genuine score {lowest_genuine}, best other article for a missing clause {highest_impostor}" in halves["en"]
