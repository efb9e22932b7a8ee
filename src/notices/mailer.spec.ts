import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../common/clock';
import { createMailer, FileMailer, htmlToText, MailDeliveryError, SmtpMailer, type MailMessage } from './mailer';

// Long enough that nodemailer folds it over several encoded-words.
const SUBJECT = '关于2026年第一季度请假申请的审批结果通知——请于三个工作日内登录系统确认并回复';
const HTML =
  '<h1>审批结果</h1><p>张三您好：</p><p>您的请假申请已<b>批准</b>，详情见&nbsp;<a href="https://wf.example.com/i/42">申请单</a>。</p>' +
  '<ul><li>开始：2026-02-16</li><li>结束：2026-02-20</li></ul>';

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    to: ['zhangsan@example.com'],
    cc: ['lisi@example.com', 'wangwu@example.com'],
    subject: SUBJECT,
    html: HTML,
    messageId: '<0193f0a2-7c1e-7000-8000-000000000001@workflow-engine>',
    ...overrides,
  };
}

describe('htmlToText', () => {
  it('keeps the text, breaks lines at blocks, lists items and shows link targets', () => {
    expect(htmlToText(HTML)).toBe(
      '审批结果\n\n张三您好：\n\n您的请假申请已批准，详情见 申请单 (https://wf.example.com/i/42)。\n\n- 开始：2026-02-16\n- 结束：2026-02-20',
    );
  });

  it('drops style and script, decodes entities once, and turns <br> into a line break', () => {
    const html =
      '<html><head><title>t</title><style>p{color:red}</style></head><body>' +
      '<script>alert(1)</script>a &lt;b&gt; &amp;lt; &#20013;&#x6587;<br/>第二行</body></html>';
    expect(htmlToText(html)).toBe('a <b> &lt; 中文\n第二行');
  });
});

// ---- a minimal RFC 5322 / MIME reader, enough to check what nodemailer wrote ----

interface Part {
  headers: Map<string, string>;
  body: string;
}

function parsePart(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: split < 0 ? '' : text.slice(split + 2) };
}

/** RFC 2047: adjacent encoded-words are joined (the whitespace between them is not text). */
function decodeWords(value: string): string {
  return value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)(\s+=\?[^?]+\?[BbQq]\?[^?]*\?=)*/g, (run) => {
    const bytes: Buffer[] = [];
    for (const [, charset, enc, data] of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
      expect(charset.toUpperCase()).toBe('UTF-8');
      bytes.push(
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            ),
      );
    }
    return Buffer.concat(bytes).toString('utf8');
  });
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const latin = part.body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(latin, 'latin1').toString('utf8');
  }
  return part.body;
}

/** The leaf parts of a multipart message, by content type. */
function leaves(part: Part): Map<string, Part> {
  const type = part.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return new Map([[type.split(';')[0].trim().toLowerCase(), part]]);
  const found = new Map<string, Part>();
  const chunks = part.body.split(`--${boundary}`).slice(1);
  for (const chunk of chunks) {
    if (chunk.startsWith('--')) break;
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    for (const [k, v] of leaves(parsePart(chunk.replace(/^\n/, '').replace(/\n$/, '')))) found.set(k, v);
  }
  return found;
}

function expectReadableMessage(raw: string, expected: { subject: string; html: string; messageId: string }): void {
  const top = parsePart(raw);
  expect(decodeWords(top.headers.get('subject') ?? '')).toBe(expected.subject);
  expect(top.headers.get('message-id')).toBe(expected.messageId);
  const parts = leaves(top);
  expect(parts.get('text/plain')?.headers.get('content-type')).toMatch(/charset=utf-8/i);
  expect(parts.get('text/html')?.headers.get('content-type')).toMatch(/charset=utf-8/i);
  expect(decodeBody(parts.get('text/html')!)).toBe(expected.html);
  expect(decodeBody(parts.get('text/plain')!)).toBe(htmlToText(expected.html));
}

// ---- SMTP, against a real smtp-server ----

interface Received {
  from: string;
  rcptTo: string[];
  raw: string;
}

