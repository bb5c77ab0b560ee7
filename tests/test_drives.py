"""Removable drives found without Qt: a fake /proc/mounts, fake Windows calls, folder rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kiosk.drives import (
    Drive,
    can_go_up,
    drive_root,
    flush_to_disk,
    format_size,
    linux_drives,
    subfolders,
    windows_drives,
)

MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0
/dev/sda1 /media/volunteer/KINGSTON vfat rw,nosuid,nodev,flush 0 0
/dev/sdb1 /run/media/anne/My\\040Photos exfat rw,nosuid 0 0
/dev/sdc1 /media/volunteer/LOCKED vfat ro,nosuid 0 0
/dev/sdd1 /mnt/backup ext4 rw 0 0
/dev/sda1 /media/volunteer/KINGSTON vfat rw,nosuid,nodev,flush 0 0
"""


def _drives(tmp_path: Path, text: str = MOUNTS, writable=lambda p: True) -> list[Drive]:
    mounts = tmp_path / "mounts"
    mounts.write_text(text)
    return linux_drives(mounts, writable=writable, free=lambda p: 14_200_000_000)


def test_linux_lists_writable_sticks_under_media_and_run_media_once(tmp_path):
    drives = _drives(tmp_path)
    assert [d.path for d in drives] == [
        Path("/media/volunteer/KINGSTON"),
        Path("/run/media/anne/My Photos"),
    ]
    assert [d.label for d in drives] == ["KINGSTON", "My Photos"]
    assert all(d.removable for d in drives)
    assert drives[0].describe() == "KINGSTON · 14.2 GB free"


def test_linux_leaves_out_sticks_we_cannot_write(tmp_path):
    drives = _drives(tmp_path, writable=lambda p: p.name != "KINGSTON")
    assert [d.label for d in drives] == ["My Photos"]


def test_no_stick_and_an_unreadable_mounts_file_give_an_empty_list(tmp_path):
    assert _drives(tmp_path, "/dev/nvme0n1p2 / ext4 rw 0 0\n") == []
    assert linux_drives(tmp_path / "missing") == []
    assert _drives(tmp_path, "garbage\n\n/dev/x\n") == []


class FakeKernel32:
    def __init__(self, types: dict[str, int], labels: dict[str, str]) -> None:
        self.types, self.labels = types, labels

    def logical_drives(self) -> int:
        return sum(1 << (ord(root[0]) - ord("A")) for root in self.types)

    def drive_type(self, root: str) -> int:
        return self.types[root]

    def volume_label(self, root: str) -> str:
        return self.labels.get(root, "")


def test_windows_lists_removable_letters_with_label_and_free_space():
    kernel = FakeKernel32(
        {"C:\\": 3, "D:\\": 2, "E:\\": 5, "F:\\": 2, "G:\\": 2},
        {"D:\\": "KINGSTON"},
    )
    free = {"D:\\": 8_000_000_000, "F:\\": 1_000, "G:\\": None}
    drives = windows_drives(kernel, free=lambda p: free[str(p)])
    assert [(d.label, d.free_bytes) for d in drives] == [
        ("KINGSTON (D:)", 8_000_000_000),
        ("USB drive (F:)", 1_000),
    ]  # G: is a card reader with no card


def test_sizes_read_like_a_file_manager():
    assert format_size(950) == "950 B"
    assert format_size(1_500_000) == "1.5 MB"
    assert format_size(3_200_000_000_000) == "3.2 TB"


def test_the_folder_picker_never_goes_above_its_root(tmp_path):
    root = tmp_path / "stick"
    (root / "exports" / "2026").mkdir(parents=True)
    (root / ".Trash-1000").mkdir()
    (root / "notes.txt").write_text("x")
    assert [p.name for p in subfolders(root)] == ["exports"]
    assert can_go_up(root / "exports" / "2026", root)
    assert can_go_up(root / "exports", root)
    assert not can_go_up(root, root)
    assert not can_go_up(tmp_path, root)
    assert subfolders(tmp_path / "missing") == []


def test_drive_root_is_a_mount_point_holding_the_path(tmp_path):
    root = drive_root(tmp_path)
    assert root == tmp_path or root in tmp_path.parents


def test_flush_to_disk_accepts_a_finished_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("a,b\n")
    flush_to_disk(target)
    assert target.read_text() == "a,b\n"


def test_drive_detection_does_not_import_qt():
    code = "import sys, kiosk.drives; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
