"""The course's own pre-trained Chinese encoder (chapter 10), and what it buys downstream.

    python -m longrun mlm_zh          # about 25 minutes on one CPU core; resumable (build/pretrain/)
    python -m longrun mlm_recipes     # the same start with and without ALiBi (6 minutes)
    python -m longrun segment_zh reviews_zh   # the downstream grids on the pre-trained weights

- ``mlm_zh``: masked-language modelling on ``pretraining_data()`` (People's Daily's train split without its
  segmentation and the review train texts without their labels) at ``MLM``'s settings; the held-out news
  curve (loss, masked accuracy by kind of position) at the steps in ``STOPS`` and at the end, beside the
  counting baselines on the same positions; the final weights (``mlm_zh.safetensors``) and, for the compute
  curve, the weights at each stop (``build/pretrain/mlm_zh_step<n>.safetensors``, not shipped).
- ``mlm_recipes``: the first 600 steps (a schedule of their own) with and without ALiBi, the recipe's choice.
- ``segment_zh``, ``reviews_zh``: word segmentation and review sentiment with few labels, seeds 0–2, for the
  fine-tuned, frozen and from-scratch encoder, a frozen random encoder and counting baselines, all with the
  same early stopping (``FINETUNE``); then the encoder saved at each stop of ``mlm_zh`` (the compute curve).
"""
from __future__ import annotations

import copy
from pathlib import Path

import torch
from safetensors.torch import save_file

from forge_utils import pretraining as pt

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "pretrain"

# Chapter 10 (sections 4 and 5): keep in step with its cells (load_reference checks).
MLM = dict(VOCAB=pt.VOCAB_SIZE, **{k.upper(): v for k, v in pt.ENCODER.items()}, STEPS=4000, BATCH=64, LENGTH=64,
           LR=5e-3, WARMUP=200, STOPS=[150, 500, 1500], SEED=0, TEST_SEED=1234)


def held_out(data: pt.PretrainingData) -> pt.MaskedBatch:
    """The fixed masked news test windows every figure is measured on."""
    windows = pt.cut_windows(data.news_test, MLM["LENGTH"])
    return pt.mask_tokens(windows, data.mask_id, len(data.vocab), num_special=1,
                          generator=torch.Generator().manual_seed(MLM["TEST_SEED"]))


def mlm_zh(device: str) -> tuple[list[dict], dict]:
    s = MLM
    data = pt.pretraining_data(s["VOCAB"])
    V = len(data.vocab)
    windows = pt.cut_windows(data.train, s["LENGTH"])
    test = held_out(data)
    guesses = pt.fill_guesses(data.train, test.inputs, test.selected, V, data.pad_id)
    answers = test.labels[test.selected].numpy()
    baselines = {name: float((guess == answers).mean()) for name, guess in guesses.items()}
    print("  counting baselines:", {k: round(v, 3) for k, v in baselines.items()}, flush=True)
    model = pt.new_mlm(V, data.pad_id, s["SEED"]).to(device)
    WORK.mkdir(parents=True, exist_ok=True)
    checkpoint = WORK / "mlm_zh.pt"  # resumed from if a run was interrupted

    def on_stop(step: int) -> dict:
        figures = pt.evaluate_mlm(model, test, device)
        print(f"  step {step}: held-out acc {figures['acc']:.3f} loss {figures['test_loss']:.3f}", flush=True)
        if step != s["STEPS"]:  # the weights at each stop, for the compute curve
            save_file({k: v.detach().cpu().clone() for k, v in model.state_dict().items()},  # clone: the tied head
                      str(WORK / f"mlm_zh_step{step}.safetensors"))
        return figures

    start_figures = pt.evaluate_mlm(model, test, device)
    history = pt.pretrain_mlm(model, windows, s["STEPS"], batch_size=s["BATCH"], lr=s["LR"], warmup=s["WARMUP"],
                              mask_id=data.mask_id, vocab_size=V, seed=s["SEED"], device=device, stop_at=s["STOPS"],
                              on_stop=on_stop, checkpoint=checkpoint)
    checkpoint.unlink()  # finished: a new `make pretrain` trains afresh
    run = {"model": "mlm", "seed": s["SEED"], "start": start_figures, "curve": history,
           "baselines": baselines, "n_test_positions": int(test.selected.sum()),
           "train_chars": len(data.train), "test_chars": len(data.news_test)}
    return [run], {"mlm": model}



