// Timeline export: the SVG as a file, or drawn onto a canvas and saved as PNG (all in the browser).
(function () {
  "use strict";
  var svg = document.querySelector(".wmkg-timeline-figure svg");
  var status = document.getElementById("wmkg-export-status");
  function svgText() { return new XMLSerializer().serializeToString(svg); }
  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  document.getElementById("wmkg-export-svg").addEventListener("click", function () {
    save(new Blob([svgText()], { type: "image/svg+xml" }), "westminster-timeline.svg");
  });
  document.getElementById("wmkg-export-png").addEventListener("click", function () {
    var width = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height;
    var image = new Image();
    var url = URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" }));
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * 2; canvas.height = height * 2;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(2, 2);
      ctx.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvas.toBlob(function (blob) { save(blob, "westminster-timeline.png"); status.textContent = "PNG ready"; }, "image/png");
    };
    image.onerror = function () { status.textContent = "This browser could not draw the SVG as PNG"; };
    image.src = url;
  });
  document.getElementById("wmkg-print").addEventListener("click", function () { window.print(); });
})();
