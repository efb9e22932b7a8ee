/**
 * The mail port the outbox delivers `email` messages through. Two adapters: SMTP for real
 * delivery, and `.eml` files for development and for installations without a mail server.
 * Both write the outbox id into the Message-ID, so a receiver can drop a redelivery, and both
 * send an HTML body with a plain-text alternative, UTF-8 throughout (subjects and bodies are
 * Chinese).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { AppError, ErrorCode } from '../common/app-error';
import { Clock, SystemClock } from '../common/clock';

export interface MailMessage {
  readonly from?: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly subject: string;
  readonly html: string;
  /** becomes the Message-ID so a receiver can de-duplicate redeliveries */
  readonly messageId: string;
}

export interface MailReceipt {
  readonly transport: 'smtp' | 'file';
  /** The Message-ID header as written, in angle brackets. */
  readonly messageId: string;
  readonly accepted: readonly string[];
  /** Recipients the server refused while others were accepted; the message went to the rest. */
  readonly rejected: readonly string[];
  /** file path for file transport */
  readonly location?: string;
}

export abstract class Mailer {
  abstract send(message: MailMessage): Promise<MailReceipt>;
  abstract close(): Promise<void>;
}

/**
 * A message could not be delivered (code `MAIL_DELIVERY_FAILED`, retried by the outbox with
 * backoff). The message names the transport, the Message-ID, the recipients and the cause.
 * `permanent` is true when the server refused for good (a 5xx reply other than 503, or no
 * recipient at all): sending the same message again would be refused again. The outbox still
 * retries it, up to its attempt limit, as it always did; `permanent` is there for the log and
 * for whoever reads the outbox row.
 */
export class MailDeliveryError extends AppError {
  constructor(
    message: string,
    override readonly details: {
      readonly transport: 'smtp' | 'file';
      readonly messageId: string;
      readonly recipients: readonly string[];
      readonly permanent: boolean;
      /** nodemailer's code (ECONNECTION, ESOCKET, ETIMEDOUT, EENVELOPE, EMESSAGE, EAUTH, ...) or the fs code */
      readonly code?: string;
      readonly responseCode?: number;
      /** Per-recipient refusals, e.g. `x@example.com: 550 5.1.1 no such user` */
      readonly rejected?: readonly string[];
    },
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.MailDeliveryFailed, message, details, options);
    this.name = 'MailDeliveryError';
  }

  get permanent(): boolean {
    return this.details.permanent;
  }
}

export interface SmtpMailerOptions {
  /** Time to establish the TCP (or TLS) connection; default 10 s (nodemailer's own is 2 min). */
  readonly connectionTimeoutMs?: number;
  /** Time to wait for the server's greeting; default 10 s. */
  readonly greetingTimeoutMs?: number;
  /** Idle time on an open connection before giving up; default 60 s. */
  readonly socketTimeoutMs?: number;
}

