"""How a withheld figure is shown. These were once small-number rules; on their own they do not
protect anyone against an insider (docs/disclosure-control.md), so every figure now goes
through the one release path (recruitment/monitoring/disclosure.py) whatever the preset, and the preset
only names the symbol a CSV shows where a figure is withheld."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    symbol: str
    label: str


PRESETS: dict[str, Preset] = {
    "nhs": Preset("nhs", "*", "NHS Digital style: withheld figures shown as *"),
    "ons": Preset("ons", "[c]", "ONS style: withheld figures shown as [c]"),
    "ofqual": Preset("ofqual", "fewer than 10", "Ofqual style: withheld figures in words"),
}
DEFAULT_PRESET = "nhs"
