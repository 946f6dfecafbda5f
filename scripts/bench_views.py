"""Benchmark the HTML views: build time, file size and time to first draw in headless Chromium.

Usage::

    python scripts/bench_views.py                       # 1k, 5k and 20k nodes
    python scripts/bench_views.py --report 10000 --repeat 5   # report with views vs without
    python scripts/bench_views.py --sizes 1000 5000 --repeat 5
    python scripts/bench_views.py --markdown            # the table for the README

For each size a synthetic zone is generated (tiered chains of 12-16 segments, firms in one
segment each, supply links along FEEDS, a project per 25 firms). Measured:

- ``build``: Python time for the view data and layout (``graph_view``) plus writing the file;
- ``MB``: the size of the HTML file (vis-network inlined: about 0.47 MB of it);
- ``first draw``: from navigation start to the display compositor's swap of the first
  frame with the graph, in a fresh page of Debian's headless Chromium with every network
  request blocked, navigated once Chromium's processes are at rest (:func:`settle`; median
  of ``--repeat`` loads), read from a Chrome trace of the load (:func:`presented`). The
  page's script has drawn into the canvas earlier (``canvas drawn``, its first
  ``afterDrawing``), but Chromium rasterises canvas drawing when the frame is committed,
  and the frame then still has to reach the display;
- ``page CPU``: CPU time of the page's main thread up to the first draw (the thread time of
  its tasks in the same trace), which other jobs on a busy machine do not inflate;
  ``draw/CPU`` is the ratio of the two (target <= 1.2: the page waits on nothing but
  itself). The rest of the first draw, from the same trace: ``navigation`` (to the
  renderer's task that commits the navigation), ``descheduled`` (wall minus CPU inside the
  main thread's tasks: waiting for a core), ``idle`` (the main thread waiting between
  tasks before the drawing one) and ``frame`` (the drawing task's end to the swap: raster,
  activation, the compositors' frames);
- ``renderer CPU``: CPU time of the page's renderer process over the load, all its threads
  (the main thread, V8's compiler and collector helpers, raster);
- ``Chromium CPU``: CPU time of every Chromium process over the same load (browser process
  reading the file, the renderer's other threads: V8's compiler and collector helpers,
  raster; from ``SystemInfo.getProcessInfo``): the work of drawing the page that the main
  thread's figure leaves out;
- ``click ms``: a click on a node (the best-connected firm) until the page has redrawn the
  highlighted neighbourhood and opened its panel (median of 5 clicks on different firms);

both for the full graph (``aggregate_over`` set above the size) and, where the size is over
:data:`chaingraph.views.AGGREGATE_OVER`, for the default view with firms folded into their
segments.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from chaingraph.model import ChainGraph
from chaingraph.views import AGGREGATE_OVER, graph_view, write_html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser_fixtures import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"
TIERS = ("upstream", "midstream", "downstream")


def synthetic(n_nodes: int, seed: int = 0) -> ChainGraph:
    """A zone of about ``n_nodes`` nodes: one chain per 2500 nodes (at least 1)."""
    rng = random.Random(seed)
    G: ChainGraph = nx.MultiDiGraph()
    n_chains = max(1, n_nodes // 2500)
    G.add_node("zone", kind="Zone", name="合成开发区", grade="template")
    segs: list[str] = []
    for c in range(n_chains):
        cid = f"chain{c}"
        G.add_node(cid, kind="Chain", name=f"合成产业链{c}", grade="template")
        G.add_node(f"plat{c}", kind="Platform", name=f"产业平台{c}", grade="template")
        G.add_edge(f"plat{c}", cid, key="HOSTS", rel="HOSTS", grade="template")
        G.add_edge(f"plat{c}", "zone", key="LOCATED_IN", rel="LOCATED_IN", grade="template")
        own = []
        for s in range(rng.randint(12, 16)):
            sid = f"c{c}s{s}"
            tier = TIERS[min(2, s * 3 // 14)]
            G.add_node(sid, kind="Segment", name=f"环节{c}-{s}", tier=tier, grade="template")
            G.add_edge(cid, sid, key="HAS_SEGMENT", rel="HAS_SEGMENT", grade="template")
            own.append(sid)
        for i, sid in enumerate(own[1:], start=1):
            for up in rng.sample(own[:i], k=min(i, rng.randint(1, 2))):
                G.add_edge(up, sid, key="FEEDS", rel="FEEDS", grade="template")
        segs.extend(own)
    n_firms = max(0, int((n_nodes - len(G)) / 1.04))
    firms_in: dict[str, list[str]] = {s: [] for s in segs}
    for f in range(n_firms):
        fid = f"f{f}"
        seg = rng.choice(segs)
        local = rng.random() < 0.4
        G.add_node(fid, kind="Firm", name=f"合成企业{f}有限公司", local=local, grade="template")
        G.add_edge(fid, seg, key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
        firms_in[seg].append(fid)
    for seg in segs:
        ups = [u for u, _, k in G.in_edges(seg, keys=True) if k == "FEEDS"]
        for customer in firms_in[seg]:
            for _ in range(rng.randint(0, 3)):
                source = rng.choice(ups) if ups else None
                if source and firms_in[source]:
                    supplier = rng.choice(firms_in[source])
                    G.add_edge(supplier, customer, key="SUPPLIES", rel="SUPPLIES", grade="template")
    p = 0
    while len(G) < n_nodes:
        pid = f"p{p}"
        seg = rng.choice(segs)
        G.add_node(pid, kind="Project", name=f"合成项目{p}", grade="template")
        G.add_edge(pid, seg, key="IN_SEGMENT", rel="IN_SEGMENT", grade="template")
        if firms_in[seg]:
            G.add_edge(
                rng.choice(firms_in[seg]), pid, key="INVESTS_IN", rel="INVESTS_IN", grade="template"
            )
        p += 1
    return G


CLICK_JS = """async (ids) => {
  const times = [];
  for (const id of ids) {
    const t0 = performance.now();
    window.__cg.select(id, false);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(window.__cg.drawn - t0);
    window.__cg.select(null);
    await new Promise(r => requestAnimationFrame(r));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}"""


def click_ms(page: Any, cdp: Any) -> tuple[float, float]:
    """Median ms from selecting a node to the redrawn highlight, over the 5 firms with the
    most edges (the costliest neighbourhoods), and the page's main-thread CPU ms per click
    (which a busy machine does not inflate)."""
    ids = page.evaluate(
        """() => { const deg = {};
        window.__cg.data.edges.forEach(e => { deg[e.from] = (deg[e.from] || 0) + 1;
                                            deg[e.to] = (deg[e.to] || 0) + 1; });
        return window.__cg.data.nodes.filter(n => n.kind === 'Firm')
          .sort((a, b) => (deg[b.id] || 0) - (deg[a.id] || 0)).slice(0, 5).map(n => n.id); }"""
    )
    if not ids:
        return 0.0, 0.0

    def task() -> float:
        found = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return float(found.get("TaskDuration", 0.0))

    before = task()
    wall = float(page.evaluate(CLICK_JS, ids))
    cpu = (task() - before) * 1000 / (2 * len(ids))  # a select and an unselect per click
    return wall, cpu


def chromium_cpu(browser_cdp: Any) -> dict[int, tuple[str, float]]:
    """(type, CPU seconds so far) of each Chromium process (browser, GPU, renderers), by pid."""
    info = browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    return {int(p["id"]): (str(p["type"]), float(p["cpuTime"])) for p in info}


def settle(browser_cdp: Any, quiet_s: float = 0.01, most_s: float = 5.0) -> None:
    """Wait until Chromium's processes are at rest: under ``quiet_s`` CPU seconds over 0.2 s.

    A fresh context starts renderer processes (the page's, and one for Chromium's own UI)
    that go on initialising for about a second, on the same cores the measured load then
    needs: at 1k nodes that start-up doubled the first draw. A person opens a view in a
    browser that is already running; the load is measured from the same state.
    """
    end = time.monotonic() + most_s
    last = sum(t for _, t in chromium_cpu(browser_cdp).values())
    while time.monotonic() < end:
        time.sleep(0.2)
        now = sum(t for _, t in chromium_cpu(browser_cdp).values())
        if now - last < quiet_s:
            return
        last = now


#: what the trace must record: navigation start, every task of every thread with its CPU
#: time, the compositor's commits and activations, and the frames' way to the display
TRACE_CATEGORIES = [
    "blink.user_timing",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "graphics.pipeline",
]


class FrameNotTraced(ValueError):
    """The trace stopped before the frame with the graph reached the display."""


def reached(step: str, value: Any) -> Any:
    """``value``, the trace's mark of the graph's frame at ``step``; missing: FrameNotTraced."""
    if value is None:
        raise FrameNotTraced(f"the trace ends before the frame with the graph was {step}")
    return value


def after_draw(pause_ms: int = 200) -> str:
    """JavaScript that resolves once the drawn frame has surely reached the display.

    Two animation frames are not enough: the main thread may begin the next frame before the
    compositor activates the one with the graph, and on a loaded machine the display's swap
    comes later still. So: six frames, then ``pause_ms``.
    """
    return (
        "new Promise(r => { let n = 0; const next = () => ++n < 6 ? "
        f"requestAnimationFrame(next) : setTimeout(r, {int(pause_ms)}); "
        "requestAnimationFrame(next); })"
    )


def presented(trace: bytes, url: str, drawn_ms: float) -> dict[str, float]:
    """Where the wall time of a load went, read from a Chrome trace of it (all ms).

    ``drawn_ms`` is when the page's script finished drawing the graph into the canvas (the
    first ``afterDrawing``, ms after navigation start). That is not yet what a user sees:
    Chromium records canvas drawing and rasterises it when the page's main thread commits the
    frame, then the compositor activates it, submits it and the display compositor swaps it
    in. Returned:

    - ``presented``: navigation start to the swap of the first frame with the graph;
    - ``cpu``: the page's main-thread CPU (thread time of its tasks from that commit) up to
      then;
    - ``navigation``: navigation start to the renderer's task that commits the navigation
      (the browser asking for and reading the file, the renderer getting it);
    - ``descheduled``: wall minus CPU inside the main thread's tasks (waiting for a core);
    - ``idle``: the main thread waiting between tasks, from the commit to the drawing task;
    - ``pipeline``: the drawing task's end to the swap (commit, raster, activation, frames).
    """
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    nav = [
        e
        for e in events
        if e["name"] == "navigationStart"
        and e.get("args", {}).get("data", {}).get("documentLoaderURL") == url
    ][-1]
    t0, pid, tid = nav["ts"], nav["pid"], nav["tid"]
    drawn = t0 + drawn_ms * 1000

    def on_main(e: dict[str, Any]) -> bool:
        return bool(e["pid"] == pid and e["tid"] == tid and e.get("ph") == "X")

    tasks: list[dict[str, Any]] = []
    for e in sorted(
        (e for e in events if on_main(e) and e["name"] == "RunTask" and e["ts"] >= t0),
        key=lambda e: e["ts"],
    ):
        if not tasks or e["ts"] >= tasks[-1]["ts"] + tasks[-1]["dur"]:  # top level only
            tasks.append(e)
    # the task in which the renderer commits the navigation: the document starts there
    committed = min(
        e["ts"]
        for e in events
        if e["name"] == "commitNavigationEnd" and e["pid"] == pid and e["ts"] >= t0
    )
    tasks = [t for t in tasks if t["ts"] + t["dur"] >= committed]
    drawing = next(t for t in tasks if t["ts"] <= drawn <= t["ts"] + t["dur"])
    drawing_end = drawing["ts"] + drawing["dur"]
    # the frame the drawing went out in: the main thread's next commit, its activation on
    # the compositor thread, the compositor's next frame after that, and the display's swap
    commit = reached(
        "committed",
        min(
            (
                e["ts"] + e["dur"]
                for e in events
                if on_main(e) and e["name"] == "Commit" and e["ts"] + e["dur"] >= drawn
            ),
            default=None,
        ),
    )
    activated = reached(
        "activated",
        min(
            (
                e["ts"]
                for e in events
                if e["pid"] == pid
                and e["name"] == "Activation"
                and e.get("ph") == "e"
                and e["ts"] >= commit
            ),
            default=None,
        ),
    )

    def steps(step: str) -> list[dict[str, Any]]:
        return sorted(
            (
                e
                for e in events
                if e["name"] == "Graphics.Pipeline"
                and e.get("ph") == "X"
                and e["args"].get("chrome_graphics_pipeline", {}).get("step") == step
            ),
            key=lambda e: e["ts"],
        )

    def pipeline(e: dict[str, Any]) -> dict[str, Any]:
        return dict(e["args"]["chrome_graphics_pipeline"])

    submitted = reached(
        "submitted",
        next(
            (
                pipeline(e)["surface_frame_trace_id"]
                for e in steps("STEP_SUBMIT_COMPOSITOR_FRAME")
                if e["pid"] == pid and e["ts"] >= activated
            ),
            None,
        ),
    )
    display = reached(
        "aggregated",
        next(
            (
                pipeline(e)["display_trace_id"]
                for e in steps("STEP_SURFACE_AGGREGATION")
                if submitted in pipeline(e).get("aggregated_surface_frame_trace_ids", [])
            ),
            None,
        ),
    )
    swapped = reached(
        "swapped in",
        next(
            (
                e["ts"] + e["dur"]
                for e in steps("STEP_SWAP_BUFFERS_ACK")
                if pipeline(e)["display_trace_id"] == display
            ),
            None,
        ),
    )
    cpu = descheduled = idle = 0.0
    last_end = None
    for t in tasks:
        if t["ts"] >= swapped:
            break
        part = min(1.0, (swapped - t["ts"]) / t["dur"]) if t["dur"] else 1.0
        cpu += t.get("tdur", 0) * part
        descheduled += max(0.0, (t["dur"] - t.get("tdur", 0)) * part)
        if last_end is not None and t["ts"] <= drawing_end:
            idle += t["ts"] - last_end
        last_end = t["ts"] + t["dur"]
    return {
        "presented": (swapped - t0) / 1000,
        "cpu": cpu / 1000,
        "navigation": (tasks[0]["ts"] - t0) / 1000,
        "descheduled": descheduled / 1000,
        "idle": idle / 1000,
        "pipeline": (swapped - drawing_end) / 1000,
    }


def first_draw(browser: Any, path: Path, repeat: int, keep: Path | None = None) -> dict[str, Any]:
    """Medians over fresh pages of: the first draw (navigation start to the first frame with
    the graph on the display) and the page's main-thread CPU by then, both read from a
    Chrome trace of the load (:func:`presented`, with where the rest of the wall time went);
    the script's own first drawing into the canvas; the CPU seconds of the page's renderer
    and of every Chromium process over the load; the click ms. The CPU figures do not grow
    when other jobs share the machine; the wall figures do."""
    loads: list[dict[str, float]] = []
    alls: list[float] = []
    renderers: list[float] = []
    clicks: list[tuple[float, float]] = []
    browser_cdp = browser.new_browser_cdp_session()
    short = 0  # loads whose trace stopped before the frame was shown: measured again
    while len(loads) < repeat:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort(),
        )
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        settle(browser_cdp)
        browser.start_tracing(categories=TRACE_CATEGORIES)
        before = chromium_cpu(browser_cdp)
        page.goto(path.as_uri())
        # waited for inside the page (at each animation frame), not by asking it every few ms
        # from here: those round trips cost CPU on the same two cores the page needs
        try:
            value = page.wait_for_function("window.__cg && window.__cg.firstDraw", timeout=120_000)
            value = value.json_value()
        except PlaywrightTimeout:
            value = None
        after = chromium_cpu(browser_cdp)
        page.evaluate(after_draw(200 << short))
        trace = browser.stop_tracing()
        if keep is not None:  # for chrome://tracing or ui.perfetto.dev
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{path.stem}-{len(loads) + 1}.json").write_bytes(trace)
        if not value:
            raise RuntimeError(f"{path.name}: nothing drawn within 120 s")
        try:
            load = presented(trace, path.as_uri(), float(value))
        except FrameNotTraced as e:
            short += 1
            if short > 3:
                raise
            print(f"{e}: measured again, waiting longer", file=sys.stderr)
            context.close()
            continue
        spent = {
            pid: (kind, t - before.get(pid, (kind, 0.0))[1]) for pid, (kind, t) in after.items()
        }
        alls.append(sum(t for _, t in spent.values()))
        renderers.append(sum(t for kind, t in spent.values() if kind == "renderer"))
        load["drawn"] = float(value)
        loads.append(load)
        print({k: round(v, 1) for k, v in load.items()}, file=sys.stderr)
        clicks.append(click_ms(page, cdp))
        context.close()
    result: dict[str, Any] = {k: statistics.median(load[k] for load in loads) for k in loads[0]}
    result["ratio"] = statistics.median(load["presented"] / load["cpu"] for load in loads)
    result["renderer"] = statistics.median(renderers)
    result["chromium"] = statistics.median(alls)
    result["click"] = (
        statistics.median(c[0] for c in clicks),
        statistics.median(c[1] for c in clicks),
    )
    return result


def run(
    sizes: list[int], repeat: int, keep: Path | None = None, extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The rows of the table; ``extra``: more Chromium switches (``--browser-arg``)."""
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra])
        for n in sizes:
            G = synthetic(n)
            cases = [("full", 10**9)]
            if n > AGGREGATE_OVER:
                cases.append(("folded", AGGREGATE_OVER))
            for label, limit in cases:
                t0 = time.perf_counter()
                view = graph_view(G, title=f"bench {n}", aggregate_over=limit)
                path = write_html(view, Path(tmp) / f"bench-{n}-{label}.html")
                build = time.perf_counter() - t0
                m = first_draw(browser, path, repeat, keep)
                rows.append(
                    {
                        "graph nodes": len(G),
                        "view": label,
                        "drawn nodes": len(view.nodes),
                        "drawn edges": len(view.edges),
                        "build s": round(build, 2),
                        "file MB": round(path.stat().st_size / 1e6, 2),
                        "first draw s": round(m["presented"] / 1000, 2),
                        "page CPU s": round(m["cpu"] / 1000, 2),
                        "draw/CPU": round(m["ratio"], 2),
                        "navigation ms": round(m["navigation"]),
                        "descheduled ms": round(m["descheduled"]),
                        "idle ms": round(m["idle"]),
                        "frame ms": round(m["pipeline"]),
                        "canvas drawn s": round(m["drawn"] / 1000, 2),
                        "renderer CPU s": round(m["renderer"], 2),
                        "Chromium CPU s": round(m["chromium"], 2),
                        "click ms": round(m["click"][0]),
                        "click CPU ms": round(m["click"][1]),
                    }
                )
                print(rows[-1], file=sys.stderr)
        browser.close()
    return rows


