"""Where test data lives: the repository's own copies, and ../shared beside a checkout.

Tests read only SAMPLES and the packaged schemas; SHARED is read by the drift check alone,
which runs when that folder exists (a workspace) and is skipped in a plain clone.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples"
SHARED = ROOT.parent / "shared"
