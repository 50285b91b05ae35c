import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs on defaults with no settings at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3978);
    expect(c.storage).toBe('sqlite');
    expect(c.sqlitePath).toBe('./data/triage.sqlite');
    expect(c.defaultLocale).toBe('en-US');
    expect(c.logLevel).toBe('info');
    expect(c.logHealthData).toBe(false);
    expect(c.conversationTtlHours).toBe(24);
    expect(c.botFramework).toEqual({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' });
    expect(c.intakeApiKey).toBeUndefined();
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
  });

  it('treats empty values (as copied from .env.example) as unset', () => {
    expect(loadConfig({ PORT: '', STORAGE: '', INTAKE_API_KEY: '' })).toMatchObject({ port: 3978, storage: 'sqlite', intakeApiKey: undefined });
  });

  it('reads valid values', () => {
    const c = loadConfig({ PORT: '8080', STORAGE: 'memory', LOG_HEALTH_DATA: 'true', DEFAULT_LOCALE: 'es-MX', SLACK_API_URL: 'http://127.0.0.1:9/api' });
    expect(c).toMatchObject({ port: 8080, storage: 'memory', logHealthData: true, defaultLocale: 'es-MX' });
    expect(c.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['STORAGE', 'redis'], ['MicrosoftAppType', 'Anything'],
    ['DEFAULT_LOCALE', 'english'], ['LOG_LEVEL', 'loud'], ['LOG_HEALTH_DATA', 'maybe'],
    ['CONVERSATION_TTL_HOURS', '0'], ['SLACK_API_URL', 'not a url'],
  ])('rejects %s=%s with a ConfigError naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
