// The network view's behaviour: filters, legend, search and evidence panels.
// Every piece of graph text is set with textContent or as an attribute value, never as markup,
// because labels and quotes come from data files and imported datasets that anyone can write.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("wmkg-data").textContent);
  var nodeInfo = data.nodeInfo;
  var edgeInfo = data.edgeInfo;
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var state = {
    relations: new Set(data.relations.map(function (r) { return r.curie; })),
    classes: new Set(data.classes.map(function (c) { return c.curie; })),
    government: ""
  };
  var visibleNodes = new Set();
  var visibleEdges = new Set();

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function safeHref(url) {
    // Only web links: a javascript: or data: IRI in an imported graph must not become a link.
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function labelOf(id) { return nodeInfo[id] ? nodeInfo[id].label : id; }

  function governmentLabel(iri) {
    for (var i = 0; i < data.governments.length; i++) {
      if (data.governments[i].iri === iri) { return data.governments[i].label; }
    }
    return iri;
  }

  // --- filtering ---------------------------------------------------------------------------------
  function edgeFiltersActive() {
    return state.government !== "" || state.relations.size < data.relations.length ||
      state.classes.size < data.classes.length;
  }

  function recompute() {
    visibleEdges = new Set();
    visibleNodes = new Set();
    Object.keys(edgeInfo).forEach(function (id) {
      var info = edgeInfo[id];
      if (!state.relations.has(info.relation)) { return; }
      if (state.government && info.governments.indexOf(state.government) < 0) { return; }
      if (!state.classes.has(nodeInfo[info.from].cls) || !state.classes.has(nodeInfo[info.to].cls)) { return; }
      visibleEdges.add(id);
      visibleNodes.add(info.from);
      visibleNodes.add(info.to);
    });
    if (!edgeFiltersActive()) {
      Object.keys(nodeInfo).forEach(function (id) { visibleNodes.add(id); });
    }
    if (data.focus && nodeInfo[data.focus] && state.classes.has(nodeInfo[data.focus].cls)) {
      visibleNodes.add(data.focus);
    }
  }

  var nodesView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes.has(n.id); } });
  var edgesView = new vis.DataView(edges, { filter: function (e) { return visibleEdges.has(e.id); } });

  function refresh() {
    recompute();
    nodesView.refresh();
    edgesView.refresh();
    document.getElementById("wmkg-status").textContent =
      visibleNodes.size + " of " + Object.keys(nodeInfo).length + " nodes, " +
      visibleEdges.size + " of " + Object.keys(edgeInfo).length + " edges shown" +
      (visibleNodes.size === 0 ? ". Nothing matches these filters: switch a relation or class back on, " +
        "or choose another government." : "");
  }

  // --- legend and filter controls ----------------------------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";

  function lineSample(relation) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "44");
    svg.setAttribute("height", "12");
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "2"); line.setAttribute("y1", "6");
    line.setAttribute("x2", "34"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", relation.color);
    line.setAttribute("stroke-width", String(Math.max(relation.width, 1.5)));
    if (relation.dashes) { line.setAttribute("stroke-dasharray", relation.dashes.join(" ")); }
    svg.appendChild(line);
    var head;
    if (relation.arrow === "circle") {
      head = document.createElementNS(SVG, "circle");
      head.setAttribute("cx", "38"); head.setAttribute("cy", "6"); head.setAttribute("r", "4");
    } else if (relation.arrow === "vee") {
      head = document.createElementNS(SVG, "polyline");
      head.setAttribute("points", "32,1 42,6 32,11 36,6");
    } else {
      head = document.createElementNS(SVG, "polygon");
      head.setAttribute("points", "32,1 42,6 32,11");
    }
    head.setAttribute("fill", relation.color);
    svg.appendChild(head);
    return svg;
  }

  var SHAPE_GLYPHS = { dot: "\u25CF", square: "\u25A0", diamond: "\u25C6", triangle: "\u25B2",
    triangleDown: "\u25BC", star: "\u2605", hexagon: "\u2B22" };

  function checkbox(container, key, set, text, sample, count) {
    var label = el("label", null, "wmkg-check");
    var input = el("input");
    input.type = "checkbox";
    input.checked = true;
    input.value = key;
    input.addEventListener("change", function () {
      if (input.checked) { set.add(key); } else { set.delete(key); }
      refresh();
    });
    label.appendChild(input);
    label.appendChild(sample);
    label.appendChild(el("span", text + " (" + count + ")"));
    container.appendChild(label);
  }

  var relationsBox = document.getElementById("wmkg-relations");
  data.relations.forEach(function (r) {
    checkbox(relationsBox, r.curie, state.relations, r.label, lineSample(r), r.count);
  });
  var classesBox = document.getElementById("wmkg-classes");
  data.classes.forEach(function (c) {
    var glyph = el("span", SHAPE_GLYPHS[c.shape] || "\u25CF", "wmkg-glyph");
    glyph.style.color = c.color;
    glyph.setAttribute("aria-hidden", "true");
    checkbox(classesBox, c.curie, state.classes, c.name || c.curie, glyph, c.count);
  });
  var governmentSelect = document.getElementById("wmkg-government");
  data.governments.forEach(function (g) {
    var option = el("option", g.label);
    option.value = g.iri;
    governmentSelect.appendChild(option);
  });
  governmentSelect.addEventListener("change", function () {
    state.government = governmentSelect.value;
    refresh();
  });

  // --- the network -------------------------------------------------------------------------------
  recompute();
  var container = document.getElementById("wmkg-network");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, data.options);
  var ready = false;
  function markReady() {
    if (ready) { return; }
    ready = true;
    // Freeze the layout once it has settled: the page stays still and costs no CPU.
    network.setOptions({ physics: { enabled: false } });
    if (data.focus && nodeInfo[data.focus]) { focusNode(data.focus); }
    document.body.setAttribute("data-ready", "true");
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", markReady);
  }
  network.once("afterDrawing", function () { if (!data.options.physics.enabled) { markReady(); } });
  refresh();

  // --- hover: the relation's name on the edge and in a tooltip -----------------------------------
  var tooltip = document.getElementById("wmkg-tooltip");
  function placeTooltip(pointer) {
    var box = container.getBoundingClientRect();
    tooltip.hidden = false;
    tooltip.style.left = pointer.DOM.x + box.left + 12 + "px";
    tooltip.style.top = pointer.DOM.y + box.top + 12 + "px";
  }
  network.on("hoverEdge", function (params) {
    var info = edgeInfo[params.edge];
    edges.update({ id: params.edge, label: info.relation_label, font: { align: "top", size: 12 } });
    tooltip.textContent = labelOf(info.from) + " \u2014 " + info.relation_label + " \u2192 " + labelOf(info.to);
    tooltip.hidden = false;
    placeTooltip(params.pointer);
  });
  network.on("blurEdge", function (params) {
    edges.update({ id: params.edge, label: " " });
    tooltip.hidden = true;
  });
  network.on("hoverNode", function (params) {
    var info = nodeInfo[params.node];
    tooltip.textContent = info.label + " (" + (info.className || info.cls) + ")";
    tooltip.hidden = false;
    placeTooltip(params.pointer);
  });
  network.on("blurNode", function () { tooltip.hidden = true; });

  // --- details panel -----------------------------------------------------------------------------
  var details = document.getElementById("wmkg-details");

  function clearDetails() {
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

  function entityLink(id) {
    var button = el("button", labelOf(id), "wmkg-link");
    button.type = "button";
    button.addEventListener("click", function () { focusNode(id); });
    return button;
  }

  function addField(list, name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    list.appendChild(el("dt", name));
    if (Array.isArray(value)) {
      value.forEach(function (v) { list.appendChild(el("dd", v)); });
    } else if (value instanceof Node) {
      var dd = el("dd");
      dd.appendChild(value);
      list.appendChild(dd);
    } else {
      list.appendChild(el("dd", value));
    }
  }

  function showEdge(id) {
    var info = edgeInfo[id];
    if (!info) { return; }
    clearDetails();
    details.setAttribute("data-edge", id);
    details.removeAttribute("data-node");
    var heading = el("h2", null, "wmkg-edge-heading");
    heading.appendChild(entityLink(info.from));
    heading.appendChild(el("span", " " + info.relation_label + " ", "wmkg-relation"));
    heading.appendChild(entityLink(info.to));
    details.appendChild(heading);
    if (info.quotes.length) {
      info.quotes.forEach(function (q) { details.appendChild(el("blockquote", q, "wmkg-quote")); });
      // The article's hedge beside its words: a claim is never shown more certain than its quote.
      if (info.hedge) { details.appendChild(el("p", info.hedge, "wmkg-modality")); }
    } else {
      details.appendChild(el("p", "No quote recorded for this relation.", "wmkg-hint"));
    }
    var list = el("dl");
    addField(list, "Section", info.section);
    addField(list, "Stance", info.stance);
    addField(list, "Modality", info.modality);
    addField(list, "Cited work", info.cites);
    addField(list, "Government or period", info.governments.map(governmentLabel));
    addField(list, "Claim", info.claim);
    details.appendChild(list);
  }

  // The quotes the article attributes to an entity, with the claims each supports.
  function showWords(info) {
    if (!info.words || !info.words.length) { return; }
    details.appendChild(el("h3", "In its own words (" + info.words.length + (info.words.length === 1 ? " quote)" : " quotes)")));
    var list = el("ol", null, "wmkg-words");
    info.words.forEach(function (w) {
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

  function showNode(id) {
    var info = nodeInfo[id];
    if (!info) { return; }
    clearDetails();
    details.setAttribute("data-node", id);
    details.removeAttribute("data-edge");
    details.appendChild(el("h2", info.label));
    details.appendChild(el("p", info.className || info.cls, "wmkg-class"));
    if (info.definition) { details.appendChild(el("p", info.definition, "wmkg-definition")); }
    var list = el("dl");
    addField(list, "IRI", info.iri);
    if (info.page) {
      var page = el("a", "Open the entity page");
      page.href = info.page;
      addField(list, "Page", page);
    }
    details.appendChild(list);
    showWords(info);
    if (info.links.length) {
      details.appendChild(el("h3", "External identifiers"));
      var links = el("ul", null, "wmkg-links");
      info.links.forEach(function (url) {
        var item = el("li");
        var href = safeHref(url);
        if (href) {
          var a = el("a", url);
          a.href = href;
          a.rel = "noopener noreferrer external";
          a.target = "_blank";
          item.appendChild(a);
        } else {
          item.textContent = url;
        }
        links.appendChild(item);
      });
      details.appendChild(links);
    }
    details.appendChild(el("h3", "Relations"));
    var relations = el("ul", null, "wmkg-relations-list");
    Object.keys(edgeInfo).forEach(function (edgeId) {
      var e = edgeInfo[edgeId];
      if (e.from !== id && e.to !== id) { return; }
      var item = el("li");
      var button = el("button", (e.from === id ? "\u2192 " + e.relation_label + " \u2192 " + labelOf(e.to)
        : "\u2190 " + labelOf(e.from) + " " + e.relation_label), "wmkg-link");
      button.type = "button";
      button.addEventListener("click", function () { network.selectEdges([edgeId]); showEdge(edgeId); });
      item.appendChild(button);
      if (!visibleEdges.has(edgeId)) { item.appendChild(el("span", " (hidden by a filter)", "wmkg-hint")); }
      relations.appendChild(item);
    });
    details.appendChild(relations);
  }

  // A click opens the line the tooltip named, where vis-network's own pick could be a crossing line.
  var hoveredEdge = null;
  network.on("hoverEdge", function (params) { hoveredEdge = params.edge; });
  network.on("blurEdge", function (params) { if (hoveredEdge === params.edge) { hoveredEdge = null; } });
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (hoveredEdge && visibleEdges.has(hoveredEdge)) { network.selectEdges([hoveredEdge]); showEdge(hoveredEdge); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { closeDetails(); }
  });

  // --- search ------------------------------------------------------------------------------------
  var searchInput = document.getElementById("wmkg-search-input");
  var searchStatus = document.getElementById("wmkg-search-status");
  var datalist = document.getElementById("wmkg-labels");
  Object.keys(nodeInfo).map(function (id) { return nodeInfo[id].label; }).sort().forEach(function (label) {
    var option = el("option");
    option.value = label;
    datalist.appendChild(option);
  });

  function focusNode(id) {
    if (!visibleNodes.has(id)) {
      searchStatus.textContent = labelOf(id) + " is hidden by a filter";
      showNode(id);
      return;
    }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: false });
    searchStatus.textContent = "";
    showNode(id);
  }

  // Words, not letters inside words ("sir" never finds "desire"); a half-typed last word of four
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
  function findNodes(text) {
    var needle = words(text);
    if (!needle.length) { return []; }
    var ids = Object.keys(nodeInfo);
    var exact = ids.filter(function (id) { return words(nodeInfo[id].label).join(" ") === needle.join(" "); });
    var partial = ids.filter(function (id) { return exact.indexOf(id) < 0 && hasPhrase(nodeInfo[id].label, needle); });
    partial.sort(function (a, b) { return labelOf(a).localeCompare(labelOf(b)); });
    return exact.concat(partial);
  }

  document.getElementById("wmkg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var found = findNodes(searchInput.value);
    if (!found.length) { searchStatus.textContent = "No entity's name has those words"; return; }
    if (found.length === 1) { focusNode(found[0]); return; }
    searchStatus.textContent = found.length + " matches";
    clearDetails();
    details.setAttribute("data-node", "");
    details.appendChild(el("h2", found.length + " entities match"));
    var list = el("ul", null, "wmkg-relations-list");
    found.forEach(function (id) {
      var li = el("li");
      var b = el("button", labelOf(id), "wmkg-link");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(id); });
      li.appendChild(b);
      list.appendChild(li);
    });
    details.appendChild(list);
  });

  // For tests and for readers who want to script the page from the console.
  window.wmkgView = {
    network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView,
    state: state, refresh: refresh, showEdge: showEdge, showNode: showNode, focusNode: focusNode,
    visibleEdgeIds: function () { return Array.from(visibleEdges).sort(); },
    visibleNodeIds: function () { return Array.from(visibleNodes).sort(); },
    edgeInfo: edgeInfo, nodeInfo: nodeInfo
  };
})();
