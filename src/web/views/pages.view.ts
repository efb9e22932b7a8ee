/** The page bodies (Handlebars; every `{{value}}` is HTML-escaped, nothing uses `{{{ }}}` but the layout's body). */

export const LOGIN = `<form method="post" action="/app/login" class="card narrow" novalidate>
  <input type="hidden" name="_csrf" value="{{csrf}}">
  <input type="hidden" name="next" value="{{next}}">
  {{#if error}}<p class="alert" role="alert">{{error}}</p>{{/if}}
  <div class="field"><label for="username">用户名</label><input id="username" name="username" autocomplete="username" value="{{username}}" required></div>
  <div class="field"><label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
  <button type="submit" class="primary">登录</button>
</form>`;

const CARD = `<li class="card task">
  <a class="task-title" href="{{href}}">{{summary}}</a>
  <div class="meta">
    <span class="process">{{process}}</span>
    <span class="key">{{businessKey}}</span>
    <span class="state">{{stateTitle}}</span>
    {{#if deadline}}<span class="badge {{deadline.tone}}" data-test="deadline-badge" title="{{deadline.explain}}">{{deadline.label}}{{#if deadline.paused}}：{{deadline.paused}}{{/if}}{{#if deadline.provisional}}（暂定）{{/if}}</span>{{/if}}
  </div>
  {{#if steps}}<div class="steps">{{steps}}</div>{{/if}}
  {{> cardAssignment csrf=@root.csrf}}
  {{> cardCopy}}
  <div class="when">{{when}}</div>
</li>`;

export const HOME = `<nav class="tabs" aria-label="工作分类">
  {{#each sections}}<a href="#{{key}}" class="tab">{{title}} <span class="count" data-count="{{key}}">{{count}}</span></a>{{/each}}
</nav>
{{#each sections}}
<section id="{{key}}" class="section">
  <h2>{{title}} <span class="count">{{count}}</span></h2>
  {{#if cards.length}}
  <ul class="cards">{{#each cards}}${CARD}{{/each}}</ul>
  {{else}}<p class="empty">{{empty}}</p>{{/if}}
</section>
{{/each}}`;

export const START_LIST = `{{#if items.length}}<ul class="cards">
{{#each items}}<li class="card"><a href="/app/new/{{key}}">{{title}}</a>{{#if description}}<p class="hint">{{description}}</p>{{/if}}</li>{{/each}}
</ul>{{else}}<p class="empty">您的角色不能发起任何流程。</p>{{/if}}`;

export const START_FORM = `<form method="post" action="/app/new/{{key}}" class="card" novalidate>
  <input type="hidden" name="_csrf" value="{{csrf}}">
  {{#if error}}<p class="alert" role="alert">{{error}}</p>{{/if}}
  <div class="field{{#if keyError}} has-error{{/if}}">
    <label for="businessKey">业务编号 <span class="req" title="必填">*</span></label>
    <input id="businessKey" name="businessKey" value="{{businessKey}}" required>
    {{#if keyError}}<p class="error" role="alert">{{keyError}}</p>{{/if}}
  </div>
  {{#each fields}}{{> field}}{{/each}}
  {{#if more.length}}<details><summary>更多字段</summary>{{#each more}}{{> field}}{{/each}}</details>{{/if}}
  <button type="submit" class="primary">提交</button>
</form>`;

