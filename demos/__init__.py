"""Tiny numpy models that the chapters run in the reader's browser (Pyodide) and in pytest.

Importing this package must stay free of numpy: the parameter calculator and the cell
runner use only the standard library, so they work even when numpy cannot be fetched.
"""
