import pytest

from yingji.audit import keys


@pytest.fixture(scope="session")
def key_files(tmp_path_factory):
    """A checkpoint key made for the session, as `make run` makes one under var/ when none is configured."""
    folder = tmp_path_factory.mktemp("audit-keys")
    keys.generate(folder / "signing_key.pem", folder / "public_keys.txt", comment="tests")
    return folder / "signing_key.pem", folder / "public_keys.txt"


@pytest.fixture(autouse=True)
def checkpoint_key(key_files, settings, monkeypatch):
    """Every audit test signs and verifies with the session's key, never one found on the machine."""
    monkeypatch.delenv(keys.SIGNING_KEY_ENV, raising=False)
    settings.AUDIT_SIGNING_KEY_FILE, settings.AUDIT_PUBLIC_KEYS_FILE = key_files
    return key_files
