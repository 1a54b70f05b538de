// The public statistics page's monthly trend (ECharts); the table below has the same numbers.
(function () {
  "use strict";
  var node = document.getElementById("public-stats-data");
  var el = document.getElementById("trend-chart");
  if (!node || !el || !window.echarts) return;
  var d = JSON.parse(node.textContent);
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 36, right: 36, top: 36, bottom: 28 },
    xAxis: { type: "category", data: d.months },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100 }],
    series: [
      { name: d.names[0], type: "bar", data: d.reported },
      { name: d.names[1], type: "bar", data: d.closed },
      { name: d.names[2], type: "line", yAxisIndex: 1, data: d.rate }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
