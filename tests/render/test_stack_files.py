"""A re-render keeps what the engine wrote into the bundle's stack files (salt, ciphertext)."""

from __future__ import annotations

from pathlib import Path

import yaml

from aicommons.render.files import yaml_bytes
from aicommons.render.stack_files import without_engine_keys
from aicommons.render.write import write_bundle

RENDERED = {
    # the lock lists what aicommons wrote: only those files are its to replace
    "aicommons.lock.json": b'{"files": {"pulumi/Pulumi.platform.yaml": "sha256:0"}}\n',
    "pulumi/Pulumi.platform.yaml": yaml.safe_dump({"config": {"aicommons:platform": {"city": "x"}}}).encode(),
}


def test_engine_keys_survive_a_rewrite(tmp_path: Path) -> None:
    write_bundle(RENDERED, tmp_path)
    stack_file = tmp_path / "pulumi" / "Pulumi.platform.yaml"
    engine_wrote = {
        "encryptionsalt": "v1:c2FsdA==:v1:AAAA:BBBB",
        "config": {
            "aicommons:platform": {"city": "x"},
            "aicommons:oidcClientSecret": {"secure": "v1:Y2lwaGVy"},
        },
    }
    stack_file.write_text(yaml.safe_dump(engine_wrote))
    rendered = {
        **RENDERED,
        "pulumi/Pulumi.platform.yaml": yaml.safe_dump(
            {"config": {"aicommons:platform": {"city": "y"}}}
        ).encode(),
    }
    write_bundle(rendered, tmp_path)
    data = yaml.safe_load(stack_file.read_text())
    assert data["encryptionsalt"].startswith("v1:")
    assert data["config"] == {
        "aicommons:platform": {"city": "y"},
        "aicommons:oidcClientSecret": {"secure": "v1:Y2lwaGVy"},
    }
    write_bundle(rendered, tmp_path)  # idempotent
    assert yaml.safe_load(stack_file.read_text()) == data


def test_nothing_to_keep_in_a_new_bundle(tmp_path: Path) -> None:
    write_bundle(RENDERED, tmp_path)
    assert (tmp_path / "pulumi" / "Pulumi.platform.yaml").read_bytes() == RENDERED[
        "pulumi/Pulumi.platform.yaml"
    ]


def test_without_engine_keys_gives_back_what_render_wrote() -> None:
    rendered = yaml_bytes({"config": {"aicommons:platform": {"city": "x", "tags": {"a": "b"}}}})
    engine_wrote = yaml.safe_dump(  # Pulumi rewrites the file in its own layout
        {
            "encryptionsalt": "v1:c2FsdA==",
            "config": {
                "aicommons:oidcClientSecret": {"secure": "v1:Y2lwaGVy"},
                **yaml.safe_load(rendered)["config"],
            },
        }
    ).encode()
    assert without_engine_keys(engine_wrote) == rendered
    assert without_engine_keys(rendered) == rendered  # untouched files stay byte for byte
    assert without_engine_keys(b"not: [yaml") == b"not: [yaml"
