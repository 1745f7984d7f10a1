"""Deterministic generators of the embedded datasets (``"lesions"``, ``"cine"``); NumPy only."""
