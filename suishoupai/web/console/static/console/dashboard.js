// The leader dashboard's charts (ECharts); the data comes in a JSON script element.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = window.echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }

  chart("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.trend.periods },
    yAxis: { type: "value", minInterval: 1 },
    series: data.trend.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, smooth: true };
    })
  });
  chart("chart-hours", {
    tooltip: {},
    grid: { left: 40, right: 16, top: 16, bottom: 30 },
    xAxis: { type: "category", data: data.histogram.map(function (b) { return b.label; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.histogram.map(function (b) { return b.count; }) }]
  });
  chart("chart-categories", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "70%"], data: data.categories }]
  });
  // A heat strip of the districts: darker is more cases due.
  var max = Math.max.apply(null, [1].concat(data.districts.map(function (d) { return d.value; })));
  chart("chart-districts", {
    tooltip: {},
    grid: { left: 90, right: 16, top: 16, bottom: 30 },
    visualMap: { show: false, min: 0, max: max, inRange: { color: ["#fde7d9", "#d9480f"] } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.districts.map(function (d) { return d.name; }) },
    series: [{ type: "bar", data: data.districts.map(function (d) { return d.value; }) }]
  });

  // The heat map: a circle per district, larger and redder with more reports; a click
  // opens the reports behind it. No tiles needed (the intranet may have none).
  var heatEl = document.getElementById("heat-map");
  if (heatEl && window.L && data.heat.length) {
    var map = L.map(heatEl, { attributionControl: false, zoomAnimation: false });
    var most = Math.max.apply(null, data.heat.map(function (d) { return d.value; }));
    var bounds = [];
    data.heat.forEach(function (d) {
      var share = d.value / most;
      var colour = share > 0.66 ? "#d9480f" : share > 0.33 ? "#f08c00" : "#fab005";
      var circle = L.circleMarker([d.lat, d.lng], {
        radius: 8 + 22 * Math.sqrt(share), color: colour, fillColor: colour, fillOpacity: 0.55
      }).addTo(map);
      circle.bindTooltip(d.name + " " + d.value);
      circle.on("click", function () { window.location.href = d.url; });
      bounds.push([d.lat, d.lng]);
    });
    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 12, animate: false });
  }
})();
