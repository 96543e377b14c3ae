"""Validation, statistics, figures and reports on the model's outputs.

Reads only the output contract (`timeseries`, `events`, `summary`, as written by `sim.output`)
and the model's public vocabulary: `targets` loads the historical targets, `checks` scores an
ensemble against them, `stats` compares two ensembles run on the same seeds, `figures` draws
them and `report` puts it all in one HTML file.
"""
