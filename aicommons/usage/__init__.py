"""The running Commons measured: cost per project, user, workload and pool, and the measured demand.

``series.py`` holds the inputs (Prometheus range series, already fetched), ``allocate.py`` the pure
allocation of node-hours to the servers that requested them, ``estimate.py`` the plan beside what
was measured, ``demand.py`` the measured schedule and session lengths, ``report.py`` the report
model, ``formats.py`` its table/json/csv/md renderings and ``resize.py`` its use by
``size --from-usage``. The shell (``prometheus.py``, ``billing.py``) fetches the inputs.
"""