# The recipe's one departure from chapter 09's encoder, measured: the same short run with and without ALiBi.
RECIPES = dict(MLM=MLM, STEPS=600, EVERY=100, VARIANTS=["sinusoidal", "alibi"])


def mlm_recipes(device: str) -> tuple[list[dict], dict]:
    s = RECIPES
    data = pt.pretraining_data(MLM["VOCAB"])
    windows, test = pt.cut_windows(data.train, MLM["LENGTH"]), held_out(data)
    runs = []
    for variant in s["VARIANTS"]:
        model = pt.new_mlm(len(data.vocab), data.pad_id, MLM["SEED"], alibi=variant == "alibi").to(device)
        history = pt.pretrain_mlm(model, windows, s["STEPS"], batch_size=MLM["BATCH"], lr=MLM["LR"], warmup=MLM["WARMUP"],
                                  mask_id=data.mask_id, vocab_size=len(data.vocab), seed=MLM["SEED"], device=device,
                                  stop_at=range(s["EVERY"], s["STEPS"], s["EVERY"]),
                                  on_stop=lambda step: pt.evaluate_mlm(model, test, device))  # noqa: B023 (model of this loop)
        runs.append({"variant": variant, "curve": history})
        print(f"  {variant}: held-out acc " + " ".join(f"{row['acc']:.3f}" for row in history), flush=True)
    return runs, {}


# --- downstream: what the pre-trained encoder buys ---------------------------------------------------------

# Chapter 10 (sections 7 and 8). Every method trains with the same early stopping: AdamW, a check on the
# validation set every EVERY steps, stop after PATIENCE checks without a new best (at most MAX_STEPS).
FINETUNE = dict(COUNTS=[100, 300, 1000], SEEDS=[0, 1, 2], LR=1e-3, HEAD_LR=1e-2, BATCH=32, MAX_STEPS=600, EVERY=50,
                PATIENCE=3, VAL_ITEMS=400, CURVE_COUNT=1000, CURVE_SEED=0)
SEGMENT = dict(**FINETUNE, MLM=MLM)
REVIEWS = dict(**FINETUNE, MLM=MLM)


def pretrained_encoder(device: str, stop: int | None = None) -> pt.TransformerEncoderModel:
    """The encoder of the shipped model (``stop=None``) or of the weights at a stop of the run."""
    from safetensors.torch import load_file

    from forge_utils.reference import load_reference

    data_vocab = MLM["VOCAB"]
    model = pt.new_mlm(data_vocab, data_vocab + 1, 0)
    if stop is None:
        load_reference("mlm_zh", MLM).load_weights(model, "mlm")
    else:
        path = WORK / f"mlm_zh_step{stop}.safetensors"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run `python -m longrun mlm_zh` first (it writes the stops)")
        model.load_state_dict(load_file(str(path)))
    return model.encoder.to(device)


def random_encoder(seed: int, device: str) -> pt.TransformerEncoderModel:
    """The same architecture, untrained (its initialisation drawn with ``seed``)."""
    return pt.new_mlm(MLM["VOCAB"], MLM["VOCAB"] + 1, 100 + seed).encoder.to(device)


def trained(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, validate, lr: float, s: dict,
            seed: int, device: str) -> pt.FineTuned:
    """``pt.fine_tune`` with the job's early stopping (``s``: BATCH, MAX_STEPS, EVERY, PATIENCE)."""
    return pt.fine_tune(model, inputs, targets, validate, lr=lr, batch_size=s["BATCH"], max_steps=s["MAX_STEPS"],
                        every=s["EVERY"], patience=s["PATIENCE"], seed=seed, device=device)


def label_subset(total: int, n: int, seed: int) -> torch.Tensor:
    """Which ``n`` of ``total`` labelled items a seed gets (the same items for every method)."""
    return torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n]


def tagging_task(data: pt.PretrainingData) -> dict:
    from forge_utils.data import load_peoples_daily
    from forge_utils.segmentation import tagging_pieces

    L = MLM["LENGTH"]
    lines = {split: load_peoples_daily(split) for split in ("train", "val", "test")}
    return {"lines": lines["train"],
            "val": tagging_pieces(lines["val"][: FINETUNE["VAL_ITEMS"]], data.vocab, L, data.pad_id),
            "test": tagging_pieces(lines["test"], data.vocab, L, data.pad_id)}


