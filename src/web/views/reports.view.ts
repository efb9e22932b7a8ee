/** The 投诉 and 满意度调研 pages (rendered inside LAYOUT; every value escaped by Handlebars). */

const CHART_SCRIPTS = `<link rel="stylesheet" href="/app/assets/reports.css">
<script src="/app/assets/echarts.min.js" defer></script>
<script src="/app/assets/charts.js" defer></script>`;

export const COMPLAINTS = `<form method="get" action="/app/complaints" class="card filters" aria-label="筛选">
  <div class="field"><label for="f-department">责任部门</label>
    <select id="f-department" name="department"><option value="">全部</option>{{#each departments}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></div>
  <div class="field"><label for="f-category">投诉类别</label>
    <select id="f-category" name="category"><option value="">全部</option>{{#each categories}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></div>
  <div class="field"><label for="f-group">分组</label>
    <select id="f-group" name="group">{{#each groupings}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}</select></div>
  <div class="field"><button type="submit" class="primary">筛选</button></div>
</form>
<p class="actions"><a class="button" href="/app/complaints/report">月度报表</a> <a class="button" href="/app/new">登记投诉</a></p>
<p class="hint">进行中的投诉 {{total}} 件，已超时的排在最前（其次按到期时间）。</p>
{{#each groups}}
<section class="complaint-group" data-group="{{name}}">
  {{#if name}}<h2>{{name}} <span class="count">{{items.length}}</span></h2>{{/if}}
  <ul class="cards" data-test="complaints">
  {{#each items}}
    <li class="card" data-complaint="{{businessKey}}"{{#if overdue}} data-overdue="true"{{/if}}>
      <a class="task-title" href="/app/cases/{{id}}">{{unit}} · {{channel}}{{#if category}} · {{category}}{{/if}}{{#if department}} — {{department}}{{/if}}</a>
      <div class="meta">
        <span>{{businessKey}}</span><span>{{stateTitle}}</span><span>受理 {{receivedAt}}</span>
        {{#if badge}}<span class="badge {{badge.tone}}" title="{{badge.explain}}">{{badge.label}}{{#if badge.provisional}}（暂定）{{/if}}</span>{{/if}}
      </div>
      <div class="steps">{{#each documents}}<a href="/app/documents/{{id}}">打印{{title}}</a> {{/each}}</div>
    </li>
  {{/each}}
  </ul>
</section>
{{else}}<p class="empty">没有符合条件的投诉。</p>
{{/each}}`;

export const COMPLAINT_REPORT = `<form method="get" action="/app/complaints/report" class="card filters" aria-label="选择月份">
  <div class="field"><label for="f-month">月份</label><input id="f-month" type="month" name="month" value="{{month}}" required></div>
  <div class="field"><button type="submit" class="primary">查看</button></div>
</form>
<p class="actions"><a class="button" data-test="xlsx" href="/app/complaints/report/{{month}}.xlsx" download>下载 Excel 报表</a> <a class="button" href="/app/complaints">返回投诉工作台</a></p>
<p class="hint">{{report.monthTitle}}（{{report.periodStart}} 至 {{report.periodEnd}}），统计于 {{asOf}}{{#unless report.monthComplete}}，本月尚未结束，数据为截至目前{{/unless}}。</p>
<dl class="facts card" data-test="figures">
  <dt>受理</dt><dd data-figure="received">{{report.received}}</dd>
  <dt>有效</dt><dd data-figure="valid">{{report.valid}}</dd>
  <dt>无效</dt><dd>{{report.invalid}}</dd>
  <dt>已派单</dt><dd>{{report.dispatched}}</dd>
  <dt>按时回复率</dt><dd data-figure="onTimeRate">{{onTimeRate}}</dd>
  <dt>结案</dt><dd>{{report.closed}}</dd>
  <dt>升级</dt><dd>{{report.escalated}}</dd>
</dl>
<section class="card"><h2>按投诉类别（有效投诉）</h2><div class="chart" data-test="chart-category" data-chart="{{categoryChart}}" role="img" aria-label="按投诉类别的投诉数"></div>
  <table class="table"><thead><tr><th>类别</th><th>件数</th></tr></thead><tbody>{{#each report.byCategory}}<tr><td>{{name}}</td><td>{{count}}</td></tr>{{/each}}</tbody></table></section>
<section class="card"><h2>按受理渠道</h2><div class="chart" data-test="chart-channel" data-chart="{{channelChart}}" role="img" aria-label="按受理渠道的投诉数"></div>
  <table class="table"><thead><tr><th>渠道</th><th>件数</th></tr></thead><tbody>{{#each report.byChannel}}<tr><td>{{name}}</td><td>{{count}}</td></tr>{{/each}}</tbody></table></section>
<section class="card"><h2>近 12 个月按时回复率</h2><div class="chart" data-test="chart-ontime" data-chart="{{onTimeChart}}" role="img" aria-label="近12个月按时回复率"></div>
  <table class="table"><thead><tr><th>月份</th><th>按时回复率</th><th>已判定</th></tr></thead><tbody>{{#each months}}<tr><td>{{month}}</td><td>{{rate}}</td><td>{{decided}}</td></tr>{{/each}}</tbody></table></section>
${CHART_SCRIPTS}`;

