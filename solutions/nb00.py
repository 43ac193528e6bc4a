"""Reference answer for notebook 00's exercise (run by tests/test_exercises_nb00.py)."""
import numpy as np


def softmax(scores, temperature):
    z = np.asarray(scores, dtype=float) / temperature
    z = np.exp(z - z.max())
    return z / z.sum()
