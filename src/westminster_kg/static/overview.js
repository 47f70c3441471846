// The overview: a fixed layered picture of the argument, with filters, evidence and expansion.
// All graph text goes through textContent or attribute values, never markup: labels and quotes come
// from data files anyone can write.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("wmkg-data").textContent);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  var families = {};
  data.families.forEach(function (f) { families[f.key] = f; });
  var relationStyle = {};
  data.relations.forEach(function (r) { relationStyle[r.curie] = r; });

  var state = {
    relations: new Set(data.defaults),
    government: "",
    expanded: new Set(),   // nodes whose neighbours the reader asked to see
    placed: {}             // positions given to nodes outside the layered layout
  };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function labelOf(id) { return byId[id] ? byId[id].label : id; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // --- which edges and nodes are visible -----------------------------------------------------------
  var visibleEdges = new Set();
  var visibleNodes = new Set();

  function filtersActive() {
    var defaults = data.defaults.every(function (r) { return state.relations.has(r); }) &&
      state.relations.size === data.defaults.length;
    return !defaults || state.government !== "";
  }

  function edgeShown(e) {
    if (state.government && e.governments.indexOf(state.government) < 0 &&
        e.from !== state.government && e.to !== state.government) { return false; }
    // An expanded node shows every relation it has, whatever the relation switches say.
    if (state.expanded.has(e.from) || state.expanded.has(e.to)) { return true; }
    if (!state.relations.has(e.relation)) { return false; }
    if (e.core) { return true; }
    // Beyond the first picture: every edge of a relation the reader switched on.
    return data.defaults.indexOf(e.relation) < 0;
  }

  function recompute() {
    visibleEdges = new Set();
    visibleNodes = new Set();
    data.edges.forEach(function (e) {
      if (edgeShown(e)) { visibleEdges.add(e.id); visibleNodes.add(e.from); visibleNodes.add(e.to); }
    });
    state.expanded.forEach(function (id) { visibleNodes.add(id); });
  }

  // A node outside the layered layout goes into rows below it, under its first placed neighbour,
  // so it never lands on a node of the first picture.
  var layoutBottom = Math.max.apply(null, data.nodes.filter(function (n) { return n.y !== undefined; })
    .map(function (n) { return n.y; }).concat([0]));
  var rowsUsed = {};
  function positionOf(id) {
    var n = byId[id];
    if (n.x !== undefined) { return { x: n.x, y: n.y }; }
    if (state.placed[id]) { return state.placed[id]; }
    var anchor = null;
    data.edges.forEach(function (e) {
      if (anchor || !visibleEdges.has(e.id)) { return; }
      var other = e.from === id ? e.to : (e.to === id ? e.from : null);
      if (other && byId[other].x !== undefined) { anchor = other; }
    });
    var x = anchor ? byId[anchor].x : 0;
    var slot = Math.round(x / 180);
    var row = rowsUsed[slot] || 0;
    rowsUsed[slot] = row + 1;
    state.placed[id] = { x: slot * 180 + (row % 2 ? 60 : -60), y: layoutBottom + 110 + 62 * row };
    return state.placed[id];
  }

  // --- vis items -----------------------------------------------------------------------------------
  function visNode(n) {
    var f = families[n.family];
    var p = positionOf(n.id);
    return {
      id: n.id, label: n.wrapped, shape: f.shape, size: 12, x: p.x, y: p.y, fixed: true, physics: false,
      color: { background: f.color, border: f.border, highlight: { background: f.color, border: "#000" } },
      borderWidth: 1.5, font: { size: 16, face: "sans-serif", color: "#1a1a1a", strokeWidth: 4, strokeColor: "#ffffff" }
    };
  }

  function pairIndex() {
    // Several relations between the same two entities curve apart, so each can be clicked alone.
    var seen = {};
    var index = {};
    data.edges.forEach(function (e) {
      if (!visibleEdges.has(e.id)) { return; }
      var key = [e.from, e.to].sort().join(" ");
      seen[key] = (seen[key] || 0) + 1;
      index[e.id] = seen[key] - 1;
    });
    return index;
  }

  function visEdge(e, index) {
    var s = relationStyle[e.relation];
    // Continuity claims are many and long: drawn lighter, so the erosion stays readable beneath.
    var continuity = e.relation === "wm:claimsContinuity";  // drawn lighter when switched on
    var alpha = e.weak ? 0.35 : (continuity ? 0.6 : 0.85);
    var width = (e.weak || continuity ? 1.2 : Math.min(s.width, 2)) * (1 + Math.log2(Math.max(e.quotes, 1)) / 2);
    return {
      id: e.id, from: e.from, to: e.to, width: width, dashes: s.dashes,
      color: { color: s.color, opacity: alpha, highlight: s.color, hover: s.color },
      arrows: { to: { enabled: true, type: s.arrow, scaleFactor: 0.7 } },
      label: e.quotes > 1 ? String(e.quotes) : undefined,
      font: { size: 11, color: "#333", strokeWidth: 3, strokeColor: "#fff", align: "middle" },
      smooth: { enabled: true, type: index % 2 ? "curvedCCW" : "curvedCW", roundness: 0.08 + 0.14 * index }
    };
  }

  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var container = document.getElementById("wmkg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: { enabled: false },
    layout: { improvedLayout: false },
    interaction: { hover: true, keyboard: { enabled: true, bindToWindow: false }, tooltipDelay: 200,
                   navigationButtons: false, multiselect: false },
    edges: { selectionWidth: 2, hoverWidth: 1.5 }
  });

  function draw() {
    recompute();
    var index = pairIndex();
    nodes.clear();
    edges.clear();
    nodes.add(Array.from(visibleNodes).sort().map(function (id) { return visNode(byId[id]); }));
    edges.add(data.edges.filter(function (e) { return visibleEdges.has(e.id); })
      .map(function (e) { return visEdge(e, index[e.id]); }));
    var empty = document.getElementById("wmkg-empty");
    if (!visibleNodes.size) {
      var words = Array.from(state.relations).map(function (r) { return relationStyle[r] ? relationStyle[r].label : r; });
      empty.textContent = "Nothing matches these filters: no " + (words.length ? words.join(", ") : "relation") +
        " relation" + (state.government ? " under " + labelOf(state.government) : "") +
        ". Switch a relation back on or choose another government.";
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }
    updateCounts();
    network.fit({ animation: false });
  }

  // --- legend, counts and filters ------------------------------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function lineSample(r) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "40"); svg.setAttribute("height", "12"); svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "2"); line.setAttribute("y1", "6"); line.setAttribute("x2", "32"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", r.color); line.setAttribute("stroke-width", String(Math.max(r.width, 1.5)));
    if (r.dashes) { line.setAttribute("stroke-dasharray", r.dashes.join(" ")); }
    svg.appendChild(line);
    var head = document.createElementNS(SVG, r.arrow === "circle" ? "circle" : "polygon");
    if (r.arrow === "circle") { head.setAttribute("cx", "35"); head.setAttribute("cy", "6"); head.setAttribute("r", "4"); }
    else { head.setAttribute("points", "30,1 39,6 30,11"); }
    head.setAttribute("fill", r.color);
    svg.appendChild(head);
    return svg;
  }
  var GLYPHS = { dot: "\u25CF", square: "\u25A0", diamond: "\u25C6", triangle: "\u25B2", triangleDown: "\u25BC",
    star: "\u2605", hexagon: "\u2B22" };

  var relationCounts = {};
  var familyCounts = {};
  var relationsBox = document.getElementById("wmkg-relations");
  var moreBox = document.getElementById("wmkg-more-relations");
  data.relations.forEach(function (r) {
    var row = el("div", null, "wmkg-legend-row");
    var label = el("label", null, "wmkg-check");
    var input = el("input");
    input.type = "checkbox";
    input.value = r.curie;
    input.checked = state.relations.has(r.curie);
    input.addEventListener("change", function () {
      if (input.checked) { state.relations.add(r.curie); } else { state.relations.delete(r.curie); }
      draw();
    });
    label.appendChild(input);
    label.appendChild(lineSample(r));
    label.appendChild(el("span", r.label, "wmkg-legend-name"));
    row.appendChild(label);
    var count = el("span", "", "wmkg-count");
    relationCounts[r.curie] = count;
    row.appendChild(count);
    var only = el("button", "only", "wmkg-only");
    only.type = "button";
    only.setAttribute("aria-label", "Show only " + r.label);
    only.addEventListener("click", function () { onlyRelation(r.curie); });
    row.appendChild(only);
    (r["default"] ? relationsBox : moreBox).appendChild(row);
  });
  var familiesBox = document.getElementById("wmkg-families");
  data.families.forEach(function (f) {
    var row = el("div", null, "wmkg-legend-row");
    var glyph = el("span", GLYPHS[f.shape] || "\u25CF", "wmkg-glyph");
    glyph.style.color = f.color;
    glyph.setAttribute("aria-hidden", "true");
    row.appendChild(glyph);
    row.appendChild(el("span", f.name, "wmkg-legend-name"));
    var count = el("span", "", "wmkg-count");
    familyCounts[f.key] = count;
    row.appendChild(count);
    familiesBox.appendChild(row);
  });

  function setRelations(list) {
    state.relations = new Set(list);
    syncBoxes();
    draw();
  }
  function syncBoxes() {
    document.querySelectorAll("#wmkg-controls input[type=checkbox]").forEach(function (i) {
      i.checked = state.relations.has(i.value);
    });
  }
  function onlyRelation(curie) { setRelations([curie]); }
  document.getElementById("wmkg-reset").addEventListener("click", function () {
    state.government = "";
    state.expanded = new Set();
    governmentSelect.value = "";
    setRelations(data.defaults);
  });

  function updateCounts() {
    var perRelation = {};
    var quotes = 0;
    visibleEdges.forEach(function (id) {
      var e = edgeById[id];
      perRelation[e.relation] = perRelation[e.relation] || [0, 0];
      perRelation[e.relation][0] += 1;
      perRelation[e.relation][1] += e.quotes;
      quotes += e.quotes;
    });
    data.relations.forEach(function (r) {
      var c = perRelation[r.curie] || [0, 0];
      relationCounts[r.curie].textContent = plural(c[0], "edge", "edges") + ", " + plural(c[1], "quote", "quotes");
      relationCounts[r.curie].parentNode.classList.toggle("wmkg-zero", !c[0]);
    });
    var perFamily = {};
    visibleNodes.forEach(function (id) { perFamily[byId[id].family] = (perFamily[byId[id].family] || 0) + 1; });
    data.families.forEach(function (f) {
      familyCounts[f.key].textContent = String(perFamily[f.key] || 0) + " shown";
      familyCounts[f.key].parentNode.classList.toggle("wmkg-zero", !perFamily[f.key]);
    });
    document.getElementById("wmkg-status").textContent =
      "Showing " + plural(visibleNodes.size, "entity", "entities") + " and " +
      plural(visibleEdges.size, "relation", "relations") + " (an edge per relation between two entities) backed by " +
      plural(quotes, "quote", "quotes") + ", of " + data.nodes.length + " entities and " + data.edges.length +
      " relations in the graph.";
    summariseContinuity();
    renderList();
  }

  // Governments' claims of continuity would cover the picture: summarised here until switched on.
  function summariseContinuity() {
    var box = document.getElementById("wmkg-continuity-summary");
    var c = data.continuity;
    if (!box || !c || !c.lines) { if (box) { box.hidden = true; } return; }
    var what = plural(c.lines, "claim", "claims") + " of continuity (" + plural(c.quotes, "quote", "quotes") + ") by " +
      plural(c.claimants, "government or document", "governments and documents") + " about " +
      plural(c.claimed, "convention, principle or model", "conventions, principles and models");
    box.textContent = state.relations.has("wm:claimsContinuity") ? "Drawn: " + what + "."
      : "Not drawn at first: " + what + ". Switch on \u201cclaims continuity\u201d to draw them.";
  }

  var governmentSelect = document.getElementById("wmkg-government");
  data.governments.forEach(function (g) {
    var option = el("option", g.label);
    option.value = g.iri;
    governmentSelect.appendChild(option);
  });
  governmentSelect.addEventListener("change", function () { state.government = governmentSelect.value; draw(); });

  // --- details: an edge's evidence, a node's relations ---------------------------------------------
  var details = document.getElementById("wmkg-details");
  function clear() {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    var close = el("button", "\u00d7", "wmkg-close");
    close.type = "button";
    close.setAttribute("aria-label", "Close the evidence panel");
    close.addEventListener("click", closeDetails);
    details.appendChild(close);
  }
  function closeDetails() {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    details.removeAttribute("data-edge");
    details.removeAttribute("data-node");
    network.unselectAll();
  }
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeDetails(); } });

  function entityButton(id) {
    var b = el("button", labelOf(id), "wmkg-link");
    b.type = "button";
    b.addEventListener("click", function () { selectNode(id); });
    return b;
  }
  function pageLink(id) {
    if (!byId[id] || !byId[id].page) { return null; }
    var a = el("a", "entity page");
    a.href = byId[id].page;
    return a;
  }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) { return; }
    clear();
    details.setAttribute("data-edge", id);
    details.removeAttribute("data-node");
    var h = el("h2", null, "wmkg-edge-heading");
    h.appendChild(entityButton(e.from));
    h.appendChild(el("span", " " + e.label + " ", "wmkg-relation"));
    h.appendChild(entityButton(e.to));
    details.appendChild(h);
    if (e.inverse) {
      // Drawn left to right; the graph states it the other way round, and says so.
      details.appendChild(el("p", "In the graph: " + labelOf(e.subject) + " " + e.relationLabel + " " +
        labelOf(e.object) + ".", "wmkg-hint wmkg-graph-direction"));
    }
    details.appendChild(el("p", plural(e.quotes, "quote", "quotes") + " in " + plural(e.claims.length, "claim", "claims") +
      (e.weak ? " — every one hedged, so the line is drawn fainter" : ""), "wmkg-hint"));
    e.claims.forEach(function (c) {
      var box = el("section", null, "wmkg-claim");
      c.quotes.forEach(function (q) { box.appendChild(el("blockquote", q, "wmkg-quote")); });
      if (!c.quotes.length) { box.appendChild(el("p", "No quote recorded for this claim.", "wmkg-hint")); }
      var dl = el("dl");
      [["Stance", c.stance], ["Modality", c.modality ? c.modality + (c.cue ? " (\u201c" + c.cue + "\u201d)" : "") : ""],
       ["Section", c.section], ["Cited work", c.cites.join("; ")], ["Claim", c.claim]].forEach(function (kv) {
        if (!kv[1]) { return; }
        dl.appendChild(el("dt", kv[0]));
        dl.appendChild(el("dd", kv[1]));
      });
      box.appendChild(dl);
      details.appendChild(box);
    });
    [e.from, e.to].forEach(function (id2) {
      var link = pageLink(id2);
      if (link) { var p = el("p"); p.appendChild(document.createTextNode(labelOf(id2) + ": ")); p.appendChild(link); details.appendChild(p); }
    });
  }

  // The quotes the article attributes to an entity (an actor's claims, quotations), with the claims
  // each supports: a person the article quotes is never shown as silent.
  function showWords(n) {
    if (!n.words || !n.words.length) { return; }
    details.appendChild(el("h3", "In its own words (" + plural(n.words.length, "quote", "quotes") + ")"));
    var list = el("ol", null, "wmkg-words");
    n.words.forEach(function (w) {
      var item = el("li");
      w.quotes.forEach(function (q) { item.appendChild(el("blockquote", q, "wmkg-quote")); });
      item.appendChild(el("p", w.kind + (w.label ? " \u00b7 " + w.label : ""), "wmkg-kind"));
      w.supports.forEach(function (c) {
        item.appendChild(el("p", "Supports: " + (c.proposition || c.subject + " " + c.relation + " " + c.object) + " (" + c.stance +
          "; " + c.certainty + ")", "wmkg-supports"));
      });
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  function neighbourEdges(id) {
    return data.edges.filter(function (e) { return e.from === id || e.to === id; });
  }

  function showNode(id) {
    var n = byId[id];
    if (!n) { return; }
    clear();
    details.setAttribute("data-node", id);
    details.removeAttribute("data-edge");
    details.appendChild(el("h2", n.label));
    details.appendChild(el("p", n.className + " \u00b7 " + families[n.family].name, "wmkg-class"));
    if (n.definition) { details.appendChild(el("p", n.definition, "wmkg-definition")); }
    var link = pageLink(id);
    if (link) { var p = el("p"); p.appendChild(link); details.appendChild(p); }
    showWords(n);
    var all = neighbourEdges(id);
    var hidden = all.filter(function (e) { return !visibleEdges.has(e.id); });
    var expand = el("button", state.expanded.has(id) ? "Hide its other neighbours"
      : "Show all its neighbours (" + plural(hidden.length, "more relation", "more relations") + ")", "wmkg-expand");
    expand.type = "button";
    expand.addEventListener("click", function () {
      if (state.expanded.has(id)) { state.expanded.delete(id); } else { state.expanded.add(id); }
      draw();
      showNode(id);
    });
    details.appendChild(expand);
    details.appendChild(el("h3", plural(all.length, "relation", "relations")));
    var list = el("ul", null, "wmkg-relations-list");
    all.forEach(function (e) {
      var item = el("li");
      var text = (e.from === id ? e.label + " \u2192 " + labelOf(e.to) : labelOf(e.from) + " " + e.label + " \u2192 this") +
        " (" + plural(e.quotes, "quote", "quotes") + ")";
      var b = el("button", text, "wmkg-link");
      b.type = "button";
      b.addEventListener("click", function () { showEdge(e.id); if (visibleEdges.has(e.id)) { network.selectEdges([e.id]); } });
      item.appendChild(b);
      if (!visibleEdges.has(e.id)) { item.appendChild(el("span", " (not drawn)", "wmkg-hint")); }
      list.appendChild(item);
    });
    details.appendChild(list);
  }

  function selectNode(id) {
    if (visibleNodes.has(id)) { network.selectNodes([id]); }
    showNode(id);
  }

  // A click opens the line the tooltip named: where lines cross, vis-network's own pick for the
  // click can be another line than the one under the hover.
  var hoveredEdge = null;
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (hoveredEdge && edgeById[hoveredEdge] && visibleEdges.has(hoveredEdge)) {
      network.selectEdges([hoveredEdge]);
      showEdge(hoveredEdge);
    }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { closeDetails(); }
  });

  // A keyboard route to every drawn relation: the canvas itself cannot take focus item by item.
  var listBox = document.getElementById("wmkg-list-items");
  function renderList() {
    while (listBox.firstChild) { listBox.removeChild(listBox.firstChild); }
    data.edges.forEach(function (e) {
      if (!visibleEdges.has(e.id)) { return; }
      var li = el("li");
      var b = el("button", labelOf(e.from) + " \u2014 " + e.label + " \u2192 " + labelOf(e.to) +
        " (" + plural(e.quotes, "quote", "quotes") + ")", "wmkg-link");
      b.type = "button";
      b.addEventListener("click", function () { network.selectEdges([e.id]); showEdge(e.id); });
      li.appendChild(b);
      listBox.appendChild(li);
    });
  }

  // --- hover tooltip and column titles --------------------------------------------------------------
  var tooltip = document.getElementById("wmkg-tooltip");
  function place(pointer) {
    var box = container.getBoundingClientRect();
    tooltip.hidden = false;
    tooltip.style.left = pointer.DOM.x + box.left + 12 + "px";
    tooltip.style.top = pointer.DOM.y + box.top + 12 + "px";
  }
  network.on("hoverEdge", function (p) {
    hoveredEdge = p.edge;
    var e = edgeById[p.edge];
    tooltip.textContent = labelOf(e.from) + " \u2014 " + e.label + " \u2192 " + labelOf(e.to) + " \u00b7 " +
      plural(e.quotes, "quote", "quotes") + " (click to read)";
    place(p.pointer);
  });
  network.on("hoverNode", function (p) {
    var n = byId[p.node];
    tooltip.textContent = n.label + " \u00b7 " + families[n.family].name;
    place(p.pointer);
  });
  network.on("blurEdge", function (p) { if (hoveredEdge === p.edge) { hoveredEdge = null; } tooltip.hidden = true; });
  network.on("blurNode", function () { tooltip.hidden = true; });
  network.on("beforeDrawing", function (ctx) {
    if (filtersActive() && !state.expanded.size) { return; }
    ctx.save();
    ctx.font = "bold 15px sans-serif";
    ctx.fillStyle = "#555";
    ctx.textAlign = "center";
    var top = Math.min.apply(null, data.columns.map(function (c) { return c.top; }));
    data.columns.forEach(function (c) { ctx.fillText(c.title, c.x, top - 42); });
    ctx.restore();
  });

  // --- search ----------------------------------------------------------------------------------------
  var datalist = document.getElementById("wmkg-labels");
  data.nodes.map(function (n) { return n.label; }).sort().forEach(function (l) {
    var o = el("option"); o.value = l; datalist.appendChild(o);
  });
  var searchStatus = document.getElementById("wmkg-search-status");
  // Words, not letters inside words: "sir" never finds "desire"; a half-typed last word of four
  // letters or more may begin a longer one. Every match is listed; one match is opened at once.
  function words(text) {
    return (text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [])
      .map(function (w) { return w.length > 3 && /s$/.test(w) && !/ss$/.test(w) ? w.slice(0, -1) : w; });
  }
  function hasPhrase(text, needle) {
    var t = words(text);
    for (var i = 0; i + needle.length <= t.length; i++) {
      var ok = true;
      for (var j = 0; j < needle.length && ok; j++) {
        var last = j === needle.length - 1;
        ok = t[i + j] === needle[j] || (last && needle[j].length >= 4 && t[i + j].indexOf(needle[j]) === 0);
      }
      if (ok) { return true; }
    }
    return false;
  }
  function openNode(id) {
    if (!visibleNodes.has(id)) { state.expanded.add(id); draw(); }
    network.selectNodes([id]);
    showNode(id);
  }
  document.getElementById("wmkg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var needle = words(document.getElementById("wmkg-search-input").value);
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      if (!needle.length) { return; }
      if (words(n.label).join(" ") === needle.join(" ")) { exact.push(n); }
      else if (hasPhrase(n.label, needle)) { partial.push(n); }
    });
    var matches = exact.concat(partial.sort(function (a, b) { return a.label.localeCompare(b.label); }));
    if (!matches.length) { searchStatus.textContent = "No entity's name has those words"; return; }
    searchStatus.textContent = matches.length > 1 ? plural(matches.length, "match", "matches") : "";
    if (matches.length === 1) { openNode(matches[0].id); return; }
    clear();
    details.setAttribute("data-node", "");
    details.appendChild(el("h2", plural(matches.length, "entity matches", "entities match")));
    var list = el("ul", null, "wmkg-relations-list");
    matches.forEach(function (n) {
      var li = el("li");
      var b = el("button", n.label, "wmkg-link");
      b.type = "button";
      b.addEventListener("click", function () { openNode(n.id); });
      li.appendChild(b);
      list.appendChild(li);
    });
    details.appendChild(list);
  });

  draw();
  network.once("afterDrawing", function () { document.body.setAttribute("data-ready", "true"); });
  network.redraw();

  window.wmkgOverview = {
    network: network, data: data, state: state, draw: draw, showEdge: showEdge, showNode: showNode,
    onlyRelation: onlyRelation, setRelations: setRelations,
    visibleNodeIds: function () { return Array.from(visibleNodes).sort(); },
    visibleEdgeIds: function () { return Array.from(visibleEdges).sort(); },
    setGovernment: function (iri) { governmentSelect.value = iri; state.government = iri; draw(); }
  };
})();
