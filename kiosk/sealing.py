"""Personal fields sealed at rest to the office's public key (libsodium sealed boxes).

With `privacy.seal_to` set, the store seals every personal field of a sign-up
before it is written; exports and sync carry the sealed text
(`sealed:v1:<base64>`) and only the office, holding the private key, opens
them (`kiosk unseal`). A kiosk holds only the public key, so a stolen laptop or
stick reveals nothing. PyNaCl is imported only when sealing is used. No Qt here.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError

PREFIX = "sealed:v1:"
# Every field that names or reaches a person. Consent wording, interests, the
# donation reference and times are not personal and stay readable (the office
# needs them to prove consent without the key).
PERSONAL_FIELDS = ("first_name", "last_name", "name", "email", "phone")
KEY_BYTES = 32
# Plaintexts are padded to a multiple of this many bytes before sealing, so the
# sealed text tells a thief only roughly how long a name or address is.
PAD_BLOCK = 32
_KEY_HEADER = "# Freedom Kiosk office private key: keep it at the office, never on a kiosk.\n"


class SealingError(KioskError):
    """A key is missing, malformed or does not open the data."""

    exit_code = 2


def is_sealed(value: object) -> bool:
    """True for a sealed field ("sealed:v1:..."): Find must not match on these."""
    return isinstance(value, str) and value.startswith(PREFIX)


_SEALED_MAX = 2000  # a sealed 400-byte name is ~620 characters


def check_sealed_fields(data: dict[str, Any]) -> None:
    """Raise ValueError unless every personal field given is sealed text (none plain).

    A sealed record arriving by import is checked for shape only: its contents
    were validated by the kiosk that sealed it, and only the office can open them.
    """
    if not is_sealed(data.get("name")):
        raise ValueError("name: a sealed record has its name sealed")
    for key in PERSONAL_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if not is_sealed(value):
            raise ValueError(f"{key}: plain text beside sealed fields")
        body = value[len(PREFIX) :]
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{key}: damaged sealed text") from None
        if len(value) > _SEALED_MAX or len(raw) < 48 + PAD_BLOCK:
            raise ValueError(f"{key}: damaged sealed text")


def _nacl() -> Any:
    try:
        from nacl import exceptions, public
    except ImportError:  # pragma: no cover - PyNaCl is a dependency
        raise SealingError("sealing needs PyNaCl: reinstall the kiosk") from None
    return public, exceptions


PUBLIC_PREFIX = "fk-public:"
PRIVATE_PREFIX = "freedom-kiosk-private-key:"
PRIVATE_GIVEN = (
    "privacy.seal_to holds a PRIVATE key - use the public key `kiosk keygen` printed "
    "(it starts fk-public:); remove the private key file from this kiosk"
)


class PrivateKeyGivenError(SealingError):
    """The office's private key was put where the public key belongs (it is never echoed)."""


def parse_public_key(text: str) -> bytes:
    """A 32-byte public key: `fk-public:<base64>` as keygen prints it, or (older
    settings) bare base64 (44 characters) or hex (64). ValueError otherwise;
    PrivateKeyGivenError for anything from a private key file."""
    text = text.strip()
    lowered = text.lower()
    if PRIVATE_PREFIX in lowered or "private key" in lowered or "\n" in text:
        raise PrivateKeyGivenError(PRIVATE_GIVEN)
    if lowered.startswith(PUBLIC_PREFIX):
        text = text[len(PUBLIC_PREFIX) :].strip()
    raw: bytes | None = None
    if len(text) == 2 * KEY_BYTES:
        with contextlib.suppress(ValueError):
            raw = bytes.fromhex(text)
    if raw is None:
        with contextlib.suppress(binascii.Error, ValueError):
            raw = base64.b64decode(text, validate=True)
    if raw is None or len(raw) != KEY_BYTES:
        raise ValueError(
            "expected the public key `kiosk keygen` printed (fk-public: and 44 characters)"
        )
    return raw


def _pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4 padding (as libsodium's sodium_pad): 0x80, then zeros.
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("bad padding")
    return end[:-1]


@dataclass(frozen=True)
class KeyPair:
    private: bytes
    public: bytes

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public).decode("ascii")

    @property
    def public_text(self) -> str:
        """The public key as keygen prints it, for privacy.seal_to."""
        return PUBLIC_PREFIX + self.public_b64

    @property
    def public_hex(self) -> str:
        return self.public.hex()


def generate_keypair() -> KeyPair:
    public, _ = _nacl()
    key = public.PrivateKey.generate()
    return KeyPair(bytes(key), bytes(key.public_key))


