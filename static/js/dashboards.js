/* The dashboards' charts (reports/dashboards.html; ECharts, vendored). The numbers come from the page,
   in <script id="dashboard-data" type="application/json">, keyed by chart; each chart's element is
   #chart-<key>, and the same numbers are in its table under "show the numbers". */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var specs = JSON.parse(source.textContent);
  var COLOURS = ["#b3261e", "#e8590c", "#2f7ebc", "#5a9e6f", "#8e6cc2", "#6c757d"];
  var drawn = [];

  function height(spec) {
    if (spec.type === "hbar") return Math.max(180, Math.min(520, 40 + spec.labels.length * 28));
    if (spec.type === "heatmap") return Math.max(200, Math.min(900, 80 + spec.labels.length * 26));
    return 300;
  }

  function option(spec, narrow) {
    var base = {
      color: COLOURS,
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: spec.type === "heatmap" ? "item" : "axis", confine: true },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    };
    if (spec.type === "heatmap") {
      var data = [];
      spec.series.forEach(function (s, x) {
        s.values.forEach(function (v, y) { data.push([x, y, v === null ? "-" : v]); });
      });
      base.grid.bottom = 56;
      base.xAxis = { type: "category", data: spec.series.map(function (s) { return s.name; }) };
      base.yAxis = { type: "category", data: spec.labels, inverse: true,
                     axisLabel: { width: narrow ? 80 : 160, overflow: "truncate" } };
      base.visualMap = { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0,
                         itemHeight: narrow ? 120 : 200, inRange: { color: ["#b3261e", "#f5a524", "#5a9e6f"] } };
      base.series = [{ type: "heatmap", data: data, label: { show: !narrow, formatter: function (p) { return p.value[2] === "-" ? "" : p.value[2] + "%"; } } }];
      return base;
    }
    var horizontal = spec.type === "hbar";
    var categories = { type: "category", data: spec.labels, axisTick: { alignWithLabel: true } };
    var values = { type: "value", minInterval: 1 };
    if (horizontal) {
      categories.inverse = true;
      categories.axisLabel = { width: narrow ? 90 : 160, overflow: "truncate" };
      base.grid.top = 8;
    } else {
      categories.axisLabel = { rotate: narrow && spec.labels.length > 6 ? 45 : 0, hideOverlap: true };
      base.legend = { type: "scroll", top: 0 };
    }
    base.xAxis = horizontal ? values : categories;
    base.yAxis = horizontal ? categories : values;
    if (spec.type === "bar_line") {
      base.yAxis = [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }];
    }
    base.series = spec.series.map(function (s, i) {
      var one = { name: s.name, data: s.values };
      if (spec.type === "line" || (spec.type === "bar_line" && i > 0)) {
        one.type = "line";
        one.connectNulls = false;
        one.symbolSize = 6;
        if (spec.type === "bar_line") one.yAxisIndex = 1;
      } else {
        one.type = "bar";
        one.barMaxWidth = 36;
        if (spec.type === "bar_stacked") one.stack = "all";
        if (horizontal) one.label = { show: true, position: "right" };
      }
      return one;
    });
    if (spec.marks && spec.marks.length && base.series.length) {
      base.series[0].markLine = {
        symbol: "none",
        lineStyle: { type: "dashed" },
        label: { formatter: "{b} {c}" + (spec.unit === "%" ? "%" : "") , position: "insideEndTop" },
        data: spec.marks.map(function (m) { return { name: m.name, yAxis: m.value }; }),
      };
    }
    return base;
  }

  Object.keys(specs).forEach(function (key) {
    var el = document.getElementById("chart-" + key);
    var spec = specs[key];
    if (!el || !spec || !spec.labels.length) return;
    // Through the CSSOM, which the CSP allows (a style attribute it would refuse).
    el.style.height = height(spec) + "px";
    el.style.width = "100%";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec, el.clientWidth < 480));
    drawn.push(chart);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      drawn.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
