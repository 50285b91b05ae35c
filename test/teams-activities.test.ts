// Microsoft Teams as the bot meets it: recorded-shape msteams activities (personal chat, install, a group chat with a
// mention, a team channel) POSTed to /api/messages, with replies landing on a loopback stand-in for the Bot Connector.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './helpers.js';

interface Sent { path: string; activity: { type: string; text?: string; attachments?: { contentType: string; content: { version?: string } }[]; suggestedActions?: { actions: unknown[] }; channelData?: { triage?: { question?: string } } } }

async function startConnector() {
  const sent: Sent[] = [];
  let n = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      sent.push({ path: decodeURIComponent(req.url ?? ''), activity: JSON.parse(body || '{}') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `r${++n}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Teams' serviceUrls have a path (…/amer/); a local stand-in with auth off may not (LOCAL_CLIENT_PORTS, no path).
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, sent, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const BOT = { id: '28:3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f', name: 'Triage bot' };
const USER = { id: '29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bTxw', name: 'Alex Doe', aadObjectId: '6b8a4b1e-0000-4000-8000-000000000001' };
const TENANT = { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
let seq = 0;

/** The shape Teams posts (botbuilder-js teamsInfo tests; Teams docs): ids, tenant, conversationType. */
function teams(serviceUrl: string, conversation: Record<string, unknown>, extra: Record<string, unknown>) {
  return {
    type: 'message', id: `1700000000${++seq}`, channelId: 'msteams', serviceUrl,
    timestamp: new Date().toISOString(), localTimestamp: '2026-03-08T09:00:00-05:00', locale: 'en-US',
    from: USER, recipient: BOT, conversation: { tenantId: TENANT.id, ...conversation },
    channelData: { tenant: TENANT }, ...extra,
  };
}
const personal = (url: string, extra: Record<string, unknown>) =>
  teams(url, { conversationType: 'personal', id: 'a:1personalChatWithAlex' }, extra);

let srv: RunningServer;
let connector: Awaited<ReturnType<typeof startConnector>>;
beforeAll(async () => {
  connector = await startConnector();
  srv = await startServer({ LOCAL_CLIENT_PORTS: new URL(connector.url).port });
});
afterAll(async () => { await srv?.close(); await connector?.close(); });

async function turn(activity: unknown): Promise<Sent[]> {
  const before = connector.sent.length;
  const r = await srv.post('/api/messages', activity);
  expect(r.status).toBe(200);
  return connector.sent.slice(before);
}

describe('msteams activities through /api/messages', () => {
  it('welcomes on install in personal scope, then holds the triage; the result card is Adaptive Card ≤ 1.5', async () => {
    const welcome = await turn(personal(connector.url, { type: 'conversationUpdate', membersAdded: [USER], channelData: { tenant: TENANT } }));
    expect(welcome.map((s) => s.activity.text ?? '').join(' ')).toMatch(/not a diagnosis/i);
    expect(welcome.at(-1)!.activity.channelData?.triage?.question).toBe('medications');
    expect(welcome[0]!.path).toContain('/v3/conversations/a:1personalChatWithAlex/activities');

    const script = ['citalopram 20 mg and tramadol', 'started tramadol 3 days ago', 'shaking, sweating and my muscles keep twitching'];
    let card: Sent['activity']['attachments'] | undefined;
    for (let i = 0; i < 12 && !card; i++) {
      const replies = await turn(personal(connector.url, { text: script[i] ?? 'no' }));
      for (const r of replies) expect((r.activity.suggestedActions?.actions.length ?? 0)).toBeLessThanOrEqual(3); // Teams shows at most 3
      card = replies.find((r) => r.activity.attachments?.length)?.activity.attachments;
    }
    expect(card?.[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(Number(card?.[0]!.content.version)).toBeLessThanOrEqual(1.5);
  });

  it('in a group chat, strips the mention and says it works in a personal chat, without starting a triage', async () => {
    const replies = await turn(teams(connector.url, { conversationType: 'groupChat', isGroup: true, id: '19:meeting_group@thread.v2' }, {
      text: '<at>Triage bot</at> I took citalopram',
      entities: [{ type: 'mention', text: '<at>Triage bot</at>', mentioned: BOT }],
    }));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.activity.text).toMatch(/personal chat/i);
    expect(replies[0]!.activity.channelData?.triage?.question).toBeUndefined();
  });

  it('in a team channel, answers the same way and does not crash', async () => {
    const replies = await turn(teams(connector.url, { conversationType: 'channel', isGroup: true, id: '19:general@thread.skype;messageid=1700000000001' }, {
      text: '<at>Triage bot</at> help',
      entities: [{ type: 'mention', text: '<at>Triage bot</at>', mentioned: BOT }],
      channelData: { tenant: TENANT, team: { id: '19:team@thread.skype' }, channel: { id: '19:general@thread.skype' }, teamsTeamId: '19:team@thread.skype' },
    }));
    expect(replies.map((r) => r.activity.text).join(' ')).toMatch(/personal chat/i);
  });

  it('when added to a group chat (only the bot joins), stays quiet rather than starting a triage', async () => {
    const replies = await turn(teams(connector.url, { conversationType: 'groupChat', isGroup: true, id: '19:another_group@thread.v2' }, {
      type: 'conversationUpdate', membersAdded: [BOT], channelData: { tenant: TENANT, eventType: 'teamMemberAdded' },
    }));
    expect(replies.every((r) => !r.activity.channelData?.triage?.question)).toBe(true);
  });
});
