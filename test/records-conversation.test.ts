// The conversation with intake records on, through /api/messages on the real server: consent asked before the result,
// yes → a record staff can read and a reference shown, no → nothing saved but the result shown, and "delete my data"
// → the record withdrawn (staff see only that) with nothing of it left readable in the records file, or in the
// PostgreSQL tables; on either store.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, startRecordsServer, STORE_KINDS, stopTestCluster, type RecordsServer } from './records-helpers.js';

afterAll(stopTestCluster);

interface Out { type: string; text?: string; name?: string; value?: any; channelData?: { triage?: { question?: string } } }

describe.each(STORE_KINDS)('%s', (store) => {
  let srv: RecordsServer;
  let token: string;
  let seq = 0;
  beforeAll(async () => {
    srv = await startRecordsServer({ INTAKE_CENTRES: 'north=North Recovery Centre' }, { store });
    ({ token } = await addStaff(srv.records, 'intake-nurse'));
  });
  afterAll(async () => { await srv?.close(true); });

  async function send(conversation: string, text: string, extra: Record<string, unknown> = {}): Promise<Out[]> {
    const res = await srv.request('POST', '/api/messages', {
      body: {
        type: 'message', id: `m${++seq}`, channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
        conversation: { id: conversation }, from: { id: 'person' }, recipient: { id: 'bot' }, text,
        localTimestamp: '2026-03-08T09:00:00-05:00', locale: 'en-US', ...extra,
      },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Out[] }).activities;
  }

  const question = (turn: Out[]) => [...turn].reverse().find((a) => a.type === 'message')?.channelData?.triage?.question;
  const texts = (turn: Out[]) => turn.filter((a) => a.type === 'message').map((a) => a.text ?? '').join('\n');
  const result = (turn: Out[]) => turn.find((a) => a.type === 'event' && a.name === 'triage.result')?.value;

  /** Answers every question until the consent question; returns what the bot said along the way. */
  async function toConsent(conversation: string, answers: Record<string, string>): Promise<Out[]> {
    let turn = await send(conversation, 'hi');
    const all: Out[] = [...turn];
    for (let i = 0; i < 20; i++) {
      const q = question(turn) ?? '';
      if (q === 'consent') return all;
      const answer = answers[q] ?? (q.startsWith('drug:') ? 'yes' : q.startsWith('when:') ? 'yesterday' : q === 'temperature' ? 'not sure' : 'no');
      turn = await send(conversation, answer);
      all.push(...turn);
    }
    throw new Error(`no consent question (last: ${question(turn)})`);
  }

  const URGENT = {
    medications: 'baclofen 20 mg three times a day',
    doseChanges: 'ran out of baclofen yesterday',
    symptoms: 'itchy all over and my muscles are stiffer, zebra-marker-9931',
  };

  describe('consent in the conversation', () => {
    it('asks plainly before the result; yes saves a record staff can read and shows its reference', async () => {
      const before = await toConsent('conv-yes', URGENT);
      expect(result(before)).toBeUndefined(); // not shown yet
      const ask = texts(before).split('\n').at(-1)!;
      expect(ask).toMatch(/shared with the intake staff of North Recovery Centre/);
      expect(ask).toMatch(/delete my data/);
      const turn = await send('conv-yes', 'yes');
      const ref = /Your reference is ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(texts(turn))?.[1];
      expect(ref).toBeDefined();
      const assessment = result(turn);
      expect(assessment.record).toEqual({ ref });
      const res = await srv.request('GET', `/api/records/${ref}`, { auth: token });
      expect(res.status).toBe(200);
      const r = (await res.json()) as Record<string, any>;
      expect(r).toMatchObject({ ref, centre: 'north', channel: 'webchat', source: 'conversation', status: 'new', level: assessment.level });
      expect(r.consent).toMatchObject({ given: true, by: 'person', statement: expect.stringMatching(/North Recovery Centre/) });
      expect(r.answers.symptoms).toContain('zebra-marker-9931');
      expect(r.answers.medications).toContain('baclofen');
      expect((await srv.records.audit.list({ ref })).map((e) => e.action)).toContain('consent');
    });

    it('no saves nothing, and the result is still shown', async () => {
      const count = (await srv.records.store.list({ centre: 'north' })).length;
      await toConsent('conv-no', URGENT);
      const turn = await send('conv-no', 'no');
      expect(texts(turn)).toMatch(/nothing was shared or saved/);
      expect(result(turn)).toMatchObject({ level: expect.any(String) });
      expect(result(turn).record).toBeUndefined();
      expect((await srv.records.store.list({ centre: 'north' })).length).toBe(count);
    });

    it('an emergency result is shown before the question, never held back by it', async () => {
      const before = await toConsent('conv-emergency', {
        medications: 'citalopram and tramadol', doseChanges: 'started tramadol 2 days ago', symptoms: 'he is very hot, 40.5, and he had a seizure',
      });
      // The consent question's turn: the result (message and event) first, then the question.
      const consentAt = before.findIndex((a) => a.channelData?.triage?.question === 'consent');
      const lastResult = before.findLastIndex((a) => a.type === 'event' && a.name === 'triage.result');
      expect(before[lastResult]!.value.level).toBe('emergency');
      expect(lastResult).toBeLessThan(consentAt);
      const symptomsAnsweredAt = before.findIndex((a) => a.channelData?.triage?.question === 'symptoms');
      expect(lastResult).toBeGreaterThan(symptomsAnsweredAt);
      expect(before[consentAt]!.text).toMatch(/^Do you agree/);
      const turn = await send('conv-emergency', 'yes');
      expect(texts(turn)).toMatch(/Your reference is/);
      expect(result(turn)).toBeUndefined(); // not shown twice
    });

    it('"not sure" (idk, no sé) saves nothing; an answer it cannot read is asked once more, then nothing is saved', async () => {
      const count = (await srv.records.store.list({ centre: 'north' })).length;
      await toConsent('conv-idk', URGENT);
      const idk = await send('conv-idk', 'idk');
      expect(texts(idk)).toMatch(/nothing was shared or saved/);
      expect(result(idk)).toMatchObject({ level: expect.any(String) });
      expect(question(idk)).toBe('restart');

      const es = (text: string) => send('conv-nose', text, { locale: 'es-US' });
      let turn = await es('hola');
      for (let i = 0; i < 20 && question(turn) !== 'consent'; i++) {
        const q = question(turn) ?? '';
        turn = await es(URGENT[q as keyof typeof URGENT] ?? (q.startsWith('drug:') ? 'sí' : q.startsWith('when:') ? 'ayer' : 'no'));
      }
      expect(question(turn)).toBe('consent');
      expect(texts(turn)).toMatch(/personal de admisión de North Recovery Centre/);
      const nose = await es('no sé');
      expect(texts(nose)).toMatch(/no se compartió ni se guardó nada/);
      expect(result(nose)).toBeDefined();

      await toConsent('conv-unread', URGENT);
      const once = await send('conv-unread', 'purple');
      expect(question(once)).toBe('consent');
      expect(result(once)).toBeUndefined();
      const twice = await send('conv-unread', 'purple');
      expect(question(twice)).toBe('restart'); // never a third time in a row
      expect(texts(twice)).toMatch(/nothing was shared or saved/);
      expect(result(twice)).toMatchObject({ level: expect.any(String) });
      expect((await srv.records.store.list({ centre: 'north' })).length).toBe(count);
    });

    it('a red flag typed instead of answering gets emergency guidance in that turn; the question follows once more', async () => {
      await toConsent('conv-flag', URGENT);
      const turn = await send('conv-flag', 'he just had a seizure and is not waking up');
      expect(result(turn)).toMatchObject({ level: 'emergency' });
      expect(question(turn)).toBe('consent');
      expect(texts(turn).split('\n').at(-1)).toMatch(/^Do you agree/); // after the result, not "before your result"
      const yes = await send('conv-flag', 'yes');
      const ref = /Your reference is ([2-9A-Z]{3}-[2-9A-Z]{3})/.exec(texts(yes))?.[1];
      expect(ref).toBeDefined();
      expect(result(yes)).toBeUndefined(); // the emergency was shown; not again
      const r = (await (await srv.request('GET', `/api/records/${ref}`, { auth: token })).json()) as Record<string, any>;
      expect(r.level).toBe('emergency');
    });

    it('"delete my data" withdraws the record: staff see "withdrawn by the person" with no content, and the file keeps nothing', async () => {
      await toConsent('conv-delete', { ...URGENT, symptoms: 'itchy all over and my muscles are stiffer, okapi-marker-5521' });
      const ref = /Your reference is ([2-9A-Z-]{7})/.exec(texts(await send('conv-delete', 'yes')))![1]!;
      const turn = await send('conv-delete', 'delete my data');
      expect(texts(turn)).toMatch(new RegExp(`withdrew your intake record ${ref}`));
      const r = (await (await srv.request('GET', `/api/records/${ref}`, { auth: token })).json()) as Record<string, any>;
      expect(r).toMatchObject({ ref, status: 'withdrawn', note: 'withdrawn by the person' });
      for (const key of ['answers', 'assessment', 'level', 'headline', 'consent', 'knowledgeVersion']) expect(r[key], key).toBeUndefined();
      expect(r.reviews).toEqual([]);
      const listed = ((await (await srv.request('GET', '/api/records?status=withdrawn', { auth: token })).json()) as { records: any[] }).records;
      expect(listed.find((x) => x.ref === ref)).toMatchObject({ status: 'withdrawn', note: 'withdrawn by the person' });
      expect((await srv.request('GET', `/api/records/${ref}/fhir`, { auth: token })).status).toBe(410);
      expect((await srv.request('POST', `/api/records/${ref}/review`, { auth: token, body: { note: 'x' } })).status).toBe(409);
      expect((await srv.records.audit.list({ ref })).map((e) => e.action)).toEqual(expect.arrayContaining(['consent', 'withdraw']));
      if (store === 'postgres') {
        // Nothing of it in any live row; the old row version is VACUUM's business (README "Records on PostgreSQL").
        const holding = async (marker: string) => (await srv.sql('SELECT ref FROM intake_records WHERE content LIKE $1', [`%${marker}%`])).length;
        expect(await holding('okapi-marker-5521')).toBe(0);
        expect(await holding('zebra-marker-9931')).toBeGreaterThan(0); // the other conversations' records are untouched
        expect(await srv.sql('SELECT id FROM alert_outbox WHERE ref = $1', [ref])).toEqual([]);
        return;
      }
      for (const f of ['records.sqlite', 'records.sqlite-wal']) {
        let bytes: Buffer;
        try { bytes = readFileSync(`${srv.dir}/${f}`); } catch { continue; }
        expect(bytes.includes('okapi-marker-5521'), f).toBe(false);
      }
      // The other conversation's record is untouched.
      expect(readFileSync(`${srv.dir}/records.sqlite`).includes('zebra-marker-9931') || readFileSync(`${srv.dir}/records.sqlite-wal`).includes('zebra-marker-9931')).toBe(true);
    });
  });
});