def write_private_key(path: Path, pair: KeyPair) -> None:
    """Write the private key to a new file readable by its owner only; never overwrite."""
    path = Path(path)
    text = (
        _KEY_HEADER
        + PRIVATE_PREFIX
        + base64.b64encode(pair.private).decode("ascii")
        + f"\n# its public key, for privacy.seal_to: {pair.public_text}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        raise SealingError(
            f"{path} already exists: a key file is never overwritten (losing a private key "
            "loses every sign-up sealed to it). Choose another name."
        ) from None
    except OSError as exc:
        raise SealingError(f"couldn't create {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise SealingError(f"couldn't write {path}: {exc.strerror}") from None


KEY_FILE_MAX = 4096


def read_private_key(path: Path) -> bytes:
    """The private key in a file keygen wrote (`freedom-kiosk-private-key:` line, or
    the older bare base64 line). A regular file only; anything else is one clear line."""
    from kiosk.regular import read_regular

    path = Path(path)
    data = read_regular(path, KEY_FILE_MAX, what="key file", error=SealingError)
    not_key = SealingError(f"{path} is not a private key made by `kiosk keygen`")
    try:
        lines = data.decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise not_key from None
    body = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if len(body) != 1:
        raise not_key
    line = body[0]
    if line.lower().startswith(PUBLIC_PREFIX):
        raise SealingError(
            f"{path} holds a public key: unseal needs the private key file keygen wrote"
        )
    if line.startswith(PRIVATE_PREFIX):
        line = line[len(PRIVATE_PREFIX) :]
    try:
        raw = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise not_key
    return raw


class Sealer:
    """Seals text to one public key. Anyone can seal; only the private key opens."""

    def __init__(self, public_key: bytes | str) -> None:
        if isinstance(public_key, str):
            public_key = parse_public_key(public_key)
        public, _ = _nacl()
        self._box = public.SealedBox(public.PublicKey(public_key))

    def seal(self, text: str) -> str:
        sealed = self._box.encrypt(_pad(text.encode("utf-8")))
        return PREFIX + base64.b64encode(sealed).decode("ascii")

    def seal_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """`fields` with each personal value sealed (None and already sealed ones kept)."""
        out = dict(fields)
        for key in PERSONAL_FIELDS:
            value = out.get(key)
            if isinstance(value, str) and value and not is_sealed(value):
                out[key] = self.seal(value)
        return out

    def seal_record(self, record: Any) -> Any:
        """A copy of a SignupRecord with its personal fields sealed."""
        fields = self.seal_fields(
            {k: getattr(record, k) for k in PERSONAL_FIELDS if hasattr(record, k)}
        )
        changed = {k: v for k, v in fields.items() if v is not getattr(record, k)}
        if not changed:
            return record
        copy = object.__new__(type(record))
        copy.__dict__.update(record.__dict__)
        copy.__dict__.update(changed)
        return copy


class Opener:
    """Opens sealed text with the office's private key."""

    def __init__(self, private_key: bytes) -> None:
        public, exceptions = _nacl()
        self._box = public.SealedBox(public.PrivateKey(private_key))
        self._error = exceptions.CryptoError

    def open(self, text: str) -> str:
        try:
            raw = base64.b64decode(text[len(PREFIX) :], validate=True)
            return _unpad(self._box.decrypt(raw)).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError, self._error):
            raise SealingError(
                "this key does not open these sign-ups: they were sealed to another key "
                "(or the file is damaged)"
            ) from None

    def open_value(self, value: Any) -> Any:
        return self.open(value) if is_sealed(value) else value

    def open_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {k: self.open_value(v) if k in PERSONAL_FIELDS else v for k, v in fields.items()}


@dataclass(frozen=True)
class UnsealResult:
    path: Path
    rows: int
    opened: int
    # (row number, field) of each sealed value the key could not open (damaged):
    # left sealed in the output, so nothing is lost.
    failed: tuple[tuple[int, str], ...] = ()

    def problem(self) -> str | None:
        """One line naming the damaged rows and fields, or None."""
        if not self.failed:
            return None
        rows = sorted({row for row, _ in self.failed})
        fields = sorted({name for _, name in self.failed})
        shown = ", ".join(map(str, rows[:10])) + (
            f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        )
        return (
            f"{len(self.failed)} sealed fields could not be opened (damaged, left sealed in "
            f"{self.path}): rows {shown}; fields {', '.join(fields)}"
        )


class _Tally:
    """Opens sealed values one by one, counting what opened and what is damaged."""

    def __init__(self, opener: Opener) -> None:
        self.opener = opener
        self.opened = 0
        self.failed: list[tuple[int, str]] = []

    def open(self, value: Any, row: int, field: str) -> Any:
        if not is_sealed(value):
            return value
        try:
            text = self.opener.open(value)
        except SealingError:
            self.failed.append((row, field))
            return value
        self.opened += 1
        return text

    def check_key(self) -> None:
        if self.failed and not self.opened:
            raise SealingError(
                "this key opens none of these sign-ups: they were sealed to another key"
            )


