"""The results store of a sweep: one DuckDB file, the one writer of sweep results.

Tables:
- `sweep`: one row describing the sweep (spec text and hash, base scenario, sampler, run
  function, size, start time);
- `points`: the planned sample, one row per point (`point_id` is the sample row, in the
  sampler's order), so analysis never has to redraw it;
- `runs`: one row per finished run, keyed by (`point_id`, `replicate`): its seed, one column
  per parameter and one per outcome;
- `sessions`: one row per `sweep` command that wrote to the file (start, resume, end).

A sweep across a posterior (`run.py sweep --posterior`) runs every point under each of K
parameter sets, on the same seeds: its `runs` rows carry `posterior_set` (the key is then
(`point_id`, `posterior_set`, `replicate`)); `posterior_sets` holds each set's values, one row a
set, and `posterior` one row naming the file, its SHA-256, K, the draw's seed and the
posterior's parameters (the ones the sweep also varies are overridden by the sweep's values).

Each batch of finished runs is inserted and committed in one transaction as it arrives, so a
killed sweep loses only the runs in flight; the primary key makes a duplicate run impossible.

A spec with `timeseries` also keeps each run's monthly series, in Parquet files beside the store
(`results.duckdb` -> `results.series/`), one file per batch, written (to a temporary name, then
renamed) before the batch's runs are committed. A file a killed sweep wrote for runs it never
committed is ignored when read, and a run written twice (once before a kill, once on resume) is
read once: `series()` keeps rows of committed runs only, without duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from analysis.sweep.sampling import Plan
from analysis.sweep.spec import RUN_KEYS, SweepSpec, parse_spec
from sim.errors import UserInputError

if TYPE_CHECKING:
    import pandas as pd

_SQL_TYPE = {"number": "DOUBLE", "integer": "BIGINT", "text": "VARCHAR"}
_ARROW_TYPE = {"number": pa.float64(), "integer": pa.int64(), "text": pa.string()}


def quote(name: str) -> str:
    """A column name as a SQL identifier (parameter paths contain dots)."""
    return '"' + name.replace('"', '""') + '"'


class SweepStore:
    """A sweep's DuckDB file, opened for writing (by the sweep) or reading (by analysis)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self.con = con
        self._schema: pa.Schema | None = None

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> SweepStore:
        path = Path(path)
        if read_only and not path.exists():
            raise UserInputError(path, None, "no such results store")
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise UserInputError(
                    path, None, "in use by another process (is a sweep still writing to it?)"
                ) from None
            raise UserInputError(path, None, f"not a DuckDB results store ({exc})") from None
        except duckdb.Error as exc:
            raise UserInputError(path, None, f"not a DuckDB results store ({exc})") from None
        store = cls(path, con)
        if store.has_sweep() is None and read_only:
            con.close()
            raise UserInputError(path, None, "not a sweep results store (no `sweep` table)")
        return store

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what is in it ------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        return {r[0] for r in rows}

    def has_sweep(self) -> bool | None:
        """True: a sweep is recorded; False: an empty file; None: some other database."""
        tables = self._tables()
        if "sweep" in tables:
            return True
        return False if not tables else None

    def info(self) -> dict[str, Any]:
        """The `sweep` row as a dict."""
        cursor = self.con.execute("SELECT * FROM sweep")
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        if row is None:
            raise UserInputError(self.path, None, "the `sweep` table is empty")
        return dict(zip(names, row, strict=True))

    def spec(self) -> SweepSpec:
        """The spec the sweep was run from, re-validated from its stored text."""
        info = self.info()
        return parse_spec(info["spec_text"], info["spec_path"])

    def run_count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM runs").fetchone()
        return int(row[0]) if row else 0

    def finished(self, points: int, replicates: int, sets: int | None = None) -> np.ndarray:
        """(points, replicates) mask of the runs already in the store; with `sets` (a sweep
        across a posterior), (points, sets, replicates)."""
        if sets is None:
            mask = np.zeros((points, replicates), dtype=bool)
            done = self.con.execute("SELECT point_id, replicate FROM runs").fetchnumpy()
            mask[
                np.asarray(done["point_id"], dtype=np.int64),
                np.asarray(done["replicate"], dtype=np.int64),
            ] = True
            return mask
        mask = np.zeros((points, sets, replicates), dtype=bool)
        done = self.con.execute(
            "SELECT point_id, posterior_set, replicate FROM runs").fetchnumpy()
        mask[
            np.asarray(done["point_id"], dtype=np.int64),
            np.asarray(done["posterior_set"], dtype=np.int64),
            np.asarray(done["replicate"], dtype=np.int64),
        ] = True
        return mask

    def posterior(self) -> dict[str, Any] | None:
        """The posterior a sweep ran across (file, sha256, sets, draw_seed, parameters,
        overridden), or None for a sweep without one."""
        if "posterior" not in self._tables():
            return None
        cursor = self.con.execute("SELECT * FROM posterior")
        names = [d[0] for d in cursor.description]
        info = dict(zip(names, cursor.fetchone(), strict=True))
        for key in ("parameters", "overridden"):
            info[key] = json.loads(info[key])
        return info

    def posterior_sets(self) -> pd.DataFrame | None:
        """Each posterior set's values, one row a set (`posterior_set`, then the paths)."""
        if "posterior_sets" not in self._tables():
            return None
        return self.con.execute("SELECT * FROM posterior_sets ORDER BY posterior_set").df()

    def points(self) -> np.ndarray:
        names = [quote(n) for n in json.loads(self.info()["parameters"])]
        table = self.con.execute(
            f"SELECT {', '.join(names)} FROM points ORDER BY point_id"
        ).fetchnumpy()
        return np.column_stack([np.asarray(v, dtype=float) for v in table.values()])

    # --- writing ------------------------------------------------------------------------------

    def create(self, plan: Plan, run_fn: str) -> None:
        """Make the tables of a new sweep and record its plan (one transaction)."""
        spec = plan.spec
        params = [f"{quote(n)} DOUBLE NOT NULL" for n in spec.names]
        outcomes = [f"{quote(n)} {_SQL_TYPE[t]}" for n, t in spec.outcomes.items()]
        posterior = plan.posterior
        keys = "point_id, replicate" if posterior is None else "point_id, posterior_set, replicate"
        set_column = "" if posterior is None else "posterior_set INTEGER NOT NULL, "
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "CREATE TABLE sweep (name VARCHAR, description VARCHAR, spec_path VARCHAR, "
                "spec_text VARCHAR, spec_hash VARCHAR, scenario VARCHAR, sampler VARCHAR, "
                "run_fn VARCHAR, seed UBIGINT, points BIGINT, replicates BIGINT, "
                "planned_runs BIGINT, parameters VARCHAR, outcomes VARCHAR, "
                "started_at TIMESTAMP)"
            )
            con.execute(
                "INSERT INTO sweep VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    spec.name,
                    spec.description,
                    spec.path,
                    spec.text,
                    spec.digest(),
                    spec.scenario,
                    spec.method,
                    run_fn,
                    spec.seed,
                    plan.n_points,
                    plan.replicates,
                    plan.n_runs,
                    json.dumps(list(spec.names)),
                    json.dumps(spec.outcomes),
                    _now(),
                ],
            )
            con.execute(f"CREATE TABLE points (point_id BIGINT PRIMARY KEY, {', '.join(params)})")
            points = {"point_id": pa.array(np.arange(plan.n_points), pa.int64())}
            points.update(
                {n: pa.array(plan.points[:, j], pa.float64()) for j, n in enumerate(spec.names)}
            )
            self._insert("points", pa.table(points))
            con.execute(
                "CREATE TABLE runs (point_id BIGINT NOT NULL, replicate INTEGER NOT NULL, "
                f"seed UBIGINT NOT NULL, {set_column}{', '.join(params + outcomes)}, "
                f"PRIMARY KEY ({keys}))"
            )
            if posterior is not None:
                self._record_posterior(plan)
            con.execute(
                "CREATE TABLE sessions (session INTEGER PRIMARY KEY, started_at TIMESTAMP, "
                "finished_at TIMESTAMP, executor VARCHAR, workers INTEGER, "
                "runs_before BIGINT, runs_after BIGINT)"
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _record_posterior(self, plan: Plan) -> None:
        """The `posterior` and `posterior_sets` tables (inside `create`'s transaction)."""
        posterior = plan.posterior
        assert posterior is not None
        identity = posterior.identity
        self.con.execute(
            "CREATE TABLE posterior (file VARCHAR, sha256 VARCHAR, sets BIGINT, "
            "draw_seed BIGINT, parameters VARCHAR, overridden VARCHAR)"
        )
        self.con.execute(
            "INSERT INTO posterior VALUES (?, ?, ?, ?, ?, ?)",
            [identity["file"], identity["sha256"], identity["sets"], identity["draw_seed"],
             json.dumps(list(posterior.names)),
             json.dumps([n for n in posterior.names if n in plan.spec.names])],
        )
        columns = [f"{quote(n)} DOUBLE NOT NULL" for n in posterior.names]
        self.con.execute("CREATE TABLE posterior_sets (posterior_set INTEGER PRIMARY KEY, "
                         f"{', '.join(columns)})")
        table = {"posterior_set": pa.array(np.arange(posterior.n_sets), pa.int32())}
        table.update({n: pa.array(posterior.values[:, j], pa.float64())
                      for j, n in enumerate(posterior.names)})
        self._insert("posterior_sets", pa.table(table))

    def begin_session(self, executor: str, workers: int) -> int:
        row = self.con.execute("SELECT coalesce(max(session), 0) + 1 FROM sessions").fetchone()
        session = int(row[0]) if row else 1
        self.con.execute(
            "INSERT INTO sessions VALUES (?, ?, NULL, ?, ?, ?, NULL)",
            [session, _now(), executor, workers, self.run_count()],
        )
        return session

    def end_session(self, session: int) -> None:
        self.con.execute(
            "UPDATE sessions SET finished_at = ?, runs_after = ? WHERE session = ?",
            [_now(), self.run_count(), session],
        )

    def add_runs(self, spec: SweepSpec, rows: Sequence[tuple]) -> int:
        """Insert finished runs (tuples in `runs` column order) and commit them together."""
        if not rows:
            return 0
        schema = self._runs_schema(spec)
        columns = list(zip(*rows, strict=True))
        table = pa.table(
            [
                pa.array(values, type=field.type)
                for values, field in zip(columns, schema, strict=True)
            ],
            schema=schema,
        )
        self._insert("runs", table)
        return len(rows)

    def _runs_schema(self, spec: SweepSpec) -> pa.Schema:
        if self._schema is None:
            fields = [
                pa.field("point_id", pa.int64()),
                pa.field("replicate", pa.int32()),
                pa.field("seed", pa.uint64()),
            ]
            if "posterior" in self._tables():
                fields.append(pa.field("posterior_set", pa.int32()))
            fields += [pa.field(n, pa.float64()) for n in spec.names]
            fields += [pa.field(n, _ARROW_TYPE[t]) for n, t in spec.outcomes.items()]
            self._schema = pa.schema(fields)
        return self._schema

    def _insert(self, table_name: str, table: pa.Table) -> None:
        self.con.register("incoming", table)
        try:
            self.con.execute(f"INSERT INTO {table_name} BY NAME SELECT * FROM incoming")
        finally:
            self.con.unregister("incoming")

    @property
    def series_dir(self) -> Path:
        """Where the runs' monthly series go: `<store name>.series/` beside the store."""
        return self.path.with_suffix(".series")

    def add_series(self, columns: dict[str, np.ndarray], session: int) -> Path | None:
        """Write a batch's series (long columns: point_id, replicate, seed, step, date,
        variable, subject, value) to one Parquet file; call before `add_runs` commits them."""
        import pyarrow.parquet as pq

        if not len(columns["point_id"]):
            return None
        table = pa.table({name: pa.array(columns[name], type=kind)
                          for name, kind in SERIES_SCHEMA})
        self.series_dir.mkdir(parents=True, exist_ok=True)
        first_point, first_replicate = int(columns["point_id"][0]), int(columns["replicate"][0])
        runs = len(np.unique(np.stack([columns["point_id"], columns["replicate"]]), axis=1)[0])
        name = f"s{session}-p{first_point}-r{first_replicate}-n{runs}.parquet"
        final = self.series_dir / name
        partial = self.series_dir / f".{name}.partial"
        pq.write_table(table, partial, compression="zstd")
        partial.replace(final)  # atomic: a reader never sees half a file
        return final

    def series(self, where: str = "") -> pd.DataFrame:
        """The monthly series of the committed runs (long: point_id, replicate, seed, step,
        date, variable, subject, value), each row once, sorted; `where` is an optional SQL
        condition on those columns, e.g. `"variable = 'control' AND subject = 'regime'"`."""
        files = sorted(self.series_dir.glob("*.parquet")) if self.series_dir.is_dir() else []
        if not files:
            import pandas as pd

            return pd.DataFrame({name: [] for name, _ in SERIES_SCHEMA})
        listing = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        condition = f"AND ({where})" if where else ""
        return self.con.execute(
            f"SELECT DISTINCT s.* FROM read_parquet([{listing}]) s "
            "SEMI JOIN runs r ON s.point_id = r.point_id AND s.replicate = r.replicate "
            f"WHERE TRUE {condition} "
            "ORDER BY point_id, replicate, step, variable, subject"
        ).df()

    # --- reading ------------------------------------------------------------------------------

    def runs(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The `runs` table as a pandas DataFrame, sorted by (point_id, replicate), or across
        a posterior by (point_id, posterior_set, replicate)."""
        selected = "*" if columns is None else ", ".join(quote(c) for c in columns)
        order = "point_id, posterior_set, replicate" if "posterior" in self._tables() \
            else "point_id, replicate"
        return self.con.execute(f"SELECT {selected} FROM runs ORDER BY {order}").df()


SERIES_SCHEMA = (
    ("point_id", pa.int64()), ("replicate", pa.int32()), ("seed", pa.uint64()),
    ("step", pa.int32()), ("date", pa.string()), ("variable", pa.string()),
    ("subject", pa.string()), ("value", pa.float64()),
)


def run_columns(spec: SweepSpec, posterior: bool = False) -> list[str]:
    """The columns of `runs`, in order (`posterior`: a sweep across a posterior's sets)."""
    return [*RUN_KEYS, *(["posterior_set"] if posterior else []), *spec.names, *spec.outcomes]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


__all__ = ["SweepStore", "quote", "run_columns"]
