"""``docs/lifecycle.md`` is generated from the lifecycle declaration and kept up to date."""

import re
from pathlib import Path

from mediation import lifecycle

DOC = Path(__file__).resolve().parent.parent / "docs" / "lifecycle.md"
REGENERATE = "flask --app mediation mediation lifecycle-doc"
EDGE = re.compile(r"^    (\w+) --> (\w+): (\w+) \(([\w/]+)\)$")


def test_the_document_is_up_to_date(app):
    with app.app_context():
        expected = lifecycle.markdown()
    assert DOC.exists(), f"docs/lifecycle.md is missing; run `{REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == expected, (
        f"docs/lifecycle.md is out of date with mediation/lifecycle.py; run `{REGENERATE}` and commit it"
    )


def test_the_diagram_has_an_edge_for_every_step_from_every_source():
    edges = {}
    for line in lifecycle.mermaid().splitlines():
        match = EDGE.match(line)
        if match:
            source, dest, trigger, _who = match.groups()
            assert (source, trigger) not in edges, f"two edges for {trigger} from {source}"
            edges[source, trigger] = dest
    expected = {
        (source, trigger): source if step.dest == "=" else step.dest
        for trigger, step in lifecycle.STEPS.items()
        for source in step.sources
    }
    assert edges == expected
    assert "```mermaid\n" + lifecycle.mermaid() in DOC.read_text(encoding="utf-8")


def test_the_diagram_starts_at_intake_and_ends_when_closed():
    lines = lifecycle.mermaid().splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert f"    [*] --> {lifecycle.INITIAL_STATE}: intake" in lines
    assert "    closed --> [*]" in lines


def test_the_step_table_lists_every_step_with_who_may_fire_it():
    text = DOC.read_text(encoding="utf-8")
    for trigger, step in lifecycle.STEPS.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{trigger}` |")), None)
        assert row is not None, f"{trigger} is missing from the step table"
        assert all(role in row for role in step.roles)
        assert all(f"`{field.name}`" in row for field in step.fields)


def test_the_check_command_agrees(app):
    result = app.test_cli_runner().invoke(args=["mediation", "lifecycle-doc", "--check"])
    assert result.exit_code == 0, result.output
