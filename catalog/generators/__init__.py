"""Synthetic data at benchmark scale: plans drawn with NumPy, written with COPY."""
