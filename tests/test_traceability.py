"""Every number names its source, and every source resolves inside the repository.

Each leaf parameter line in params/actors.toml, forces.toml and model.toml carries a comment
(read by `parameter_sources()`, used by `run.py describe` and the report) that starts with its
source class (docs/sources/README.md). Citations of the record, the seeds and their quoted
passages in params/, scenarios/ and analysis/targets.toml must resolve to docs/sources/. An
inline table (`weights = { ... }  # source`) counts as one key."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

from sim import params


@cache
def table_headers() -> frozenset[str]:
    """The `[a.b]` table headers of the parameter files: the only tables that are not leaves."""
    headers = set()
    for name in params.PARAM_FILES:
        for line in (params.PARAMS_DIR / name).read_text(encoding="utf-8").splitlines():
            match = params._TABLE.match(line)
            if match:
                headers.add(match.group(1).strip())
    return frozenset(headers)


def parameter_keys(tree: dict, prefix: str = "") -> list[str]:
    """Dotted keys of the loaded tree, an inline table (not a `[header]`) counting as one."""
    keys = []
    headers = table_headers()
    for key, value in tree.items():
        path = f"{prefix}{key}"
        is_table = isinstance(value, dict) and (
            path in headers or any(h.startswith(path + ".") for h in headers))
        keys.extend(parameter_keys(value, path + ".") if is_table else [path])
    return keys


def test_every_parameter_has_a_source():
    sources = params.parameter_sources()
    missing = [k for k in parameter_keys(params.load_defaults()) if not sources.get(k, "").strip()]
    assert not missing, (f"{len(missing)} parameter(s) in params/ without a source comment: "
                         + ", ".join(missing))


def test_sources_name_only_real_parameters():
    keys = set(parameter_keys(params.load_defaults()))
    phantom = sorted(set(params.parameter_sources()) - keys)
    assert not phantom, f"parameter_sources() names keys that are not parameters: {phantom}"


def test_inline_tables_count_as_one_key():
    keys = parameter_keys(params.load_defaults())
    assert "iran.weights" in keys and "iran.weights.survival" not in keys
    assert "theatre.hostility.regime-opposition" in keys  # a [theatre.hostility] table
    assert "iran.actions.financial_aid.cost" in keys


def test_source_text_is_the_comment():
    text = (params.PARAMS_DIR / "model.toml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("decisiveness"))
    assert params.parameter_sources()["theatre.decisiveness"] == line.split("#", 1)[1].strip()


# --- Source classes and citations that resolve inside the repository (docs/sources/) ---

ROOT = params.PARAMS_DIR.parent
SOURCES = ROOT / "docs" / "sources"
CLASSES = ("dataset", "record", "seed", "hand-set (train)", "hand-set (test window)", "calibrated")
TEST_WINDOW = re.compile(r"record section 3|record §3|\bsection 3\b|§3")
DECISION = re.compile(r"docs/decisions\.md (D\d+)")
ROWS = re.compile(r"\brecord rows? ((?:\d+(?:\s*[-–]\s*\d+)?(?:,\s*|\s+and\s+)?)+)")
FIGURES = re.compile(r"\brecord (?:§)?(2[a-z])\b|§(2[a-z])\b")
SEEDS = re.compile(r"\bseeds? (\d{3})\b|\b(\d{3})_[0-9a-f]{16}\.txt\b")
QUOTE = re.compile(r"\bseeds? (\d{3})\b(?:(?!seed)[^\";#\n]){0,60}?\"([^\"\n]+)\"")


def cited_files() -> list[Path]:
    """Every file whose values or targets cite a source."""
    return sorted([*ROOT.glob("params/**/*.toml"), *ROOT.glob("scenarios/*.toml"),
                   ROOT / "analysis" / "targets.toml", ROOT / "analysis" / "structural.toml",
                   *ROOT.glob("analysis/structural/*.toml")])


def normalised(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\\", "")
    text = re.sub(r"[\"\u201c\u201d]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def record_rows() -> frozenset[int]:
    text = (SOURCES / "record.md").read_text(encoding="utf-8")
    timeline = text.split("## 1. Timeline", 1)[1].split("#### 2a.", 1)[0]  # section 1 only
    return frozenset(int(m) for m in re.findall(r"^\| (\d+) \|", timeline, flags=re.M))


@cache
def record_figures() -> frozenset[str]:
    text = (SOURCES / "record.md").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^#### (2[a-z])\.", text, flags=re.M))


@cache
def seed_passages() -> dict[str, str]:
    """Each seed's section of seeds.md, normalised for matching quotes."""
    text = (SOURCES / "seeds.md").read_text(encoding="utf-8")
    parts = re.split(r"^## seed (\d{3}):", text, flags=re.M)
    return {parts[i]: normalised(parts[i + 1]) for i in range(1, len(parts), 2)}


def row_numbers(spec: str) -> list[int]:
    numbers = []
    for part in re.split(r",|\band\b", spec):
        bounds = [int(x) for x in re.findall(r"\d+", part)]
        numbers.extend(range(bounds[0], bounds[-1] + 1) if bounds else [])
    return numbers


def test_every_parameter_names_its_source_class():
    unclassed = {key: text for key, text in params.parameter_sources().items()
                 if not text.startswith(CLASSES)}
    assert not unclassed, ("parameters whose comment does not start with a source class "
                           f"{CLASSES}: {sorted(unclassed)[:10]}")


