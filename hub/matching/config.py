"""Where the trained model lives and the thresholds in force (configuration, not code)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from domain.rules.matching import Thresholds
from hub.matching.model import DEFAULT_PATH, Model

MODEL_FILE = "matching_model.json"


def model_path(data_dir: Path) -> Path:
    return data_dir / MODEL_FILE


def load_model(data_dir: Path) -> Model:
    """The model trained on this hub's records (`hub matching train`), else the shipped one
    (trained on the benchmark's synthetic people: bench/matching.py --write-model)."""
    path = model_path(data_dir)
    return Model.load(path if path.exists() else DEFAULT_PATH)


def thresholds(environ: Mapping[str, str] | None = None) -> Thresholds:
    """HUB_MATCH_LINK_WEIGHT and HUB_MATCH_PROPOSE_WEIGHT (match weights, log2 odds)."""
    env = os.environ if environ is None else environ
    default = Thresholds()
    link = float(env.get("HUB_MATCH_LINK_WEIGHT", default.link))
    propose = float(env.get("HUB_MATCH_PROPOSE_WEIGHT", default.propose))
    if propose > link:
        raise ValueError("HUB_MATCH_PROPOSE_WEIGHT must not be above HUB_MATCH_LINK_WEIGHT")
    return Thresholds(link, propose)