def segment_scores(s: dict, task: dict, data: pt.PretrainingData, n: int, seed: int,
                   encoders: dict[str, pt.TransformerEncoderModel], device: str) -> list[dict]:
    """Word F1 on the test split for each method, trained on ``n`` labelled lines picked by ``seed``;
    ``encoders`` holds "frozen" (pre-trained) and, for the controls, "frozen_random" (untrained)."""
    from forge_utils.segmentation import boundary_prf, majority_tags, tagging_pieces

    V = len(data.vocab)
    picked = [task["lines"][i] for i in label_subset(len(task["lines"]), n, seed).tolist()]
    train = tagging_pieces(picked, data.vocab, MLM["LENGTH"], data.pad_id)
    val, test = task["val"], task["test"]
    rows = [{"method": "counting", "n": n, "seed": seed,
             "f1": boundary_prf(test.tags, majority_tags(train.ids, train.tags, V + 2)[test.ids])[2]}]

    def f1(tagger: torch.nn.Module, ids_or_features: torch.Tensor, gold: torch.Tensor) -> float:
        with torch.no_grad():
            predicted = torch.cat([tagger(ids_or_features[i : i + 256].to(device)).argmax(-1).cpu()
                                   for i in range(0, len(ids_or_features), 256)])
        return boundary_prf(gold, predicted)[2]

    for name, encoder in encoders.items():  # frozen: a linear head on fixed features
        feats = {k: pt.encoder_features(encoder, p.ids, device=device) for k, p in (("train", train), ("val", val), ("test", test))}
        torch.manual_seed(seed)
        head = torch.nn.Linear(encoder.d_model, 4).to(device)
        done = trained(head, feats["train"], train.tags, lambda h: f1(h, feats["val"], val.tags), s["HEAD_LR"], s, seed,
                       device)
        rows.append({"method": name, "n": n, "seed": seed, "f1": f1(head, feats["test"], test.tags),
                     "val_f1": done.score, "best_step": done.step, "steps": done.steps})
    for name, encoder in (("finetuned", encoders["frozen"]), ("scratch", encoders.get("frozen_random"))):
        if encoder is None:
            continue
        torch.manual_seed(seed)
        tagger = pt.TokenTagger(copy.deepcopy(encoder), 4).to(device)
        done = trained(tagger, train.ids, train.tags, lambda t: f1(t, val.ids, val.tags), s["LR"], s, seed, device)
        rows.append({"method": name, "n": n, "seed": seed, "f1": f1(tagger, test.ids, test.tags),
                     "val_f1": done.score, "best_step": done.step, "steps": done.steps})
    return rows


def review_task(data: pt.PretrainingData) -> dict:
    from forge_utils.data import load_online_reviews

    reviews = {split: load_online_reviews(split) for split in ("train", "val", "test")}
    reviews["val"] = reviews["val"][: FINETUNE["VAL_ITEMS"] * 2]
    return {split: (review_ids([text for text, _ in rows], data), torch.tensor([label for _, label in rows]),
                    [text for text, _ in rows]) for split, rows in reviews.items()}


def review_ids(texts: list[str], data: pt.PretrainingData) -> torch.Tensor:
    """The first LENGTH characters of each review as ids, padded: (N, LENGTH)."""
    L, unk = MLM["LENGTH"], data.vocab.stoi["<unk>"]
    ids = torch.full((len(texts), L), data.pad_id, dtype=torch.long)
    for k, text in enumerate(texts):
        ids[k, : min(len(text), L)] = torch.tensor([data.vocab.stoi.get(c, unk) for c in text[:L]])
    return ids


