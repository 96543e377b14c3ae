"""Parameter sweeps: spec → sample → runs → results store → analysis.

A pipeline of plain data, in the style of SALib: `spec.load_spec` reads and validates a sweep
spec (`params/sweeps/*.toml`); `sampling.make_plan` draws its points and seeds its runs;
`runner.run_sweep` runs them (in process, on a local process pool, or on Dask) and streams
each finished batch into the DuckDB store (`store.SweepStore`); `analyze` reads the store for
Sobol' or Morris indices, PRIM boxes and heat maps. `cli` holds the `sweep` and `analyze`
commands.
"""
