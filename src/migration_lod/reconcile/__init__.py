"""Reconciliation: matching names from anyone's tables to the dataset's IRIs (Reconciliation Service API 0.2).

types.py says what can be matched, names.py how names are folded and varied, index.py reads the names
from a store, match.py scores candidates, service.py speaks the API, table.py reconciles a CSV file;
serve/reconcile.py puts the API on the endpoint at /reconcile.
"""