async function startSmtp(rejectRecipients: string[] = [], rejectData = false): Promise<{ url: string; received: Received[]; stop: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!rejectRecipients.includes(address.address)) return callback();
      const err = Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (rejectData) {
          return callback(Object.assign(new Error('5.7.1 message content rejected'), { responseCode: 554 }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('SmtpMailer', () => {
  const timeouts = { connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, socketTimeoutMs: 5000 };

  it('delivers to To and Cc with the Message-ID, a Cc header and a UTF-8 subject and body', async () => {
    const smtp = await startSmtp();
    const mailer = new SmtpMailer(smtp.url, '流程引擎 <workflow@example.com>', timeouts);
    try {
      const receipt = await mailer.send(message());
      expect(receipt).toEqual({
        transport: 'smtp',
        messageId: '<0193f0a2-7c1e-7000-8000-000000000001@workflow-engine>',
        accepted: ['zhangsan@example.com', 'lisi@example.com', 'wangwu@example.com'],
        rejected: [],
      });
      expect(smtp.received).toHaveLength(1);
      const [mail] = smtp.received;
      expect(mail.from).toBe('workflow@example.com');
      expect(mail.rcptTo).toEqual(['zhangsan@example.com', 'lisi@example.com', 'wangwu@example.com']);
      const top = parsePart(mail.raw);
      expect(top.headers.get('to')).toBe('zhangsan@example.com');
      expect(top.headers.get('cc')).toBe('lisi@example.com, wangwu@example.com');
      expect(decodeWords(top.headers.get('from') ?? '')).toBe('流程引擎 <workflow@example.com>');
      // Encoded, not raw 8-bit, in the header.
      expect(top.headers.get('subject')).toMatch(/^=\?UTF-8\?[BQ]\?/);
      expectReadableMessage(mail.raw, { subject: SUBJECT, html: HTML, messageId: receipt.messageId });
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it("adds the angle brackets to a bare messageId and uses the message's own From", async () => {
    const smtp = await startSmtp();
    const mailer = new SmtpMailer(smtp.url, 'workflow@example.com', timeouts);
    try {
      const receipt = await mailer.send(message({ cc: undefined, messageId: 'abc-1@workflow-engine', from: 'hr@example.com' }));
      expect(receipt.messageId).toBe('<abc-1@workflow-engine>');
      const top = parsePart(smtp.received[0].raw);
      expect(top.headers.get('message-id')).toBe('<abc-1@workflow-engine>');
      expect(top.headers.get('from')).toBe('hr@example.com');
      expect(top.headers.has('cc')).toBe(false);
      expect(smtp.received[0].rcptTo).toEqual(['zhangsan@example.com']);
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it('reports a recipient refused with 550 while delivering to the others', async () => {
    const smtp = await startSmtp(['nobody@example.com']);
    const mailer = new SmtpMailer(smtp.url, 'workflow@example.com', timeouts);
    try {
      const receipt = await mailer.send(message({ cc: ['nobody@example.com'] }));
      expect(receipt.accepted).toEqual(['zhangsan@example.com']);
      expect(receipt.rejected).toEqual(['nobody@example.com']);
      expect(smtp.received[0].rcptTo).toEqual(['zhangsan@example.com']);
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it('rejects, naming the recipient and the 550 reply, when every recipient is refused', async () => {
    const smtp = await startSmtp(['nobody@example.com']);
    const mailer = new SmtpMailer(smtp.url, 'workflow@example.com', timeouts);
    try {
      const sent = mailer.send(message({ to: ['nobody@example.com'], cc: [] }));
      await expect(sent).rejects.toThrow(MailDeliveryError);
      const err = (await sent.catch((e: unknown) => e)) as MailDeliveryError;
      expect(err.message).toMatch(
        /^SMTP delivery of <0193f0a2-.*@workflow-engine> to nobody@example\.com failed: 127\.0\.0\.1:\d+ refused the recipients: nobody@example\.com: 550 /,
      );
      expect(err.message).toContain('mailbox unavailable');
      expect(err.permanent).toBe(true);
      expect(err.details).toMatchObject({ transport: 'smtp', code: 'EENVELOPE', responseCode: 550, recipients: ['nobody@example.com'] });
      expect(smtp.received).toHaveLength(0);
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it("rejects with the server's reply when the message itself is refused (554 after DATA)", async () => {
    const smtp = await startSmtp([], true);
    const mailer = new SmtpMailer(smtp.url, 'workflow@example.com', timeouts);
    try {
      const err = (await mailer.send(message()).catch((e: unknown) => e)) as MailDeliveryError;
      expect(err).toBeInstanceOf(MailDeliveryError);
      expect(err.message).toMatch(
        /to zhangsan@example\.com, lisi@example\.com, wangwu@example\.com failed: 127\.0\.0\.1:\d+ answered: .*554 .*message content rejected/,
      );
      expect(err.permanent).toBe(true);
    } finally {
      await mailer.close();
      await smtp.stop();
    }
  });

  it('rejects quickly and says it could not connect when nothing listens on the port', async () => {
    const port = await closedPort();
    const mailer = new SmtpMailer(`smtp://user:s3cret@127.0.0.1:${port}`, 'workflow@example.com', timeouts);
    const started = Date.now();
    const err = (await mailer.send(message()).catch((e: unknown) => e)) as MailDeliveryError;
    await mailer.close();
    expect(err).toBeInstanceOf(MailDeliveryError);
    expect(err.message).toContain(
      `to zhangsan@example.com, lisi@example.com, wangwu@example.com failed: could not connect to 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(err.message).not.toContain('s3cret');
    expect(err.permanent).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out on a server that accepts the connection but never greets', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, 'workflow@example.com', { connectionTimeoutMs: 500, greetingTimeoutMs: 300 });
    try {
      const err = (await mailer.send(message()).catch((e: unknown) => e)) as MailDeliveryError;
      expect(err).toBeInstanceOf(MailDeliveryError);
      expect(err.message).toContain(`failed: 127.0.0.1:${port} did not answer in time`);
      expect(err.permanent).toBe(false);
    } finally {
      await mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a message without recipients before connecting', async () => {
    const mailer = new SmtpMailer('smtp://127.0.0.1:1', 'workflow@example.com', timeouts);
    await expect(mailer.send(message({ to: [], cc: [] }))).rejects.toThrow('has no recipient');
    await mailer.close();
  });
});

// ---- files ----

describe('FileMailer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'wf-mailer-')), 'mail'); // not there yet: the mailer creates it
  });
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('writes one readable .eml per message, named by time and Message-ID', async () => {
    const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));
    const mailer = new FileMailer(dir, 'workflow@example.com', clock);
    const receipt = await mailer.send(message());
    expect(receipt).toEqual({
      transport: 'file',
      messageId: '<0193f0a2-7c1e-7000-8000-000000000001@workflow-engine>',
      accepted: ['zhangsan@example.com', 'lisi@example.com', 'wangwu@example.com'],
      rejected: [],
      location: join(dir, '20260213T020000000Z-0193f0a2-7c1e-7000-8000-000000000001@workflow-engine.eml'),
    });
    const raw = await readFile(receipt.location!, 'utf8');
    expect(raw).toContain('\r\n'); // RFC 5322 line ends
    const top = parsePart(raw);
    expect(top.headers.get('from')).toBe('workflow@example.com');
    expect(top.headers.get('to')).toBe('zhangsan@example.com');
    expect(top.headers.get('cc')).toBe('lisi@example.com, wangwu@example.com');
    expect(top.headers.get('date')).toBe('Fri, 13 Feb 2026 02:00:00 +0000');
    expectReadableMessage(raw, { subject: SUBJECT, html: HTML, messageId: receipt.messageId });
    await mailer.close();
  });

  it('overwrites the first file when the same messageId is sent again', async () => {
    const clock = new ManualClock(new Date('2026-02-13T02:00:00.000Z'));
    const mailer = new FileMailer(dir, 'workflow@example.com', clock);
    const first = await mailer.send(message({ subject: '第一次' }));
    clock.advance(60_000);
    const again = await mailer.send(message({ subject: '第二次' }));
    expect(again.location).toBe(first.location);
    expect(await readdir(dir)).toEqual([first.location!.slice(dir.length + 1)]);
    expect(decodeWords(parsePart(await readFile(again.location!, 'utf8')).headers.get('subject')!)).toBe('第二次');

    const other = await mailer.send(message({ messageId: '<0193f0a2-7c1e-7000-8000-000000000002@workflow-engine>' }));
    expect(other.location).toBe(join(dir, '20260213T020100000Z-0193f0a2-7c1e-7000-8000-000000000002@workflow-engine.eml'));
    expect(await readdir(dir)).toHaveLength(2);
    await mailer.close();
  });

  it('writes concurrent redeliveries of one message to one file', async () => {
    const mailer = new FileMailer(dir, 'workflow@example.com', new ManualClock());
    const receipts = await Promise.all([1, 2, 3, 4].map((n) => mailer.send(message({ subject: `第${n}次` }))));
    expect(new Set(receipts.map((r) => r.location)).size).toBe(1);
    expect(await readdir(dir)).toHaveLength(1);
    await mailer.close();
  });

  it('sanitises the messageId for the file name without letting two ids share a file', async () => {
    const mailer = new FileMailer(dir, 'workflow@example.com', new ManualClock());
    const a = await mailer.send(message({ messageId: '<../../etc/passwd x@y>' }));
    const b = await mailer.send(message({ messageId: '<.._.._etc_passwd_x@y>' }));
    for (const r of [a, b]) expect(r.location!.startsWith(`${dir}/`) && !r.location!.slice(dir.length + 1).includes('/')).toBe(true);
    expect(a.location).toMatch(/-__\.\._etc_passwd_x@y~[0-9a-f]{12}\.eml$/);
    expect(a.location).not.toBe(b.location);
    expect(parsePart(await readFile(a.location!, 'utf8')).headers.get('message-id')).toBe('<../../etc/passwd x@y>');
  });

  it('does not take the file of an id that merely ends with another id', async () => {
    const mailer = new FileMailer(dir, 'workflow@example.com', new ManualClock());
    const long = await mailer.send(message({ messageId: '<a-b@y>' }));
    const short = await mailer.send(message({ messageId: '<b@y>' }));
    expect(short.location).not.toBe(long.location);
    expect(await readdir(dir)).toHaveLength(2);
  });
});

describe('createMailer', () => {
  it('uses SMTP when a URL is configured, files otherwise', async () => {
    const smtp = createMailer({ smtpUrl: 'smtp://127.0.0.1:2525', fileDir: '/unused', from: 'workflow@example.com' });
    const file = createMailer({ fileDir: join(tmpdir(), 'unused'), from: 'workflow@example.com' });
    expect(smtp).toBeInstanceOf(SmtpMailer);
    expect(file).toBeInstanceOf(FileMailer);
    await smtp.close();
    await file.close();
  });
});
