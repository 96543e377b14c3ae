"""The live dashboard: Mesa's SolaraViz over the model, with a map of Syria's governorates, the
states' cooperation network, the event log and a "why" panel (see app.py and README.md)."""
