"""Reference answers for notebook 02's exercises (run by tests/test_exercises_nb02.py)."""
import numpy as np


def cosine(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def one_hot(ids, vocab_size):
    matrix = np.zeros((len(ids), vocab_size))
    matrix[np.arange(len(ids)), ids] = 1.0
    return matrix
