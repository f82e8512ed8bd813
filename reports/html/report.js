// soaklab report: interactive charts with uPlot (inlined above this script).
// Each cell's data sits in a <script type="application/json" class="cell-data">
// (see live.go); each of its figures holds the static SVG, hidden once the
// interactive chart is drawn, shown again for print. Drag to zoom a time
// range (every chart of the cell follows), double-click to zoom out, hover
// for the values under the cursor. Without script the SVGs stay.
(function () {
  "use strict";
  // Optional: filter the scorecard by verdict. Without script every row shows.
  var f = document.getElementById("filter");
  if (f) {
    f.hidden = false;
    f.addEventListener("change", function () {
      var on = {};
      f.querySelectorAll("input").forEach(function (i) { on[i.value] = i.checked; });
      document.querySelectorAll("table.scorecard tbody tr").forEach(function (r) { r.hidden = !on[r.dataset.verdict]; });
    });
  }
  if (typeof uPlot === "undefined") { return; }

  function bytes(b64) {
    var s = atob(b64), u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { u[i] = s.charCodeAt(i); }
    return new DataView(u.buffer);
  }
  function decodeX(b64) {
    var d = bytes(b64), n = d.byteLength / 4, out = new Array(n);
    for (var i = 0; i < n; i++) { out[i] = d.getFloat32(4 * i, true); }
    return out;
  }
  function decodeCol(c) {
    var d = bytes(c.q), n = d.byteLength / 2, out = new Array(n);
    for (var i = 0; i < n; i++) {
      var q = d.getUint16(2 * i, true);
      out[i] = q === 65535 ? null : c.lo + q * c.step;
    }
    return out;
  }

  // Tick labels as plot.Label spells them: no float noise, k/M/G for large
  // values, at most 4 significant digits.
  function decimals(step) {
    var d = 0;
    while (d < 12 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-9 * Math.max(1, step * Math.pow(10, d))) { d++; }
    return d;
  }
  function trim(s) {
    if (s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
    return s === "-0" ? "0" : s;
  }
  function label(v, step) {
    if (v === 0) { return "0"; }
    var a = Math.max(Math.abs(v), step);
    var units = [[1e9, "G", 1e9], [1e6, "M", 1e6], [1e3, "k", 1e4]];
    for (var i = 0; i < units.length; i++) {
      if (a >= units[i][2]) { return trim((v / units[i][0]).toFixed(decimals(step / units[i][0]))) + units[i][1]; }
    }
    return trim(v.toFixed(decimals(step)));
  }
  // A value under the cursor: 4 significant digits.
  function value(v) {
    if (v == null || isNaN(v)) { return "—"; }
    var a = Math.abs(v);
    if (a >= 1e4) { return Math.round(v).toLocaleString("en"); }
    return trim(v.toPrecision(4));
  }
  // Time since start: unit by span, as plot.TimeUnit picks it.
  function timeUnit(span) {
    if (span > 3 * 3600) { return [3600, "h"]; }
    if (span > 180) { return [60, "min"]; }
    return [1, "s"];
  }
  function clock(t) {
    if (t == null) { return "—"; }
    var s = Math.round(t), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    if (h > 0) { return h + "h" + String(m).padStart(2, "0") + "m" + String(r).padStart(2, "0") + "s"; }
    if (m > 0) { return m + "m" + String(r).padStart(2, "0") + "s"; }
    return (Math.round(t * 10) / 10) + "s";
  }
  var timeIncrs = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

  // Wall-clock time (UTC) of a time since start, for the legend and the
  // axis above a long cell's charts.
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function pad2(n) { return String(n).padStart(2, "0"); }
  function wall(t, seconds) {
    var d = new Date(Math.round(t) * 1000), s = pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes());
    return seconds ? s + ":" + pad2(d.getUTCSeconds()) : s;
  }
  function wallTick(t) {
    var d = new Date(Math.round(t) * 1000);
    if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) { return months[d.getUTCMonth()] + " " + d.getUTCDate(); }
    return wall(t, false);
  }
  // Above this span a cell's charts get a wall-clock axis on top.
  var wallSpan = 3 * 3600;

  function build(fig, spec, x, cols, key, group, start) {
    var n = x.length, data = [x], series = [{
      label: "time",
      value: function (u, v) { return v == null ? "—" : clock(v) + (start ? " (" + wall(start + v, true) + " UTC)" : ""); }
    }];
    spec.series.forEach(function (s) {
      var ys;
      if (s.col != null) {
        ys = cols[s.col];
      } else if (s.const) {
        ys = new Array(n).fill(s.y);
      } else if (s.seg) {
        var x0 = s.seg[0], y0 = s.seg[1], x1 = s.seg[2], y1 = s.seg[3];
        ys = x.map(function (t) { return t >= x0 && t <= x1 ? y0 + (y1 - y0) * (t - x0) / (x1 - x0) : null; });
      } else if (s.mark != null) {
        ys = new Array(n).fill(null);
        ys[s.mark] = s.y;
      }
      data.push(ys);
      var o = {
        label: s.name, stroke: s.color, width: s.thin ? 1 : (s.const ? 1 : 1.5), spanGaps: !!s.seg,
        value: function (u, v) { return v == null ? "—" : value(v) + (spec.unit ? " " + spec.unit : ""); }
      };
      if (s.dash) { o.dash = [6, 3]; }
      if (s.mark != null) {
        o.paths = function () { return null; };
        o.points = { show: true, size: 12, width: 3, stroke: s.color, fill: s.color };
      } else {
        o.points = { show: false };
      }
      series.push(o);
    });
    var xmin = spec.xmin, xmax = spec.xmax;
    var opts = {
      width: Math.max(200, fig.clientWidth - 8), height: 240,
      title: spec.title,
      cursor: { sync: { key: key, setSeries: false }, drag: { x: true, y: false }, focus: { prox: 16 }, y: false },
      legend: { live: true },
      scales: {
        x: { time: false, range: function (u, lo, hi) { return u._zoomed ? [lo, hi] : [xmin, xmax]; } },
        y: {
          range: function (u, lo, hi) {
            if (!u._zoomed) { return [spec.ymin, spec.ymax]; }
            if (lo == null || hi == null) { return [spec.ymin, spec.ymax]; }
            var pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
            return [lo - pad, hi + pad];
          }
        }
      },
      axes: [
        {
          incrs: timeIncrs, space: 60, label: "",
          values: function (u, splits, ax, space, incr) {
            var tu = timeUnit(u.scales.x.max - u.scales.x.min);
            u.axes[0].label = "time since start (" + tu[1] + ")";
            return (u.ticks[0] = splits.map(function (v) { return label(v / tu[0], incr / tu[0]); }));
          }
        },
        {
          label: spec.unit || "", size: 56,
          incrs: spec.counts ? [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] : undefined,
          values: function (u, splits, ax, space, incr) { return (u.ticks[1] = splits.map(function (v) { return label(v, incr); })); }
        }
      ],
      series: series,
      hooks: {
        setSelect: [function (u) {
          if (u.select.width < 2) { return; }
          var lo = u.posToVal(u.select.left, "x"), hi = u.posToVal(u.select.left + u.select.width, "x");
          group.forEach(function (o) { o._zoomed = true; o.setScale("x", { min: lo, max: hi }); o.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false); });
        }],
        draw: [function (u) {
          var c = u.ctx, px = devicePixelRatio || 1;
          c.save();
          c.font = (12 * px) + "px sans-serif";
          c.textBaseline = "top";
          // Marks (the OOM kill) labelled beside their point.
          spec.series.forEach(function (s, i) {
            if (s.mark == null || u.data[i + 1][s.mark] == null) { return; }
            var x = u.valToPos(u.data[0][s.mark], "x", true), y = u.valToPos(s.y, "y", true);
            c.fillStyle = s.color;
            c.textAlign = "right";
            c.fillText(s.name, x - 9 * px, y + 6 * px);
          });
          c.restore();
        }]
      }
    };
    // A long cell: wall-clock time (UTC) on an axis above, its ticks on
    // whole UTC hours (or days), the time since start kept below.
    if (start && xmax - xmin > wallSpan) {
      opts.axes.push({
        scale: "x", side: 0, size: 28, space: 70, incrs: timeIncrs.filter(function (i) { return i >= 60; }), grid: { show: false },
        splits: function (u, ai, lo, hi, incr) {
          var out = [];
          for (var v = Math.ceil((start + lo) / incr) * incr - start; v <= hi; v += incr) { out.push(v); }
          return out;
        },
        values: function (u, splits) { return (u.wallTicks = splits.map(function (v, i) { return wallTick(start + v) + (i === 0 ? " UTC" : ""); })); }
      });
    }
    // Drag selects a range; zoom is applied to the whole cell in setSelect.
    opts.select = { show: true };
    opts.cursor.bind = {
      dblclick: function (u) {
        return function () { group.forEach(function (o) { o._zoomed = false; o.setScale("x", { min: xmin, max: xmax }); }); return null; };
      }
    };
    // The charts and their tick labels, for tests and the curious:
    // window.soaklabCharts[i].u is the uPlot, .ticks its labels per axis.
    opts.plugins = [{ hooks: { init: function (u) { u.ticks = []; } } }];
    var host = document.createElement("div");
    host.className = "live-chart";
    // The SVG it replaces carried the chart's accessible name.
    var svg = fig.querySelector("svg.chart");
    host.setAttribute("role", "group");
    host.setAttribute("aria-label", (svg && svg.getAttribute("aria-label")) || spec.title);
    fig.appendChild(host);
    var u = new uPlot(opts, data, host);
    u._zoomed = false;
    var title = u.root.querySelector(".u-title");
    if (spec.metric) {
      var m = document.createElement("div"), code = document.createElement("code");
      m.className = "metric";
      code.textContent = spec.metric;
      m.appendChild(code);
      title.appendChild(m);
    }
    // Reference lines far above the data are named under the title.
    (spec.hidden || []).forEach(function (h) {
      var d = document.createElement("div");
      d.className = "offscale";
      d.textContent = "↑ " + h + " (above this scale)";
      title.appendChild(d);
    });
    fig.classList.add("live");
    window.soaklabCharts.push({ cell: key, title: spec.title, u: u, spec: spec });
    return u;
  }

  window.soaklabCharts = [];
  document.querySelectorAll("script.cell-data").forEach(function (el) {
    var d;
    try { d = JSON.parse(el.textContent); } catch (e) { return; }
    var x = decodeX(d.x), cols = d.cols.map(decodeCol), key = el.dataset.cell, group = [];
    d.charts.forEach(function (spec, i) {
      var fig = document.getElementById(key + "-chart-" + i);
      if (fig) { group.push(build(fig, spec, x, cols, key, group, d.start || 0)); }
    });
    if (typeof ResizeObserver !== "undefined") {
      var ro = new ResizeObserver(function () {
        group.forEach(function (u) { var w = Math.max(200, u.root.parentNode.clientWidth - 8); if (Math.abs(w - u.width) > 4) { u.setSize({ width: w, height: 240 }); } });
      });
      group.forEach(function (u) { ro.observe(u.root.parentNode); });
    }
  });
  // The charts changed the page's height: bring a #cell-… anchor back to
  // the top.
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { target.scrollIntoView(); }
  }
})();
