"""`manage.py benchmark`: speed at county scale, measured beside bare baselines (see runner.py
for how to add a case, data.py for the data it builds)."""
