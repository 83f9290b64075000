import os

import pytest

from tocsin.privacy import Pseudonymiser, load_or_create_secret
from tocsin.sources.records import report_from_dict


def test_secret_created_once_with_private_mode(tmp_path):
    p = tmp_path / "db.secret"
    a = load_or_create_secret(p)
    assert os.stat(p).st_mode & 0o777 == 0o600
    assert load_or_create_secret(p) == a


def test_pseudonyms_are_keyed_stable_and_not_the_handle():
    p1 = Pseudonymiser(b"k" * 32)
    p2 = Pseudonymiser(b"j" * 32)
    a = p1.pseudonym("@Relief_Worker", "mastodon")
    assert a == p1.pseudonym("relief_worker", "mastodon")  # case and @ do not matter
    assert a != p2.pseudonym("relief_worker", "mastodon")  # another deployment, another key
    assert "relief" not in a.lower()
    assert "kkkk" not in repr(p1)


def test_report_never_keeps_the_raw_handle():
    ps = Pseudonymiser(b"k" * 32)
    r, _ = report_from_dict({"id": "1", "text": "flood", "author": "@alice_h"}, source="s",
                            pseudonymiser=ps)
    assert r.author_key and "alice" not in repr(r) and "alice" not in str(r.to_dict())


def test_author_without_pseudonymiser_is_refused():
    from tocsin.sources.records import BadInput

    with pytest.raises(BadInput):
        report_from_dict({"id": "1", "text": "x", "user": "bob"}, source="s", pseudonymiser=None)


def test_pseudonym_is_the_documented_hmac():
    """HMAC-SHA256(secret, platform:handle), 16 hex characters; repeated calls agree."""
    import hashlib
    import hmac

    ps = Pseudonymiser(b"k" * 32)
    for handle, platform in [("@Alice", "Mastodon"), ("bob", ""), ("Ünïcode", "bsky")] * 2:
        msg = f"{platform.casefold()}:{handle.strip().lstrip('@').casefold()}".encode()
        want = "a_" + hmac.new(b"k" * 32, msg, hashlib.sha256).hexdigest()[:16]
        assert ps.pseudonym(handle, platform) == want
