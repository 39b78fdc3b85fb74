"""The Pulumi program's entry point: `pulumi/__main__.py` in a bundle calls `main()`.

The stack's name picks the program: `infra` or `platform`, or any name ending in `-infra` /
`-platform` (e.g. `riverton-infra`). Arguments come from the stack configuration
(`aicommons:infra` / `aicommons:platform`, see args.py).
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from aicommons_stacks.args import ArgsError, InfraArgs, PlatformArgs, parse
from aicommons_stacks.infra import infra_program
from aicommons_stacks.platform import platform_program

CONFIG_NAMESPACE = "aicommons"
# <bundle>/pulumi/aicommons_stacks/main.py -> <bundle>
DEFAULT_BUNDLE_ROOT = Path(__file__).resolve().parents[2]


def stack_kind(stack: str) -> str:
    """`infra` or `platform`, from the stack name."""
    for kind in ("infra", "platform"):
        if stack == kind or stack.endswith(f"-{kind}"):
            return kind
    raise ArgsError(f"stack {stack!r}: name it 'infra' or 'platform' (or '<anything>-infra' / '-platform')")


def main(bundle_root: Path | None = None) -> None:
    """Run the program the current stack stands for."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    kind = stack_kind(pulumi.get_stack())
    if kind == "infra":
        infra_program(parse(InfraArgs, config.require_object("infra"), "infra"))
    else:
        platform_program(
            parse(PlatformArgs, config.require_object("platform"), "platform"),
            bundle_root or DEFAULT_BUNDLE_ROOT,
        )
