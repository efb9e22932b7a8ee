/** 通知 (`web-notices.controller.ts`): the person's inbox and the notice board; 催办 on the case page. */

export const NOTICES = `<section class="section" data-test="inbox">
  <h2>我的通知</h2>
  {{#if inbox.length}}
  {{#each inbox}}<div class="card" data-test="inbox-item"><p class="message">{{message}}</p>
    <span class="when"><a href="/app/cases/{{instanceId}}">{{case.title}} {{case.businessKey}}</a> · {{at}}</span></div>{{/each}}
  {{else}}<p class="empty">没有通知。</p>{{/if}}
</section>
<section class="section" data-test="board">
  <h2>公告栏</h2>
  {{#if board.length}}<ul class="list">
  {{#each board}}<li data-test="board-item"><a href="/app/documents/{{documentId}}" target="_blank" rel="noopener">{{title}}</a> <span class="when">{{at}}</span></li>{{/each}}
  </ul>{{else}}<p class="empty">公告栏上还没有公告。</p>{{/if}}
</section>`;

/** On the case page, for the person who started the case: the 催办 button, or when the next reminder is possible. */
export const REMINDER_PARTIAL = `{{#if reminder}}<section class="section" data-test="reminder">
  <h2>催办</h2>
  <div class="card">
  {{#if reminder.may}}<form method="post" action="/app/cases/{{instance.id}}/reminders" class="inline" data-confirm="确定要催办{{reminder.to}}吗？">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <p class="hint">将提醒{{reminder.to}}尽快办理当前步骤。</p>
    <button type="submit" data-test="remind">催办</button></form>
  {{else}}<p class="hint" data-test="remind-later">{{reminder.refusal}}</p>{{/if}}
  </div>
</section>{{/if}}`;
