"""The long-run tier: what takes longer than a notebook's minute, computed once (``make pretrain``).

    python -m longrun                    # every job (about 2½ hours on 2 CPU cores)
    python -m longrun memory lms         # some of them
    python -m longrun --device cuda      # on a GPU
    python -m longrun --list             # the jobs and what they write

Each job trains with the package functions the notebooks show, at the notebooks' settings, and writes a
reference to ``data/reference/`` with ``forge_utils.reference.save_reference``: the settings, what ran it
(versions, device, processor, threads, seconds) and the runs (figures and curves per model and seed),
with model weights in safetensors where a notebook loads a trained model. A notebook reads it with
``load_reference(name, its own settings)``: a file made with other settings is refused.

- ``seeds``: seeds 0–2 of the experiments that notebooks 03, 04, 06, 07 and 09 show over three seeds;
- ``lms``: the language models of the thread (06's RNN, 07's LSTM, 11's GPT and its LSTM), trained past the
  notebooks' minute, with the weights the notebooks load;
- ``pretrain``: the course's own pre-trained Chinese encoder (10) and what it buys on two downstream tasks.
"""
