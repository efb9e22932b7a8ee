/**
 * What a case produced besides its state — documents, timers, outbox messages, attachments —
 * read on behalf of a person: each read asks the access policy about the case first (the same
 * rule as reading the case itself), so no caller checks by reading the instance for its side
 * effect. The unchecked reads stay in `RecordsService` for the engine's own parts.
 */
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { AccessPolicy } from './access-policy';
import type { InstanceQueryService } from './instance-query.service';
import { maskOutboxParams, redactDeep, redactText, type PersonalMask } from './personal-data';
import type { RecordsService } from './records.service';
import { personAddress } from './reminder.service';

export class CaseRecordsService {
  constructor(
    private readonly instances: Pick<InstanceQueryService, 'get' | 'assertParticipant' | 'byId' | 'personalMaskFor'>,
    private readonly records: RecordsService,
    private readonly access: AccessPolicy,
  ) {}

  async documents(instanceId: string, actor: Actor) {
    await this.instances.get(instanceId, actor);
    return this.records.documents(instanceId);
  }

  /**
   * One rendered document; refused unless the reader may read its case. The stored HTML (whose
   * hash the audit entry names) is kept; a reader who sees the case's personal data masked gets
   * the HTML with each clear value the case holds replaced by its masked form.
   */
  async document(documentId: string, actor: Actor) {
    const doc = await this.records.document(documentId);
    await this.requireCase(doc.instanceId, actor);
    const mask = await this.instances.personalMaskFor(doc.instanceId, actor);
    return mask ? { ...doc, html: redactText(doc.html, mask.values) } : doc;
  }

  /** The case's deadlines; their payloads with the case's personal data masked as on the case. */
  async timers(instanceId: string, actor: Actor) {
    await this.instances.get(instanceId, actor);
    const timers = await this.records.timers(instanceId);
    const mask = await this.instances.personalMaskFor(instanceId, actor);
    return mask ? timers.map((t) => ({ ...t, payload: maskOutboxParams(t.payload, mask) })) : timers;
  }

  async outbox(instanceId: string, actor: Actor) {
    await this.instances.get(instanceId, actor);
    return this.maskOutbox(await this.records.outbox({ instanceId }), actor);
  }

  /** Every outbox message of every case (`outbox.readAll`), personal fields masked as on the case. */
  async allOutbox(actor: Actor, filter: { status?: string; limit?: number }) {
    this.access.require(actor, 'outbox.readAll', 'reading the whole outbox');
    return this.maskOutbox(await this.records.outbox(filter), actor);
  }

  /**
   * Notifications addressed to the actor's roles, newest first — only those of cases the actor
   * may read (a role that reads only its own cases gets only their notices), each message with
   * the case's personal data masked as on the case.
   */
  async inbox(actor: Actor) {
    const out: Record<string, unknown>[] = [];
    for (const item of (await this.records.inbox([...actor.roles, personAddress(actor.id)])) as Record<string, unknown>[]) {
      const instanceId = item.instanceId as string;
      if (!(await this.access.mayRead(actor, await this.instances.byId(instanceId)))) continue;
      const mask = await this.instances.personalMaskFor(instanceId, actor);
      out.push(mask && typeof item.message === 'string' ? { ...item, message: redactText(item.message, mask.values) } : item);
    }
    return out;
  }

  /** Outbox parameters with the sending case's personal data masked (a `start`'s context, a notice's message, a mail's data). */
  private async maskOutbox(messages: Record<string, unknown>[], actor: Actor): Promise<Record<string, unknown>[]> {
    const cases = new Map<string, PersonalMask | undefined>();
    const out: Record<string, unknown>[] = [];
    for (const m of messages) {
      const instanceId = m.instanceId as string;
      if (!cases.has(instanceId)) cases.set(instanceId, await this.instances.personalMaskFor(instanceId, actor));
      const mask = cases.get(instanceId);
      out.push(mask ? { ...m, params: maskOutboxParams(m.params, mask), ...(m.result ? { result: redactDeep(m.result, mask.values) } : {}) } : m);
    }
    return out;
  }

  /** The files of a case; a file name quoting the case's personal data is masked as on the case. */
  async attachments(instanceId: string, actor: Actor) {
    await this.instances.get(instanceId, actor);
    const files = await this.records.attachments(instanceId);
    const mask = await this.instances.personalMaskFor(instanceId, actor);
    return mask ? files.map((f) => ({ ...f, name: redactText(String(f.name), mask.values) })) : files;
  }

  /** One uploaded file; refused unless the reader may read its case. */
  async attachment(attachmentId: string, actor: Actor) {
    const file = await this.records.attachment(attachmentId);
    await this.requireCase(file.instanceId, actor);
    return file;
  }

  /**
   * Stores a file on a case; only people with a role in its process, while it is active —
   * checked before anything about the file is looked at.
   */
  async addAttachment(input: { instanceId: string; name: string; contentType: string; content: unknown; now: Date }, actor: Actor) {
    await this.instances.assertParticipant(input.instanceId, actor);
    if (!Buffer.isBuffer(input.content) || input.content.length === 0) {
      throw new AppError(
        ErrorCode.BadRequest,
        'send the file as the request body with its content type (an image, PDF or office document, or application/octet-stream)',
      );
    }
    const name = input.name.trim();
    // eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
    if (!name || name.length > 200 || /[\\/\u0000-\u001f]/.test(name)) {
      throw new AppError(ErrorCode.BadRequest, 'give the file name as ?name=, at most 200 characters, without slashes');
    }
    return this.records.addAttachment({ ...input, name, content: input.content, uploadedBy: actor.id });
  }

  private async requireCase(instanceId: string, actor: Actor): Promise<void> {
    const instance = await this.instances.byId(instanceId);
    await this.access.requireRead(actor, instance);
  }
}
