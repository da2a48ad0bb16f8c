"""Pure game math: engines, random sources and RTP tools. No I/O and no aiohttp anywhere in this package."""

from games.engine import JSON, AnyEngine, Engine, MathProfile, MultiStep, MultiStepEngine, Outcome, SingleStep, Step
from games.errors import GameError, IllegalAction, InvalidBet, RoundFinished, UnknownEngine
from games.rng import Mapping, ProvablyFairStream, RandomSource, SeededSource, SourceRecord, commitment

__all__ = [
    "JSON",
    "AnyEngine",
    "Engine",
    "GameError",
    "IllegalAction",
    "InvalidBet",
    "Mapping",
    "MathProfile",
    "MultiStep",
    "MultiStepEngine",
    "Outcome",
    "ProvablyFairStream",
    "RandomSource",
    "RoundFinished",
    "SeededSource",
    "SingleStep",
    "SourceRecord",
    "Step",
    "UnknownEngine",
    "commitment",
]
