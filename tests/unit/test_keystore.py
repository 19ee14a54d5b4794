"""The key store: item keys in files of their own, really gone once destroyed (A2)."""

from __future__ import annotations

import os

import pytest

from voicebox.crypto import generate_key
from voicebox.keystore import KeyStore, KeyStoreError

ITEM = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path):
    keys = KeyStore(tmp_path / "keys", generate_key())
    keys.ensure_folder()
    return keys


def test_a_created_key_reads_back_and_its_file_holds_only_ciphertext(store):
    key = store.create("petition", ITEM)

    assert store.get("petition", ITEM) == key
    stored = (store.folder / f"petition-{ITEM}.key").read_bytes()
    assert key not in stored and len(stored) >= 12 + 32 + 16
    assert oct((store.folder / f"petition-{ITEM}.key").stat().st_mode & 0o777) == "0o600"
    assert oct(store.folder.stat().st_mode & 0o777) == "0o700"


def test_destroy_overwrites_the_bytes_on_disk_before_removing_the_file(store):
    store.create("petition", ITEM)
    path = store.folder / f"petition-{ITEM}.key"
    before = path.read_bytes()
    # Keep the inode open, as a copy of the disk would keep its blocks.
    handle = os.open(path, os.O_RDONLY)
    try:
        assert store.destroy("petition", ITEM) is True
        after = os.pread(handle, len(before), 0)
    finally:
        os.close(handle)

    assert after == b"\x00" * len(before)
    assert not path.exists()
    assert store.get("petition", ITEM) is None
    assert store.destroy("petition", ITEM) is False


def test_a_key_can_not_be_created_twice_or_opened_under_another_master_key(store, tmp_path):
    store.create("concern", ITEM)
    with pytest.raises(KeyStoreError):
        store.create("concern", ITEM)
    with pytest.raises(KeyStoreError):
        KeyStore(store.folder, generate_key()).get("concern", ITEM)


def test_names_that_are_not_item_ids_are_refused(store):
    for kind, item in (("petition", "../secrets"), ("petition", ITEM.upper()), ("users", ITEM)):
        with pytest.raises(KeyStoreError):
            store.get(kind, item)


def test_a_folder_others_can_read_is_refused(tmp_path):
    folder = tmp_path / "open-keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(KeyStoreError, match="chmod 700"):
        KeyStore(folder, generate_key()).ensure_folder()


def test_rotating_the_master_key_rewraps_every_key(store):
    key = store.create("petition", ITEM)
    new_master = generate_key()

    assert store.rewrap(new_master) == 1
    assert KeyStore(store.folder, new_master).get("petition", ITEM) == key


def test_two_workers_making_one_key_at_once_leave_one_whole_key(store, monkeypatch):
    # The second worker writes and links its key between the first one's write and link,
    # as two browsers asking for token keys at once do.
    link = os.link
    theirs = generate_key()

    def link_after_another_worker(source, target):
        monkeypatch.setattr(os, "link", link)
        store.put("token", ITEM, theirs)
        link(source, target)

    monkeypatch.setattr(os, "link", link_after_another_worker)
    with pytest.raises(KeyStoreError, match="already exists"):
        store.put("token", ITEM, generate_key())

    assert store.get("token", ITEM) == theirs
    assert [path.name for path in store.folder.iterdir()] == [f"token-{ITEM}.key"]


def test_closing_an_item_also_shreds_a_copy_a_killed_writer_left_behind(store):
    store.create("petition", ITEM)
    # A worker killed between writing its temporary copy and linking it never reaches its
    # clean-up: the copy stays, wrapped under the same master key as the real file.
    leftover = store.folder / f".petition-{ITEM}.key.4242.00ff00ff00ff00ff.tmp"
    leftover.write_bytes((store.folder / f"petition-{ITEM}.key").read_bytes())
    handle = os.open(leftover, os.O_RDONLY)
    try:
        assert store.destroy("petition", ITEM) is True
        after = os.pread(handle, 64, 0)
    finally:
        os.close(handle)

    assert set(after) == {0}
    assert list(store.folder.iterdir()) == []
