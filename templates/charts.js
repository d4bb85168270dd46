// Draw every chart on the page from its inline Vega-Lite spec (no network: data is inline).
// Each fills its card's width and redraws when that changes, in the page's theme.
(function () {
  "use strict";
  var options = {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
  };
  // Dark theme: the axes', legends' and titles' ink, and the marks' fixed greys, lightened
  var DARK = {
    axis: { labelColor: "#d5dbe3", titleColor: "#e4e8ee", gridColor: "#3a4352",
            domainColor: "#8a94a3", tickColor: "#8a94a3" },
    legend: { labelColor: "#d5dbe3", titleColor: "#e4e8ee" },
    title: { color: "#e4e8ee", subtitleColor: "#d5dbe3" },
    header: { labelColor: "#d5dbe3", titleColor: "#e4e8ee" },
    text: { color: "#e4e8ee" },
  };
  var INK = { "#111": "#eeeeee", "#111111": "#eeeeee", "#222222": "#dddddd",
              "#333333": "#d5dbe3", "#444444": "#cfd5dd", "#666666": "#a8b0bc" };

  function merged(base, extra) {
    var out = {};
    Object.keys(base || {}).forEach(function (k) { out[k] = base[k]; });
    Object.keys(extra).forEach(function (k) {
      var a = out[k], b = extra[k];
      out[k] = a && typeof a === "object" && typeof b === "object" ? merged(a, b) : b;
    });
    return out;
  }

  function inked(value, key) { // a copy with the fixed dark greys lightened (not the data)
    if (key === "datasets") return value;
    if (typeof value === "string") return INK.hasOwnProperty(value.toLowerCase()) ? INK[value.toLowerCase()] : value;
    if (Array.isArray(value)) return value.map(function (v) { return inked(v, ""); });
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = inked(value[k], k); });
      return out;
    }
    return value;
  }

  function scaled(spec, ratio) { // a concatenation's view widths times `ratio`
    var out = {};
    Object.keys(spec).forEach(function (k) {
      var v = spec[k];
      if (k === "width" && typeof v === "number") out[k] = Math.max(60, Math.floor(v * ratio));
      else if (k === "vconcat" || k === "hconcat" || k === "concat" || k === "layer")
        out[k] = v.map(function (part) { return scaled(part, ratio); });
      else out[k] = v;
    });
    return out;
  }

  // Narrow cards (a phone): legends go below the plot in at most two columns, and long
  // axis labels (the failure groups') are cut shorter, so a chart fits its card; the
  // tooltip and the chart's table keep every label whole.
  var NARROW = 600;
  function narrowed(value, key) {
    if (key === "datasets") return value;
    if (Array.isArray(value)) return value.map(function (v) { return narrowed(v, ""); });
    if (!value || typeof value !== "object") return value;
    var out = {};
    Object.keys(value).forEach(function (k) { out[k] = narrowed(value[k], k); });
    if (key === "legend") {
      out.orient = "bottom";
      out.direction = "horizontal";
      out.columns = Math.min(out.columns || 2, 2);
      out.labelLimit = Math.min(out.labelLimit || 100, 100);
    } else if (key === "axis" && typeof out.maxExtent === "number" && out.maxExtent > 100) {
      out.labelLimit = 92;
      out.minExtent = 100;
      out.maxExtent = 100;
    }
    return out;
  }

  function themed(spec, theme) {
    if (theme !== "dark") return spec;
    var out = inked(spec, "");
    out.config = merged(out.config, DARK);
    return out;
  }

  function Chart(element) {
    this.element = element;
    this.spec = JSON.parse(document.getElementById(element.getAttribute("data-spec")).textContent);
    this.meta = this.spec.usermeta || {};
    this.view = null;
    this.width = 0;
    this.extra = null; // a scaled chart's width beyond its views' (axes, labels, legend)
    this.narrow = false;
  }

  Chart.prototype.draw = function () {
    var self = this, element = this.element;
    var available = element.clientWidth;
    if ((available < NARROW) !== this.narrow) this.extra = null; // its labels change width
    this.narrow = available < NARROW;
    var spec = this.spec;
    var ratio = 1;
    if (this.meta.fit === "scale" && this.meta.width) {
      var extra = this.extra === null ? 0 : this.extra;
      ratio = Math.min(4, Math.max(0.2, (available - extra) / this.meta.width));
      spec = scaled(spec, ratio);
    }
    this.width = available;
    if (this.narrow) {
      spec = narrowed(spec, "");
      spec.config = merged(spec.config, { title: { limit: Math.max(120, available - 24) } });
    }
    var theme = printing ? "light" : window.reportgenTheme ? window.reportgenTheme() : "light";
    if (this.view) this.view.finalize();
    var embedding = merged(options, { tooltip: { theme: theme === "dark" ? "dark" : "light" } });
    return window.vegaEmbed(element, themed(spec, theme), embedding).then(function (result) {
      self.view = result.view;
      var menu = element.querySelector(".vega-actions summary, details > summary");
      if (menu) menu.setAttribute("aria-label", "Export this chart as an image");
      var svg = element.querySelector("svg.marks");
      if (self.meta.fit === "scale" && self.extra === null && svg) {
        // measured once: what the chart draws beyond its views' widths, then drawn to fit
        self.extra = Math.max(0, svg.getBoundingClientRect().width - self.meta.width * ratio);
        return self.draw();
      }
    }).catch(function (error) {
      element.textContent = "This chart could not be drawn: " + error;
      console.error(error);
    });
  };

  var charts = [];
  var printing = false; // paper is light whatever the screen's theme
  document.querySelectorAll(".chart[data-spec]").forEach(function (element) {
    var chart = new Chart(element);
    charts.push(chart);
    chart.draw();
  });
  var pending = null;
  function redrawScaled() { // container-sized charts follow on their own
    pending = null;
    charts.forEach(function (chart) {
      var width = chart.element.clientWidth;
      if ((chart.meta.fit === "scale" && width !== chart.width) || (width < NARROW) !== chart.narrow)
        chart.draw();
    });
  }
  window.addEventListener("resize", function () {
    if (pending === null) pending = window.requestAnimationFrame(redrawScaled);
  });
  function printed(value) {
    return function () { printing = value; charts.forEach(function (c) { c.draw(); }); };
  }
  window.addEventListener("beforeprint", printed(true));
  window.addEventListener("afterprint", printed(false));
  document.addEventListener("reportgen-theme", function () {
    charts.forEach(function (chart) { chart.draw(); });
  });
})();
