"""第 04 章练习的参考答案（先自己试一试，再来对照）。"""
import numpy as np


def weight_fn(x, x_max=100.0, alpha=0.75):
    return np.minimum(1.0, (np.asarray(x, dtype=float) / x_max) ** alpha)


def cooccurrence_counts(sentences, words, window=2):
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(words), len(words)))
    for sentence in sentences:
        ids = [index[t] for t in sentence if t in index]  # 先去掉词表外的词
        for a, i in enumerate(ids):
            for d in range(1, window + 1):
                if a + d < len(ids):
                    matrix[i, ids[a + d]] += 1.0 / d
                    matrix[ids[a + d], i] += 1.0 / d
    return matrix


def ratio_from_vectors(W, W_tilde, b, b_tilde, i, j, k):
    """GloVe 的参数预测的 X_ik / X_jk：exp((w_i − w_j)·w̃_k + b_i − b_j)；b̃_k 约掉了。"""
    return float(np.exp((W[i] - W[j]) @ W_tilde[k] + b[i] - b[j]))
