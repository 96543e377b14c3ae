"""The live dashboard: a Solara page over the Mesa model, one model per browser session, with a
map of Syria's governorates, the "why" of each state's choice, ensembles and a counterfactual
(app.py, docs/dashboard.md)."""
