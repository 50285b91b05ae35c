// With DIRECT_LINE_SECRET set, Web Chat talks to Azure's Direct Line. The secret stays on this server: it is
// exchanged here for a short-lived token bound to one conversation, and only that token goes to the browser.
export const AZURE_DIRECT_LINE = 'https://directline.botframework.com/v3/directline';

export interface DirectLineToken { conversationId: string; token: string; expires_in: number }

export async function exchangeSecret(secret: string, userId: string, domain = AZURE_DIRECT_LINE): Promise<DirectLineToken> {
  const res = await fetch(`${domain}/tokens/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    // Binding the user id into the token makes Direct Line send one conversationUpdate with both members (welcome).
    body: JSON.stringify({ user: { id: userId } }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`Direct Line tokens/generate answered ${res.status}`);
  const body = (await res.json()) as Partial<DirectLineToken>;
  if (typeof body.token !== 'string' || typeof body.conversationId !== 'string') throw new Error('Direct Line gave no token');
  return { conversationId: body.conversationId, token: body.token, expires_in: body.expires_in ?? 1800 };
}
