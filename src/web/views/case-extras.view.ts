/** Partials of the case page (kept apart from CASE for merging): the step bar and the related cases. */

export const STEP_BAR_PARTIAL = `{{#if stepBar.length}}<nav class="stepbar" aria-label="办理进度" data-test="stepbar"><ol>
{{#each stepBar}}<li class="{{status}}"{{#if (eq status "current")}} aria-current="step"{{/if}}><span class="dot" aria-hidden="true">{{#if (eq status "done")}}✓{{else}}{{no}}{{/if}}</span>{{title}}</li>{{/each}}
</ol></nav>{{/if}}`;

export const RELATED_PARTIAL = `<section class="section" data-test="related">
  <h2>相关案件</h2>
  {{#if related.length}}<ul class="list">
  {{#each related}}<li><span class="role">{{relation}}</span> <a href="{{href}}">{{summary}}</a>
    <div class="meta"><span>{{process}}</span><span class="key">{{businessKey}}</span><span>{{stateTitle}}</span></div></li>{{/each}}
  </ul>{{else}}<p class="empty">没有相关案件。</p>{{/if}}
</section>`;

/** A case's trail downloads (in the context of the case: its \`id\`). */
export const TRAIL_EXPORTS_PARTIAL = `<span data-test="trail-exports">导出审计记录：<a href="/app/audit/cases/{{id}}/trail.xlsx" download>XLSX</a> · <a href="/app/audit/cases/{{id}}/trail.json" download>JSON</a></span>`;

export const CASE_EXTRAS_CSS = `
.stepbar ol{list-style:none;display:flex;flex-wrap:wrap;gap:.35rem .25rem;padding:0;margin:0 0 .75rem;font-size:.85rem}
.stepbar li{display:flex;align-items:center;gap:.25rem;padding:.15rem .5rem .15rem .2rem;border-radius:12px;background:#eff0f1;color:#646a73}
.stepbar li.done{background:#e8f7e6;color:#1c6b14}
.stepbar li.current{background:#1456f0;color:#fff;font-weight:700}
.stepbar .dot{display:inline-flex;justify-content:center;align-items:center;min-width:1.3em;height:1.3em;border-radius:50%;background:rgba(255,255,255,.7);color:inherit;font-size:.75rem}
.opinion{margin:.25rem 0;padding:.35rem .5rem;background:#f5f6f7;border-left:3px solid #1456f0;white-space:pre-wrap}
`;