def test_calibrated_values_are_the_fit_and_only_the_fit():
    fit = json.loads((params.PARAMS_DIR / "calibration.json").read_text(encoding="utf-8"))
    marked = {k for k, text in params.parameter_sources().items()
              if text.startswith("calibrated")}
    assert marked == set(fit["values"]), "calibrated marks differ from params/calibration.json"
    tree = params.load_defaults()
    for key, value in fit["values"].items():
        shipped = params.get_path(tree, key)
        assert math.isclose(shipped, value, rel_tol=5e-4, abs_tol=5e-4), (key, shipped, value)


def test_a_value_that_saw_the_test_window_says_so_and_is_logged():
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    logged = set(re.findall(r"^## (D\d+)\b", decisions, flags=re.M))
    for key, text in params.parameter_sources().items():
        if TEST_WINDOW.search(text):
            entry = DECISION.search(text)
            assert entry, f"{key} cites the 2018-2025 record but names no docs/decisions.md entry"
            assert entry.group(1) in logged, f"{key} names {entry.group(1)}, not in decisions.md"
        if text.startswith("hand-set (test window)"):
            assert DECISION.search(text), f"{key} saw the test window: name its decision"


INITIAL_LINE = re.compile(r"^([\w-]+)\s*=\s*(?P<value>.*?)(?:\s*#\s*(?P<source>.*))?$")


def initial_sources(path: Path) -> dict[str, str]:
    """Each value of an initial state (params/initial/*.toml) and its comment, by `section.key`
    (an inline table, a governorate's control, counts as one value; `date` and `source` are the
    file's own description)."""
    sources, section = {}, ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.split("]", 1)[0][1:] + "."
            continue
        match = INITIAL_LINE.match(line)
        if match and match.group(1) not in ("date", "source"):
            sources[section + match.group(1)] = (match.group("source") or "").strip()
    return sources


def test_every_initial_value_names_its_source_class_and_decision():
    files = sorted((params.PARAMS_DIR / "initial").glob("*.toml"))
    assert [f.stem for f in files] == ["2011-03", "2017-12", "2024-01"]
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    logged = set(re.findall(r"^## (D\d+)\b", decisions, flags=re.M))
    bad = []
    for path in files:
        sources = initial_sources(path)
        assert "manpower.regime" in sources and "control.damascus" in sources
        for key, text in sources.items():
            where = f"{path.name}: {key}"
            if not text.startswith(CLASSES):
                bad.append(f"{where}: no source class")
            entry = DECISION.search(text)
            if (TEST_WINDOW.search(text) or text.startswith("hand-set (test window)")) and not (
                    entry and entry.group(1) in logged):
                bad.append(f"{where}: saw the test window, names no docs/decisions.md entry")
            if path.stem == "2011-03" and text.startswith("hand-set (test window)"):
                bad.append(f"{where}: the 2011 state is in the train window")
    assert not bad, f"initial values without a traceable source: {bad}"


def test_record_citations_name_rows_and_figures_that_exist():
    bad = []
    for path in cited_files():
        text = path.read_text(encoding="utf-8")
        for match in ROWS.finditer(text):
            bad += [f"{path.name}: row {n}" for n in row_numbers(match.group(1))
                    if n not in record_rows()]
        for match in FIGURES.finditer(text):
            figure = match.group(1) or match.group(2)
            if figure not in record_figures():
                bad.append(f"{path.name}: record {figure}")
    assert record_rows() == frozenset(range(1, 27)) and "2f" in record_figures()
    assert not bad, f"citations of the record that resolve to nothing: {bad}"


def test_seed_citations_and_quotes_resolve_to_the_bibliography():
    passages = seed_passages()
    assert sorted(passages) == ["000", "001", "002", "003", "004"]
    unknown, unquoted = [], []
    for path in cited_files():
        text = path.read_text(encoding="utf-8")
        unknown += [f"{path.name}: seed {a or b}" for a, b in SEEDS.findall(text)
                    if (a or b) not in passages]
        for seed, quote in QUOTE.findall(text):
            for part in filter(None, (normalised(p) for p in quote.split("..."))):
                if seed in passages and part not in passages[seed]:
                    unquoted.append(f"{path.name}: seed {seed} \"{part}\"")
    assert not unknown, f"seeds that do not exist: {unknown}"
    assert not unquoted, f"quoted passages not in docs/sources/seeds.md: {unquoted}"


def test_no_citation_points_outside_the_repository():
    outside_ref = re.compile(r"\.\./shared|calibration_record\.md")
    outside = [path.name for path in cited_files()
               if outside_ref.search(path.read_text(encoding="utf-8"))]
    assert not outside, f"files citing sources outside the repository: {outside}"


def test_the_checks_catch_what_they_are_for():
    # the patterns themselves: a made-up row, figure and quote are found and fail to resolve
    assert row_numbers("20, 23") == [20, 23] and row_numbers("12-14") == [12, 13, 14]
    assert row_numbers(ROWS.search("record rows 22, 15, 16").group(1)) == [22, 15, 16]
    assert 27 not in record_rows() and "2g" not in record_figures()
    made_up = 'x = 1  # seed 003: the US would "accept a quote never written"'
    seed, quote = QUOTE.search(made_up).groups()
    assert seed == "003" and normalised(quote) not in seed_passages()["003"]
    assert TEST_WINDOW.search("record section 3: Turkey") and not TEST_WINDOW.search("record 2a")
