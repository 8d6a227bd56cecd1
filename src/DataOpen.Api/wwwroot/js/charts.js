// Progressive enhancement: draws each chart with Apache ECharts from the aggregate the server embedded
// as JSON (<script type="application/json">). The table next to the chart stays as the accessible
// fallback; without JavaScript only the table is shown.
(function () {
  if (typeof echarts === 'undefined') return;
  document.querySelectorAll('.chart-canvas[data-chart]').forEach(function (el) {
    var source = document.getElementById(el.getAttribute('data-chart'));
    if (!source) return;
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    if (!data || !data.labels || data.labels.length < 2) return;
    el.classList.add('ready');
    var chart = echarts.init(el, null, { renderer: 'svg' });
    var isTime = data.kind === 'time';
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: isTime ? 56 : 72 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data.labels, axisLabel: { rotate: isTime ? 0 : 30, hideOverlap: true } },
      yAxis: { type: 'value', name: data.unit || '' },
      dataZoom: isTime && data.labels.length > 40 ? [{ type: 'inside' }, { type: 'slider' }] : [],
      series: [{
        type: isTime ? 'line' : 'bar',
        name: data.measureLabel || data.aggregate,
        data: data.values,
        showSymbol: false,
        itemStyle: { color: '#0b5394' },
        lineStyle: { color: '#0b5394' }
      }]
    });
    window.addEventListener('resize', function () { chart.resize(); });
    // The chart is drawn: fold the long fallback table away (still one click on its summary).
    var table = el.parentElement && el.parentElement.querySelector('details.chart-table');
    if (table) table.open = false;
  });
})();
