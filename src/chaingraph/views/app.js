/* chaingraph view page. Every string from the data is put in the page with textContent or
   as a canvas label; nothing from the data ever reaches innerHTML or an HTML title. */
(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  // nodes and edges travel as columns (views/html.py): one record each again, with the
  // fields left out at their default put back. A column is a list, or repeating values sent
  // once with an index per record (codes), or lists of rows sent once (lists), or an edge's
  // ends as positions among the nodes (nodes)
  function column(c, nodeIds) {
    if (Array.isArray(c)) return c;
    if (c.codes) return c.codes.map(function (i) { return c.values[i]; });
    if (c.lists) return c.lists.map(function (l) { return l.map(function (i) { return c.rows[i]; }); });
    return c.nodes.map(function (i) { return nodeIds[i]; });
  }
  function records(c, nodeIds) {
    var keys = Object.keys(c.dense), cols = keys.map(function (k) { return column(c.dense[k], nodeIds); });
    var n = keys.length ? cols[0].length : 0;
    var out = new Array(n);
    for (var i = 0; i < n; i++) {
      var r = {};
      for (var k = 0; k < keys.length; k++) r[keys[k]] = cols[k][i];
      out[i] = r;
    }
    Object.keys(c.sparse).forEach(function (key) {
      var col = c.sparse[key];
      Object.keys(col).forEach(function (i) { out[+i][key] = col[i]; });
    });
    return out;
  }
  var nodeIds = column(data.nodes.dense.id);
  data.nodes = records(data.nodes);
  data.edges = records(data.edges, nodeIds);
  data.members = records(data.members);  // folded firms: found by search, alt names optional
  // moving: true while the view animates (focus, zoom); tests click nodes only when false
  var state = { ready: false, firstDraw: null, selected: null, focused: null, moving: false,
                timing: { start: t0, parsed: performance.now() } };
  window.__cg = state;
  state.data = data;

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var SVGNS = "http://www.w3.org/2000/svg";
  var EDGE_GREY = "#90a4ae";
  var SELECTION_WIDTH = 1.5;  // added to a selected edge's width (vis's selectionWidth)
  var DIM_BG = "#eceff1", DIM_BORDER = "#d5dbe0", DIM_FONT = "#c0c7cd", DIM_EDGE = "#e6e9ec";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  }

  document.title = data.title;
  document.getElementById("title").textContent = data.title;
  document.getElementById("subtitle").textContent = data.subtitle || "";
  document.getElementById("notice").textContent = data.notice || "";
  document.getElementById("sizeby").textContent = data.sizeBy || "";
  if (data.reportHref) {
    var back = document.getElementById("back");
    back.setAttribute("href", data.reportHref);
    back.hidden = false;
  }

  var kindLabel = {};
  Object.keys(data.kindLabels || {}).forEach(function (k) { kindLabel[k] = data.kindLabels[k]; });
  data.legend.forEach(function (k) { kindLabel[k.kind] = k.label; });
  var gradeLabel = { group: "汇总" };
  data.grades.forEach(function (g) { gradeLabel[g.grade] = g.label; });
  function gradeShown(g) { return g === "group" || !!shownGrades[g]; }

  // ---- nodes and edges for vis --------------------------------------------------------------
  var byId = {};
  var visNodes = [];
  var large = data.large;
  var groups = {};
  Object.keys(data.styles).forEach(function (k) {
    var st = data.styles[k];
    groups[k] = {
      shape: st.shape,
      color: { background: st.bg, border: st.border,
               highlight: { background: st.bg, border: "#000000" },
               hover: { background: st.bg, border: "#000000" } },
      borderWidth: st.dashes || k === "weak" ? 2.5 : 1.5,
      shapeProperties: { borderDashes: st.dashes ? [5, 4] : false }
    };
  });
  // labels are drawn by the page (see drawLabels), not by vis: constant size on screen,
  // the important ones first, none on top of another
  // one shared object where many records hold the same (read only): fewer objects for V8's
  // collector to move before the first draw
  var NONE = Object.freeze([]), nodeLooks = {}, edgeLooks = {};
  var RANK = { Zone: 0, Chain: 1, Platform: 2, Park: 3, Segment: 4, Group: 6, Project: 7, Firm: 8 };
  data.nodes.forEach(function (n) {
    if (n.label === undefined) n.label = n.name;
    if (n.flag === undefined) n.flag = null;
    if (!n.alt) n.alt = NONE;
    if (!n.info) n.info = NONE;
    if (!n.src) n.src = NONE;
    byId[n.id] = n;
    if (!groups[n.style]) n.style = "Other";
    n.look = nodeLooks[n.style] = nodeLooks[n.style] || { color: groups[n.style].color };
    n.lines = String(n.label).split("\n");
    n.rank = (RANK[n.kind] === undefined ? 9 : RANK[n.kind]) - (n.flag === "center" ? 10 : 0);
    if (n.kind === "Firm" && n.size >= 20) n.rank = 3.5;  // a leading firm before segments
    var vn = { id: n.id, x: n.x, y: n.y, size: n.size, group: n.style };
    if (n.flag === "center") vn.borderWidth = 4;
    visNodes.push(vn);
  });
  // drawing order of labels: by kind, then bigger first
  var labelOrder = data.nodes.slice().sort(function (a, b) {
    return a.rank - b.rank || b.size - a.size || (a.id < b.id ? -1 : 1);
  });
  var memberById = {};
  (data.members || []).forEach(function (m) {
    if (!m.alt) m.alt = NONE;
    memberById[m.id] = m;
  });
  // a large view's edges are drawn by the page (drawEdges), not handed to vis-network: for
  // each edge vis builds an object with its own copy of every edge option, which took most
  // of a 5k-node view's first draw
  var ownEdges = large;
  state.ownEdges = ownEdges;
  var visEdges = [];
  data.edges.forEach(function (e, i) {
    e.id = i;
    if (e.dashes === undefined) e.dashes = false;
    if (!e.info) e.info = NONE;
    if (!e.src) e.src = NONE;
    var dashed = e.dashes || (byId[e.from] && byId[e.from].style === "gap") ||
      (byId[e.to] && byId[e.to].style === "gap");
    var faint = data.flow && (e.rel === "HAS_SEGMENT" || e.rel === "IN_SEGMENT");
    var color = e.rel === "SUPPLIES" ? "#2e7d32" : e.rel === "FEEDS" ? "#1565c0" : EDGE_GREY;
    var lookKey = color + (faint ? " faint" : "");
    e.look = edgeLooks[lookKey] = edgeLooks[lookKey] || { color: color, opacity: faint ? 0.35 : 0.85 };
    e.width = e.rel === "SUPPLIES" || e.rel === "FEEDS" ? 1.6 : 1;
    e.dashed = !!dashed;
    if (ownEdges) return;
    // only what differs from the defaults below: vis copies every option of every edge
    var ve = { id: i, from: e.from, to: e.to };
    if (!large && !faint) ve.label = e.label;
    if (dashed) ve.dashes = [6, 5];
    if (e.look.color !== EDGE_GREY || e.look.opacity !== 0.85) {
      ve.color = { color: e.look.color, highlight: "#000000", hover: "#37474f", opacity: e.look.opacity };
    }
    if (e.rel === "SUPPLIES" || e.rel === "FEEDS") ve.width = 1.6;
    visEdges.push(ve);
  });
  var nodes = new vis.DataSet(visNodes);
  var edges = ownEdges ? null : new vis.DataSet(visEdges);
  state.timing.datasets = performance.now();

  var options = {
    groups: groups,
    physics: false,
    layout: { improvedLayout: false },
    nodes: {
      font: { face: FONT, size: 14, color: "#1f2933", strokeWidth: 3, strokeColor: "#ffffff" }
    },
    edges: {
      // arrowheads cost 60% of a redraw at 5k nodes: a large view draws them only for the
      // selected node's relations (drawKept)
      arrows: { to: { enabled: !large, scaleFactor: 0.5 } },
      smooth: large ? false : data.flow
        ? { enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.45 }
        : { enabled: true, type: "curvedCW", roundness: 0.12 },
      font: { face: FONT, size: 10, color: "#455a64", strokeWidth: 3, strokeColor: "#ffffff",
              align: "middle" },
      scaling: { label: { drawThreshold: 8 } },  // no edge label smaller than 8 px on screen
      selectionWidth: SELECTION_WIDTH,
      width: 1,
      color: { color: EDGE_GREY, highlight: "#000000", hover: "#37474f", opacity: 0.85 }
    },
    interaction: {
      hover: true,
      tooltipDelay: 3600000,
      hideEdgesOnDrag: large,
      hideEdgesOnZoom: large,
      multiselect: false,
      navigationButtons: false,
      keyboard: false
    }
  };
  var container = document.getElementById("graph");
  var network = new vis.Network(container, edges ? { nodes: nodes, edges: edges } : { nodes: nodes }, options);
  state.network = network;
  state.timing.network = performance.now();
  state.nodes = nodes;
  state.edges = edges;
  // ---- drawing: tier headings, the dimmed rest, labels ------------------------------------
  var keepNodes = null, keepEdges = null;  // the highlighted neighbourhood, or null
  var measure = document.createElement("canvas").getContext("2d");
  var widthCache = {};
  function widthAt100(n) {  // widest line of the label at a 100 px font
    var w = widthCache[n.id];
    if (w === undefined) {
      measure.font = (n.rank <= 4 ? "600 " : "") + "100px " + FONT;
      w = 0;
      n.lines.forEach(function (l) { w = Math.max(w, measure.measureText(l).width); });
      widthCache[n.id] = w;
    }
    return w;
  }
  function labelPx(n, scale) {  // on-screen size: readable when zoomed out, grows when zoomed in
    var base = n.rank <= 4 ? 14 : 12.5;
    return Math.max(base, Math.min(base * 1.6, base * Math.sqrt(scale)));
  }
  var LABEL_BUDGET = 700;
  function drawLabels(ctx) {
    var view = network.body.view, sc = view.scale, tx = view.translation.x, ty = view.translation.y;
    var W = container.clientWidth, H = container.clientHeight, CELL = 64, boxes = [];
    var grid = {}, nodeGrid = {};  // labels drawn so far; nodes on screen
    function cells(b, fn) {
      for (var i = Math.floor(b[0] / CELL); i <= Math.floor(b[2] / CELL); i++) {
        for (var j = Math.floor(b[1] / CELL); j <= Math.floor(b[3] / CELL); j++) {
          if (fn(i + ":" + j)) return true;
        }
      }
      return false;
    }
    function hits(g, b) {
      return cells(b, function (k) {
        var list = g[k];
        if (!list) return false;
        for (var q = 0; q < list.length; q++) {
          var o = list[q];
          if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
        }
        return false;
      });
    }
    function one(n, dim) {
      if (hiddenNode[n.id]) return;
      var body = network.body.nodes[n.id];
      if (!body) return;
      // never over another label or a heading; a minor label not over another node either
      function blocked(box) { return hits(grid, box) || (n.rank > 4 && hits(nodeGrid, box)); }
      var px = labelPx(n, sc), h = px * 1.2 * n.lines.length;
      var sx = body.x * sc + tx, sy = body.y * sc + ty, top = sy + n.size * sc + 2;
      // the middle of a minor label's box, before measuring its text: most of a crowded
      // view's labels are blocked there already (the box holds it, so is blocked too)
      if (n.rank > 4 && blocked([sx - 1, top, sx + 1, top + h])) return;
      var w = widthAt100(n) * px / 100;
      var b = [sx - w / 2 - 1, top, sx + w / 2 + 1, top + h];
      if (b[2] < 0 || b[0] > W || b[3] < 0 || b[1] > H) return;
      if (blocked(b) && n.rank <= 4) {  // an important label tries above its node
        top = sy - n.size * sc - 2 - h;
        b = [b[0], top, b[2], top + h];
      }
      if (blocked(b)) return;
      cells(b, function (k) { (grid[k] = grid[k] || []).push(b); return false; });
      boxes.push({ id: n.id, x: b[0], y: b[1], width: b[2] - b[0], height: b[3] - b[1], px: px });
      var fs = px / sc;
      ctx.font = (n.rank <= 4 ? "600 " : "") + fs + "px " + FONT;
      ctx.lineWidth = 3 / sc;
      ctx.fillStyle = dim ? DIM_FONT : "#1f2933";
      for (var i = 0; i < n.lines.length; i++) {
        var y = (top - ty) / sc + i * fs * 1.2;
        ctx.strokeText(n.lines[i], body.x, y);
        ctx.fillText(n.lines[i], body.x, y);
      }
    }
    // a label may not cover another node: the drawn nodes on screen are obstacles
    var ids = network.body.nodeIndices;
    for (var q = 0; q < ids.length; q++) {
      var nd = network.body.nodes[ids[q]], r = (byId[ids[q]] ? byId[ids[q]].size : 10) * sc;
      var sx = nd.x * sc + tx, sy = nd.y * sc + ty;
      if (sx + r < 0 || sx - r > W || sy + r < 0 || sy - r > H) continue;
      var ob = [sx - r, sy - r, sx + r, sy + r];
      cells(ob, function (k) { (nodeGrid[k] = nodeGrid[k] || []).push(ob); return false; });
    }
    // the tier headings are taken: no label over them
    (data.tiers || []).forEach(function (t) {
      var hb = tierBox(t, sc), a = t.x * sc + tx, c = t.y * sc + ty;
      var tb = [a - hb[0] / 2, c - hb[1] / 2, a + hb[0] / 2, c + hb[1] / 2];
      cells(tb, function (k) { (grid[k] = grid[k] || []).push(tb); return false; });
    });
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#ffffff";
    if (keepNodes) Object.keys(keepNodes).forEach(function (id) { if (byId[id]) one(byId[id], false); });
    for (var k = 0; k < labelOrder.length && boxes.length < LABEL_BUDGET; k++) {
      var n = labelOrder[k];
      if (keepNodes && keepNodes[n.id]) continue;
      one(n, !!keepNodes);
    }
    ctx.restore();
    state.labels = boxes;
  }
  function tierPx(sc) { return Math.max(16, Math.min(26, 18 * Math.sqrt(sc))); }
  function tierBox(t, sc) {  // [width, height] of a heading on screen
    var px = tierPx(sc);
    measure.font = "700 " + px + "px " + FONT;
    return [measure.measureText(t.label).width + 2 * px, px * 1.6];
  }
  function drawTiers(ctx) {
    if (!data.tiers || !data.tiers.length) return;
    var sc = network.getScale(), px = tierPx(sc), fs = px / sc;
    ctx.save();
    ctx.font = "700 " + fs + "px " + FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    data.tiers.forEach(function (t) {
      ctx.fillStyle = "#eceff1";
      var w = tierBox(t, sc)[0] / sc;
      ctx.fillRect(t.x - w / 2, t.y - fs * 0.8, w, fs * 1.6);
      ctx.fillStyle = "#37474f";
      ctx.fillText(t.label, t.x, t.y);
    });
    ctx.restore();
  }
  // ---- a large view's edges: straight lines the page draws under the nodes -------------------
  var edgeBuckets = null;  // the edges of one look, stroked as one path
  function buckets() {
    if (edgeBuckets) return edgeBuckets;
    var byLook = {};
    edgeBuckets = [];
    data.edges.forEach(function (e, i) {
      var key = e.look.color + " " + e.look.opacity + " " + e.width + " " + e.dashed;
      var b = byLook[key];
      if (!b) {
        b = byLook[key] = { look: e.look, width: e.width, dashed: e.dashed, list: [] };
        edgeBuckets.push(b);
      }
      b.list.push(i);
    });
    return edgeBuckets;
  }
  function edgeStyle(ctx, look, width, dashed, opacity) {
    ctx.strokeStyle = look.color;
    ctx.globalAlpha = opacity;
    ctx.lineWidth = Math.max(width, 0.3 / network.getScale());  // never thinner than vis's
    ctx.setLineDash(dashed ? [6, 5] : []);
  }
  var hoverEdge = null;  // index of the edge under the pointer (own edges only)
  var selectedEdge = null;  // index of the clicked edge, or null
  // an edge from a node to itself: a circle touching the node's upper right, as vis draws it
  function loopOf(e, a) {
    var s = byId[e.from] ? byId[e.from].size : 10, r = 0.5 * s + 8;
    return { x: a.x + 0.7 * (s + r) * 0.75, y: a.y - 0.7 * (s + r) * 0.75, r: r };
  }
  function edgePath(ctx, e, a, c) {
    if (a !== c) { ctx.moveTo(a.x, a.y); ctx.lineTo(c.x, c.y); return; }
    var l = loopOf(e, a);
    ctx.moveTo(l.x + l.r, l.y);
    ctx.arc(l.x, l.y, l.r, 0, 2 * Math.PI);
  }
  function drawEdges(ctx) {
    // hidden while the view is dragged or zoomed, as vis hides its edges in a large view
    if (!ownEdges || network.renderer.dragging || network.renderer.zooming) return;
    var at = network.body.nodes;
    ctx.save();
    buckets().forEach(function (b) {
      ctx.beginPath();
      for (var k = 0; k < b.list.length; k++) {
        var e = data.edges[b.list[k]], a = at[e.from], c = at[e.to];
        if (e.hidden || !a || !c) continue;
        edgePath(ctx, e, a, c);
      }
      edgeStyle(ctx, b.look, b.width, b.dashed, b.look.opacity);
      ctx.stroke();
    });
    // the hovered edge darker, the selected one black and wider (as vis draws its own)
    [[hoverEdge, "#37474f", 1], [selectedEdge, "#000000", SELECTION_WIDTH]].forEach(function (m) {
      var h = m[0] === null ? null : data.edges[m[0]];
      if (!h || h.hidden || !at[h.from] || !at[h.to]) return;
      ctx.beginPath();
      edgePath(ctx, h, at[h.from], at[h.to]);
      edgeStyle(ctx, { color: m[1] }, h.width + m[2], h.dashed, 1);
      ctx.stroke();
    });
    ctx.restore();
  }
  // the drawn edge passing within 5 px of a point on screen (the nearest), or null
  function edgeAt(dom) {
    if (!ownEdges) return null;
    var p = network.DOMtoCanvas(dom), tol = 5 / network.getScale(), best = null, bestD = tol * tol;
    var at = network.body.nodes;
    for (var i = 0; i < data.edges.length; i++) {
      var e = data.edges[i], a = at[e.from], b = at[e.to];
      if (e.hidden || !a || !b) continue;
      if (a === b) {  // a loop: how far from its circle
        var l = loopOf(e, a), off = Math.abs(Math.hypot(p.x - l.x, p.y - l.y) - l.r);
        if (off * off <= bestD) { bestD = off * off; best = i; }
        continue;
      }
      if (p.x < Math.min(a.x, b.x) - tol || p.x > Math.max(a.x, b.x) + tol ||
          p.y < Math.min(a.y, b.y) - tol || p.y > Math.max(a.y, b.y) + tol) continue;
      var dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
      var t = len2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
      var ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y, d = ex * ex + ey * ey;
      if (d <= bestD) { bestD = d; best = i; }
    }
    return best;
  }
  state.edgeAt = edgeAt;
  state.loop = function (i) {  // the circle of a loop, in the network's coordinates
    var e = data.edges[i], a = network.body.nodes[e.from];
    return a && e.from === e.to ? loopOf(e, a) : null;
  };
  function drawKeptEdge(ctx, i) {  // an edge of the highlighted neighbourhood, with its arrowhead
    var e = data.edges[i], a = network.body.nodes[e.from], b = network.body.nodes[e.to];
    if (e.hidden || !a || !b) return;
    ctx.save();
    ctx.beginPath();
    edgePath(ctx, e, a, b);
    if (i === selectedEdge) edgeStyle(ctx, { color: "#000000" }, e.width + SELECTION_WIDTH, e.dashed, 1);
    else edgeStyle(ctx, e.look, e.width + 0.6, e.dashed, 1);
    ctx.stroke();
    var dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy);
    if (len) {
      var ux = dx / len, uy = dy / len, r = (byId[e.to] ? byId[e.to].size : 10) + 1;
      var tx = b.x - ux * r, ty = b.y - uy * r, L = 9, W = 4;
      ctx.beginPath();
      ctx.moveTo(tx, ty);
      ctx.lineTo(tx - ux * L - uy * W, ty - uy * L + ux * W);
      ctx.lineTo(tx - ux * L + uy * W, ty - uy * L - ux * W);
      ctx.closePath();
      ctx.fillStyle = e.look.color;
      ctx.fill();
    }
    ctx.restore();
  }
  function drawKept(ctx) {  // the highlighted neighbourhood again, over a veil on the rest
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255,255,255,0.82)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    Object.keys(keepEdges).forEach(function (id) {
      if (ownEdges) { drawKeptEdge(ctx, +id); return; }
      var e = network.body.edges[id];
      if (!e) return;
      e.draw(ctx);
      e.drawArrows(ctx);
    });
    Object.keys(keepNodes).forEach(function (id) {
      var nd = network.body.nodes[id];
      if (!nd || hiddenNode[id]) return;
      var r = nd.draw(ctx);
      if (r && r.drawExternalLabel) r.drawExternalLabel();
    });
  }
  // ---- a large view's frame under the veil, kept --------------------------------------------
  // A click changes what is kept over the veil, the panel and the selection; the nodes,
  // edges and headings under the veil stay where and as they were. A large view keeps a
  // copy of them from its last full frame (taken before the veil and labels; not in the
  // first draw) and, while the view, the canvas, the filters and the nodes' places are the
  // same, a frame puts the copy back instead of having vis-network draw every node again:
  // a click at 20k nodes costs its neighbourhood and the labels, not a redraw of all. A
  // frame without the veil is put back only if nothing was hovered or selected otherwise
  // than now; under the veil a node not kept may show the hover or selection look of the
  // copied frame, through the veil's 82 % white.
  var base = null, frameKey = null, frameReused = false, drawnIds = null, filtersVersion = 0;
  function viewKey() {
    var v = network.body.view, c = network.canvas.frame.canvas;
    var ids = network.body.nodeIndices, at = network.body.nodes, moved = 0;
    for (var k = 0; k < ids.length; k++) moved += at[ids[k]].x + 1.618 * at[ids[k]].y;
    return [v.scale, v.translation.x, v.translation.y, c.width, c.height, filtersVersion,
            ids.length, moved].join(" ");
  }
  function looksKey() {
    return [network.getSelectedNodes().join(","), selectedEdge, hoveredNode, hoverEdge].join(" ");
  }
  network.on("beforeDrawing", function (ctx) {
    frameKey = null;
    frameReused = false;
    if (ownEdges && state.firstDraw !== null && !network.renderer.dragging &&
        !network.renderer.zooming) {
      frameKey = viewKey();
      if (base && base.key === frameKey && (keepNodes || base.looks === looksKey())) {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(base.canvas, 0, 0);
        ctx.restore();
        // vis-network draws the nodes it finds here: none this frame (put back after)
        drawnIds = network.body.nodeIndices;
        network.body.nodeIndices = [];
        frameReused = true;
        return;
      }
    }
    drawTiers(ctx);
    drawEdges(ctx);
  });
  function keepFrame(ctx, key) {
    var c = ctx.canvas;
    if (!base) base = { canvas: document.createElement("canvas") };
    var b = base.canvas;
    if (b.width !== c.width || b.height !== c.height) { b.width = c.width; b.height = c.height; }
    var bctx = b.getContext("2d");
    bctx.clearRect(0, 0, b.width, b.height);
    bctx.drawImage(c, 0, 0);
    base.key = key;
    base.looks = looksKey();
  }
  state.frameReused = function () { return frameReused; };
  network.on("afterDrawing", function (ctx) {
    var t = performance.now();
    if (frameReused) { network.body.nodeIndices = drawnIds; drawnIds = null; }
    else if (frameKey !== null) keepFrame(ctx, frameKey);
    if (keepNodes) drawKept(ctx);
    drawLabels(ctx);
    state.drawn = performance.now();
    state.labelMs = state.drawn - t;
    if (state.firstDraw === null) state.firstDraw = state.drawn;
  });

  // fit every drawn node (and the tier headings) into the stage, with room for labels
  function fit() {
    var ids = network.body.nodeIndices;
    if (!ids.length) return;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (id) {
      var nd = network.body.nodes[id], r = byId[id] ? byId[id].size : 10;
      x0 = Math.min(x0, nd.x - r); x1 = Math.max(x1, nd.x + r);
      y0 = Math.min(y0, nd.y - r); y1 = Math.max(y1, nd.y + r);
    });
    (data.tiers || []).forEach(function (t) { y0 = Math.min(y0, t.y - 20); });
    var W = container.clientWidth, H = container.clientHeight;
    var padX = 70, padTop = 24, padBottom = 56;  // labels hang below nodes; the status line
    var scale = Math.min((W - 2 * padX) / Math.max(x1 - x0, 1), (H - padTop - padBottom) / Math.max(y1 - y0, 1));
    scale = Math.max(Math.min(scale, 1.5), 0.002);
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2 + (padBottom - padTop) / 2 / scale;
    endPendingMove();
    network.moveTo({ position: { x: cx, y: cy }, scale: scale, animation: false });
    // no animation, so no animationFinished: the hover at the pointer's place now (none yet
    // at the first fit)
    if (state.ready) { rehover(); lookForEdge(); }
  }
  state.fit = fit;
  fit();

  // ---- filters -------------------------------------------------------------------------------
  var shownKinds = {}, shownGrades = {}, chainFilter = -1;
  data.legend.forEach(function (k) { shownKinds[k.kind] = true; });
  data.grades.forEach(function (g) { shownGrades[g.grade] = true; });

  function nodeVisible(n) {
    if (!shownKinds[n.kind] || !gradeShown(n.grade)) return false;
    if (chainFilter >= 0 && n.chains.indexOf(chainFilter) < 0) return false;
    return true;
  }
  var hiddenNode = {};
  function applyFilters() {
    var nodeUpd = [], edgeUpd = [], shown = 0, shownEdges = 0;
    data.nodes.forEach(function (n) {
      var hide = !nodeVisible(n);
      if (!hide) shown++;
      if (!!hiddenNode[n.id] !== hide) { hiddenNode[n.id] = hide; nodeUpd.push({ id: n.id, hidden: hide }); }
    });
    data.edges.forEach(function (e) {
      var hide = hiddenNode[e.from] || hiddenNode[e.to] || !gradeShown(e.grade);
      if (!hide) shownEdges++;
      if (!!e.hidden !== !!hide) { e.hidden = !!hide; edgeUpd.push({ id: e.id, hidden: !!hide }); }
    });
    if (nodeUpd.length || edgeUpd.length) filtersVersion++;
    if (nodeUpd.length) nodes.update(nodeUpd);
    // the hovered node, or the hovered or selected edge, may be hidden now: its tooltip
    // goes (vis-network sends no blur for a node it stops drawing), the pointer may be over
    // another edge
    if (edgeUpd.length && edges) edges.update(edgeUpd);
    else if (edgeUpd.length && !nodeUpd.length) network.redraw();  // else vis redraws anyway
    // what vis-network held hovered may be hidden now, or a node shown under a still
    // pointer (vis sends no blur or hover until the pointer moves); the page's own edge
    // under the pointer may have changed too
    if (nodeUpd.length || edgeUpd.length) { rehover(); lookForEdge(); }
    // a filter that hides what the panel explains ends the selection, as a click on empty
    // canvas does: no panel and no highlight for something not drawn
    if ((state.selected !== null && hiddenNode[state.selected]) ||
        (selectedEdge !== null && data.edges[selectedEdge].hidden)) select(null);
    state.shown = shown;
    state.shownEdges = shownEdges;
    setStatus();
  }
  function setStatus() {
    var total = data.nodes.length, edgesTotal = data.edges.length;
    var shown = state.shown === undefined ? total : state.shown;
    var shownEdges = state.shownEdges === undefined ? edgesTotal : state.shownEdges;
    var text = "显示 " + shown + " / " + total + " 个节点, " + shownEdges + " / " + edgesTotal + " 条关系";
    if (data.omitted) text += " (来源文献不画成节点, 见详情中的原文)";
    document.getElementById("status").textContent = text;
  }
  setStatus();

  function shapeIcon(shape, bg, border, dashes) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("viewBox", "-10 -10 20 20");
    var p;
    var pts = {
      diamond: "0,-8 8,0 0,8 -8,0",
      triangle: "0,-8 8,6 -8,6",
      triangleDown: "0,8 8,-6 -8,-6",
      hexagon: "8,0 4,7 -4,7 -8,0 -4,-7 4,-7",
      star: "0,-9 2.6,-3 9,-3 3.8,1.3 5.6,8 0,4 -5.6,8 -3.8,1.3 -9,-3 -2.6,-3"
    };
    if (shape === "dot") {
      p = document.createElementNS(SVGNS, "circle");
      p.setAttribute("r", "7");
    } else if (shape === "square") {
      p = document.createElementNS(SVGNS, "rect");
      p.setAttribute("x", "-7"); p.setAttribute("y", "-7");
      p.setAttribute("width", "14"); p.setAttribute("height", "14");
    } else {
      p = document.createElementNS(SVGNS, "polygon");
      p.setAttribute("points", pts[shape] || pts.diamond);
    }
    p.setAttribute("fill", bg);
    p.setAttribute("stroke", border);
    p.setAttribute("stroke-width", "1.6");
    if (dashes) p.setAttribute("stroke-dasharray", "3 2");
    svg.appendChild(p);
    return svg;
  }

  var legend = document.getElementById("legend");
  data.legend.forEach(function (k) {
    var row = el("label", null, "row");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.kind = k.kind;
    box.addEventListener("change", function () { shownKinds[k.kind] = box.checked; applyFilters(); });
    row.appendChild(box);
    row.appendChild(shapeIcon(k.shape, k.color, k.border, false));
    row.appendChild(el("span", k.label + " (" + k.kind + ")"));
    row.appendChild(el("span", k.count, "count"));
    legend.appendChild(row);
  });
  var marks = document.getElementById("marks");
  data.marks.forEach(function (m) {
    var row = el("div", null, "row");
    row.appendChild(shapeIcon(m.shape, m.color, m.border, m.dashes));
    row.appendChild(el("span", m.label));
    marks.appendChild(row);
  });
  var chainSel = document.getElementById("chain-filter");
  data.chains.forEach(function (c, i) {
    var o = document.createElement("option");
    o.value = String(i);
    o.textContent = c.name;
    chainSel.appendChild(o);
  });
  if (!data.chains.length) chainSel.disabled = true;
  chainSel.addEventListener("change", function () {
    chainFilter = parseInt(chainSel.value, 10);
    applyFilters();
    fit();
  });
  var grades = document.getElementById("grades");
  data.grades.forEach(function (g) {
    var row = el("label", null, "row");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.grade = g.grade;
    box.addEventListener("change", function () { shownGrades[g.grade] = box.checked; applyFilters(); });
    row.appendChild(box);
    row.appendChild(el("span", g.label + " (" + g.grade + ")", "grade grade-" + g.grade));
    grades.appendChild(row);
  });

  // ---- neighbourhood highlight and side panel ----------------------------------------------
  // the neighbourhood of the selected node stays, the rest is veiled (see drawKept): a click
  // changes no node or edge in the data sets, so it costs one redraw whatever the size
  function highlight(id) {
    if (id === null) { keepNodes = keepEdges = null; return; }
    keepNodes = {};
    keepNodes[id] = true;
    keepEdges = {};
    if (ownEdges) {
      (adjacency()[id] || []).forEach(function (i) {
        keepEdges[i] = true;
        keepNodes[data.edges[i].from] = keepNodes[data.edges[i].to] = true;
      });
      return;
    }
    network.getConnectedNodes(id).forEach(function (m) { keepNodes[m] = true; });
    network.getConnectedEdges(id).forEach(function (e) { keepEdges[e] = true; });
  }
  var adj = null;  // node id -> indexes of its edges, made at the first click
  function adjacency() {
    if (adj) return adj;
    adj = {};
    data.edges.forEach(function (e, i) {
      (adj[e.from] = adj[e.from] || []).push(i);
      if (e.to !== e.from) (adj[e.to] = adj[e.to] || []).push(i);
    });
    return adj;
  }
  state.keptEdges = function () { return keepEdges ? Object.keys(keepEdges).map(Number) : []; };
  function clearHighlight() { keepNodes = keepEdges = null; }
  state.isDimmed = function (id) { return !!keepNodes && !keepNodes[id]; };

  var panel = document.getElementById("panel");
  function gradeBadge(g) { return el("span", gradeLabel[g] || g, "grade grade-" + g); }
  function quotes(target, src) {
    src.forEach(function (s) {
      var q = el("blockquote", null);
      q.appendChild(el("span", s[1]));
      q.appendChild(el("cite", "— " + s[0]));
      target.appendChild(q);
    });
  }
  // the head every panel starts with: a close button, the title, the kind line with a grade
  function panelHead(title, kindText, grade) {
    panel.textContent = "";
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "关闭";
    close.addEventListener("click", function () { select(null); });
    panel.appendChild(close);
    panel.appendChild(el("h3", title));
    var kl = el("div", kindText + " · ", "kindline");
    kl.appendChild(gradeBadge(grade));
    panel.appendChild(kl);
  }
  function textRow(table, r) {
    var tr = el("tr");
    tr.appendChild(el("td", r[0]));
    tr.appendChild(el("td", r[1]));
    table.appendChild(tr);
  }
  // a button naming a node that selects it (and brings it into view)
  function nodeButton(id) {
    var b = el("button", byId[id] ? byId[id].name : id);
    b.type = "button";
    b.addEventListener("click", function () { select(id, true); });
    return b;
  }
  // a node's or an edge's source quotes, or why it has none
  function sourcesPart(item) {
    panel.appendChild(el("h4", "来源原文 (" + item.src.length + ")"));
    if (item.src.length) quotes(panel, item.src);
    else panel.appendChild(el("div", item.grade === "template" ? "模板知识, 无原文引用" : "无原文引用", "hint"));
  }
  function openPanel(id) {
    var n = byId[id];
    if (!n) { panel.textContent = ""; panel.classList.remove("open"); return; }
    panelHead(n.name, kindLabel[n.kind] || n.kind, n.grade);
    var table = el("table");
    [["类型", (kindLabel[n.kind] || n.kind) + " (" + n.kind + ")"], ["编号", n.id]].concat(n.info).forEach(function (r) {
      textRow(table, r);
    });
    panel.appendChild(table);
    sourcesPart(n);
    var rels = data.edges.filter(function (e) { return e.from === id || e.to === id; });
    panel.appendChild(el("h4", "关系 (" + rels.length + ")"));
    var ul = el("ul", null, "rels");
    rels.slice(0, 300).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      var li = el("li");
      li.appendChild(el("span", (e.from === id ? "→ " : "← ") + e.label + " "));
      li.appendChild(nodeButton(other));
      li.appendChild(gradeBadge(e.grade));
      if (e.info.length) {
        li.appendChild(el("div", e.info.map(function (r) { return r[0] + ": " + r[1]; }).join("; "), "hint"));
      }
      if (e.src.length) quotes(li, e.src.slice(0, 2));
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    panel.classList.add("open");
  }

  function select(id, focus) {
    if (id !== null && !byId[id]) return;
    state.selected = id;
    selectedEdge = null;
    if (id === null) {
      clearHighlight();  // first: vis-network redraws at once as it unselects
      network.unselectAll();
      panel.classList.remove("open");
      panel.textContent = "";
      return;
    }
    var n = byId[id];
    if (hiddenNode[id]) {  // make a filtered-out node visible again
      shownKinds[n.kind] = true;
      shownGrades[n.grade] = true;
      document.querySelectorAll("#legend input").forEach(function (b) { if (b.dataset.kind === n.kind) b.checked = true; });
      document.querySelectorAll("#grades input").forEach(function (b) { if (b.dataset.grade === n.grade) b.checked = true; });
      if (chainFilter >= 0 && n.chains.indexOf(chainFilter) < 0) { chainFilter = -1; chainSel.value = "-1"; }
      applyFilters();
    }
    state.member = null;
    network.selectNodes([id]);
    highlight(id);
    openPanel(id);
    if (focus) {
      var scale = Math.max(network.getScale(), 1.0);
      moveView(function () {
        network.focus(id, { scale: scale, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
      });
      state.focused = id;
    }
  }
  state.select = select;

  // a firm folded into a group: select the group, show the firm in the panel
  function selectMember(mid) {
    var m = memberById[mid];
    if (!m || !byId[m.group]) return;
    select(m.group, true);
    state.member = mid;
    var g = byId[m.group];
    panel.textContent = "";
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "关闭";
    close.addEventListener("click", function () { select(null); });
    panel.appendChild(close);
    panel.appendChild(el("h3", m.name));
    var kl = el("div", (kindLabel[m.kind] || m.kind) + " · ", "kindline");
    kl.appendChild(gradeBadge(m.grade));
    panel.appendChild(kl);
    panel.appendChild(el("div", "图中未逐一画出: 已并入「" + g.name + "」(高亮处)。", "notice"));
    var table = el("table");
    [["编号", m.id]].concat(m.info).forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0]));
      tr.appendChild(el("td", r[1]));
      table.appendChild(tr);
    });
    panel.appendChild(table);
    var b = el("button", "查看「" + g.name + "」");
    b.type = "button";
    b.addEventListener("click", function () { select(g.id, true); });
    var ul = el("ul", null, "rels");
    var li = el("li");
    li.appendChild(b);
    ul.appendChild(li);
    panel.appendChild(ul);
    panel.classList.add("open");
  }
  state.selectMember = selectMember;

  // a click on an edge selects the edge, in a small view (vis-network's edges) as in a large
  // one (the page's): one thing is selected at a time, as vis-network shows it (it unselects
  // the node when an edge is clicked), and the panel explains what is shown selected, the
  // relation with its ends and source quotes; the node's panel closes
  function selectEdge(i) {
    var e = data.edges[i];
    if (!e || e.hidden) return;
    state.selected = null;
    state.member = null;
    selectedEdge = i;
    // vis-network draws the next frame (not at once, as its unselectAll would, with the
    // highlight before this one)
    network.setSelection({ nodes: [], edges: ownEdges ? [] : [i] },
                         { unselectAll: true, highlightEdges: false });
    keepNodes = {};
    keepNodes[e.from] = keepNodes[e.to] = true;
    keepEdges = {};
    keepEdges[i] = true;
    openEdgePanel(e);
  }
  state.selectEdge = selectEdge;
  function openEdgePanel(e) {
    panelHead(e.label, "关系 (" + e.rel + ")", e.grade);
    var table = el("table");
    [["从", e.from], ["到", e.to]].forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0]));
      var td = el("td");
      td.appendChild(nodeButton(r[1]));
      tr.appendChild(td);
      table.appendChild(tr);
    });
    e.info.forEach(function (r) { textRow(table, r); });
    panel.appendChild(table);
    sourcesPart(e);
    panel.classList.add("open");
  }

  network.on("click", function (p) {
    if (p.nodes.length) { select(p.nodes[0], false); return; }
    var i = p.edges.length ? p.edges[0] : edgeAt(p.pointer.DOM);
    if (i === null || i === undefined) select(null);
    else selectEdge(i);
  });
  state.selectedEdge = function () { return selectedEdge; };

  // ---- tooltips (own element, filled with textContent) -------------------------------------
  var tip = document.getElementById("tip");
  function showTip(parts, pointer) {
    tip.textContent = "";
    tip.appendChild(el("b", parts.head));
    tip.appendChild(el("div", parts.line));
    if (parts.quote) tip.appendChild(el("div", "“" + parts.quote + "”", "q"));
    tip.style.left = "0px";
    tip.style.top = "0px";
    tip.style.display = "block";
    var stage = container.getBoundingClientRect();
    var x = Math.min(pointer.DOM.x + 14, stage.width - tip.offsetWidth - 4);
    var y = Math.min(pointer.DOM.y + 14, stage.height - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  }
  function hideTip() { tip.style.display = "none"; }
  network.on("hoverNode", function (p) {
    var n = byId[p.node];
    if (!n) return;
    showTip({ head: n.name, line: (kindLabel[n.kind] || n.kind) + " · " + (gradeLabel[n.grade] || n.grade),
              quote: n.src.length ? n.src[0][1] : "" }, p.pointer);
  });
  function edgeTip(i, pointer) {
    var e = data.edges[i];
    if (!e) return;
    var a = byId[e.from], b = byId[e.to];
    showTip({ head: e.label + " (" + e.rel + ")",
              line: (a ? a.name : e.from) + " → " + (b ? b.name : e.to) + " · " + (gradeLabel[e.grade] || e.grade),
              quote: e.src.length ? e.src[0][1] : "" }, pointer);
  }
  network.on("hoverEdge", function (p) { edgeTip(p.edge, p.pointer); });
  // the page's own edges: the one under the pointer, looked for once per frame at the
  // pointer's last place (null once it has left the stage): a second look in a frame, or a
  // look after a filter changed the edges under a still pointer, sees where it is
  var hoveredNode = null, pointerAt = null, hoverQueued = false;
  network.on("hoverNode", function (p) { hoveredNode = p.node; });
  network.on("blurNode", function () { hoveredNode = null; });
  function hoverOwnEdge() {
    hoverQueued = false;
    var dom = pointerAt;
    var i = dom && hoveredNode === null && !network.renderer.dragging ? edgeAt(dom) : null;
    if (i === hoverEdge) return;
    hoverEdge = i;
    if (i !== null) edgeTip(i, { DOM: dom });
    else if (hoveredNode === null) hideTip();
    network.redraw();
  }
  function lookForEdge() {
    if (ownEdges && !hoverQueued) { hoverQueued = true; requestAnimationFrame(hoverOwnEdge); }
  }
  container.addEventListener("mousemove", function (ev) {
    var r = container.getBoundingClientRect();
    pointerAt = { x: ev.clientX - r.left, y: ev.clientY - r.top };
    lookForEdge();
  });
  // vis-network looks for what is under the pointer only when the pointer moves over its
  // canvas: leaving the stage straight from a node (onto the side panel, say) left that
  // node hovered, tooltip and all
  container.addEventListener("mouseleave", function () {
    pointerAt = null;
    rehover();
    lookForEdge();
  });
  // make vis-network's hover agree with what is drawn under the pointer now (or with no
  // pointer at all): it sends blurNode / blurEdge for what it held hovered and is gone (a
  // filter hid it, the pointer left) and hoverNode / hoverEdge for what is there now (a
  // filter showed it under a still pointer), so every hover is paired with one blur. Done
  // by its own pointer handling: a mousemove on its canvas, not bubbling to the page's
  function rehover(nowhere) {
    var canvas = container.querySelector("canvas");
    if (!canvas) return;
    var r = container.getBoundingClientRect(), p = nowhere ? null : pointerAt;
    // far off the canvas when there is no pointer: nothing there, so everything blurs
    var x = p ? r.left + p.x : -1e6, y = p ? r.top + p.y : -1e6;
    canvas.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y }));
  }
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  // the tooltip goes while the view moves; the page's hovered edge with it, so that the
  // next look (the pointer moving on) finds the edge under it anew and shows its tooltip
  function dropHover() {
    hideTip();
    if (hoverEdge !== null) { hoverEdge = null; network.redraw(); }
  }
  network.on("dragStart", dropHover);
  // a wheel zoom: vis-network blurs too (the tooltip went while it held the node hovered, so
  // moving on over it showed none: no hoverNode for a node already hovered); the pointer's
  // next move hovers what is under it, tooltip and all
  network.on("zoom", function () { rehover(true); dropHover(); });
  // the page moves the view (a focus, the zoom buttons, a fit) under a pointer that may rest on
  // the canvas: what was hovered moves away from it, and vis-network, which looks only when
  // the pointer moves, kept it hovered with its tooltip up. Hover ends as the move starts and
  // is looked for again at the pointer's last place once the view is still (as after a
  // filter). An animation this one cuts short ends inside move(), with its animationFinished
  // (and its look): the hover is dropped after it.
  function moveView(move) {
    endPendingMove();
    move();
    state.moving = true;
    rehover(true);
    dropHover();
  }
  // vis-network ends an animation that a new move cuts short (at its target, with its
  // animationFinished) only if the animation has taken a step: one asked for within the
  // same frame (two clicks on + before a frame, which a large view or a busy machine makes
  // likely) stayed registered for good and moved the view back on every later redraw, and
  // before a fit it ran after the fit. Such an animation is ended here as vis-network ends
  // one under way.
  function endPendingMove() {
    if (state.moving && network.view.easingTime === 0) network.view._transitionRedraw(true);
  }
  network.on("animationFinished", function () {
    state.moving = false;
    rehover();
    lookForEdge();
  });

  // ---- search --------------------------------------------------------------------------------
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  // the box's example is this view's biggest firm (any zone's own), set as text
  var example = null;
  data.nodes.forEach(function (n) {
    if (n.kind === "Firm" && (!example || n.size > example.size)) example = n;
  });
  if (example) input.placeholder = "例如 " + example.name;
  // an entry's search keys, made at its first search (not before the first draw)
  function searchKeys(n) {
    if (!n.search) n.search = [n.id, n.name].concat(n.alt || []).map(norm);
    return n.search;
  }
  function matches(q) {
    var needle = norm(q);
    if (!needle) return [];
    var found = [];
    function scan(list, folded) {
      list.forEach(function (n) {
        var best = 9;
        searchKeys(n).forEach(function (s) {
          var r = s === needle ? 0 : s.indexOf(needle) === 0 ? 1 : s.indexOf(needle) >= 0 ? 2 : 9;
          if (r < best) best = r;
        });
        if (best < 9) found.push([best, n.name.length, n.id, folded]);
      });
    }
    scan(data.nodes, false);
    scan(data.members || [], true);  // firms folded into a group are found too
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return found.slice(0, 15);
  }
  function pick(f) { if (f[3]) selectMember(f[2]); else select(f[2], true); }
  // the box and its results are a combobox with a list box (template.html): ArrowDown and
  // ArrowUp move a highlight through the results, wrapping round at the ends; Enter picks
  // the highlighted one, or the first; the highlight is the box's aria-activedescendant
  var listed = [], active = -1;  // the results shown; the highlighted one's place, or -1
  function setActive(i) {
    var options = results.querySelectorAll("button");
    if (active >= 0 && options[active]) {
      options[active].classList.remove("active");
      options[active].setAttribute("aria-selected", "false");
    }
    active = i;
    if (i < 0) { input.removeAttribute("aria-activedescendant"); return; }
    options[i].classList.add("active");
    options[i].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[i].id);
    options[i].scrollIntoView({ block: "nearest" });
  }
  function showResults() {
    results.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    listed = matches(input.value);
    listed.forEach(function (f, i) {
      var id = f[2], n = f[3] ? memberById[id] : byId[id];
      var li = el("li");
      li.setAttribute("role", "presentation");
      var b = el("button", n.name);
      b.type = "button";
      b.id = "result-" + i;
      b.tabIndex = -1;  // reached with the arrow keys from the box, not with Tab
      b.setAttribute("role", "option");
      b.setAttribute("aria-selected", "false");
      b.dataset.id = id;
      var k = kindLabel[n.kind] || n.kind;
      if (f[3]) k += " · 并入「" + byId[n.group].name + "」";
      b.appendChild(el("span", k, "k"));
      b.addEventListener("click", function () { pick(f); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (input.value && !results.childNodes.length) {
      var none = el("li", "无匹配", "hint");
      none.setAttribute("role", "presentation");
      results.appendChild(none);
    }
    input.setAttribute("aria-expanded", listed.length ? "true" : "false");
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (ev) {
    // the keys of an input method (pinyin, say: an Enter that confirms a word, the arrows
    // that move through its candidates) are the method's, not the results': their keydown
    // comes while composing (keyCode 229 in browsers that predate isComposing)
    if (ev.isComposing || ev.keyCode === 229) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!listed.length) return;
      ev.preventDefault();  // not the caret to the start or end of the box
      var n = listed.length, down = ev.key === "ArrowDown";
      if (active < 0) setActive(down ? 0 : n - 1);
      else setActive((active + (down ? 1 : n - 1)) % n);
    } else if (ev.key === "Enter") {
      var f = active >= 0 ? listed[active] : matches(input.value)[0];
      if (f !== undefined) pick(f);
    }
  });

  // Escape closes the panel, as its × does; in the search box with text in it, Escape
  // empties the box first (the browser's own)
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" || ev.isComposing || !panel.classList.contains("open")) return;
    if (ev.target === input && input.value) return;
    select(null);
  });

  // ---- view buttons --------------------------------------------------------------------------
  document.getElementById("fit").addEventListener("click", fit);
  function zoom(f) {
    moveView(function () {
      network.moveTo({ scale: network.getScale() * f, animation: { duration: 200, easingFunction: "linear" } });
    });
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.4); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.4); });
  // PNG: title, subtitle and legend above the picture; no hover state, no tooltip
  function legendShape(ctx, shape, x, y, bg, border, dashes) {
    ctx.save();
    ctx.fillStyle = bg;
    ctx.strokeStyle = border;
    ctx.lineWidth = 1.6;
    if (dashes) ctx.setLineDash([3, 2]);
    ctx.beginPath();
    if (shape === "dot") ctx.arc(x, y, 7, 0, 2 * Math.PI);
    else if (shape === "square") ctx.rect(x - 7, y - 7, 14, 14);
    else { ctx.moveTo(x, y - 8); ctx.lineTo(x + 8, y); ctx.lineTo(x, y + 8); ctx.lineTo(x - 8, y); ctx.closePath(); }
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
  function picture() {
    rehover(true);  // vis blurs what it held hovered; the pointer's next move hovers again
    hideTip();
    hoverEdge = null;
    base = null;  // every node drawn as it is now, also under the veil
    network.redraw();
    var src = container.querySelector("canvas");
    if (!src) return null;
    var ratio = src.width / Math.max(src.clientWidth, 1);
    var items = data.legend.map(function (k) { return [k.shape, k.color, k.border, false, k.label]; })
      .concat(data.marks.map(function (m) { return [m.shape, m.color, m.border, m.dashes, m.label]; }));
    var out = document.createElement("canvas");
    var ctx = out.getContext("2d");
    var cssW = src.clientWidth;
    ctx.font = "13px " + FONT;
    var rows = 1, x = 12;
    items.forEach(function (it) {
      var w = 26 + ctx.measureText(it[4]).width + 16;
      if (x + w > cssW - 12) { rows++; x = 12; }
      x += w;
    });
    var head = 58 + rows * 22;
    out.width = src.width;
    out.height = src.height + Math.round(head * ratio);
    ctx = out.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#1f2933";
    ctx.textBaseline = "middle";
    ctx.font = "600 18px " + FONT;
    ctx.fillText(data.title, 12, 16);
    ctx.font = "13px " + FONT;
    ctx.fillStyle = "#5f6b76";
    ctx.fillText(data.subtitle || "", 12, 40);
    x = 12;
    var y = 66;
    items.forEach(function (it) {
      var w = 26 + ctx.measureText(it[4]).width + 16;
      if (x + w > cssW - 12) { y += 22; x = 12; }
      legendShape(ctx, it[0], x + 8, y, it[1], it[2], it[3]);
      ctx.fillStyle = "#37414b";
      ctx.fillText(it[4], x + 22, y);
      x += w;
    });
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(src, 0, Math.round(head * ratio));
    return out;
  }
  state.picture = picture;
  document.getElementById("png").addEventListener("click", function () {
    var out = picture();
    if (!out) return;
    out.toBlob(function (blob) {
      if (!blob) return;
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "chaingraph-" + data.viewKind + ".png";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }, "image/png");
  });

  // an ego view's centre is marked by its wider border (flag "center"), not selected: what
  // is drawn selected is what the panel explains, and no panel is open yet
  state.ready = true;
})();
