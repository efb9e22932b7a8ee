/**
 * The 工作台's only style sheet and script, served by the app itself (intranets have no
 * internet; the CSP allows only this origin's scripts, so there is no inline script).
 * Mobile first: nothing has a fixed width, so a 390 px phone never scrolls sideways.
 */
export const APP_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1f2329;background:#f5f6f7;line-height:1.5;overflow-wrap:anywhere}
a{color:#1456f0}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem;background:#fff;border-bottom:1px solid #dee0e3}
.brand{font-weight:700;font-size:1.1rem;text-decoration:none;color:#1f2329}
.nav{display:flex;flex-wrap:wrap;gap:.25rem .75rem}
.nav a{text-decoration:none;padding:.25rem 0}
.nav a[aria-current=page]{font-weight:700;border-bottom:2px solid #1456f0}
.who{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .5rem;font-size:.9rem}
.role{display:inline-block;background:#eef3ff;color:#1456f0;border-radius:3px;padding:0 .35rem;margin-right:.25rem;font-size:.8rem}
.main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
h3{font-size:1rem;margin:0 0 .5rem}
.card{background:#fff;border:1px solid #dee0e3;border-radius:6px;padding:.75rem 1rem;margin:0 0 .75rem}
.narrow{max-width:360px;margin:2rem auto}
.cards,.list{list-style:none;padding:0;margin:0}
.list li{padding:.35rem 0;border-bottom:1px solid #eff0f1}
.task-title{font-weight:600;text-decoration:none;display:block}
.meta{display:flex;flex-wrap:wrap;gap:.25rem .75rem;font-size:.85rem;color:#646a73;margin-top:.25rem}
.when,.hint,.small{font-size:.85rem;color:#646a73}
.steps{font-size:.85rem;margin-top:.25rem}
.badge{display:inline-block;border-radius:10px;padding:0 .5rem;font-size:.8rem;color:#fff}
.badge.green{background:#2ea121}.badge.yellow{background:#d99904}.badge.red{background:#d83931}.badge.grey{background:#8f959e}
.tabs{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:.5rem}
.tab{background:#fff;border:1px solid #dee0e3;border-radius:16px;padding:.2rem .75rem;text-decoration:none}
.count{display:inline-block;min-width:1.4em;text-align:center;background:#eff0f1;border-radius:8px;font-size:.8rem;padding:0 .3rem}
.empty{color:#8f959e}
.field{margin:0 0 .75rem;display:flex;flex-direction:column;gap:.2rem}
.field label{font-weight:600;font-size:.9rem}
input,select,textarea,button{font:inherit;max-width:100%}
input,select,textarea{padding:.45rem .5rem;border:1px solid #bbbfc4;border-radius:4px;background:#fff;width:100%}
textarea.mono,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem}
.req{color:#d83931}
.has-error input,.has-error select,.has-error textarea{border-color:#d83931}
.error{color:#d83931;margin:0;font-size:.85rem}
.alert{background:#fdecec;color:#a8231b;border-radius:4px;padding:.5rem .75rem;margin:0 0 .75rem}
.ok{background:#e8f7e6;color:#1c6b14;border-radius:4px;padding:.5rem .75rem}
button,.button{display:inline-block;padding:.45rem 1rem;border:1px solid #bbbfc4;border-radius:4px;background:#fff;color:#1f2329;cursor:pointer;text-decoration:none;min-height:2.5rem}
button.primary,.button.primary{background:#1456f0;border-color:#1456f0;color:#fff}
button.link{border:0;background:none;color:#1456f0;padding:0;min-height:0}
form.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}
.facts{display:grid;grid-template-columns:fit-content(40%) minmax(0,1fr);gap:.2rem .75rem;margin:0}
.facts dt{color:#646a73}.facts dd{margin:0}
.facts.small{font-size:.85rem}
.summary{font-size:1.05rem;font-weight:600;margin:0 0 .5rem}
.timeline{list-style:none;padding:0;margin:0;border-left:2px solid #dee0e3}
.timeline li{padding:.25rem 0 .75rem .75rem}
.source{white-space:pre-wrap;background:#fff;border:1px solid #dee0e3;padding:.75rem;font-size:.8rem}
.listing{background:#fff;border:1px solid #dee0e3;font-size:.8rem;white-space:pre-wrap}
.line{display:block;padding:0 .5rem}
.line .no{display:inline-block;width:3em;color:#8f959e;user-select:none}
.line.bad{background:#fdecec}
.line-error{color:#a8231b;padding-left:3em;font-family:inherit}
.problems li{margin:.25rem 0}
.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}
.filters .field{flex:1 1 10rem}
details summary{cursor:pointer;margin:.5rem 0}
`;

/**
 * The confirmation before a step is sent, and live checking in the YAML editor: after a pause in typing, the text goes to
 * /app/definitions/validate (the same validation as POST /definitions/validate) and the status
 * line says how many errors there are and where the first is; 检查 shows each at its line.
 */
export const APP_JS = `(function () {
  'use strict';
  // A step is a decision recorded for good: ask once before it is sent.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-confirm]'), function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
  var area = document.querySelector('textarea[data-validate-url]');
  if (!area) return;
  var status = document.querySelector('[data-test="live-status"]');
  var form = area.form;
  var csrf = form && form.querySelector('input[name="_csrf"]');
  var timer = null;
  var seq = 0;
  function check() {
    var mine = ++seq;
    fetch(area.getAttribute('data-validate-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
      body: JSON.stringify({ source: area.value })
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (mine !== seq || !status) return;
      if (result.ok) { status.textContent = '没有错误。'; return; }
      var errors = result.errors || [];
      status.textContent = errors.length + ' 处错误' + (errors.length ? '，第一处在第 ' + errors[0].line + ' 行第 ' + errors[0].column + ' 列：' + errors[0].message : '') + '（点“检查”逐行查看）';
    }).catch(function () { if (status) status.textContent = '暂时无法检查，请点“检查”。'; });
  }
  area.addEventListener('input', function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
})();
`;
