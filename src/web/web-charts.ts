/**
 * The 工作台's charts: ECharts (the pinned node_modules/echarts/dist/echarts.min.js, served by the
 * app under /app/assets/, nothing from the internet) and one small script that draws every
 * `[data-chart]` element from the JSON in its attribute (the CSP allows no inline script).
 */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { Public } from '../http/auth.guard';

/** A chart as the page declares it: bar or line, categories and one or more series. */
export interface ChartSpec {
  readonly type: 'bar' | 'line';
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly data: readonly (number | null)[] }[];
  /** Values are rates (0..1) shown as percentages. */
  readonly percent?: boolean;
  /** Horizontal bars (long item names read better on a phone). */
  readonly horizontal?: boolean;
}

let echartsSource: string | undefined;
function echarts(): string {
  echartsSource ??= readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  return echartsSource;
}

export const CHARTS_JS = `(function () {
  'use strict';
  if (!window.echarts) return;
  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
    var spec = JSON.parse(el.getAttribute('data-chart'));
    var fmt = function (v) { return v === null || v === undefined ? '—' : spec.percent ? (v * 100).toFixed(1) + '%' : String(v); };
    var valueAxis = { type: 'value', axisLabel: { formatter: function (v) { return spec.percent ? Math.round(v * 100) + '%' : v; } } };
    if (spec.percent) { valueAxis.min = 0; valueAxis.max = 1; }
    var categoryAxis = { type: 'category', data: spec.categories, axisLabel: { interval: 0, rotate: spec.horizontal ? 0 : 30 } };
    if (spec.horizontal) categoryAxis.inverse = true;
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: fmt },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: spec.series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.type, data: s.data, label: { show: spec.type === 'bar', position: spec.horizontal ? 'right' : 'top', formatter: function (p) { return fmt(p.value); } } };
      })
    });
    el.setAttribute('data-chart-ready', 'true');
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;

/** The few styles of the report pages (charts, tables, the returns meter). */
export const REPORTS_CSS = `
.chart{width:100%;height:320px}
.chart.tall{height:420px}
.table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.85rem;margin-top:.5rem;background:#fff}
.table th,.table td{border-bottom:1px solid #eff0f1;padding:.3rem .4rem;text-align:left;overflow-wrap:anywhere;word-break:break-all}
.meter{position:relative;height:.9rem;background:#eff0f1;border-radius:4px;margin:.5rem 0;overflow:hidden}
.meter span{display:block;height:100%;background:#1456f0}
.meter i{position:absolute;top:0;bottom:0;width:2px;background:#d83931}
.token{font-size:.8rem}
.tokens th:last-child{width:55%}
@media print{.top,.actions,.alert{display:none}.main{max-width:none}}
`;

/** The chart assets; public as the style sheet is (they carry no data). */
@ApiExcludeController()
@Public()
@Controller('app/assets')
export class WebChartAssetsController {
  @Get('echarts.min.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  echarts() {
    return echarts();
  }

  @Get('reports.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  css() {
    return REPORTS_CSS;
  }

  @Get('charts.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  charts() {
    return CHARTS_JS;
  }
}

/** The attribute value of a chart element (Handlebars escapes it). */
export function chartJson(spec: ChartSpec): string {
  return JSON.stringify(spec);
}
