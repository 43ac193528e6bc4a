"""forge_utils: the small helper package of Forge · 从独热编码到 Transformer.

One module per concept: ``device`` (device and seeds), ``text`` (vocab and tokenizers),
``data`` (the data the course ships or finds offline), ``plots`` (CJK-ready figures),
``exercises`` (self-checks). Chapter modules (embeddings, sequence, attention, transformer)
hold the finished versions of what the notebooks build inline.
"""
from forge_utils.device import environment_report, get_device, set_seed

__version__ = "0.1.0"
__all__ = ["get_device", "set_seed", "environment_report", "__version__"]
