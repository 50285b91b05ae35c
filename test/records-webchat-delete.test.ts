// A person on the web chat page saves an intake record, then erases the conversation with the page's own deletion
// (its delete key, as after a restart): the record is withdrawn as "delete my data" in the chat would, and the
// response names it. On either store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChat } from './abuse-helpers.js';
import { addStaff, startRecordsServer, STORE_KINDS, stopTestCluster, type RecordsServer } from './records-helpers.js';

afterAll(stopTestCluster);

type Activity = Record<string, unknown> & { type?: string; text?: string; from?: { role?: string }; channelData?: { triage?: { question?: string } } };

const ANSWERS: Record<string, string> = {
  medications: 'baclofen 20 mg three times a day',
  doseChanges: 'ran out of baclofen yesterday',
  symptoms: 'itchy all over and my muscles are stiffer, heron-marker-4417',
};

describe.each(STORE_KINDS)('%s', (store) => {
  let srv: RecordsServer;
  let token: string;
  beforeAll(async () => {
    srv = await startRecordsServer({ INTAKE_CENTRES: 'north=North Recovery Centre' }, { store, channels: true });
    ({ token } = await addStaff(srv.records, 'intake-nurse'));
  });
  afterAll(async () => { await srv?.close(true); });

  it('the page\'s delete key withdraws the conversation\'s intake record and names it', async () => {
    const chat = await webChat(srv.url);
    let seen: Activity[] = await chat.join('en-US');
    const botMessages = () => seen.filter((a) => a.type === 'message' && a.from?.role === 'bot');
    let ref: string | undefined;
    for (let i = 0; i < 20 && !ref; i++) {
      const q = botMessages().at(-1)?.channelData?.triage?.question ?? '';
      const text = q === 'consent' ? 'yes' : ANSWERS[q] ?? (q.startsWith('drug:') ? 'yes' : q.startsWith('when:') ? 'yesterday' : q === 'temperature' ? 'not sure' : 'no');
      const sent = await chat.send({ type: 'message', text, locale: 'en-US' });
      seen = (await chat.replyTo(((await sent.json()) as { id: string }).id)) as Activity[];
      ref = /Your reference is ([2-9A-Z-]{7})/.exec(botMessages().map((a) => a.text ?? '').join('\n'))?.[1];
    }
    expect(ref, 'a record was saved with consent').toBeDefined();
    const before = (await (await srv.request('GET', `/api/records/${ref}`, { auth: token })).json()) as Record<string, unknown>;
    expect(before.status).toBe('new');

    const del = await fetch(`${srv.url}/api/webchat/delete`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: chat.conversationId, deleteKey: chat.deleteKey }),
    });
    expect(del.status).toBe(200);
    expect(((await del.json()) as { deleted: { records: string[] } }).deleted.records).toEqual([ref]);
    const after = (await (await srv.request('GET', `/api/records/${ref}`, { auth: token })).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ ref, status: 'withdrawn', note: 'withdrawn by the person' });
    expect(after.answers).toBeUndefined();
    expect((await srv.records.audit.list({ ref })).map((e) => e.action)).toContain('withdraw');
  });
});