def review_scores(s: dict, task: dict, data: pt.PretrainingData, n: int, seed: int,
                  encoders: dict[str, pt.TransformerEncoderModel], device: str, words: dict | None = None) -> list[dict]:
    """Test accuracy of each method trained on ``n`` labelled reviews picked by ``seed``."""
    from forge_utils.baseline import bag_of_tokens, fit_logistic, logistic_accuracy

    (ids, y, texts), (val_ids, val_y, _), (test_ids, test_y, test_texts) = task["train"], task["val"], task["test"]
    picked = label_subset(len(y), n, seed)
    L = MLM["LENGTH"]
    index = {c: i for i, c in enumerate(data.vocab.itos[1:])}  # every character but <unk>
    bag = bag_of_tokens([texts[i][:L] for i in picked.tolist()], index)
    w, b = fit_logistic(bag, y[picked])
    rows = [{"method": "bag", "n": n, "seed": seed,
             "acc": logistic_accuracy(bag_of_tokens([t[:L] for t in test_texts], index), test_y, w, b)}]
    if words is not None:  # a bag of jieba's words over the whole review
        bag = words["train"].index_select(0, picked)
        w, b = fit_logistic(bag, y[picked])
        rows.append({"method": "bag_words_full", "n": n, "seed": seed,
                     "acc": logistic_accuracy(words["test"], test_y, w, b)})

    def accuracy(model: torch.nn.Module, inputs: torch.Tensor, gold: torch.Tensor) -> float:
        with torch.no_grad():
            guesses = torch.cat([model(inputs[i : i + 512].to(device)).argmax(-1).cpu() for i in range(0, len(inputs), 512)])
        return (guesses == gold).float().mean().item()

    for name, encoder in encoders.items():
        feats = {k: pt.encoder_features(encoder, x, pooled=True, device=device)
                 for k, x in (("train", ids[picked]), ("val", val_ids), ("test", test_ids))}
        torch.manual_seed(seed)
        head = torch.nn.Linear(encoder.d_model, 2).to(device)
        done = trained(head, feats["train"], y[picked], lambda h: accuracy(h, feats["val"], val_y), s["HEAD_LR"], s, seed,
                       device)
        rows.append({"method": name, "n": n, "seed": seed, "acc": accuracy(head, feats["test"], test_y),
                     "val_acc": done.score, "best_step": done.step, "steps": done.steps})
    for name, encoder in (("finetuned", encoders["frozen"]), ("scratch", encoders.get("frozen_random"))):
        if encoder is None:
            continue
        torch.manual_seed(seed)
        classifier = pt.SequenceClassifier(copy.deepcopy(encoder), 2).to(device)
        done = trained(classifier, ids[picked], y[picked], lambda c: accuracy(c, val_ids, val_y), s["LR"], s, seed, device)
        rows.append({"method": name, "n": n, "seed": seed, "acc": accuracy(classifier, test_ids, test_y),
                     "val_acc": done.score, "best_step": done.step, "steps": done.steps})
    return rows


def downstream(task_name: str, device: str) -> tuple[list[dict], dict]:
    s = SEGMENT if task_name == "segment" else REVIEWS
    data = pt.pretraining_data(MLM["VOCAB"])
    task = tagging_task(data) if task_name == "segment" else review_task(data)
    score = segment_scores if task_name == "segment" else review_scores
    extra = {}
    if task_name == "reviews":
        from forge_utils.baseline import bag_of_tokens
        from forge_utils.text import tokenize_chinese

        tokens = {split: [tokenize_chinese(t, course_dict=False) for t in task[split][2]] for split in ("train", "test")}
        index = {w: i for i, w in enumerate(sorted({w for doc in tokens["train"] for w in doc}))}
        extra = {"words": {split: bag_of_tokens(docs, index) for split, docs in tokens.items()}}
    pretrained = pretrained_encoder(device)
    runs = []
    for n in s["COUNTS"]:
        for seed in s["SEEDS"]:
            rows = score(s, task, data, n, seed, {"frozen": pretrained, "frozen_random": random_encoder(seed, device)},
                         device, **extra)
            runs += rows
            print(f"  {task_name} n={n} seed={seed}: " + ", ".join(
                f"{r['method']} {r.get('f1', r.get('acc')):.3f}" for r in rows), flush=True)
    for stop in MLM["STOPS"]:  # the compute curve: the encoder at each stop of pre-training (the end is above)
        n, seed = s["CURVE_COUNT"], s["CURVE_SEED"]
        rows = score(s, task, data, n, seed, {"frozen": pretrained_encoder(device, stop)}, device)
        runs += [{**r, "pretrain_step": stop} for r in rows if r["method"] in ("frozen", "finetuned")]
        print(f"  {task_name} stop {stop}: " + ", ".join(f"{r['method']} {r.get('f1', r.get('acc')):.3f}" for r in rows),
              flush=True)
    return runs, {}


def segment_zh(device: str) -> tuple[list[dict], dict]:
    return downstream("segment", device)


def reviews_zh(device: str) -> tuple[list[dict], dict]:
    return downstream("reviews", device)


JOBS = {"mlm_zh": (MLM, mlm_zh), "mlm_recipes": (RECIPES, mlm_recipes), "segment_zh": (SEGMENT, segment_zh), "reviews_zh": (REVIEWS, reviews_zh)}