export const SURVEY_ROUNDS = `<form method="get" action="/app/surveys" class="card filters" aria-label="筛选">
  <div class="field"><label for="f-project">项目</label>
    <select id="f-project" name="project"><option value="">全部</option>{{#each projects}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></div>
  <div class="field"><label for="f-batch">批次</label>
    <select id="f-batch" name="batch"><option value="">全部</option>{{#each batches}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></div>
  <div class="field"><label for="f-stage">阶段</label>
    <select id="f-stage" name="stage"><option value="">全部</option>{{#each stages}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></div>
  <div class="field"><button type="submit" class="primary">筛选</button></div>
</form>
{{#each projectGroups}}
<section data-project="{{project}}"><h2>{{project}}</h2>
  <ul class="cards">
  {{#each rounds}}
    <li class="card" data-round="{{businessKey}}">
      <a class="task-title" href="/app/surveys/{{id}}">{{batch}} · {{stage}}</a>
      <div class="meta"><span>{{businessKey}}</span><span>{{stateTitle}}</span>{{#if returnedText}}<span>{{returnedText}}</span>{{/if}}</div>
    </li>
  {{/each}}
  </ul>
</section>
{{else}}<p class="empty">还没有调研批次。</p>
{{/each}}`;

export const SURVEY_ROUND = `{{#if notice}}<p class="ok" role="status">{{notice}}</p>{{/if}}
{{#if error}}<div class="alert" role="alert"><p>{{error}}</p>{{#if rowErrors.length}}<ul>{{#each rowErrors}}<li>{{this}}</li>{{/each}}</ul>{{/if}}</div>{{/if}}
<dl class="facts card">
  <dt>项目</dt><dd>{{round.project}}</dd>
  <dt>批次</dt><dd>{{round.batch}}</dd>
  <dt>阶段</dt><dd>{{round.stage}}</dd>
  <dt>当前环节</dt><dd data-test="state">{{stateTitle}}</dd>
  <dt>编号</dt><dd>{{businessKey}}</dd>
</dl>
<p class="actions"><a class="button" href="/app/cases/{{id}}">在案件页办理其他步骤</a> <a class="button" href="/app/surveys">全部调研批次</a></p>

<section class="card" data-test="roster"><h2>业主名单</h2>
  {{#if roster}}<p data-test="roster-summary">已导入 {{roster.fileName}}：共 {{roster.households}} 户，入住 {{roster.occupied}} 户，特殊备注 {{roster.specialRemarks}} 户{{#if frozen}}；名单已冻结{{/if}}。</p>{{else}}<p class="empty">尚未导入名单。</p>{{/if}}
  {{#if mayImport}}
  <form method="post" action="/app/surveys/{{id}}/roster" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <div class="field"><label for="roster-file">名单文件（CSV 或 XLSX）</label><input id="roster-file" type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
      <p class="hint">整份文件校验：任何一行有错都不会导入，并列出每一行的错误。</p></div>
    <button type="submit" class="primary">导入名单</button>
  </form>
  {{/if}}
</section>

<section class="card" data-test="sample"><h2>抽样</h2>
  {{#if sample}}<p data-test="sample-summary">可抽样 {{sample.eligible}} 户，应抽 {{sample.required}} 户，已抽 {{sample.size}} 户（新抽 {{sample.fromFresh}} 户，沿用上次 {{sample.fromPrevious}} 户）。</p>
  <details><summary>抽中的住户（{{sampled.length}} 户{{#if masked}}，联系方式已遮蔽{{/if}}）</summary>
    <table class="table"><thead><tr><th>楼栋</th><th>单元</th><th>房号</th><th>业主</th><th>电话</th></tr></thead>
    <tbody>{{#each sampled}}<tr><td>{{building}}</td><td>{{unit}}</td><td>{{room}}</td><td>{{ownerName}}</td><td>{{phone}}</td></tr>{{/each}}</tbody></table></details>
  {{else}}<p class="empty">尚未抽样。</p>{{/if}}
  {{#if mayDraw}}<form method="post" action="/app/surveys/{{id}}/sample" data-confirm="确认抽样？抽样种子将记入审计。"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="primary">抽样</button></form>{{/if}}
  {{#if mayIssue}}<form method="post" action="/app/surveys/{{id}}/tokens" data-confirm="调查码只显示这一次，请立即打印。确认发放？"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="primary">发放调查码（打印）</button></form>{{/if}}
</section>

<section class="card" data-test="progress"><h2>回收进度</h2>
  {{#if progress}}
  <p data-test="progress-summary">已发放 {{progress.issued}} 份，已回收 {{progress.returned}} 份（线上 {{progress.online}}，纸质 {{progress.paper}}），回收率 {{progress.rateText}}；有效条件：回收率超过 {{progress.thresholdText}}（至少 {{progress.needed}} 份）。{{#if progress.valid}}<strong>已达到有效条件。</strong>{{else}}还差 {{progress.missing}} 份。{{/if}}</p>
  <div class="meter" aria-hidden="true"><span style="width:{{progress.percent}}%"></span><i style="left:{{progress.thresholdPercent}}%"></i></div>
  {{#if progress.collectionDeadline}}<p class="hint">回收截止 {{progress.collectionDeadline}}</p>{{/if}}
  {{#if returnsChart}}<div class="chart" data-test="chart-returns" data-chart="{{returnsChart}}" role="img" aria-label="按日累计回收率"></div>{{/if}}
  {{else}}<p class="empty">尚未发放调查码。</p>{{/if}}
</section>

<section class="card" data-test="satisfaction"><h2>各项满意度</h2>
  {{#if items.length}}
  <p>总体满意度 <strong data-test="overall">{{overall}}</strong>{{#if previousOverall}}（上次 {{previousOverall}}）{{/if}}</p>
  <div class="chart tall" data-test="chart-items" data-chart="{{itemsChart}}" role="img" aria-label="各服务项目满意度"></div>
  <table class="table"><thead><tr><th>服务项目</th><th>本次</th>{{#if previousRound}}<th>上次</th><th>变化</th>{{/if}}</tr></thead>
  <tbody>{{#each items}}<tr data-item="{{key}}"><td>{{label}}</td><td>{{current}}</td>{{#if ../previousRound}}<td>{{previous}}</td><td>{{change}}</td>{{/if}}</tr>{{/each}}</tbody></table>
  {{#if previousRound}}<p class="hint" data-test="previous">与同项目同阶段上一批次 {{previousRound.batch}}（{{previousRound.businessKey}}）比较。</p>{{else}}<p class="hint">没有同项目同阶段的上一批次可比较。</p>{{/if}}
  {{else}}<p class="empty">{{statisticsNote}}</p>{{/if}}
</section>

<section class="card" data-test="documents"><h2>文件（调研计划、统计表、分析报告、公开信）</h2>
  <ul class="list">{{#each documents}}<li><a href="/app/documents/{{id}}">{{title}}</a> <span class="when">{{at}}</span></li>{{else}}<li class="empty">尚未生成文件。</li>{{/each}}</ul>
</section>

<section class="card" data-test="actions"><h2>整改措施</h2>
  <ul class="list">{{#each actions}}<li><a href="/app/cases/{{id}}">{{issue}}</a> <span class="meta"><span>{{department}} {{responsiblePerson}}</span><span>{{measures}}</span><span data-test="action-state">{{stateTitle}}</span>{{#if deadline}}<span>期限 {{deadline}}</span>{{/if}}{{#if escalated}}<span class="badge red">已逾期升级</span>{{/if}}</span></li>{{else}}<li class="empty">没有整改措施。</li>{{/each}}</ul>
</section>
${CHART_SCRIPTS}`;

export const SURVEY_TOKENS = `<link rel="stylesheet" href="/app/assets/reports.css">
<p class="alert" role="alert">调查码只显示这一次（系统只保存其摘要）。请现在打印或保存本页。</p>
<p class="actions"><a class="button" href="/app/surveys/{{id}}">返回调研批次</a></p>
<p>{{businessKey}}：共 {{tokens.length}} 户。业主访问「{{origin}}/survey/answer/调查码」填写问卷。</p>
<table class="table tokens" data-test="tokens"><thead><tr><th>楼栋</th><th>单元</th><th>房号</th><th>调查码</th></tr></thead>
<tbody>{{#each tokens}}<tr><td>{{building}}</td><td>{{unit}}</td><td>{{room}}</td><td class="mono token">{{token}}</td></tr>{{/each}}</tbody></table>`;
