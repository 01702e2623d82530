"""The server-side SVG charts (``mediation.charts``): well-formed, one bar per value with the value printed
beside it, labels escaped, titled for screen readers, patterned for greyscale."""

import xml.etree.ElementTree as ET

from mediation import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))


def texts(svg) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


def bars(svg) -> list[tuple[str, str]]:
    return [
        (r.get("data-series"), r.get("data-value"))
        for r in svg.iter(f"{SVG}rect")
        if r.get("class") == "chart-bar"
    ]


def test_grouped_bars_one_per_series_and_month_with_values_and_a_legend():
    svg = parse(
        charts.bar_chart(
            "Opened & closed <per month>",
            "Registered and first closed",
            ["Oct 2026", "Nov 2026"],
            [charts.Series("Opened", [1, 4]), charts.Series("Closed", [0, 3])],
        )
    )
    assert svg.get("role") == "img" and svg.get("aria-label") == "Opened & closed <per month>"
    assert svg.find(f"{SVG}title").text == "Opened & closed <per month>"
    assert svg.find(f"{SVG}desc").text == "Registered and first closed"
    assert svg.get("width") == "100%" and svg.get("viewBox").startswith("0 0 360 ")
    assert "Noto Sans CJK SC" in svg.get("font-family")
    assert bars(svg) == [("Opened", "1"), ("Closed", "0"), ("Opened", "4"), ("Closed", "3")]
    assert [g.get("data-label") for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-row"] == [
        "Oct 2026",
        "Nov 2026",
    ]
    assert texts(svg) == ["Opened", "Closed", "Oct 2026", "1", "0", "Nov 2026", "4", "3"]
    fills = {r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"}
    patterns = [p.get("id") for p in svg.iter(f"{SVG}pattern")]
    assert len(patterns) == 2 and fills == {f"url(#{p})" for p in patterns}  # each series its own pattern
    assert len(list(svg.iter(f"{SVG}path"))) >= 1  # the second is hatched: apart in greyscale


def test_a_rate_chart_scales_to_one_hundred_per_cent_and_prints_a_dash_for_none():
    svg = parse(
        charts.bar_chart(
            "Closure rate by station",
            "Share closed",
            ["西固解纷驿站", "东海街解纷驿站"],
            [charts.Series("Closure rate", [0.5, None])],
            maximum=1,
            show=charts.percent,
        )
    )
    assert bars(svg) == [("Closure rate", "0.5")]
    bar = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar")
    assert float(bar.get("width")) == (charts.WIDTH - charts.VALUE_ROOM) / 2
    assert texts(svg) == ["西固解纷驿站", "50%", "东海街解纷驿站", "—"]
    assert svg.find(f"{SVG}g[@class='chart-legend']") is None  # one series: no legend


def test_stacked_bars_show_each_outcome_and_the_total():
    svg = parse(
        charts.bar_chart(
            "Outcomes by category",
            "By outcome of the first closure",
            ["Neighbours", "Contracts"],
            [
                charts.Series(n, v)
                for n, v in (("Resolved", [10, 0]), ("Failed", [5, 0]), ("Withdrawn", [1, 2]))
            ],
            stacked=True,
        )
    )
    assert bars(svg) == [("Resolved", "10"), ("Failed", "5"), ("Withdrawn", "1"), ("Withdrawn", "2")]
    neighbours = next(g for g in svg.iter(f"{SVG}g") if g.get("data-label") == "Neighbours")
    assert texts(neighbours)[0] == "Neighbours" and texts(neighbours)[-1] == "16"  # the total at the end
    assert "10" in texts(neighbours)  # wide enough: its value inside it
    widths = [float(r.get("width")) for r in neighbours.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert abs(sum(widths) - (charts.WIDTH - charts.VALUE_ROOM)) < 0.5  # the longest row fills the scale


def test_no_rows_still_draws_a_well_formed_chart():
    svg = parse(charts.bar_chart("Nothing", "Empty", [], [charts.Series("Opened", [])]))
    assert bars(svg) == [] and texts(svg) == ["—"]


def test_chart_ids_differ_so_that_two_charts_share_a_page():
    one = parse(charts.bar_chart("a", "b", ["x"], [charts.Series("s", [1]), charts.Series("t", [2])]))
    two = parse(charts.bar_chart("a", "b", ["x"], [charts.Series("s", [1]), charts.Series("t", [2])]))
    ids = lambda svg: {e.get("id") for e in svg.iter() if e.get("id")}  # noqa: E731
    assert ids(one) and not ids(one) & ids(two)
