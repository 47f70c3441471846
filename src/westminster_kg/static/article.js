// The article reader: a click (or Enter) on a highlighted quote shows the claims it supports; on a
// role-marked sentence, its role and the reason given for it.
// Text from the graph is only ever set with textContent.
(function () {
  "use strict";
  var claims = JSON.parse(document.getElementById("wmkg-claims").textContent);
  var panel = document.getElementById("wmkg-claim");
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function entity(item) {
    if (item.page) { var a = el("a", item.label); a.href = item.page; return a; }
    return el("span", item.label);
  }
  function show(iris) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.setAttribute("data-claim", iris[0]);
    panel.removeAttribute("data-role");
    iris.forEach(function (iri, i) {
      var c = claims[iri];
      if (!c) { return; }
      var box = el("section", null, "wmkg-claim-box");
      var h = el(i ? "h3" : "h2");
      if (c.proposition) {
        h.appendChild(el("span", c.proposition, "wmkg-proposition"));
      } else {
        h.appendChild(entity(c.subject));
        h.appendChild(el("span", " " + c.relation + " ", "wmkg-relation"));
        h.appendChild(entity(c.object));
      }
      box.appendChild(h);
      var dl = el("dl");
      [["Stance", c.stance], ["Said by", c.attributed],
       ["Modality", c.modality ? c.modality + (c.cue ? " (\u201c" + c.cue + "\u201d)" : "") : ""],
       ["Section", c.section]].forEach(function (kv) {
        if (kv[1]) { dl.appendChild(el("dt", kv[0])); dl.appendChild(el("dd", kv[1])); }
      });
      if (c.cites.length) {
        dl.appendChild(el("dt", "Cited work"));
        var works = el("dd");
        c.cites.forEach(function (w, k) {
          if (k) { works.appendChild(document.createTextNode("; ")); }
          works.appendChild(entity(w));
        });
        dl.appendChild(works);
      }
      dl.appendChild(el("dt", "Claim"));
      var dd = el("dd");
      if (c.page) { var a = el("a", iri); a.href = c.page; dd.appendChild(a); } else { dd.textContent = iri; }
      dl.appendChild(dd);
      box.appendChild(dl);
      c.quotes.forEach(function (q) { box.appendChild(el("blockquote", q, "wmkg-quote")); });
      panel.appendChild(box);
    });
  }
  function claimsAt(mark) {
    var found = [];
    for (var m = mark; m && m.tagName === "MARK"; m = m.parentElement.closest("mark")) {
      var iri = m.getAttribute("data-claim");
      if (iri && found.indexOf(iri) < 0) { found.push(iri); }
      if (!m.parentElement) { break; }
    }
    return found;
  }
  // A role-marked sentence: its role and the reason it is not evidence of a claim.
  function showRole(sentence) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.removeAttribute("data-claim");
    panel.setAttribute("data-role", sentence.getAttribute("data-role"));
    var box = el("section", null, "wmkg-claim-box");
    box.appendChild(el("h2", "Role-marked: " + sentence.getAttribute("data-role-label")));
    var dl = el("dl");
    dl.appendChild(el("dt", "Reason"));
    dl.appendChild(el("dd", sentence.getAttribute("data-reason")));
    box.appendChild(dl);
    box.appendChild(el("blockquote", sentence.textContent, "wmkg-quote"));
    panel.appendChild(box);
  }
  var article = document.getElementById("wmkg-article");
  article.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-claim]");
    if (mark) { show(claimsAt(mark)); return; }
    var sentence = event.target.closest(".wmkg-s-role[data-role]");
    if (sentence) { showRole(sentence); }
  });
  article.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    if (event.target.matches("mark[data-claim]")) {
      event.preventDefault();
      show(claimsAt(event.target));
    } else if (event.target.matches(".wmkg-s-role[data-role]")) {
      event.preventDefault();
      showRole(event.target);
    }
  });
  if (location.hash) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.matches("mark[data-claim]")) { show(claimsAt(target)); target.focus(); }
  }
  window.wmkgArticle = { show: show, claims: claims };
  document.body.setAttribute("data-ready", "true");
})();
