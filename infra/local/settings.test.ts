import { App } from 'aws-cdk-lib';
import { describe, expect, it, vi } from 'vitest';
import { settingsFromContext } from '../aws/settings.ts';
import { readLocalSettings } from './settings.ts';

// The functions' configuration parses process.env as it loads: give it a table first.
vi.stubEnv('TEND_TABLE_NAME', 'settings-test');
const { parseConfig } = await import('#platform/config.ts');

/**
 * A retention period is read in three places: `npm start`'s settings (refused before anything
 * starts), the CDK context (refused at synth) and the functions' configuration (which applies
 * it). The three take and refuse the same values, with the same defaults.
 */
const readers = {
  local: (name: string, value?: string) => {
    const settings = readLocalSettings(value === undefined ? {} : { [name]: value });
    return settings[name as 'TEND_INBOX_RETENTION_DAYS' | 'TEND_TIMELINE_RETENTION_DAYS'];
  },
  functions: (name: string, value?: string) => {
    const config = parseConfig({ TEND_TABLE_NAME: 'tend', ...(value === undefined ? {} : { [name]: value }) });
    return config[name as 'TEND_INBOX_RETENTION_DAYS' | 'TEND_TIMELINE_RETENTION_DAYS'];
  },
  aws: (name: string, value?: string) => {
    const key = name === 'TEND_INBOX_RETENTION_DAYS' ? 'tend:inboxRetentionDays' : 'tend:timelineRetentionDays';
    const settings = settingsFromContext(new App({ context: value === undefined ? {} : { [key]: value } }).node);
    return name === 'TEND_INBOX_RETENTION_DAYS' ? settings.inboxRetentionDays : settings.timelineRetentionDays;
  },
};
const outcome = (read: () => number | undefined) => {
  try {
    return read();
  } catch {
    return 'refused';
  }
};

describe('retention settings, locally, on AWS and in the functions', () => {
  it.each([
    ['TEND_INBOX_RETENTION_DAYS', undefined, 30],
    ['TEND_INBOX_RETENTION_DAYS', '', 30],
    ['TEND_INBOX_RETENTION_DAYS', '7', 7],
    ['TEND_INBOX_RETENTION_DAYS', '365', 365],
    ['TEND_INBOX_RETENTION_DAYS', '6', 'refused'],
    ['TEND_INBOX_RETENTION_DAYS', '7.5', 'refused'],
    ['TEND_INBOX_RETENTION_DAYS', 'thirty', 'refused'],
    ['TEND_INBOX_RETENTION_DAYS', '36501', 'refused'],
    ['TEND_TIMELINE_RETENTION_DAYS', undefined, undefined],
    ['TEND_TIMELINE_RETENTION_DAYS', '', undefined],
    // At least as long as inbox records (30 by default): an erase finds those through the timeline.
    ['TEND_TIMELINE_RETENTION_DAYS', '30', 30],
    ['TEND_TIMELINE_RETENTION_DAYS', '29', 'refused'],
    ['TEND_TIMELINE_RETENTION_DAYS', '36500', 36_500],
    ['TEND_TIMELINE_RETENTION_DAYS', '0', 'refused'],
    ['TEND_TIMELINE_RETENTION_DAYS', '-3', 'refused'],
  ])('%s=%j: %s everywhere', (name, value, expected) => {
    expect({
      local: outcome(() => readers.local(name, value)),
      functions: outcome(() => readers.functions(name, value)),
      aws: outcome(() => readers.aws(name, value)),
    }).toEqual({ local: expected, functions: expected, aws: expected });
  });
});
