"""Every parameter names its source: each leaf parameter line in params/actors.toml,
forces.toml and model.toml carries a comment (read by `parameter_sources()`, used by
`run.py describe` and the report). An inline table (`weights = { ... }  # source`) counts
as one key."""

from __future__ import annotations

from functools import cache

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