export const CASE = `<div class="card">
  <p class="summary" data-test="summary">{{summary}}</p>
  <dl class="facts">
    <dt>流程</dt><dd>{{process}}（第 {{instance.definitionVersion}} 版）</dd>
    <dt>业务编号</dt><dd>{{instance.businessKey}}</dd>
    <dt>当前状态</dt><dd data-test="state">{{stateTitle}}{{#if completed}}（已结束）{{/if}}</dd>
    <dt>发起人</dt><dd>{{createdBy}} · {{createdAt}}</dd>
  </dl>
</div>
{{> caseStepBar}}
{{#if notice}}<p class="ok" role="status">{{notice}}</p>{{/if}}
{{> assignment}}
{{> reminder}}
<section class="section">
  <h2>可办理的步骤</h2>
  {{#if steps.length}}
  {{#each steps}}
  <form method="post" action="/app/cases/{{../instance.id}}/events" class="card step" data-event="{{type}}" data-confirm="确定要「{{title}}」吗？提交后将记入审计，不能撤回。" novalidate>
    <h3>{{title}}</h3>
    <input type="hidden" name="_csrf" value="{{../csrf}}">
    <input type="hidden" name="type" value="{{type}}">
    <input type="hidden" name="version" value="{{../instance.version}}">
    {{#if error}}<p class="alert" role="alert" data-test="refusal">{{error}}</p>{{/if}}
    {{#each fields}}{{> field}}{{/each}}
    <button type="submit" class="primary">{{title}}</button>
  </form>
  {{/each}}
  {{else}}<p class="empty">现在没有您可办理的步骤。</p>{{/if}}
</section>
<section class="section">
  <h2>时限</h2>
  {{#if deadlines.length}}<ul class="list">
  {{#each deadlines}}<li><span class="badge {{tone}}" data-test="deadline-badge">{{label}}{{#if paused}}：{{paused}}{{/if}}{{#if provisional}}（暂定）{{/if}}</span> {{title}} · 到期 {{due}} · {{status}}
    <details class="why"><summary>为什么是这个时限</summary><p class="hint" data-test="why">{{why}}</p></details></li>{{/each}}
  </ul>{{else}}<p class="empty">没有时限。</p>{{/if}}
</section>
<section class="section">
  <h2>文书</h2>
  {{#if documents.length}}<ul class="list">
  {{#each documents}}<li><a href="/app/documents/{{id}}" target="_blank" rel="noopener">{{title}}</a> <span class="when">{{at}}</span></li>{{/each}}
  </ul>{{else}}<p class="empty">还没有文书。</p>{{/if}}
</section>
<section class="section">
  <h2>附件</h2>
  {{#if attachments.length}}<ul class="list">
  {{#each attachments}}<li><a href="/app/attachments/{{id}}">{{name}}</a> <span class="when">{{size}} · {{by}} · {{at}}</span></li>{{/each}}
  </ul>{{else}}<p class="empty">还没有附件。</p>{{/if}}
  {{#if mayAttach}}
  <form method="post" action="/app/cases/{{instance.id}}/attachments" enctype="multipart/form-data" class="card">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <div class="field"><label for="file">上传附件（PDF、图片、Word、文本）</label><input id="file" type="file" name="file" accept="image/*,application/pdf,.doc,.docx,.txt" required></div>
    <button type="submit">上传</button>
  </form>
  {{/if}}
</section>
{{> caseRelated}}
<section class="section">
  <h2>经过</h2>
  {{#if mayVerify}}<p><a class="small" href="/app/audit/verify?instanceId={{instance.id}}">核验此案件的审计链</a></p>{{/if}}
  {{#with instance}}<p class="small">{{> trailExports}}</p>{{/with}}
  <ol class="timeline" data-test="timeline">
  {{#each timeline}}<li>
    <div class="when">{{at}}</div>
    <div><strong>{{what}}</strong> · {{who}}{{#if roles}}（{{roles}}）{{/if}}</div>
    {{#if change}}<div class="hint">{{change}}</div>{{/if}}
    {{#if opinion}}<p class="opinion" data-test="opinion"><strong>审批意见：</strong>{{opinion}}</p>{{/if}}
    {{#if items.length}}<dl class="facts small">{{#each items}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/each}}</dl>{{/if}}
  </li>{{/each}}
  </ol>
</section>`;

export const AUDIT = `<form method="get" action="/app/audit" class="card filters">
  <div class="field"><label for="definition">流程</label>
    <select id="definition" name="definition"><option value="">全部</option>{{#each definitions}}<option value="{{key}}"{{#if selected}} selected{{/if}}>{{title}}</option>{{/each}}</select></div>
  {{#if states.length}}<div class="field"><label for="state">所处步骤</label>
    <select id="state" name="state"><option value="">全部</option>{{#each states}}<option value="{{name}}"{{#if selected}} selected{{/if}}>{{title}}</option>{{/each}}</select></div>{{/if}}
  <div class="field"><label for="businessKey">业务编号</label><input id="businessKey" name="businessKey" value="{{filter.businessKey}}"></div>
  <div class="field"><label for="actor">办理人（登录名）</label><input id="actor" name="actor" value="{{filter.actedBy}}"></div>
  <div class="field"><label for="from">发起日期（起）</label><input id="from" name="from" type="date" value="{{filter.from}}"></div>
  <div class="field"><label for="to">发起日期（止）</label><input id="to" name="to" type="date" value="{{filter.to}}"></div>
  <div class="field"><label for="status">状态</label>
    <select id="status" name="status"><option value="">全部</option><option value="active"{{#if (eq filter.status "active")}} selected{{/if}}>办理中</option><option value="completed"{{#if (eq filter.status "completed")}} selected{{/if}}>已结束</option></select></div>
  <button type="submit" class="primary">查找</button>
</form>
{{#if dateError}}<p class="alert" role="alert" data-test="date-error">{{dateError}}</p>{{/if}}
<p data-test="total">共 {{total}} 件</p>
<ul class="cards" data-test="results">{{#each items}}<li class="card"><a href="/app/cases/{{id}}">{{summary}}</a>
  <div class="meta"><span class="process">{{process}}</span><span class="key">{{businessKey}}</span><span class="state">{{stateTitle}}</span><span class="when">发起于 {{createdAt}}</span></div>
  <div class="actions small">{{#if ../mayVerify}}<a class="small" href="/app/audit/verify?instanceId={{id}}">核验此案件的审计链</a>{{/if}}
  {{> trailExports}}</div>
</li>{{/each}}</ul>
{{#if mayVerify}}<p><a class="button" href="/app/audit/verify">核验全部审计链</a></p>{{/if}}`;

