"""The preload follows the stack programs' own attribute chains, so a plan imports nothing more."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aicommons.plan import load_stacks_package
from aicommons.plan.preload import module_chains
from tests.stacks import riverton
from tests.stacks.test_bundle_plan import write_stack_files


def test_chains_come_from_the_programs_source() -> None:
    chains = module_chains(Path(load_stacks_package().__file__).parent)
    assert ("pulumi_aws", ("ec2", "LaunchTemplate")) in chains
    assert ("pulumi_kubernetes", ("core", "v1", "Namespace")) in chains
    assert chains == sorted(set(chains))


_PLAN_AFTER_PRELOAD = """
import json, sys
from pathlib import Path
from aicommons.plan.preload import preload_stacks
preload_stacks()
before = set(sys.modules)
from aicommons.plan.bundle import plan_bundle
plan_bundle(Path(sys.argv[1]))
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.split(".")[0].startswith("pulumi"))))
"""


def test_a_plan_after_the_preload_imports_no_sdk_module(tmp_path: Path) -> None:
    bundle = write_stack_files(riverton.write_bundle(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", _PLAN_AFTER_PRELOAD, str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
