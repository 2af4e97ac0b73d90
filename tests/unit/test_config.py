from __future__ import annotations

from pathlib import Path

import pytest

from akcli.config import (
    Config,
    env_name,
    load_dotenv,
    parse_duration,
    parse_overrides,
    set_key,
)
from akcli.errors import AkError
from akcli.paths import Paths


def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "cfg", tmp_path / "data", tmp_path / "cache")


def test_precedence_file_env_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = paths(tmp_path)
    set_key(p, "http.addr", "from-file")
    assert Config.load(p).get("http.addr") == "from-file"
    monkeypatch.setenv("AK_HTTP__ADDR", "from-env")
    assert Config.load(p).get("http.addr") == "from-env"
    assert Config.load(p, {"http.addr": "from-flag"}).get("http.addr") == "from-flag"


def test_dotenv_loads_without_overriding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = paths(tmp_path)
    p.config_home.mkdir(parents=True)
    p.env_file.write_text("# c\nexport AK_LOGGER__LEVEL='debug'\nAK_HTTP__ADDR=x:1\n")
    monkeypatch.setenv("AK_HTTP__ADDR", "kept:2")
    cfg = Config.load(p)
    assert cfg.get("logger.level") == "debug"
    assert cfg.get("http.addr") == "kept:2"


def test_dotenv_parse_error(tmp_path: Path) -> None:
    f = tmp_path / ".env"
    f.write_text("not a pair\n")
    with pytest.raises(AkError, match=r"^\.env file loading error: line 1"):
        load_dotenv(f)


def test_set_key_writes_nested_private_file(tmp_path: Path) -> None:
    p = paths(tmp_path)
    set_key(p, "webhooks.max_body_size", "10")
    assert "webhooks:\n  max_body_size: '10'\n" in p.config_file.read_text()
    assert p.config_file.stat().st_mode & 0o777 == 0o600
    assert p.config_home.stat().st_mode & 0o777 == 0o700


def test_set_key_rejects_unknown(tmp_path: Path) -> None:
    with pytest.raises(AkError, match='key "a.b" is not a valid configuration'):
        set_key(paths(tmp_path), "a.b", "1")
    assert not paths(tmp_path).config_file.exists()


def test_broken_config_file(tmp_path: Path) -> None:
    p = paths(tmp_path)
    p.config_home.mkdir(parents=True)
    p.config_file.write_text("a: [\n")
    with pytest.raises(AkError, match="^invalid config file"):
        Config.load(p)


@pytest.mark.parametrize(
    ("text", "secs"),
    [("30s", 30), ("100ms", 0.1), ("1m30s", 90), ("2h", 7200), ("5", 5)],
)
def test_parse_duration(text: str, secs: float) -> None:
    assert parse_duration(text) == pytest.approx(secs)


@pytest.mark.parametrize("text", ["", "5x", "s", "1m 2s"])
def test_parse_duration_bad(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_overrides_and_env_names() -> None:
    assert parse_overrides(["a.b=c=d"]) == {"a.b": "c=d"}
    with pytest.raises(AkError, match='invalid config argument "bad"'):
        parse_overrides(["bad"])
    assert env_name("http.service_url") == "AK_HTTP__SERVICE_URL"


def test_service_url_default_is_local(tmp_path: Path) -> None:
    cfg = Config.load(paths(tmp_path))
    assert cfg.service_url == "http://localhost:9980"
    assert (
        Config.load(paths(tmp_path), {"http.service_url": "h:1"}).service_url
        == "http://h:1"
    )
