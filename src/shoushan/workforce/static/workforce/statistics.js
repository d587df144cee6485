// The workforce trend: head count (bars, left axis) and the shares and average age (lines).
(function () {
  var box = document.getElementById("trend-chart");
  if (!box || typeof echarts === "undefined") return;
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var l = data.labels;
  echarts.init(box).setOption({
    animationDuration: 300,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 50, right: 50, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.days },
    yAxis: [{ type: "value", name: l.head_count }, { type: "value", min: 0, max: 100 }],
    series: [
      { name: l.head_count, type: "bar", data: data.head_count, itemStyle: { color: "#b22222" } },
      { name: l.average_age, type: "line", yAxisIndex: 1, data: data.average_age },
      { name: l.college, type: "line", yAxisIndex: 1, data: data.college },
      { name: l.party, type: "line", yAxisIndex: 1, data: data.party },
      { name: l.certified, type: "line", yAxisIndex: 1, data: data.certified },
    ],
  });
})();
