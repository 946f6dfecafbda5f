/* chaingraph view page. Every string from the data is put in the page with textContent or
   as a canvas label; nothing from the data ever reaches innerHTML or an HTML title. */
(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var state = { ready: false, firstDraw: null, selected: null, focused: null,
                timing: { start: t0, parsed: performance.now() } };
  window.__cg = state;
  state.data = data;

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var SVGNS = "http://www.w3.org/2000/svg";
  var EDGE_GREY = "#90a4ae";
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
  data.legend.forEach(function (k) { kindLabel[k.kind] = k.label; });
  var gradeLabel = {};
  data.grades.forEach(function (g) { gradeLabel[g.grade] = g.label; });

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
  data.nodes.forEach(function (n) {
    byId[n.id] = n;
    n.search = [n.id, n.name].concat(n.alt).map(norm);
    if (!groups[n.style]) n.style = "Other";
    n.look = { color: groups[n.style].color };
    var vn = { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, group: n.style };
    if (n.flag === "center") vn.borderWidth = 4;
    visNodes.push(vn);
  });
  var visEdges = [];
  data.edges.forEach(function (e, i) {
    e.id = i;
    var dashed = e.dashes || (byId[e.from] && byId[e.from].style === "gap") ||
      (byId[e.to] && byId[e.to].style === "gap");
    var faint = data.flow && (e.rel === "HAS_SEGMENT" || e.rel === "IN_SEGMENT");
    e.look = { color: e.rel === "SUPPLIES" ? "#2e7d32" : e.rel === "FEEDS" ? "#1565c0" : EDGE_GREY,
               opacity: faint ? 0.35 : 0.85 };
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
  var edges = new vis.DataSet(visEdges);
  state.timing.datasets = performance.now();

  var options = {
    groups: groups,
    physics: false,
    layout: { improvedLayout: false },
    nodes: {
      font: { face: FONT, size: 14, color: "#1f2933", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: large ? 6 : 3 } }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      smooth: large ? false : data.flow
        ? { enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.45 }
        : { enabled: true, type: "curvedCW", roundness: 0.12 },
      font: { face: FONT, size: 10, color: "#455a64", strokeWidth: 3, strokeColor: "#ffffff",
              align: "middle" },
      selectionWidth: 1.5,
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
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  state.network = network;
  state.timing.network = performance.now();
  state.nodes = nodes;
  state.edges = edges;
  network.once("afterDrawing", function () {
    state.firstDraw = performance.now();
  });

  // ---- filters -------------------------------------------------------------------------------
  var shownKinds = {}, shownGrades = {}, chainFilter = -1;
  data.legend.forEach(function (k) { shownKinds[k.kind] = true; });
  data.grades.forEach(function (g) { shownGrades[g.grade] = true; });

  function nodeVisible(n) {
    if (!shownKinds[n.kind] || !shownGrades[n.grade]) return false;
    if (chainFilter >= 0 && n.chains.indexOf(chainFilter) < 0) return false;
    return true;
  }
  var hiddenNode = {};
  function applyFilters() {
    var nodeUpd = [], edgeUpd = [], shown = 0;
    data.nodes.forEach(function (n) {
      var hide = !nodeVisible(n);
      if (!hide) shown++;
      if (!!hiddenNode[n.id] !== hide) { hiddenNode[n.id] = hide; nodeUpd.push({ id: n.id, hidden: hide }); }
    });
    data.edges.forEach(function (e) {
      var hide = hiddenNode[e.from] || hiddenNode[e.to] || !shownGrades[e.grade];
      if (!!e.hidden !== !!hide) { e.hidden = !!hide; edgeUpd.push({ id: e.id, hidden: !!hide }); }
    });
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
    state.shown = shown;
    setStatus();
  }
  function setStatus() {
    var total = data.nodes.length;
    var text = "显示 " + (state.shown === undefined ? total : state.shown) + " / " + total + " 个节点, " +
      data.edges.length + " 条关系";
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
  chainSel.addEventListener("change", function () { chainFilter = parseInt(chainSel.value, 10); applyFilters(); });
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
  var dimmed = null;
  function highlight(id) {
    clearHighlight();
    if (id === null) return;
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (m) { keep[m] = true; });
    var keepEdges = {};
    network.getConnectedEdges(id).forEach(function (e) { keepEdges[e] = true; });
    var nu = [], eu = [];
    data.nodes.forEach(function (n) {
      if (!keep[n.id]) nu.push({ id: n.id, color: { background: DIM_BG, border: DIM_BORDER }, font: { color: DIM_FONT } });
    });
    data.edges.forEach(function (e) {
      if (!keepEdges[e.id]) eu.push({ id: e.id, color: { color: DIM_EDGE, opacity: 0.6 }, font: { color: DIM_FONT } });
    });
    nodes.update(nu);
    edges.update(eu);
    dimmed = { nodes: nu.map(function (x) { return x.id; }), edges: eu.map(function (x) { return x.id; }) };
  }
  function clearHighlight() {
    if (!dimmed) return;
    nodes.update(dimmed.nodes.map(function (id) {
      return { id: id, color: byId[id].look.color, font: { color: "#1f2933" } };
    }));
    edges.update(dimmed.edges.map(function (i) {
      var e = data.edges[i];
      return { id: i, color: { color: e.look.color, highlight: "#000000", hover: "#37474f", opacity: e.look.opacity },
               font: { color: "#455a64" } };
    }));
    dimmed = null;
  }

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
  function openPanel(id) {
    var n = byId[id];
    panel.textContent = "";
    if (!n) { panel.classList.remove("open"); return; }
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "关闭";
    close.addEventListener("click", function () { select(null); });
    panel.appendChild(close);
    panel.appendChild(el("h3", n.name));
    var kl = el("div", (kindLabel[n.kind] || n.kind) + " · ", "kindline");
    kl.appendChild(gradeBadge(n.grade));
    panel.appendChild(kl);
    var table = el("table");
    [["类型", (kindLabel[n.kind] || n.kind) + " (" + n.kind + ")"], ["编号", n.id]].concat(n.info).forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[0]));
      tr.appendChild(el("td", r[1]));
      table.appendChild(tr);
    });
    panel.appendChild(table);
    panel.appendChild(el("h4", "来源原文 (" + n.src.length + ")"));
    if (n.src.length) quotes(panel, n.src);
    else panel.appendChild(el("div", n.grade === "template" ? "模板知识, 无原文引用" : "无原文引用", "hint"));
    var rels = data.edges.filter(function (e) { return e.from === id || e.to === id; });
    panel.appendChild(el("h4", "关系 (" + rels.length + ")"));
    var ul = el("ul", null, "rels");
    rels.slice(0, 300).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      var li = el("li");
      li.appendChild(el("span", (e.from === id ? "→ " : "← ") + e.label + " "));
      var b = el("button", byId[other] ? byId[other].name : other);
      b.type = "button";
      b.addEventListener("click", function () { select(other, true); });
      li.appendChild(b);
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
    state.selected = id;
    if (id === null) {
      network.unselectAll();
      clearHighlight();
      panel.classList.remove("open");
      panel.textContent = "";
      return;
    }
    var n = byId[id];
    if (!n) return;
    if (hiddenNode[id]) {  // make a filtered-out node visible again
      shownKinds[n.kind] = true;
      shownGrades[n.grade] = true;
      document.querySelectorAll("#legend input").forEach(function (b) { if (b.dataset.kind === n.kind) b.checked = true; });
      document.querySelectorAll("#grades input").forEach(function (b) { if (b.dataset.grade === n.grade) b.checked = true; });
      if (chainFilter >= 0 && n.chains.indexOf(chainFilter) < 0) { chainFilter = -1; chainSel.value = "-1"; }
      applyFilters();
    }
    network.selectNodes([id]);
    highlight(id);
    openPanel(id);
    if (focus) {
      var scale = Math.max(network.getScale(), 1.0);
      network.focus(id, { scale: scale, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
      state.focused = id;
    }
  }
  state.select = select;

  network.on("click", function (p) {
    if (p.nodes.length) select(p.nodes[0], false);
    else if (!p.edges.length) select(null);
  });

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
  network.on("hoverEdge", function (p) {
    var e = data.edges[p.edge];
    if (!e) return;
    var a = byId[e.from], b = byId[e.to];
    showTip({ head: e.label + " (" + e.rel + ")",
              line: (a ? a.name : e.from) + " → " + (b ? b.name : e.to) + " · " + (gradeLabel[e.grade] || e.grade),
              quote: e.src.length ? e.src[0][1] : "" }, p.pointer);
  });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ---- search --------------------------------------------------------------------------------
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  function matches(q) {
    var needle = norm(q);
    if (!needle) return [];
    var found = [];
    data.nodes.forEach(function (n) {
      var best = 9;
      n.search.forEach(function (s) {
        var r = s === needle ? 0 : s.indexOf(needle) === 0 ? 1 : s.indexOf(needle) >= 0 ? 2 : 9;
        if (r < best) best = r;
      });
      if (best < 9) found.push([best, n.name.length, n.id]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return found.slice(0, 15).map(function (f) { return f[2]; });
  }
  function showResults() {
    results.textContent = "";
    matches(input.value).forEach(function (id) {
      var n = byId[id];
      var li = el("li");
      var b = el("button", n.name);
      b.type = "button";
      b.dataset.id = id;
      b.appendChild(el("span", kindLabel[n.kind] || n.kind, "k"));
      b.addEventListener("click", function () { select(id, true); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (input.value && !results.childNodes.length) results.appendChild(el("li", "无匹配", "hint"));
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = matches(input.value)[0];
      if (first !== undefined) select(first, true);
    }
  });

  // ---- view buttons --------------------------------------------------------------------------
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: false }); });
  function zoom(f) {
    network.moveTo({ scale: network.getScale() * f, animation: { duration: 200, easingFunction: "linear" } });
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.4); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.4); });
  document.getElementById("png").addEventListener("click", function () {
    var src = container.querySelector("canvas");
    if (!src) return;
    var out = document.createElement("canvas");
    out.width = src.width;
    out.height = src.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
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

  if (data.focus && byId[data.focus] && data.viewKind === "ego") {
    network.selectNodes([data.focus]);
  }
  state.ready = true;
})();