export const VERIFY = `<div class="card" data-test="verify">
  {{#if report.ok}}<p class="ok" role="status">审计链完好：核验了 {{report.instancesChecked}} 个案件、{{report.entriesChecked}} 条记录，没有发现篡改。</p>
  {{else}}<p class="alert" role="alert">审计链有问题：核验了 {{report.instancesChecked}} 个案件、{{report.entriesChecked}} 条记录。</p>
  <p>第一条不符的记录：案件 <a href="/app/cases/{{first.instanceId}}">{{first.label}}</a> 第 {{first.seq}} 条 — {{first.reason}}</p>
  {{#if broken.length}}<ul class="list">{{#each broken}}<li>案件 <a href="/app/cases/{{instanceId}}">{{label}}</a> 第 {{seq}} 条：{{reason}}</li>{{/each}}</ul>{{/if}}
  {{/if}}
</div>
<p><a href="/app/audit">返回审计查询</a></p>`;

export const DEFINITIONS = `{{#if mayUpload}}<p><a class="button primary" href="/app/definitions/editor">编辑并上传新版本</a></p>{{/if}}
<ul class="cards">{{#each items}}<li class="card"><a href="/app/definitions/{{key}}">{{title}}</a>
  <div class="meta"><span class="key">{{key}}</span><span>第 {{version}} 版</span><span class="when">{{at}} · {{by}}</span></div></li>{{/each}}</ul>`;

export const DEFINITION = `<div class="card"><dl class="facts"><dt>标识</dt><dd>{{key}}</dd><dt>最新版本</dt><dd>第 {{latest}} 版</dd></dl></div>
<section class="section"><h2>版本</h2><ul class="list">
{{#each versions}}<li>第 {{version}} 版 · {{at}} · {{by}} · <span class="mono small">{{hash}}</span></li>{{/each}}
</ul></section>
{{#if findings.length}}<section class="section"><h2>检查提示</h2><ul class="list">{{#each findings}}<li>第 {{line}} 行第 {{column}} 列：{{message}}</li>{{/each}}</ul></section>{{/if}}
{{#if mayUpload}}<p><a class="button" href="/app/definitions/editor?from={{key}}">在编辑器中打开</a></p>{{/if}}
<section class="section"><h2>YAML</h2><pre class="source">{{source}}</pre></section>`;

export const EDITOR = `<form method="post" action="/app/definitions/editor" class="card editor-form" novalidate>
  <input type="hidden" name="_csrf" value="{{csrf}}">
  {{#if notice}}<p class="ok" role="status">{{notice}}</p>{{/if}}
  {{#if error}}<p class="alert" role="alert">{{error}}</p>{{/if}}
  <div class="field"><label for="file">文件名</label><input id="file" name="file" value="{{file}}"></div>
  <div class="field"><label for="source">流程定义（YAML）</label>
    <textarea id="source" name="source" rows="24" class="mono" spellcheck="false" data-validate-url="/app/definitions/validate">{{source}}</textarea></div>
  <p class="hint" data-test="live-status" aria-live="polite"></p>
  <div class="actions"><button type="submit" name="action" value="check">检查</button>
  <button type="submit" name="action" value="upload" class="primary">上传新版本</button></div>
</form>
<section class="section" data-test="problems">
  {{#if errors.length}}<h2>{{errors.length}} 处错误</h2>
  <ol class="problems">{{#each errors}}<li data-line="{{line}}" data-column="{{column}}"><a href="#line-{{line}}">第 {{line}} 行第 {{column}} 列</a>：{{message}}</li>{{/each}}</ol>
  {{/if}}
  {{#if findings.length}}<h2>检查提示</h2><ul class="list">{{#each findings}}<li>第 {{line}} 行第 {{column}} 列：{{message}}</li>{{/each}}</ul>{{/if}}
  {{#if lines.length}}<div class="listing mono">{{#each lines}}<div id="line-{{no}}" class="line{{#if errors.length}} bad{{/if}}"><span class="no">{{no}}</span><span class="text">{{text}}</span>{{#each errors}}<div class="line-error" role="note">↑ 第 {{column}} 列：{{message}}</div>{{/each}}</div>{{/each}}</div>{{/if}}
</section>`;

export const ERROR = `<div class="card"><p class="alert" role="alert">{{message}}</p><p><a href="/app">返回我的待办</a></p></div>`;
