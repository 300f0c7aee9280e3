/* The complaint statistics page's charts (ECharts, vendored). The numbers come from the page itself,
   in <script id="complaint-stats-data" type="application/json"> (Django's json_script), keyed by the
   id of the element each chart is drawn in; the same numbers are in the tables under the charts. */
(function () {
  "use strict";

  var source = document.getElementById("complaint-stats-data");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var drawn = [];
  var RED = ["#b3261e", "#e8590c", "#f5a524", "#2f7ebc", "#5a9e6f", "#8e6cc2", "#6c757d", "#d63384",
             "#20c997", "#0d6efd", "#795548", "#adb5bd", "#343a40"];

  function height(kind, count) {
    if (kind === "hbar") return Math.max(180, Math.min(520, 40 + count * 30));
    return 280;
  }

  function option(spec, narrow) {
    var base = {
      color: RED,
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis", confine: true },
    };
    if (spec.type === "pie") {
      base.legend = { type: "scroll", bottom: 0, left: "center" };
      base.series = [{
        type: "pie",
        radius: narrow ? ["30%", "58%"] : ["35%", "65%"],
        center: ["50%", "44%"],
        label: { formatter: "{c}", fontSize: 12 },
        data: spec.labels.map(function (label, i) { return { name: label, value: spec.values[i] }; }),
      }];
      return base;
    }
    var horizontal = spec.type === "hbar";
    var categories = { type: "category", data: spec.labels, axisTick: { alignWithLabel: true } };
    var values = { type: "value", minInterval: 1 };
    if (horizontal) {
      categories.inverse = true;
      categories.axisLabel = { width: narrow ? 90 : 140, overflow: "truncate" };
    } else {
      categories.axisLabel = { rotate: narrow && spec.labels.length > 6 ? 45 : 0, hideOverlap: true };
    }
    base.grid = { left: 8, right: 24, top: 16, bottom: 8, containLabel: true };
    base.xAxis = horizontal ? values : categories;
    base.yAxis = horizontal ? categories : values;
    base.series = [{
      type: "bar",
      data: spec.values,
      barMaxWidth: 36,
      label: { show: true, position: horizontal ? "right" : "top" },
    }];
    return base;
  }

  Object.keys(charts).forEach(function (id) {
    var el = document.getElementById(id);
    var spec = charts[id];
    if (!el || !spec) return;
    if (!spec.values.length) {
      el.hidden = true;  // the table under it says there is nothing
      return;
    }
    // Set through the CSSOM, which the CSP allows (a style attribute it would refuse).
    el.style.height = height(spec.type, spec.values.length) + "px";
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
