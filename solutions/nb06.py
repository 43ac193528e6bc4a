"""Reference answers for notebook 06's exercises (run by tests/test_exercises_nb06.py)."""
import numpy as np
import torch


def rnn_step(x_t, h_prev, W, U, b):
    return torch.tanh(x_t @ W.T + h_prev @ U.T + b)


def decay_factor(norms):
    d = np.arange(len(norms))
    slope = np.polyfit(d, np.log(np.asarray(norms, dtype=float)), 1)[0]
    return float(np.exp(slope))