UNSEAL_SUFFIXES = (".jsonl", ".csv", ".xlsx")
UNSEAL_MAX_BYTES = 4_000_000_000


def unseal_file(key_path: Path, src: Path, dst: Path) -> UnsealResult:
    """Open a sealed JSONL, CSV or XLSX export into `dst` (a new file of the same kind;
    atomic, never overwriting).

    JSONL: each record's personal fields are opened; the line is written as an
    unsealed export would write it. CSV: every sealed cell is opened and made
    formula-safe as an export would (a phone "+44..." becomes "'+44..."). A field
    the key cannot open is left sealed and reported (UnsealResult.failed); when no
    field opens at all, the key is the wrong one and nothing is written.
    """
    from kiosk.regular import open_regular

    src, dst = Path(src), Path(dst)
    suffix = src.suffix.lower()
    if suffix not in UNSEAL_SUFFIXES:
        raise SealingError(f"{src}: unseal opens .jsonl, .csv and .xlsx exports")
    if dst.suffix.lower() != suffix:
        raise SealingError(
            f"{dst}: the opened file is written as {suffix[1:].upper()}, like {src.name}: "
            f"give OUT the {suffix} suffix"
        )
    tally = _Tally(Opener(read_private_key(key_path)))
    if dst.exists():
        raise SealingError(f"{dst} already exists: choose another name")
    if not dst.parent.is_dir():
        raise SealingError(f"folder {dst.parent} does not exist")
    fd = open_regular(src, what="export", error=SealingError)
    if suffix == ".xlsx":
        os.close(fd)
        return _unseal_workbook(tally, src, dst)
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SealingError(f"couldn't read {src}: {exc.strerror}") from None
    try:
        if suffix == ".jsonl":
            text, rows = _unseal_jsonl(data, tally, src)
        else:
            text, rows = _unseal_csv(data, tally, src)
    except UnicodeDecodeError:
        raise SealingError(f"{src}: not UTF-8 text (is it an export?)") from None
    tally.check_key()
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    from kiosk.files import write_atomic

    try:
        write_atomic(dst, text.encode("utf-8"), tmp=tmp, private=True)
    except OSError as exc:
        raise SealingError(f"couldn't write {dst}: {exc.strerror}") from None
    return UnsealResult(dst, rows, tally.opened, tuple(tally.failed))


def _unseal_workbook(tally: _Tally, src: Path, dst: Path) -> UnsealResult:
    """XLSX: every sealed cell opened, written as text to a private file, then renamed."""
    from kiosk.exporting import neutralise
    from kiosk.files import fsync_dir
    from kiosk.sealing_xlsx import unseal_xlsx

    headers: dict[int, str] = {}

    def open_cell(cell: str, row: int, col: int) -> str:
        if row == 0:
            headers[col] = cell
        if not is_sealed(cell):
            return cell
        opened = tally.open(cell, row + 1, headers.get(col, f"column {col + 1}"))
        return cell if opened is cell else neutralise(opened)

    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        rows = unseal_xlsx(src, tmp, open_cell)
        tally.check_key()
        if dst.exists():
            raise SealingError(f"{dst} already exists: choose another name")
        os.replace(tmp, dst)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SealingError(f"couldn't write {dst}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(dst.parent)
    return UnsealResult(dst, rows, tally.opened, tuple(tally.failed))


def _unseal_jsonl(data: bytes, tally: _Tally, src: Path) -> tuple[str, int]:
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    out: list[str] = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise SealingError(f"{src}: line {number} is not JSON") from None
        if not isinstance(record, dict):
            raise SealingError(f"{src}: line {number} is not a record")
        opened = {
            k: tally.open(v, number, k) if k in PERSONAL_FIELDS else v for k, v in record.items()
        }
        out.append(dumps(opened) + "\n")
    return "".join(out), len(out)


def _unseal_csv(data: bytes, tally: _Tally, src: Path) -> tuple[str, int]:
    from kiosk.exporting import neutralise

    text = data.decode("utf-8")
    bom = text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text[1:] if bom else text, newline=""))
    buffer = io.StringIO(newline="")
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    rows = 0
    header: list[str] = []
    for row in reader:
        if not rows:
            header = row
        cells = []
        for col, cell in enumerate(row):
            if is_sealed(cell):
                name = header[col] if col < len(header) else f"column {col + 1}"
                opened = tally.open(cell, rows + 1, name)
                cell = cell if opened is cell else neutralise(opened)
            cells.append(cell)
        writer.writerow(cells)
        rows += 1
    return buffer.getvalue(), max(rows - 1, 0)
