"""litellm, imported lazily (it takes seconds): the route for every vendor model string, and
the price map."""

from __future__ import annotations

import os
from typing import Any


_litellm: Any = None
_PRICES: dict[str, tuple[float, float] | None] = {}


def _lib() -> Any:
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never download the price map
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        import logging

        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _litellm = litellm
    return _litellm


def price_per_token(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token from litellm's bundled price map, or None if unknown."""
    if model in _PRICES:
        return _PRICES[model]
    try:
        info = _lib().get_model_info(model)
    except Exception:  # unknown to the price map
        info = {}
    cin, cout = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    price = None if cin is None or cout is None else (float(cin), float(cout))
    _PRICES[model] = price
    return price