/** Delivers through an SMTP server given as `smtp://user:pass@host:port` or `smtps://…`. */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter<SMTPSentMessageInfo>;
  /** host:port for messages; never the URL, which may carry a password. */
  private readonly server: string;

  constructor(
    url: string,
    private readonly defaultFrom: string,
    options: SmtpMailerOptions = {},
  ) {
    super();
    if (!/^smtps?:\/\//i.test(url)) throw new Error(`SMTP URL must start with smtp:// or smtps:// (got '${redactUrl(url)}')`);
    this.server = describeServer(url);
    this.transport = nodemailer.createTransport({
      url,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
    });
  }

  async send(message: MailMessage): Promise<MailReceipt> {
    const messageId = normaliseMessageId(message.messageId);
    const recipients = [...message.to, ...(message.cc ?? [])];
    requireRecipients('smtp', messageId, recipients);
    try {
      const info = await this.transport.sendMail(composeOptions(message, messageId, this.defaultFrom));
      return {
        transport: 'smtp',
        messageId,
        accepted: (info.accepted ?? []).map(addressText),
        rejected: (info.rejected ?? []).map(addressText),
      };
    } catch (err) {
      throw smtpFailure(err, this.server, messageId, recipients);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * Writes each message as an RFC 822 `.eml` file, `<timestamp>-<messageId>.eml`, in `dir`. A
 * redelivery of the same Message-ID overwrites the file written first (keeping its name), so
 * the directory holds one file per message however often the outbox retries.
 */
export class FileMailer extends Mailer {
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  /** Writes of the same file are chained, so concurrent redeliveries cannot make two files. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly defaultFrom: string,
    private readonly clock: Clock = new SystemClock(),
  ) {
    super();
  }

  send(message: MailMessage): Promise<MailReceipt> {
    const messageId = normaliseMessageId(message.messageId);
    const key = fileKey(messageId);
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.write(message, messageId, key));
    this.pending.set(key, next);
    void next
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending.values()]);
  }

  private async write(message: MailMessage, messageId: string, key: string): Promise<MailReceipt> {
    const recipients = [...message.to, ...(message.cc ?? [])];
    requireRecipients('file', messageId, recipients);
    const now = this.clock.now();
    let location = '';
    try {
      await mkdir(this.dir, { recursive: true });
      const suffix = `-${key}.eml`;
      // Exactly "<timestamp><suffix>": "x-a-b@y.eml" must not count as a file of "<b@y>".
      const existing = (await readdir(this.dir)).filter((name) => name.endsWith(suffix) && FILE_TIMESTAMP.test(name.slice(0, -suffix.length))).sort();
      location = join(this.dir, existing[0] ?? `${fileTimestamp(now)}${suffix}`);
      const info = await this.composer.sendMail({ ...composeOptions(message, messageId, this.defaultFrom), date: now });
      // Write then rename, so a reader (or a crash) never sees half a message.
      const temp = join(this.dir, `.${key}.${process.pid}.${randomUUID()}.tmp`);
      await writeFile(temp, info.message as Buffer);
      await rename(temp, location).catch(async (err: unknown) => {
        await rm(temp, { force: true });
        throw err;
      });
      for (const stale of existing.slice(1)) await rm(join(this.dir, stale), { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      throw new MailDeliveryError(
        `Writing mail ${messageId} to ${recipients.join(', ')} as ${location || `a file in ${this.dir}`} failed: ${errorText(err)}`,
        { transport: 'file', messageId, recipients, permanent: false, code },
        { cause: err },
      );
    }
    return { transport: 'file', messageId, accepted: recipients, rejected: [], location };
  }
}

/** SMTP when `smtpUrl` is set, else `.eml` files under `fileDir`. */
export function createMailer(options: { smtpUrl?: string; fileDir: string; from: string; clock?: Clock }): Mailer {
  return options.smtpUrl ? new SmtpMailer(options.smtpUrl, options.from) : new FileMailer(options.fileDir, options.from, options.clock);
}

/**
 * The plain-text alternative of an HTML body: drops head, style and script, turns block ends
 * and `<br>` into line breaks, list items into "- " lines, links into "text (href)", and
 * decodes entities. Meant for mail clients that do not show HTML, not as a faithful rendering.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(
      /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi,
      (_m, dq: string | undefined, sq: string | undefined, inner: string) => {
        const href = decodeEntities(dq ?? sq ?? '').trim();
        const label = inner.replace(/<[^>]*>/g, '').trim();
        if (!href || href.startsWith('#') || decodeEntities(label) === href) return inner;
        return `${inner} (${href.replace(/^mailto:/i, '')})`;
      },
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/li\s*>/gi, '')
    .replace(/<\/(td|th)\s*>/gi, '\t')
    .replace(/<\/?(p|div|h[1-6]|ul|ol|tr|table|thead|tbody|tfoot|blockquote|pre|section|article|header|footer|hr|dl|dt|dd)\b[^>]*>/gi, '\n')
    .replace(/<hr\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: '\u00a0',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  ldquo: '\u201c',
  rdquo: '\u201d',
  lsquo: '\u2018',
  rsquo: '\u2019',
  mdash: '\u2014',
  ndash: '\u2013',
  hellip: '\u2026',
  middot: '\u00b7',
  yen: '\u00a5',
  copy: '\u00a9',
};

function decodeEntities(text: string): string {
  // One pass, so "&amp;lt;" becomes "&lt;" and not "<".
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function composeOptions(message: MailMessage, messageId: string, defaultFrom: string): SendMailOptions {
  return {
    from: message.from || defaultFrom,
    to: [...message.to],
    cc: message.cc && message.cc.length > 0 ? [...message.cc] : undefined,
    subject: message.subject,
    html: message.html,
    text: htmlToText(message.html),
    messageId,
  };
}

/** `<id@host>` whether or not the caller wrote the brackets. */
function normaliseMessageId(messageId: string): string {
  const bare = messageId.trim().replace(/^<+/, '').replace(/>+$/, '');
  if (!bare) throw new Error('A mail message needs a messageId (the outbox id), so a receiver can de-duplicate redeliveries');
  return `<${bare}>`;
}

/**
 * The file-name part for a Message-ID. Characters outside [A-Za-z0-9._@-] become "_"; when
 * that changed anything (or the id is long), a hash of the id is appended so two different
 * ids cannot end up in the same file.
 */
function fileKey(messageId: string): string {
  const bare = messageId.slice(1, -1);
  const safe = bare.replace(/[^A-Za-z0-9._@-]/g, '_').replace(/^\.+/, '_');
  if (safe === bare && safe.length <= 150) return safe;
  const hash = createHash('sha256').update(bare).digest('hex').slice(0, 12);
  return `${safe.slice(0, 150)}~${hash}`;
}

const FILE_TIMESTAMP = /^\d{8}T\d{9}Z$/;

/** 20260213T020000000Z: sorts by time and is valid on every file system. */
function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

function requireRecipients(transport: 'smtp' | 'file', messageId: string, recipients: readonly string[]): void {
  if (recipients.length > 0 && recipients.every((r) => r.trim() !== '')) return;
  throw new MailDeliveryError(
    `Mail ${messageId} has ${recipients.length === 0 ? 'no recipient' : 'an empty recipient address'}: give it at least one "to" address`,
    { transport, messageId, recipients, permanent: true, code: 'EENVELOPE' },
  );
}

interface NodemailerFailure {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  permanent?: boolean;
  rejectedErrors?: Array<{ recipient?: string; response?: string; message?: string }>;
}

function smtpFailure(err: unknown, server: string, messageId: string, recipients: readonly string[]): MailDeliveryError {
  const e = (err ?? {}) as NodemailerFailure;
  const rejected = (e.rejectedErrors ?? []).map((r) => `${r.recipient ?? '?'}: ${r.response ?? r.message ?? 'refused'}`);
  let cause: string;
  if (e.code === 'ESOCKET' || e.code === 'ECONNECTION' || e.code === 'EDNS') {
    cause = `could not connect to ${server} (${e.originalCode ?? e.code}): ${e.message ?? String(err)}`;
  } else if (e.code === 'ETIMEDOUT') {
    cause = `${server} did not answer in time: ${e.message ?? String(err)}`;
  } else if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    cause = `${server} refused the login (check the user and password in WF_SMTP_URL): ${e.message ?? String(err)}`;
  } else if (rejected.length > 0) {
    cause = `${server} refused the recipients: ${rejected.join('; ')}`;
  } else {
    cause = `${server} answered: ${e.message ?? String(err)}`;
  }
  return new MailDeliveryError(
    `SMTP delivery of ${messageId} to ${recipients.join(', ')} failed: ${cause}`,
    {
      transport: 'smtp',
      messageId,
      recipients,
      permanent: e.permanent === true,
      code: e.code,
      responseCode: e.responseCode,
      rejected: rejected.length > 0 ? rejected : undefined,
    },
    { cause: err },
  );
}

function addressText(address: string | { address: string }): string {
  return typeof address === 'string' ? address : address.address;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'smtps:';
    return `${parsed.hostname || 'localhost'}:${parsed.port || (secure ? 465 : 587)}`;
  } catch {
    return redactUrl(url);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
