// Charts of the evaluation pages, drawn from the JSON the page embeds (#chart-data).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var bars = document.getElementById("index-chart");
  if (bars) {
    echarts.init(bars).setOption({
      grid: { left: 120, right: 40, top: 10, bottom: 20 },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: data.units },
      series: [{ type: "bar", data: data.scores, itemStyle: { color: "#b22222" },
                 label: { show: true, position: "right" } }],
      tooltip: { trigger: "axis" },
    });
  }
  var radar = document.getElementById("pillar-radar");
  if (radar) {
    echarts.init(radar).setOption({
      radar: { indicator: data.pillars.map(function (name) { return { name: name, max: 100 }; }) },
      series: [{ type: "radar", data: [{ value: data.scores, name: data.unit }],
                 areaStyle: { opacity: 0.2 }, itemStyle: { color: "#b22222" } }],
      tooltip: {},
    });
  }
})();

// The choropleth of the units (China's provinces, or Beijing's own regions): the boundaries come
// from the server, the scores from the page.
(function () {
  var box = document.getElementById("area-map");
  if (!box) return;
  var data = JSON.parse(document.getElementById("chart-data").textContent).map;
  fetch(data.geojson, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (geojson) {
      echarts.registerMap("areas", geojson);
      var scores = data.areas.map(function (p) { return p.value; });
      echarts.init(box).setOption({
        tooltip: { formatter: function (p) { return p.data ? p.data.unit + "：" + p.data.value : p.name; } },
        visualMap: { min: Math.min.apply(null, scores), max: Math.max.apply(null, scores),
                     calculable: true, left: "left", bottom: 10,
                     inRange: { color: ["#fbe9e7", "#b22222"] } },
        series: [{ type: "map", map: "areas", nameProperty: data.key, roam: true,
                   data: data.areas }],
      });
    });
})();

// Rank intervals: a bar from the 5th to the 95th percentile rank, a dot at the rank as built.
(function () {
  var box = document.getElementById("rank-intervals");
  if (!box) return;
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  echarts.init(box).setOption({
    grid: { left: 120, right: 30, top: 10, bottom: 30 },
    xAxis: { type: "value", min: 1, max: data.units.length, inverse: false, name: "名次 / rank" },
    yAxis: { type: "category", inverse: true, data: data.units },
    tooltip: { trigger: "axis" },
    series: [
      { type: "bar", stack: "interval", itemStyle: { color: "transparent" },
        data: data.intervals.map(function (i) { return i[0]; }), silent: true },
      { type: "bar", stack: "interval", itemStyle: { color: "#e8a7a7" }, name: "5–95 %",
        data: data.intervals.map(function (i) { return i[1] - i[0]; }) },
      { type: "scatter", itemStyle: { color: "#b22222" }, name: "rank", data: data.nominal },
    ],
  });
})();
