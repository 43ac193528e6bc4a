"""forge_utils: the small helper package of Forge · 从独热编码到 Transformer.

One module per concept, in the order the course meets them:
- ``device``: device choice (``FORGE_DEVICE``), seeds, the environment report of notebook 00;
- ``data``: the data the course ships or finds offline (People's Daily, online reviews, GloVe, gensim's test data);
- ``text``: vocabularies and tokenizers (Chinese via jieba, BPE), the course's replacement for torchtext;
- ``plots``: figures with Chinese labels that render, heatmaps, labelled scatter plots;
- ``report``: figures a notebook records for ``build/course.json`` and the README's tables;
- ``reference``: what the long-run tier (``make pretrain``) computes once and the notebooks read: other
  seeds, longer-trained models and their safetensors weights, with their settings checked both ways;
- ``explorer``: the base of every widget explorer (controls → a summary line and a picture or text);
- ``baseline`` (06, 10): bag of tokens + logistic regression, the line every neural text classifier must beat;
- ``paradigms`` (01): expert system, Q-learning maze, convolution and pooling;
- ``training`` (06–11): ``fit``, the one training loop (batches, loss, optimizer step, gradient clipping,
  learning-rate schedule) of ``train_lm``, ``train_seq2seq``, the RNN trainers and notebook 10;
- ``lm`` (02, 06, 07, 11): the language-modelling thread: character vocabulary, bits per character,
  the bigram model, the trainer (``train_lm``) and sampling shared by every language model;
- ``embeddings`` (03), ``glove`` (04), ``vectors_lab`` (05): word vectors and what they can do;
- ``sequence`` (06, 07): RNN and LSTM cells, gradient measurements, the memory task;
- ``attention`` (08), ``attention_explorer`` (08): scaled dot-product and multi-head attention, masks, their explorer;
- ``transformer`` (09): positional encoding, encoder and decoder layers, the encoder–decoder, greedy decoding;
- ``translation`` (09): training and scoring the encoder–decoder on the zh→en toy corpus;
- ``transformer_explorers`` (09): the positional-encoding and attention-map explorers;
- ``pretraining`` (10): masked-language-model data and fine-tuning helpers;
- ``gpt`` (11): the decoder-only Transformer and its sampling control;
- ``exercises``: the self-checks at the end of each notebook.
Notebooks build each idea inline first, check it equal to the version here, then reuse it.
"""
from forge_utils.device import environment_report, get_device, set_seed

__version__ = "0.1.0"
__all__ = ["__version__", "environment_report", "get_device", "set_seed"]
