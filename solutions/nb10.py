"""第 10 章练习的参考答案（先自己试一试，再来对照）。"""
import torch


def whole_word_mask(ids, word_ids, mask_id, generator):
    n_words = int(word_ids.max()) + 1
    chosen = torch.rand(n_words, generator=generator) < 0.15   # 每个词抽一次
    selected = chosen[word_ids]                                 # 选中的词的每个字
    inputs = torch.where(selected, torch.full_like(ids, mask_id), ids)
    labels = torch.where(selected, ids, torch.full_like(ids, -100))
    return inputs, labels


def masked_accuracy(logits, labels):
    selected = labels != -100
    return (logits.argmax(-1)[selected] == labels[selected]).float().mean().item()
