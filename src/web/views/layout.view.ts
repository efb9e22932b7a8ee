/** The frame of every page: the one navigation, the signed-in name and roles, sign-out. */
export const LAYOUT = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · 工作台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app/assets/app.css">
<script src="/app/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/app">工作台</a>
  {{#if user}}
  <nav class="nav" aria-label="主导航">
    {{#each nav}}<a href="{{href}}"{{#if current}} aria-current="page"{{/if}}>{{label}}</a>{{/each}}
  </nav>
  <div class="who">
    <span class="user" data-test="user" title="登录名 {{user.login}}">{{user.name}}</span>
    <span class="roles">{{#each user.roles}}<span class="role">{{this}}</span>{{/each}}</span>
    <form method="post" action="/app/logout" class="inline">
      <input type="hidden" name="_csrf" value="{{csrf}}">
      <button type="submit" class="link">退出</button>
    </form>
  </div>
  {{/if}}
</header>
<main class="main">
<h1>{{title}}</h1>
{{{body}}}
</main>
</body>
</html>`;

/** A form field generated from a JSON Schema (see schema-form.ts). */
export const FIELD_PARTIAL = `<div class="field{{#if errors.length}} has-error{{/if}}" data-field="{{name}}">
  <label for="{{id}}">{{label}}{{#if required}} <span class="req" title="必填">*</span>{{/if}}</label>
  {{#if (eq kind "select")}}
  <select id="{{id}}" name="{{control}}"{{#if required}} required{{/if}}>
    <option value="">请选择</option>
    {{#each options}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}
  </select>
  {{else if (eq kind "textarea")}}
  <textarea id="{{id}}" name="{{control}}" rows="3"{{#if required}} required{{/if}}>{{value}}</textarea>
  {{else if (eq kind "json")}}
  <textarea id="{{id}}" name="{{control}}" rows="3" class="mono" placeholder="JSON"{{#if required}} required{{/if}}>{{value}}</textarea>
  {{else if (eq kind "date")}}
  <input id="{{id}}" type="date" name="{{control}}" value="{{value}}"{{#if required}} required{{/if}}>
  {{else if (eq kind "datetime")}}
  <input id="{{id}}" type="datetime-local" name="{{control}}" value="{{value}}"{{#if required}} required{{/if}}>
  {{else if (eq kind "number")}}
  <input id="{{id}}" type="number" step="any" name="{{control}}" value="{{value}}"{{#if required}} required{{/if}}>
  {{else}}
  <input id="{{id}}" type="text" name="{{control}}" value="{{value}}"{{#if required}} required{{/if}}>
  {{/if}}
  {{#if description}}<p class="hint">{{description}}</p>{{/if}}
  {{#each errors}}<p class="error" role="alert">{{this}}</p>{{/each}}
</div>`;
