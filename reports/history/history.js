// soaklab history: each plot of a cell's metric across nights drawn with
// uPlot (inlined above this script) from the JSON beside its SVG. Drag
// across a plot to zoom into those nights, double-click to zoom out, hover
// for a night's date and value, click a night to open its report. The SVG
// stays for print and without script.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") { return; }
  var day = 86400;
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function pad(n) { return String(n).padStart(2, "0"); }
  // Dates in UTC, as the rest of the page spells them.
  function date(t) {
    var d = new Date(t * 1000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  function tick(t, incr) {
    var d = new Date(t * 1000), s = months[d.getUTCMonth()] + " " + d.getUTCDate();
    if (incr < day) { s += " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); }
    return s;
  }
  function trim(s) {
    if (s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
    return s === "-0" ? "0" : s;
  }
  // A value: 4 significant digits at most, thousands grouped.
  function value(v) {
    if (v == null || isNaN(v)) { return "—"; }
    if (Math.abs(v) >= 1e4) { return Math.round(v).toLocaleString("en"); }
    return trim(v.toPrecision(4));
  }
  function decimals(step) {
    var d = 0;
    while (d < 12 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-9 * Math.max(1, step * Math.pow(10, d))) { d++; }
    return d;
  }
  function label(v, step) {
    if (v === 0) { return "0"; }
    var a = Math.max(Math.abs(v), step), units = [[1e9, "G", 1e9], [1e6, "M", 1e6], [1e3, "k", 1e4]];
    for (var i = 0; i < units.length; i++) {
      if (a >= units[i][2]) { return trim((v / units[i][0]).toFixed(decimals(step / units[i][0]))) + units[i][1]; }
    }
    return trim(v.toFixed(decimals(step)));
  }
  // Whole hours, days and weeks between ticks.
  var dateIncrs = [3600, 7200, 10800, 21600, 43200, day, 2 * day, 7 * day, 14 * day, 28 * day, 91 * day, 182 * day, 364 * day];

  function build(fig, d) {
    var marks = d.x.map(function () { return null; });
    (d.marks || []).forEach(function (m) { marks[m.i] = d.y[m.i]; });
    var xmin = d.x[0], xmax = d.x[d.x.length - 1];
    if (xmax - xmin < day) { xmin -= day / 2; xmax += day / 2; }
    var padX = (xmax - xmin) * 0.04;
    var full = [xmin - padX, xmax + padX];
    var opts = {
      width: Math.max(200, fig.clientWidth - 8), height: 210,
      title: d.title,
      cursor: { drag: { x: true, y: false }, points: { size: 9 }, focus: { prox: 24 }, y: false },
      select: { show: true },
      legend: { live: true },
      scales: {
        x: { time: false, range: function (u, lo, hi) { return u._zoomed ? [lo, hi] : full; } },
        y: {
          range: function (u, lo, hi) {
            if (lo == null || hi == null) { return [0, 1]; }
            var p = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1, from = lo - p;
            if (lo >= 0 && from < 0) { from = 0; } // no negative peaks or rates
            return [from, hi + p];
          }
        }
      },
      axes: [
        {
          incrs: dateIncrs, space: 70,
          values: function (u, splits, ax, space, incr) { return (u.ticks[0] = splits.map(function (v) { return tick(v, incr); })); }
        },
        {
          label: d.unit || "", size: 56,
          values: function (u, splits, ax, space, incr) { return (u.ticks[1] = splits.map(function (v) { return label(v, incr); })); }
        }
      ],
      series: [
        { label: "night", value: function (u, v) { return v == null ? "—" : date(v); } },
        {
          label: d.title, stroke: "#0b5cad", width: 1.5, spanGaps: true,
          points: { show: true, size: 7, fill: "#0b5cad" },
          value: function (u, v) { return v == null ? "—" : value(v) + (d.unit ? " " + d.unit : ""); }
        },
        {
          label: "change", stroke: "#c01c28", width: 0, paths: function () { return null; },
          points: { show: true, size: 12, width: 3, stroke: "#c01c28", fill: "#c01c28" },
          value: function (u, v) { return v == null ? "—" : "first night of a change"; }
        }
      ],
      hooks: {
        setSelect: [function (u) {
          if (u.select.width < 2) { return; }
          var lo = u.posToVal(u.select.left, "x"), hi = u.posToVal(u.select.left + u.select.width, "x");
          u._zoomed = true;
          u.setScale("x", { min: lo, max: hi });
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        }],
        draw: [function (u) {
          // Each change labelled beside its night.
          var c = u.ctx, px = devicePixelRatio || 1;
          c.save();
          c.font = (11 * px) + "px sans-serif";
          c.fillStyle = "#c01c28";
          c.textBaseline = "bottom";
          (d.marks || []).forEach(function (m) {
            if (d.y[m.i] == null) { return; }
            var x = u.valToPos(d.x[m.i], "x", true), y = u.valToPos(d.y[m.i], "y", true);
            c.textAlign = x > u.bbox.left + u.bbox.width / 2 ? "right" : "left";
            c.fillText(m.label, x + (c.textAlign === "right" ? -8 : 8) * px, y - 4 * px);
          });
          c.restore();
        }]
      },
      plugins: [{ hooks: { init: function (u) { u.ticks = []; } } }]
    };
    // A click opens the night's report a moment later, unless it was the
    // first of a double-click (zoom out).
    var pending = null;
    function cancel() { if (pending) { clearTimeout(pending); pending = null; } }
    opts.cursor.bind = {
      dblclick: function (u) { return function () { cancel(); u._zoomed = false; u.setScale("x", { min: full[0], max: full[1] }); return null; }; }
    };
    var host = document.createElement("div");
    host.className = "live-chart";
    var svg = fig.querySelector("svg.chart");
    host.setAttribute("role", "group");
    host.setAttribute("aria-label", (svg && svg.getAttribute("aria-label")) || d.title);
    fig.appendChild(host);
    var data = [d.x, d.y, marks];
    if (!d.marks || d.marks.length === 0) { // no change: no legend entry for one
      opts.series.pop();
      data.pop();
    }
    var u = new uPlot(opts, data, host);
    u._zoomed = false;
    // A click (not the end of a drag) on a night opens its report.
    var down = null;
    u.over.addEventListener("mousedown", function (e) { down = [e.clientX, e.clientY]; });
    u.over.addEventListener("click", function (e) {
      cancel();
      var moved = down && Math.abs(e.clientX - down[0]) + Math.abs(e.clientY - down[1]) > 3;
      var i = u.cursor.idx, link = i == null ? "" : d.links[i];
      if (moved || !link || e.detail > 1) { return; }
      pending = setTimeout(function () { location.href = link; }, 350);
    });
    fig.classList.add("live");
    return u;
  }

  // window.soaklabHistory[i]: .u the uPlot, .ticks its tick labels per
  // axis, .data what it was drawn from; for tests and the curious.
  window.soaklabHistory = [];
  var all = [];
  document.querySelectorAll("script.hist-data").forEach(function (el) {
    var d;
    try { d = JSON.parse(el.textContent); } catch (e) { return; }
    if (!d.x || d.x.length === 0) { return; }
    var u = build(el.closest("figure"), d);
    all.push(u);
    window.soaklabHistory.push({ title: d.title, cell: el.closest("section").id, u: u, data: d });
  });
  if (typeof ResizeObserver !== "undefined") {
    var ro = new ResizeObserver(function () {
      all.forEach(function (u) { var w = Math.max(200, u.root.parentNode.clientWidth - 8); if (Math.abs(w - u.width) > 4) { u.setSize({ width: w, height: 210 }); } });
    });
    all.forEach(function (u) { ro.observe(u.root.parentNode); });
  }
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { target.scrollIntoView(); }
  }
})();
