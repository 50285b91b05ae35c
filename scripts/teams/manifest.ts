// The Teams app manifest (schema v1.19) for this bot, and its validation against Microsoft's published JSON schema.
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import { ACCENT } from './icons.js';

export const MANIFEST_VERSION = '1.19';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ManifestOptions {
  /** The Azure Bot's Microsoft App ID (MicrosoftAppId); also used as the Teams app id. */
  appId: string;
  version?: string;
  developerName?: string;
  websiteUrl?: string;
  privacyUrl?: string;
  termsOfUseUrl?: string;
}

/** The commands the bot understands at any point (src/bot/commands.ts); Teams shows them in the compose box. */
export const COMMANDS = [
  { title: 'help', description: 'What this bot does and what to do in an emergency' },
  { title: 'start over', description: 'Forget the answers so far and begin a new check' },
  { title: 'cancel', description: 'Stop the current check' },
  { title: 'delete my data', description: 'Delete everything stored about this conversation' },
];

export function buildManifest(o: ManifestOptions): Record<string, unknown> {
  if (!GUID.test(o.appId)) throw new Error(`MicrosoftAppId must be a GUID (the Azure Bot's app id), got "${o.appId}"`);
  const site = o.websiteUrl ?? 'https://example.org/triage-bot';
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: o.version ?? '0.1.0',
    id: o.appId,
    developer: {
      name: o.developerName ?? 'Triage bot',
      websiteUrl: site,
      privacyUrl: o.privacyUrl ?? `${site}/privacy`,
      termsOfUseUrl: o.termsOfUseUrl ?? `${site}/terms`,
    },
    name: { short: 'Triage bot', full: 'Medication symptom triage bot' },
    description: {
      short: 'Checks symptoms after medication changes; not a diagnosis.',
      full: 'Asks what you take, what changed and how you feel, then says how urgently to get care. '
        + 'Looks for serotonin toxicity, baclofen withdrawal and dangerous sedative combinations. '
        + 'It is not a diagnosis. In an emergency call your local emergency number now.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: ACCENT,
    // Personal scope only: a triage is a private, multi-turn conversation (Microsoft advises 1:1 for long flows).
    bots: [{
      botId: o.appId,
      scopes: ['personal'],
      supportsFiles: false,
      isNotificationOnly: false,
      commandLists: [{ scopes: ['personal'], commands: COMMANDS }],
    }],
    permissions: ['identity'],
    validDomains: [],
  };
}

/** Errors from Microsoft's v1.19 manifest schema (shipped in @microsoft/app-manifest); empty when valid. */
export function validateManifest(manifest: unknown): string[] {
  const require = createRequire(__filename);
  const schema = require(`@microsoft/app-manifest/build/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
  // The schema uses formats (uri, email) only as annotations here; strict off tolerates its vendor keywords.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