def report_ratio(n_firms: int, repeat: int) -> dict[str, Any]:
    """CPU seconds of ``write_report`` on a synthetic zone with and without the views (the
    panorama, chain and gaps pages of every chain), runs interleaved, medians of ``repeat``
    (the best of a few runs picks a lucky one on a busy machine), and their ratio."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_analysis import generate

    from chaingraph.report import write_report

    G = generate(n_firms, n_firms * 4)
    spent: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeat):
        for views in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.process_time()
                write_report(G, tmp, views=views)
                spent[views].append(time.process_time() - t0)
    without, with_views = statistics.median(spent[False]), statistics.median(spent[True])
    return {
        "firms": n_firms,
        "nodes": len(G),
        "edges": G.number_of_edges(),
        "report CPU s, no views": round(without, 2),
        "with views": round(with_views, 2),
        "ratio": round(with_views / without, 2),
        "ratios, run by run": " ".join(
            f"{w / n:.1f}" for n, w in zip(spent[False], spent[True], strict=True)
        ),
    }


def load_average() -> str:
    """The 1-minute load average (other jobs on the machine inflate wall times)."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[0] if path.exists() else "?"


def markdown(rows: list[dict[str, Any]]) -> str:
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--traces", type=Path, metavar="DIR", help="keep the Chrome trace of each load in DIR"
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--browser-arg",
        action="append",
        default=[],
        metavar="SWITCH",
        help="one more Chromium switch for an experiment, e.g. "
        "--browser-arg=--js-flags=--single-threaded (V8 compiles on the main thread)",
    )
    parser.add_argument(
        "--report", type=int, metavar="FIRMS", help="time the report with and without views"
    )
    args = parser.parse_args()
    if args.report:
        start = load_average()
        row = report_ratio(args.report, args.repeat)
        print(markdown([row]) if args.markdown else row)
        print(f"\n(load average {start} at the start of the run, {load_average()} at the end)")
        return
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Chromium at {CHROMIUM}")
    start = load_average()
    rows = run(args.sizes, args.repeat, args.traces, tuple(args.browser_arg))
    if args.markdown:
        print(markdown(rows))
        print(f"\n(load average {start} at the start of the run, {load_average()} at the end)")
    else:
        for r in rows:
            print(r)


if __name__ == "__main__":
    main()
