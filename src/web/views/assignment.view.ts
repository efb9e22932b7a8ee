/** 办理人 on the case page and 认领 on the home page's cards (people as assignees, `engine/assignment.service.ts`); 抄送我的 cards (`engine/copies.service.ts`). */

export const ASSIGNMENT_PARTIAL = `{{#if assignment}}<section class="section" data-test="assignment">
  <h2>办理人</h2>
  <div class="card">
    <p data-test="assignee">{{#if assignment.assignee}}由 <strong>{{assignment.assigneeName}}</strong> 认领办理{{else}}尚未认领（{{assignment.candidates}}均可认领）{{/if}}</p>
    {{#if assignment.may.claim}}<form method="post" action="/app/cases/{{instance.id}}/assignment" class="inline">
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="action" value="claim">
      <button type="submit" class="primary" data-test="claim">认领</button></form>{{/if}}
    {{#if assignment.may.release}}<form method="post" action="/app/cases/{{instance.id}}/assignment" class="inline">
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="action" value="release">
      <button type="submit" data-test="release">释放（退回待认领）</button></form>{{/if}}
    {{#if assignment.colleagues.length}}
    {{#if assignment.may.transfer}}<form method="post" action="/app/cases/{{instance.id}}/assignment" class="inline">
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="action" value="transfer">
      <div class="field"><label for="transfer-to">转交给</label><select id="transfer-to" name="to" required>{{#each assignment.colleagues}}<option value="{{username}}">{{name}}（{{username}}）</option>{{/each}}</select></div>
      <button type="submit" data-test="transfer">转交</button></form>{{/if}}
    {{#if assignment.may.reassign}}<form method="post" action="/app/cases/{{instance.id}}/assignment" class="inline">
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="action" value="reassign">
      <div class="field"><label for="reassign-to">改派给</label><select id="reassign-to" name="to" required>{{#each assignment.colleagues}}<option value="{{username}}">{{name}}（{{username}}）</option>{{/each}}</select></div>
      <button type="submit" data-test="reassign">改派</button></form>{{/if}}
    {{/if}}
  </div>
</section>{{/if}}`;

/** On a home card: who holds the step, or the 认领 button. */
export const CARD_ASSIGNMENT_PARTIAL = `{{#if holder}}<div class="holder" data-test="holder">办理人：{{holder}}</div>{{/if}}
{{#if claimable}}<form method="post" action="/app/cases/{{id}}/assignment" class="inline">
  <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="action" value="claim"><input type="hidden" name="next" value="home">
  <button type="submit" class="small" data-test="claim">认领</button></form>{{/if}}`;

/** On a home card of 抄送我的: unread until the person opens the case (the read receipt), who copied it, the message. */
export const CARD_COPY_PARTIAL = `{{#if copy}}<div class="copy" data-test="copy">{{#if copy.unread}}<span class="badge red" data-test="unread">未读</span>{{else}}<span class="badge grey" data-test="read">已读</span>{{/if}}
  {{copy.from}} 抄送{{#if copy.message}}：{{copy.message}}{{/if}}</div>{{/if}}`;
