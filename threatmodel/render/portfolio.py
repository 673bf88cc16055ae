"""The portfolio summary (one row per model and a total) as a terminal table and Markdown."""

from __future__ import annotations

from threatmodel.render.escape import markdown, terminal


def render_text(rows: list[list[str]]) -> str:
    """The summary as an aligned plain-text table."""
    rows = [[terminal(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return (
        "\n".join(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        )
        + "\n"
    )


def render_markdown(rows: list[list[str]]) -> str:
    """The summary as a GitHub-flavoured Markdown table (cells escaped)."""
    head, *body = rows
    lines = [
        "# Portfolio summary",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|",
    ]
    lines += ["| " + " | ".join(markdown(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"
