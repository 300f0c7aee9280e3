"""Charts drawn as PNG for the Word summary (matplotlib, off screen). Chinese labels need a CJK font:
the first of the usual ones found on the machine is used (Debian's fonts-noto-cjk, WenQuanYi, SimSun
on Windows); without any, the labels fall back to matplotlib's own font and the numbers still show.
Without matplotlib at all, `png` returns None and the summary carries the tables alone."""

from functools import cache
from io import BytesIO

from .charts import Chart

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "SimSun",
    "Microsoft YaHei",
)
COLOURS = ["#b3261e", "#e8590c", "#2f7ebc", "#5a9e6f", "#8e6cc2", "#6c757d"]


@cache
def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = [name for name in CJK_FONTS if name in installed]
    matplotlib.rcParams["font.sans-serif"] = [*found, "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return pyplot


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")


def png(chart: Chart) -> bytes | None:
    """The chart as a PNG about 16 cm wide, or None (no matplotlib, or nothing to draw)."""
    pyplot = _pyplot()
    if pyplot is None or not chart.rows or chart.empty:
        return None
    spec = chart.spec()
    labels = spec["labels"]
    figure, axes = pyplot.subplots(
        figsize=(7.5, 3.4 if chart.kind != "hbar" else max(2.4, 0.35 * len(labels) + 1))
    )
    try:
        _draw(axes, chart.kind, labels, spec["series"], spec["marks"])
        axes.set_title(chart.title, fontsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=150)
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def _draw(axes, kind: str, labels: list[str], series: list[dict], marks: list[dict]) -> None:
    positions = range(len(labels))
    if kind == "hbar":
        values = [_number(v) for v in series[0]["values"]]
        axes.barh(list(positions), values, color=COLOURS[0])
        axes.set_yticks(list(positions), labels, fontsize=8)
        axes.invert_yaxis()
        return
    if kind == "heatmap":
        grid = [[_number(v) for v in s["values"]] for s in series]
        image = axes.imshow(list(zip(*grid, strict=True)), aspect="auto", cmap="RdYlGn", vmin=0, vmax=100)
        axes.set_xticks(range(len(series)), [s["name"] for s in series], fontsize=8)
        axes.set_yticks(list(positions), labels, fontsize=8)
        axes.figure.colorbar(image, ax=axes, fraction=0.03)
        return
    if kind == "bar_stacked":
        bottom = [0.0] * len(labels)
        for i, s in enumerate(series):
            values = [_number(v) if v is not None else 0.0 for v in s["values"]]
            axes.bar(list(positions), values, bottom=bottom, label=s["name"], color=COLOURS[i % len(COLOURS)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    elif kind == "bar_line":
        axes.bar(
            list(positions),
            [_number(v) for v in series[0]["values"]],
            color=COLOURS[2],
            label=series[0]["name"],
        )
        if len(series) > 1:
            other = axes.twinx()
            other.plot(
                list(positions),
                [_number(v) for v in series[1]["values"]],
                color=COLOURS[0],
                marker="o",
                label=series[1]["name"],
            )
            other.set_ylim(0, 105)
            other.legend(loc="upper right", fontsize=8)
    else:
        for i, s in enumerate(series):
            axes.plot(
                list(positions),
                [_number(v) for v in s["values"]],
                marker="o",
                label=s["name"],
                color=COLOURS[i % len(COLOURS)],
            )
        for i, mark in enumerate(marks):
            axes.axhline(
                mark["value"], linestyle="--", color=COLOURS[(i + 4) % len(COLOURS)], label=mark["name"]
            )
    step = max(1, len(labels) // 12)
    axes.set_xticks(
        list(positions)[::step], labels[::step], fontsize=8, rotation=45 if len(labels) > 12 else 0
    )
    axes.legend(loc="upper left", fontsize=8)
