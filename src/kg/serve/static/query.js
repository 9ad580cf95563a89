/* The query page: the SPARQL editor (vendored YASGUI) over this server's /sparql, the saved
   queries' forms, and a small SVG chart of results (no network: the page's CSP allows only
   what kg serves). No inline script: everything the page runs is in this file. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong"].map(function (t) { return XSD + t; });
  var TIME = /^-?\d{4}(-\d{2}(-\d{2})?)?$/;

  var editorEl = document.getElementById("editor");
  var base = (editorEl && editorEl.dataset.base) || "https://kg.example/";
  var SERVED = ["id", "code", "def", "shapes"];

  /* The path this server shows an IRI of the graph at (or null for other IRIs). */
  function pathOf(iri) {
    var bases = [base, "https://kg.example/"];
    for (var i = 0; i < bases.length; i++) {
      if (iri.indexOf(bases[i]) === 0) {
        var rest = iri.slice(bases[i].length);
        if (SERVED.indexOf(rest.split(/[/#]/)[0]) >= 0) return "/" + rest;
      }
    }
    return null;
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* ------------------------------------------------------------------ the chart */

  function isNumber(term) {
    return !!term && term.type !== "uri" && term.type !== "bnode" &&
      NUMERIC.indexOf(term.datatype) >= 0;
  }

  function isTime(term) {
    return !!term && term.type !== "uri" && TIME.test(term.value);
  }

  function label(term) {
    if (!term) return "";
    if (term.type === "uri") {
      var cut = Math.max(term.value.lastIndexOf("/"), term.value.lastIndexOf("#"));
      return term.value.slice(cut + 1) || term.value;
    }
    return term.value;
  }

  /* Which columns a chart of these rows would use: a numeric value against a time or a
     label, with an optional column naming the series; null when there is nothing to chart. */
  function chartPlan(vars, rows) {
    if (!rows.length || !vars.length) return null;
    function every(v, test) {
      var seen = 0;
      for (var i = 0; i < rows.length; i++) {
        if (rows[i][v] === undefined) continue;
        if (!test(rows[i][v])) return false;
        seen++;
      }
      return seen > 0;
    }
    // a column of years as integers is a time, not the value: a value column that is not a time first
    var numbers = vars.filter(function (v) { return every(v, isNumber); });
    var y = numbers.filter(function (v) { return !every(v, isTime); })[0] || numbers[0];
    if (!y) return null;
    var rest = vars.filter(function (v) { return v !== y; });
    var x = rest.filter(function (v) { return every(v, isTime); })[0];
    var time = !!x;
    if (!x) x = rest.filter(function (v) { return every(v, function () { return true; }); })[0];
    if (!x) return null;
    var series = rest.filter(function (v) {
      if (v === x || every(v, isNumber)) return false;
      var values = {};
      rows.forEach(function (r) { if (r[v]) values[r[v].value] = 1; });
      var n = Object.keys(values).length;
      return n > 1 && n <= 8;
    })[0] || null;
    return { x: x, y: y, series: series, time: time };
  }

  function timeValue(text) {
    var parts = text.replace(/^-/, "").split("-").map(Number);
    var year = parts[0], month = parts[1] || 1, day = parts[2] || 1;
    return year + (month - 1) / 12 + (day - 1) / 365;
  }

  var COLOURS = ["#1f5fa8", "#c2492b", "#2e8540", "#8a4fb0", "#b07d12", "#167d8a", "#7a7a7a", "#b0306e"];

  /* An SVG chart of the rows: points and lines over time, or bars by label. */
  function drawChart(vars, rows) {
    var plan = chartPlan(vars, rows);
    if (!plan) return el("p", {}, "Nothing to chart: the results need a numeric column.");
    var width = 760, height = 360, left = 70, right = 170, top = 20, bottom = 50;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, "class": "kg-chart",
      role: "img", "aria-label": plan.y + " by " + plan.x });
    var points = rows.filter(function (r) { return r[plan.x] && r[plan.y]; }).map(function (r) {
      return { x: r[plan.x], y: Number(r[plan.y].value),
        series: plan.series && r[plan.series] ? label(r[plan.series]) : plan.y };
    });
    var ys = points.map(function (p) { return p.y; });
    var yMin = Math.min(0, Math.min.apply(null, ys)), yMax = Math.max.apply(null, ys);
    if (yMax === yMin) yMax = yMin + 1;
    function Y(v) { return top + (height - top - bottom) * (1 - (v - yMin) / (yMax - yMin)); }
    var seriesNames = [];
    points.forEach(function (p) { if (seriesNames.indexOf(p.series) < 0) seriesNames.push(p.series); });
    function colour(name) { return COLOURS[seriesNames.indexOf(name) % COLOURS.length]; }
    // the value axis: five ticks
    for (var t = 0; t <= 4; t++) {
      var v = yMin + (yMax - yMin) * t / 4;
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: Y(v), y2: Y(v), "class": "grid" }));
      chart.appendChild(svg("text", { x: left - 6, y: Y(v) + 4, "text-anchor": "end", "class": "tick" },
        Math.round(v * 100) / 100));
    }
    chart.appendChild(svg("text", { x: 12, y: top - 6, "class": "axis-label" }, plan.y));
    var plotWidth = width - left - right;
    if (plan.time) {
      var xs = points.map(function (p) { return timeValue(p.x.value); });
      var xMin = Math.min.apply(null, xs), xMax = Math.max.apply(null, xs);
      if (xMax === xMin) { xMin -= 1; xMax += 1; }
      var X = function (v) { return left + plotWidth * (v - xMin) / (xMax - xMin); };
      for (var year = Math.ceil(xMin); year <= Math.floor(xMax); year++) {
        chart.appendChild(svg("text", { x: X(year), y: height - bottom + 18, "text-anchor": "middle",
          "class": "tick" }, year));
      }
      seriesNames.forEach(function (name) {
        var mine = points.filter(function (p) { return p.series === name; })
          .sort(function (a, b) { return timeValue(a.x.value) - timeValue(b.x.value); });
        if (mine.length > 1) {
          chart.appendChild(svg("polyline", { "class": "line", stroke: colour(name), points: mine.map(function (p) {
            return X(timeValue(p.x.value)) + "," + Y(p.y);
          }).join(" ") }));
        }
        mine.forEach(function (p) {
          var mark = svg("circle", { cx: X(timeValue(p.x.value)), cy: Y(p.y), r: 4, fill: colour(name), "class": "mark" });
          mark.appendChild(svg("title", {}, p.x.value + ": " + p.y + (plan.series ? " (" + name + ")" : "")));
          chart.appendChild(mark);
        });
      });
    } else {
      var labels = [];
      points.forEach(function (p) { if (labels.indexOf(label(p.x)) < 0) labels.push(label(p.x)); });
      labels = labels.slice(0, 40);
      var band = plotWidth / labels.length;
      var barWidth = Math.max(2, band * 0.8 / seriesNames.length);
      points.forEach(function (p) {
        var i = labels.indexOf(label(p.x));
        if (i < 0) return;
        var k = seriesNames.indexOf(p.series);
        var x = left + band * i + band * 0.1 + barWidth * k;
        var bar = svg("rect", { x: x, y: Math.min(Y(p.y), Y(0)), width: barWidth,
          height: Math.max(1, Math.abs(Y(0) - Y(p.y))), fill: colour(p.series), "class": "mark" });
        bar.appendChild(svg("title", {}, label(p.x) + ": " + p.y + (plan.series ? " (" + p.series + ")" : "")));
        chart.appendChild(bar);
      });
      labels.forEach(function (name, i) {
        var x = left + band * (i + 0.5);
        chart.appendChild(svg("text", { x: x, y: height - bottom + 14, "text-anchor": "end", "class": "tick",
          transform: "rotate(-30 " + x + " " + (height - bottom + 14) + ")" }, name.length > 18 ? name.slice(0, 17) + "…" : name));
      });
    }
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: Y(yMin), y2: Y(yMin), "class": "axis" }));
    if (plan.series) {
      seriesNames.forEach(function (name, i) {
        chart.appendChild(svg("rect", { x: width - right + 14, y: top + 18 * i, width: 10, height: 10, fill: colour(name) }));
        chart.appendChild(svg("text", { x: width - right + 30, y: top + 18 * i + 9, "class": "legend" },
          name.length > 22 ? name.slice(0, 21) + "…" : name));
      });
    }
    return chart;
  }

  /* A YASR plugin drawing drawChart over the editor's results. */
  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
  }
  ChartPlugin.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    if (!results || !results.getVariables || !results.getBindings) return false;
    try {
      return !!chartPlan(results.getVariables() || [], results.getBindings() || []);
    } catch (e) {
      return false;
    }
  };
  ChartPlugin.prototype.draw = function () {
    var box = el("div", { "class": "kg-chart-box" });
    box.appendChild(drawChart(this.yasr.results.getVariables(), this.yasr.results.getBindings()));
    this.yasr.resultsEl.appendChild(box);
  };
  ChartPlugin.prototype.getIcon = function () {
    var icon = svg("svg", { viewBox: "0 0 16 16", width: "15", height: "15" });
    icon.appendChild(svg("path", { d: "M1 15h14v-1H2V1H1zM4 12h2V7H4zm3 0h2V3H7zm3 0h2V9h-2z", fill: "currentColor" }));
    var span = el("span");
    span.appendChild(icon);
    return span;
  };

  /* ------------------------------------------------------------------ the editor */

  function startEditor() {
    if (!editorEl || !window.Yasgui) return;
    var Yasgui = window.Yasgui;
    // The class and property completers ask lov.linkeddata.es: keep only those that need no
    // network (the prefixes completer uses the list bundled in the build; prefixCcApi is null).
    [Yasgui.Yasqe.defaults, Yasgui.defaults.yasqe].forEach(function (defaults) {
      if (!defaults || !defaults.autocompleters) return;
      var kept = defaults.autocompleters.filter(function (name) {
        return name === "prefixes" || name === "variables";
      });
      defaults.autocompleters.splice(0, defaults.autocompleters.length);
      kept.forEach(function (name) { defaults.autocompleters.push(name); });
      defaults.prefixCcApi = null;
    });
    Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
    Yasgui.Yasr.defaults.pluginOrder = ["table", "chart", "response"];
    if (Yasgui.Yasr.plugins.table && Yasgui.Yasr.plugins.table.defaults) {
      Yasgui.Yasr.plugins.table.defaults.openIriInNewWindow = false;
    }
    var endpoint = new URL(editorEl.dataset.endpoint, window.location.href).href;
    var yasgui = new Yasgui(editorEl, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      copyEndpointOnNewTab: true,
      persistenceId: "kg-query-page",
      yasqe: { value: editorEl.dataset.query, collapsePrefixesOnLoad: true, editorHeight: "340px" },
      yasr: { defaultPlugin: "table" },
    });
    // every tab asks this server, whatever an older session left in the browser's storage
    Object.keys(yasgui._tabs || {}).forEach(function (id) {
      var tab = yasgui.getTab(id);
      if (tab && tab.getEndpoint && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
    });
    window.kgYasgui = yasgui;
  }

  /* Links to the graph's own IRIs go to their pages on this server (set when pointed at, so
     that opening in a new tab works too). */
  function localLinks(event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a) return;
    var path = pathOf(a.getAttribute("href"));
    if (path) {
      a.setAttribute("href", path);
      a.removeAttribute("target");
    }
  }

  /* ------------------------------------------------------------------ saved queries */

  var savedEl = document.querySelector(".saved-queries");
  var PREFIXES = JSON.parse((savedEl && savedEl.dataset.prefixes) || "{}");

  /* An IRI as a prefixed name where a project prefix covers it. */
  function shorten(iri) {
    var best = null;
    Object.keys(PREFIXES).forEach(function (prefix) {
      var ns = PREFIXES[prefix];
      if (iri.indexOf(ns) === 0 && /^[\w.-]*$/.test(iri.slice(ns.length)) &&
          (!best || ns.length > PREFIXES[best].length)) best = prefix;
    });
    return best ? best + ":" + iri.slice(PREFIXES[best].length) : iri;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var path = pathOf(term.value);
      var link = el("a", { href: path || term.value, "class": "iri", title: term.value }, shorten(term.value));
      td.appendChild(link);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(term.value));
      if (term.value.length <= 24) td.className = "short";
      var tag = term["xml:lang"] || term.lang;
      if (tag) td.appendChild(el("span", { "class": "lang" }, "@" + tag));
      else if (term.datatype && NUMERIC.indexOf(term.datatype) < 0 && term.datatype !== XSD + "string") {
        td.title = term.datatype;
      }
    }
    return td;
  }

  function drawRows(target, data) {
    target.textContent = "";
    if (typeof data.boolean === "boolean") {
      target.appendChild(el("p", { "class": "answer" }, data.boolean ? "yes" : "no"));
      return;
    }
    var vars = (data.head && data.head.vars) || [];
    var rows = (data.results && data.results.bindings) || [];
    target.appendChild(el("p", { "class": "count" }, rows.length + (rows.length === 1 ? " row" : " rows")));
    if (!rows.length) return;
    var table = el("table", { "class": "results" });
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", {}, v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    var scroll = el("div", { "class": "table-scroll" });
    scroll.appendChild(table);
    target.appendChild(scroll);
    if (chartPlan(vars, rows)) {
      var show = el("button", { type: "button", "class": "show-chart" }, "Chart");
      show.addEventListener("click", function () {
        show.replaceWith(drawChart(vars, rows));
      });
      target.appendChild(show);
    }
  }

  function showError(form, message, param) {
    var error = form.querySelector(".error");
    error.textContent = message;
    error.hidden = false;
    if (param) {
      var input = form.querySelector('input[name="' + CSS.escape(param) + '"]');
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    }
  }

  function runSaved(form) {
    var status = form.querySelector(".status");
    var rows = form.parentNode.querySelector(".rows");
    var error = form.querySelector(".error");
    error.hidden = true;
    error.textContent = "";
    var params = new URLSearchParams();
    form.querySelectorAll("input[name]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      if (input.value.trim() !== "") params.append(input.name, input.value.trim());
    });
    var kind = form.dataset.kind || "SELECT";
    var accept = kind === "CONSTRUCT" || kind === "DESCRIBE" ? "text/turtle" : "application/sparql-results+json";
    var url = form.getAttribute("action") + (params.toString() ? "?" + params.toString() : "");
    status.textContent = "running…";
    rows.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: accept } }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (!response.ok) {
        var fallback = response.status + " " + response.statusText;
        if (type.indexOf("json") >= 0) {
          return response.json().then(function (problem) {
            showError(form, problem.detail || problem.title || fallback, problem.param);
          }, function () { showError(form, fallback); });
        }
        return response.text().then(function (text) { showError(form, text.trim() || fallback); });
      }
      if (accept === "text/turtle") {
        return response.text().then(function (text) {
          rows.textContent = "";
          rows.appendChild(el("pre", { "class": "turtle" }, text));
        });
      }
      return response.json().then(function (data) { drawRows(rows, data); });
    }).catch(function (e) {
      showError(form, "no answer from the server: " + e.message);
    }).then(function () {
      status.textContent = "";
      rows.removeAttribute("aria-busy");
    });
  }

  function startForms() {
    document.querySelectorAll("form[data-query]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        runSaved(form);
      });
      var fill = form.querySelector(".fill-example");
      if (fill) {
        fill.addEventListener("click", function () {
          form.querySelectorAll("input[data-example]").forEach(function (input) {
            input.value = input.dataset.example;
          });
        });
      }
    });
  }

  document.addEventListener("mouseover", localLinks, true);
  document.addEventListener("focusin", localLinks, true);
  document.addEventListener("mousedown", localLinks, true);
  startForms();
  startEditor();
  window.kg = { chartPlan: chartPlan, drawChart: drawChart, pathOf: pathOf };
})();
