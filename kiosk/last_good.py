"""The last content pack that loaded cleanly, kept in the data folder. No Qt here.

When a volunteer's edit breaks the configured pack, the kiosk keeps telling the
story with the copy kept here and Admin shows what is wrong, instead of a
crash loop or a blank stand. The copy is replaced atomically (a new folder,
then two renames) and only when the pack changed.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.content import Content
from kiosk.errors import ContentError
from kiosk.languages import ContentSet, load_content_set

log = logging.getLogger(__name__)

FOLDER = "last-good-pack"
_DIGEST = ".pack-digest"
_STAMP = ".pack-stamp"  # names, sizes and times of the files the digest was made from


@dataclass(frozen=True)
class LoadedPack:
    """What start-up shows: a pack (or none) and, if the configured one broke, why."""

    languages: ContentSet | None
    problems: list[str] | None  # None when the configured pack loaded cleanly
    from_last_good: bool = False
    complete: bool = True  # False: the default language alone, from load_first

    @property
    def content(self) -> Content | None:
        """The pack in its default language (what a new visitor sees)."""
        return self.languages.for_language(None) if self.languages else None


def load_or_last_good(content_dir: Path, data_dir: Path, **options: object) -> LoadedPack:
    """The configured pack; if it is broken, the last good one (with the problems).

    Every translation is loaded too: a broken one breaks the pack, as in check.
    """
    try:
        languages = load_content_set(content_dir, **options)
    except ContentError as exc:
        problems = exc.problems
        log.error("content pack %s is broken: %d problems", content_dir, len(problems))
        for line in problems:
            log.error("content: %s", line)
    else:
        return LoadedPack(languages, None)  # the caller calls remember() when it has time
    kept = last_good_folder(data_dir)
    if kept is None:
        return LoadedPack(None, problems)
    try:
        languages = load_content_set(kept, **options)
    except ContentError as exc:
        log.error("the last good pack no longer loads either: %d problems", len(exc.problems))
        return LoadedPack(None, problems)
    log.warning(
        "showing the last content pack that loaded cleanly (version %s)", languages.base.version
    )
    return LoadedPack(languages, problems, from_last_good=True)


def load_first(content_dir: Path, data_dir: Path, **options: object) -> LoadedPack:
    """What the first slide needs, and no more: the configured pack in its default
    language (English, and the default translation if that is another).

    Start-up paints from it, then calls load_or_last_good for every language; the
    other translations and their checks wait until the loop is on screen. A pack that
    breaks here is loaded the whole way at once, as before (then speed no longer matters).
    """
    try:
        first = load_content_set(content_dir, default_only=True, **options)
    except ContentError:
        return load_or_last_good(content_dir, data_dir, **options)
    return LoadedPack(first, None, complete=False)


def last_good_folder(data_dir: Path) -> Path | None:
    """The kept copy, finishing a swap that a power cut interrupted."""
    folder, old = data_dir / FOLDER, data_dir / f"{FOLDER}.old"
    if not folder.is_dir() and old.is_dir():
        try:
            old.rename(folder)
        except OSError:
            return old
    return folder if folder.is_dir() else None


def _pack_files(content: Content) -> list[Path]:
    """The pack's files inside its folder: content*.toml and the images it names."""
    folder = content.folder.resolve()
    files = sorted(p for p in folder.glob("content*.toml") if p.is_file())
    images = [content.brand.logo, *(s.image for s in content.slides)]
    for image in images:
        if image is not None and image.resolve().is_relative_to(folder) and image not in files:
            files.append(image)
    return files


def _stamp(folder: Path, files: list[Path]) -> str:
    lines = []
    for path in sorted(set(files)):
        info = path.stat()
        lines.append(f"{path.relative_to(folder)}\t{info.st_size}\t{info.st_mtime_ns}")
    return "\n".join(lines) + "\n"


def _digest(folder: Path, files: list[Path]) -> str:
    import hashlib  # only when the pack changed: it loads OpenSSL (~3 MiB resident)

    h = hashlib.sha256()
    for path in sorted(set(files)):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def remember(content: Content, data_dir: Path) -> bool:
    """Keep `content`'s pack as the last good one if it changed; True when copied.

    Never stops the kiosk: a read-only or full data folder is logged and skipped.
    """
    try:
        folder = content.folder.resolve()
        files = _pack_files(content)
        target = data_dir / FOLDER
        kept = target / _DIGEST
        unchanged = last_good_folder(data_dir) == target and kept.is_file()
        stamp = _stamp(folder, files)
        stamped = target / _STAMP
        # Most starts: the same files, untouched since they were kept. Nothing to read.
        if unchanged and stamped.is_file() and stamped.read_text(encoding="utf-8") == stamp:
            return False
        digest = _digest(folder, files)
        if unchanged and kept.read_text(encoding="ascii").strip() == digest:
            stamped.write_text(stamp, encoding="utf-8")  # touched, not changed
            return False
        new, old = data_dir / f"{FOLDER}.new", data_dir / f"{FOLDER}.old"
        shutil.rmtree(new, ignore_errors=True)
        for path in files:
            copy = new / path.resolve().relative_to(folder)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            _fsync(copy)
        (new / _DIGEST).write_text(digest + "\n", encoding="ascii")
        _fsync(new / _DIGEST)
        (new / _STAMP).write_text(stamp, encoding="utf-8")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        log.warning("could not keep a copy of the content pack: %s", exc.strerror or exc)
        return False
    log.info("kept content pack version %s as the last good one", content.version)
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
