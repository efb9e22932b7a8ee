/**
 * Items 5 and 6 of the security issue, over real HTTP on both databases.
 *
 * 5. Cases belong to people: with `read: { own: [owner], all: [...] }` an owner reads the
 *    cases they started (or that name them in `ownerField`) and no other owner's — single
 *    read, list, trail, documents, attachments, related, tasks — and the starter recorded at
 *    creation (`instance.startedBy`) cannot be rewritten by an event.
 * 6. Personal data is declared (`personal:`) and masked on every read path for a reader
 *    without a `clearFor` role (an auditor, a department head of another department): the
 *    instance, lists, the trail, the outbox, related cases, tasks, documents and the complaint
 *    time line show 王* and 138****0001; stored rows are unchanged and the chain verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const RENOVATION = readFileSync(join(__dirname, '../fixtures/privacy/renovation.yaml'), 'utf8');

describe.each(DRIVERS)('cases belong to people, personal data masked on %s', (driver) => {
  let h: Harness;
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver);
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: [string, string[], Record<string, string>?][] = [
      ['po', ['process_owner']],
      ['o1', ['owner']],
      ['o2', ['owner']],
      ['o3', ['owner']],
      ['ca', ['cs_assistant']],
      ['cs', ['cs_supervisor']],
      ['eng', ['engineer']],
      ['au', ['auditor']],
      ['mg', ['manager']],
      ['dhSec', ['dept_head'], { department: '保安部' }],
      ['dhEng', ['dept_head'], { department: '工程部' }],
    ];
    for (const [name, roles, attributes] of users) auth[name] = { Authorization: `Bearer ${await h.user(name, roles, attributes)}` };
    await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(RENOVATION).expect(201);
  }, 60_000);
  afterAll(() => h.close());

  const { call, send } = apiAs(() => h, auth);
  const start = async (who: string, businessKey: string, context: Record<string, unknown>) =>
    (await call('post', who, '/instances', { definition: 'renovation', businessKey, context })).body as { id: string; createdBy: string };
  const status = async (who: string, path: string) => (await h.http.get(path).set(auth[who])).status;

  describe('item 5: an owner reads only their own cases', () => {
    let mine: string;
    let theirs: string;
    let attachment: string;

    beforeAll(async () => {
      mine = (await start('o1', 'R-1', { room: '8栋801', applicant: '王伟', phone: '13800000001' })).id;
      theirs = (await start('o2', 'R-2', { room: '8栋802', applicant: '李娜', phone: '13900000002' })).id;
      attachment = (
        await h.http
          .post(`/instances/${theirs}/attachments?name=plan.pdf`)
          .set(auth.o2)
          .set('Content-Type', 'application/pdf')
          .send(Buffer.from('%PDF-1.4 plan'))
          .expect(201)
      ).body.id;
    });

    it("refuses another owner's case on every single read", async () => {
      for (const path of [
        `/instances/${theirs}`,
        `/instances/${theirs}/audit`,
        `/instances/${theirs}/documents`,
        `/instances/${theirs}/attachments`,
        `/attachments/${attachment}`,
        `/instances/${theirs}/timers`,
        `/instances/${theirs}/outbox`,
        `/instances/${theirs}/related`,
        `/instances/${theirs}/events/available`,
      ]) {
        expect({ path, status: await status('o1', path) }).toEqual({ path, status: 403 });
      }
      const refused = await h.http.get(`/instances/${theirs}`).set(auth.o1).expect(403);
      expect(refused.body.message).toContain('not yours');
      // Sending an event to it is refused (the event's roles include owner), and adding a file.
      const acted = await send('o1', theirs, 'comment', { note: '我来改' }, [403]);
      expect(acted.message).toContain('not yours');
      await h.http
        .post(`/instances/${theirs}/attachments?name=x.pdf`)
        .set(auth.o1)
        .set('Content-Type', 'application/pdf')
        .send(Buffer.from('%PDF'))
        .expect(403);
      // Their own case, and every case for the roles that read all.
      for (const [who, id] of [
        ['o1', mine],
        ['o2', theirs],
        ['ca', theirs],
        ['eng', theirs],
        ['au', theirs],
      ]) {
        expect({ who, status: await status(who, `/instances/${id}`) }).toEqual({ who, status: 200 });
      }
      expect(await status('o2', `/attachments/${attachment}`)).toBe(200);
    });

    it('lists and task lists show an owner only their own cases', async () => {
      const listed = (await call('get', 'o1', '/instances?definition=renovation')).body;
      expect(listed.items.map((i: { id: string }) => i.id)).toEqual([mine]);
      expect(listed.total).toBe(1);
      const all = (await call('get', 'o1', '/instances')).body;
      expect(all.items.map((i: { id: string }) => i.id)).toEqual([mine]);
      const tasks = (await call('get', 'o1', '/tasks?definition=renovation')).body.items.map((t: { instance: { id: string } }) => t.instance.id);
      expect(tasks).toEqual([mine]);
      const staff = (await call('get', 'ca', '/instances?definition=renovation')).body.items.map((i: { id: string }) => i.id);
      expect(staff.sort()).toEqual([mine, theirs].sort());
    });

    it('a case that names the owner in ownerField is theirs too; a list follows the single read', async () => {
      const onBehalf = (await start('ca', 'R-3', { room: '9栋101', applicant: '张三', phone: '13700000003' })).id;
      expect(await status('o3', `/instances/${onBehalf}`)).toBe(403);
      await send('ca', onBehalf, 'assignOwner', { ownerId: 'o3' });
      expect(await status('o3', `/instances/${onBehalf}`)).toBe(200);
      expect((await call('get', 'o3', '/instances?definition=renovation')).body.items.map((i: { id: string }) => i.id)).toEqual([onBehalf]);
      expect(await status('o1', `/instances/${onBehalf}`)).toBe(403);
    });

    it("an owner's inbox holds the notices of their own cases only", async () => {
      const approved = (await start('o1', 'R-4', { room: '8栋804', applicant: '赵敏', phone: '13300000004' })).id;
      await send('eng', approved, 'approve');
      await h.engine.runDueWork();
      const inboxOf = async (who: string) => (await call('get', who, '/inbox')).body.items as { instanceId: string; message: string }[];
      expect((await inboxOf('o1')).filter((i) => i.instanceId === approved).map((i) => i.message)).toEqual(['装修申请已批准：8栋804 赵敏']);
      expect((await inboxOf('o2')).filter((i) => i.instanceId === approved)).toEqual([]);
    });

    it('the starter recorded at creation cannot be changed by an event', async () => {
      // A payload claiming another starter changes nothing the engine recorded.
      const after = await send('o1', mine, 'comment', { note: '周六施工', createdBy: 'o2' });
      expect(after.createdBy).toBe('o1');
      // Expressions read the recorded starter, whoever sends the event.
      expect(after.context.starter).toBe('o1');
      const byStaff = await send('ca', mine, 'comment', { note: '已收到' });
      expect(byStaff.context.starter).toBe('o1');
      expect(await status('o2', `/instances/${mine}`)).toBe(403);
      // The request body has no place for it either.
      await h.http.post(`/instances/${mine}/events`).set(auth.o1).send({ type: 'comment', payload: {}, createdBy: 'o2' }).expect(400);
      expect((await call('get', 'o1', `/instances/${mine}`)).body.createdBy).toBe('o1');
    });
  });

  describe('item 6: personal data is masked for readers not in clearFor', () => {
    let complaint: string;
    let slip: string;

    beforeAll(async () => {
      complaint = (
        await call('post', 'ca', '/instances', {
          definition: 'complaint',
          businessKey: 'TS-PII-1',
          context: {
            receivedAt: '2026-02-13T10:00:00+08:00',
            complainant: '王伟',
            unit: '8栋801',
            contact: '13800000001',
            channel: '来访',
            content: '车位被占',
          },
        })
      ).body.id;
      await send('ca', complaint, 'classify', { valid: true, category: '管理服务', severity: '一般' });
      await send('cs', complaint, 'dispatch', { department: '保安部' });
      await h.engine.runDueWork();
      const docs = (await call('get', 'cs', `/instances/${complaint}/documents`)).body.items as { id: string; template: string }[];
      slip = docs.find((d) => d.template === 'service-complaint-slip')!.id;
    });

    const CLEAR = ['王伟', '13800000001'];
    const leaks = (text: string) => CLEAR.filter((c) => text.includes(c));

    it('the auditor, the manager and another department see 王* and 138****0001 on every path', async () => {
      const paths = [
        `/instances/${complaint}`,
        '/instances?definition=complaint',
        `/instances/${complaint}/audit`,
        `/instances/${complaint}/outbox`,
        `/instances/${complaint}/related`,
        `/documents/${slip}`,
        `/complaints/${complaint}/timeline`,
      ];
      for (const who of ['au', 'mg', 'dhEng']) {
        for (const path of paths) {
          const res = await call('get', who, path);
          const text = res.text;
          expect({ who, path, leaks: leaks(text) }).toEqual({ who, path, leaks: [] });
        }
      }
      expect(leaks(JSON.stringify((await call('get', 'au', '/outbox')).body))).toEqual([]);
      // The other department's head also has the complaint on no task list; the auditor reads it masked.
      const view = (await call('get', 'au', `/instances/${complaint}`)).body;
      expect(view.context).toMatchObject({ complainant: '王*', contact: '138****0001', unit: '8栋801' });
      const trail = (await call('get', 'au', `/instances/${complaint}/audit`)).body.items;
      expect(trail[0].payload).toMatchObject({ complainant: '王*', contact: '138****0001' });
      // Masking hides no transition: every entry is there with its actor, states and hash.
      expect(trail.map((e: { eventType: string }) => e.eventType)).toEqual(['$start', 'classify', 'dispatch']);
      expect(trail.every((e: { hash: string }) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    });

    it('timers and attachment names are masked too: a file named after the complainant, a deadline payload quoting them', async () => {
      await h.http
        .post(`/instances/${complaint}/attachments?name=${encodeURIComponent('王伟的车位照片.png')}`)
        .set(auth.ca)
        .set('Content-Type', 'image/png')
        .send(Buffer.from('photo'))
        .expect(201);
      const files = (await call('get', 'mg', `/instances/${complaint}/attachments`)).body.items as { name: string }[];
      expect(files.map((f) => f.name)).toEqual(['王*的车位照片.png']);
      expect((await call('get', 'cs', `/instances/${complaint}/attachments`)).body.items.map((f: { name: string }) => f.name)).toEqual(['王伟的车位照片.png']);
      // A timer row whose payload quotes the complainant (as a deadline's payload expression may).
      await h.engine.db.transaction((tx) =>
        tx.run(`UPDATE timers SET payload = $1 WHERE instance_id = $2`, [
          JSON.stringify({ note: '提醒：联系王伟 13800000001', complainant: '王伟' }),
          complaint,
        ]),
      );
      for (const who of ['au', 'mg', 'dhEng']) {
        const timers = await call('get', who, `/instances/${complaint}/timers`);
        expect({ who, leaks: leaks(timers.text) }).toEqual({ who, leaks: [] });
      }
      expect(leaks((await call('get', 'cs', `/instances/${complaint}/timers`)).text)).toEqual(CLEAR);
    });

    it('the CS center and the department handling it see them in clear; /tasks masks for others', async () => {
      for (const who of ['ca', 'cs', 'dhSec']) {
        const view = (await call('get', who, `/instances/${complaint}`)).body;
        expect({ who, context: view.context }).toMatchObject({ who, context: { complainant: '王伟', contact: '13800000001' } });
      }
      const ownTask = (await call('get', 'dhSec', '/tasks?definition=complaint')).body.items.find(
        (t: { instance: { id: string } }) => t.instance.id === complaint,
      );
      expect(ownTask.instance.context.complainant).toBe('王伟');
      const otherTask = (await call('get', 'dhEng', '/tasks?definition=complaint')).body.items.find(
        (t: { instance: { id: string } }) => t.instance.id === complaint,
      );
      expect(otherTask.instance.context).toMatchObject({ complainant: '王*', contact: '138****0001' });
      expect((await call('get', 'dhSec', `/documents/${slip}`)).text).toContain('王伟');
    });

    it('an own-case reader sees their own data; staff outside clearFor see it masked; stored rows are unchanged', async () => {
      const id = (await start('o1', 'R-PII', { room: '8栋803', applicant: '欧阳娜', phone: '13600000006' })).id;
      await send('o1', id, 'addContact', { phone: '13500000005' });
      expect((await call('get', 'o1', `/instances/${id}`)).body.context).toMatchObject({
        applicant: '欧阳娜',
        phone: '13600000006',
        extraPhone: '13500000005',
      });
      expect((await call('get', 'eng', `/instances/${id}`)).body.context).toMatchObject({ applicant: '欧**', phone: '136****0006', extraPhone: '135****0005' });
      // The answer to an event shows the case as its sender may read it.
      const answer = await send('eng', id, 'approve');
      expect(answer.context).toMatchObject({ applicant: '欧**', phone: '136****0006' });
      const trail = (await call('get', 'eng', `/instances/${id}/audit`)).body.items;
      expect(trail[1].payload).toEqual({ phone: '135****0005' });
      const [row] = await h.engine.db.read((q) => q.rows<{ context: string }>('SELECT context FROM instances WHERE id = $1', [id]));
      expect(JSON.parse(row.context)).toMatchObject({ applicant: '欧阳娜', phone: '13600000006' });
      expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
    });
  });
});
