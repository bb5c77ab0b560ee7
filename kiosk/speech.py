"""Read aloud: the system's offline speech engine, found and started only when first used.

EN 301 549 5.1.3.1 asks a closed kiosk for speech output. We drive eSpeak NG (Debian
package `espeak-ng`), which is offline, small, and has voices for English, Irish,
Polish and Ukrainian. No engine installed means no speaker control; nothing here runs
at start-up. No Qt here: the UI calls `say` from its thread and the engine speaks in
its own process, so the kiosk never waits on it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

# The most text one press reads: a slide or a step, never a page of legal text twice over.
MAX_CHARS = 1500
_BINARIES = ("espeak-ng", "espeak")


class Engine(Protocol):
    """What the speaker control needs of a speech engine."""

    def voice_for(self, language: str) -> str | None:
        """The engine's voice for a language code (en, ga, pl, uk), or None."""

    def say(self, text: str, language: str) -> bool:
        """Start reading `text` (stopping anything still being read); False if it can't."""

    def stop(self) -> None:
        """Stop reading now."""

    def speaking(self) -> bool:
        """Still reading the last text."""


Runner = Callable[..., subprocess.Popen]


@dataclass
class EspeakEngine:
    """eSpeak NG in a child process, one utterance at a time."""

    binary: str
    run: Runner = subprocess.Popen
    _voices: frozenset[str] | None = None
    _current: subprocess.Popen | None = field(default=None, repr=False)

    def voices(self) -> frozenset[str]:
        """Language codes with a voice (read once, on the first press)."""
        if self._voices is None:
            try:
                proc = self.run(
                    [self.binary, "--voices"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
                out, _ = proc.communicate(timeout=5)
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("speech engine did not list its voices (%s)", type(exc).__name__)
                out = ""
            self._voices = frozenset(_parse_voices(out))
        return self._voices

    def voice_for(self, language: str) -> str | None:
        voices = self.voices()
        base = language.split("-")[0]
        # eSpeak has no plain "en": British (then Irish) English suits a festival in NI.
        for candidate in (language, base, f"{base}-gb", f"{base}-ie"):
            if candidate in voices:
                return candidate
        return next((v for v in sorted(voices) if v.split("-")[0] == base), None)

    def say(self, text: str, language: str) -> bool:
        self.stop()
        voice = self.voice_for(language)
        text = " ".join(text.split())[:MAX_CHARS]
        if voice is None or not text:
            return False
        try:
            # Text on stdin, never on the command line: no length limit, nothing in `ps`.
            self._current = self.run(
                [self.binary, "-v", voice, "-s", "150"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert self._current.stdin is not None
            self._current.stdin.write(text)
            self._current.stdin.close()
        except (OSError, ValueError) as exc:
            log.warning("speech engine failed to start (%s)", type(exc).__name__)
            self._current = None
            return False
        return True

    def speaking(self) -> bool:
        return self._current is not None and self._current.poll() is None

    def stop(self) -> None:
        proc, self._current = self._current, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()


def _parse_voices(listing: str) -> list[str]:
    """Language codes from `espeak-ng --voices` (columns: Pty Language Age/Gender ...)."""
    codes = []
    for line in listing.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2:
            codes.append(parts[1])
    return codes


_engine: Engine | None = None
_searched = False


def find_engine(which: Callable[[str], str | None] = shutil.which) -> Engine | None:
    """The installed engine, looked for once (a PATH search: no process is started)."""
    global _engine, _searched
    if not _searched:
        _searched = True
        binary = next((found for name in _BINARIES if (found := which(name))), None)
        _engine = EspeakEngine(binary) if binary else None
        log.info("speech engine: %s", "eSpeak" if _engine else "none installed")
    return _engine


def reset_for_tests(engine: Engine | None = None, *, searched: bool = False) -> None:
    global _engine, _searched
    _engine, _searched = engine, searched


def spoken(parts: Sequence[str]) -> str:
    """Screen texts joined into one utterance, each part ending as a sentence."""
    out = []
    for part in parts:
        part = " ".join(part.split())
        if part:
            out.append(part if part[-1] in ".!?…:" else part + ".")
    return " ".join(out)
