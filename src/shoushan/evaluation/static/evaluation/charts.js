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
