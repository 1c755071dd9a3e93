"""The config file: defaults, TOML and JSON, and errors that name the file and key."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from controlplane.config import EXAMPLE_TOML, ConfigError, Role, Target, load_config


def test_embedded_defaults_have_a_demo_token_per_role() -> None:
    config = load_config(None)
    assert config.source is None
    assert sorted(t.role for t in config.tokens) == [Role.OPERATOR, Role.READ_ONLY]
    assert config.listen == "127.0.0.1:8080"
    assert [(s.name, s.grpc_addr, s.device_id, s.target) for s in config.switches] == [
        ("edge1", "127.0.0.1:9559", 1, Target.SOFTSWITCH)
    ]
    assert {"default", "low", "high"} <= set(config.rate_profiles)
    assert config.database.name == "p4edge.db"


def test_toml_and_json_give_the_same_config(tmp_path: Path) -> None:
    toml_path = tmp_path / "c.toml"
    toml_path.write_text(EXAMPLE_TOML)
    json_path = tmp_path / "c.json"
    json_path.write_text(json.dumps(tomllib.loads(EXAMPLE_TOML)))
    from_toml, from_json = load_config(toml_path), load_config(json_path)
    assert (from_toml.tokens, from_toml.switches, from_toml.rate_profiles) == (
        from_json.tokens,
        from_json.switches,
        from_json.rate_profiles,
    )
    assert from_toml.database == tmp_path / "p4edge.db"  # relative to the file


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[api]\nlisten = "[::1]:9000"\n[registry]\ndatabase = "/var/lib/p4edge/r.db"\n')
    config = load_config(path)
    assert (config.listen_host, config.listen_port, config.listen) == ("::1", 9000, "[::1]:9000")
    assert config.database == Path("/var/lib/p4edge/r.db")
    assert config.tokens == () and config.switches == ()
    assert "default" in config.rate_profiles


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[api]\nlisten = 8080\n", "api.listen: must be a non-empty string"),
        ('[api]\nlisten = "localhost"\n', "api.listen: must be host:port"),
        ('[api]\nlisen = "x"\n', "api.lisen: unknown key"),
        ('colour = "red"\n', "colour: unknown key"),
        ('[[tokens]]\ntoken = "abcdefgh"\nrole = "admin"\n', "tokens[0].role: must be one of"),
        ('[[tokens]]\ntoken = "short"\nrole = "operator"\n', "tokens[0].token: must be at least 8"),
        (
            '[[switches]]\nname = "s"\ngrpc_addr = "x:1"\ndevice_id = "one"\n',
            "switches[0].device_id: must be an integer",
        ),
        ('[[switches]]\nname = "s"\n', "switches[0].grpc_addr: is required"),
        (
            '[[switches]]\nname = "s"\ngrpc_addr = "x:1"\ntarget = "tofino"\n',
            "switches[0].target: must be one of",
        ),
        ("[rate_profiles.x]\ncir = 10\ncburst = 10\npir = 5\n", "rate_profiles.x.pir: the peak rate"),
        ("[rate_profiles.x]\ncir = 0\ncburst = 10\n", "rate_profiles.x.cir: must be at least 1"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_unreadable_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    path = tmp_path / "c.json"
    path.write_text("{\n  oops\n}")
    with pytest.raises(ConfigError, match=r"c.json:2:3: not valid JSON"):
        load_config(path)
