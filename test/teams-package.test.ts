// The Teams app package: a zip with a manifest valid against Microsoft's schema, and icons of the sizes Teams requires.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTeamsPackage } from '../scripts/teams-package.js';
import { buildManifest, validateManifest } from '../scripts/teams/manifest.js';
import { pngInfo } from '../scripts/teams/png.js';

const APP_ID = '3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f';
const dir = mkdtempSync(path.join(tmpdir(), 'teams-pkg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Teams app package', () => {
  const zip = new AdmZip(buildTeamsPackage(dir, { appId: APP_ID }));
  const manifest = JSON.parse(zip.readAsText('manifest.json'));

  it('holds exactly the manifest and the two icons at the root of the zip', () => {
    expect(zip.getEntries().map((e) => e.entryName).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('is valid against the Teams v1.19 manifest schema', () => {
    expect(validateManifest(manifest)).toEqual([]);
  });

  it('uses the bot app id, personal scope only, and lists the commands', () => {
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.bots[0].scopes).toEqual(['personal']);
    const titles = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(titles).toEqual(['help', 'start over', 'cancel', 'delete my data']);
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', () => {
    expect(pngInfo(zip.readFile(manifest.icons.color)!)).toMatchObject({ width: 192, height: 192 });
    const outline = zip.readFile(manifest.icons.outline)!;
    expect(pngInfo(outline)).toEqual({ width: 32, height: 32, colorType: 6 });
    const pixels = decodeRgba(outline, 32, 32);
    const colours = new Set(pixels.map(([r, g, b, a]) => (a === 0 ? 'clear' : `${r},${g},${b},${a}`)));
    expect(colours).toEqual(new Set(['clear', '255,255,255,255']));
  });

  it('refuses an app id that is not a GUID, and the schema catches a broken manifest', () => {
    expect(() => buildManifest({ appId: 'my-bot' })).toThrow(/GUID/);
    const broken = { ...buildManifest({ appId: APP_ID }), accentColor: 'red', name: { short: 'x'.repeat(31) } };
    const errors = validateManifest(broken);
    expect(errors.join('\n')).toMatch(/accentColor/);
    expect(errors.join('\n')).toMatch(/name/);
  });
});

/** Decodes an unfiltered (filter 0) RGBA PNG, which is what our encoder writes. */
function decodeRgba(png: Buffer, width: number, height: number): number[][] {
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const out: number[][] = [];
  for (let y = 0; y < height; y++) {
    expect(raw[y * (1 + width * 4)]).toBe(0);
    for (let x = 0; x < width; x++) {
      const i = y * (1 + width * 4) + 1 + x * 4;
      out.push([raw[i]!, raw[i + 1]!, raw[i + 2]!, raw[i + 3]!]);
    }
  }
  return out;
}
