// `npm run teams:package`: writes the Teams app package (manifest.json + two icons, zipped) to dist/teams/.
// The bot's app id comes from MicrosoftAppId (.env or the environment); the rest from optional TEAMS_* settings.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { loadConfig } from '../src/config.js';
import { colorIcon, outlineIcon } from './teams/icons.js';
import { buildManifest, validateManifest, type ManifestOptions } from './teams/manifest.js';

export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';

export function buildTeamsPackage(outDir: string, options: ManifestOptions): string {
  const manifest = buildManifest(options);
  const errors = validateManifest(manifest);
  if (errors.length) throw new Error(`Teams manifest is invalid:\n  ${errors.join('\n  ')}`);
  const zip = new AdmZip();
  // Teams wants the three files at the root of the zip, not in a folder.
  zip.addFile('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
  zip.addFile('color.png', colorIcon());
  zip.addFile('outline.png', outlineIcon());
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'triage-bot-teams.zip');
  zip.writeZip(file);
  return file;
}

function main(): void {
  const config = loadConfig(); // reads .env; also fails early on any invalid setting
  const env = process.env;
  let appId = config.botFramework.MicrosoftAppId;
  if (!appId) {
    // Still write a package, so the layout can be inspected; Teams would refuse it until the real id is set.
    console.warn(`MicrosoftAppId is not set: using ${PLACEHOLDER_APP_ID}. Set it in .env to your Azure Bot's app id before uploading.`);
    appId = PLACEHOLDER_APP_ID;
  }
  const file = buildTeamsPackage(path.resolve('dist/teams'), {
    appId,
    version: env.TEAMS_APP_VERSION || undefined,
    developerName: env.TEAMS_DEVELOPER_NAME || undefined,
    websiteUrl: env.TEAMS_WEBSITE_URL || undefined,
    privacyUrl: env.TEAMS_PRIVACY_URL || undefined,
    termsOfUseUrl: env.TEAMS_TERMS_URL || undefined,
  });
  console.log(`Teams app package written: ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
