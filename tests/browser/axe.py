"""axe-core on the pages a browser test opens: what it finds on each, counted by impact, as a readable list.

axe-core comes inside the axe-playwright-python package and is injected into the page from there, so it runs
offline. Serious and critical violations fail a test; moderate and minor ones are counted and printed (run
pytest with ``-s`` to see them for passing tests too) so that they stay in view.
"""

from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe

#: The impacts that fail a test.
BLOCKING = ("critical", "serious")
_AXE = Axe()


@dataclass
class Audit:
    """axe-core's violations on every page a test checked, by page name, so that one failure lists them all.

    ``where`` (e.g. the language) is put before every page's name.
    """

    where: str = ""
    found: dict[str, list[dict]] = field(default_factory=dict)

    def check(self, page, name: str) -> None:
        """Run axe-core on what ``page`` shows now (wait for it first); keep its violations under ``name``."""
        violations = _AXE.run(page).response["violations"]
        name = f"[{self.where}] {name}" if self.where else name
        self.found[name] = violations
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        print(
            f"axe {name}: serious/critical {_count(blocking)}, "
            f"moderate/minor {_count([v for v in violations if v not in blocking])}"
        )

    def assert_no_blocking(self) -> None:
        """Fail the test, listing every serious and critical violation, when any page checked had one."""
        report = self.blocking()
        if report:
            pytest.fail(f"axe-core found serious or critical violations:\n{report}", pytrace=False)

    def blocking(self) -> str:
        """The serious and critical violations found: a line per page and rule, then one per element."""
        lines = []
        for name, violations in self.found.items():
            for violation in violations:
                if violation["impact"] in BLOCKING:
                    lines.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}")
                    lines.extend(f"    {' '.join(node['target'])}{_why(node)}" for node in violation["nodes"])
        return "\n".join(lines)


def _count(violations: list[dict]) -> str:
    """How many rules are broken, and on how many elements: "2 rules (5 elements)"."""
    return f"{len(violations)} rules ({sum(len(v['nodes']) for v in violations)} elements)"


def _why(node: dict) -> str:
    """What axe-core measured on an element ("insufficient color contrast of 2.36 (…)"), after a dash."""
    checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
    messages = [check["message"] for check in checks if check.get("message")]
    return f" — {messages[0]}" if messages else ""
