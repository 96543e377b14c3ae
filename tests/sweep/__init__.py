"""Tests of the parameter-sweep machinery (analysis.sweep), run against a toy model."""
