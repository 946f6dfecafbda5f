"""The README's command reference: the ``--help`` of every command, generated.

The README holds it between cog markers; regenerate with ``python -m cogapp -r README.md``.
``tests/test_readme.py`` fails when the README and ``--help`` disagree.
"""

from __future__ import annotations

import click
from click.testing import CliRunner

from chaingraph.cli import cli

#: the width the help is rendered at, whatever the terminal
WIDTH = 80


def command_paths() -> list[list[str]]:
    """Every command as its words after ``chaingraph``: groups first, then their commands."""
    ctx = click.Context(cli)
    paths: list[list[str]] = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        paths.append([name])
        if isinstance(cmd, click.Group):
            sub = click.Context(cmd, parent=ctx)
            paths.extend([name, s] for s in cmd.list_commands(sub))
    return paths


def help_text(path: list[str]) -> str:
    """What ``chaingraph PATH --help`` prints."""
    result = CliRunner().invoke(
        cli, [*path, "--help"], prog_name="chaingraph", terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"chaingraph {' '.join(path)} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def reference() -> str:
    """Markdown: the main help, then one folded block per command."""
    parts = ["```text\n$ chaingraph --help\n" + help_text([]) + "```\n"]
    for path in command_paths():
        name = " ".join(path)
        parts.append(
            f"<details><summary><code>chaingraph {name}</code></summary>\n\n"
            f"```text\n$ chaingraph {name} --help\n{help_text(path)}```\n\n</details>\n"
        )
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
