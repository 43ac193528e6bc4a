"""第 11 章练习的参考答案（先自己试一试，再来对照）。"""
import torch


def top_p_logits(logits, p):
    probs = torch.softmax(logits, dim=-1)
    sorted_probs, order = torch.sort(probs, descending=True)
    mass_before = torch.cumsum(sorted_probs, dim=0) - sorted_probs   # 排在前面的词元的概率之和
    keep_sorted = mass_before < p                                     # 第一个词元总会留下
    keep = torch.zeros_like(keep_sorted)
    keep[order] = keep_sorted
    return logits.masked_fill(~keep, float("-inf"))


def gpt_parameters(V, context, n_layer, n_embd):
    C = n_embd
    embeddings = V * C + context * C                    # wte, wpe
    attention = (C * 3 * C + 3 * C) + (C * C + C)       # c_attn, c_proj （权重 + 偏置）
    mlp = (C * 4 * C + 4 * C) + (4 * C * C + C)         # c_fc, c_proj
    norms = 2 * (2 * C)                                 # ln_1、ln_2：各有权重和偏置
    head = 2 * C + (C * V + V)                          # ln_f, lm_head
    return embeddings + n_layer * (attention + mlp + norms) + head
