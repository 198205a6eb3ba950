import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction } from './bundling.ts';
import { buildSdkLayer, SDK_LAYER_PACKAGE, sdkImports } from './sdk-layer.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'tend-sdk-layer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A throwaway repository with these files, for the import scan. */
function repo(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmp, 'repo-'));
  for (const dir of ['functions', 'shared', 'workflows']) mkdirSync(path.join(root, dir));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
  return root;
}

describe('sdkImports', () => {
  it('lists the values the app imports from each SDK package, leaving out types and tests', () => {
    const root = repo({
      'functions/a.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n",
      'shared/b.ts': [
        'import {',
        '  type DynamoDBDocumentClient,',
        '  GetCommand,',
        '  PutCommand as Put,',
        "} from '@aws-sdk/lib-dynamodb';",
        "import type { SFNClient } from '@aws-sdk/client-sfn';",
        "import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';",
      ].join('\n'),
      'shared/b.test.ts': "import { ScanCommand } from '@aws-sdk/lib-dynamodb';\n",
    });

    expect(Object.fromEntries(sdkImports(root))).toEqual({
      'client-dynamodb': ['ConditionalCheckFailedException', 'DynamoDBClient'],
      'lib-dynamodb': ['GetCommand', 'PutCommand'],
    });
  });

  it('refuses an import that would need a whole package', () => {
    for (const line of [
      "import * as ddb from '@aws-sdk/client-dynamodb';",
      "import ddb from '@aws-sdk/client-dynamodb';",
      "const kms = await import('@aws-sdk/client-kms');",
    ]) {
      expect(() => sdkImports(repo({ 'shared/a.ts': `${line}\n` })), line).toThrow(/import named values/);
    }
  });
});

describe('a function built against the SDK layer', () => {
  const imports = new Map([
    ['client-dynamodb', ['DynamoDBClient']],
    ['lib-dynamodb', ['DynamoDBDocumentClient', 'GetCommand']],
  ]);
  const entry = (name: string, text: string) => {
    const file = path.join(tmp, `${name}.ts`);
    writeFileSync(file, text);
    return file;
  };

  it('requires the clients from the layer and carries no SDK code', async () => {
    const layer = path.join(tmp, 'node_modules', SDK_LAYER_PACKAGE);
    await buildSdkLayer(ROOT, layer, imports);
    const handler = entry(
      'uses-dynamodb',
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
        "const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));",
        "export const request = () => new GetCommand({ TableName: 't', Key: { pk: 'a' } }).input;",
        'export const sends = typeof client.send;',
      ].join('\n'),
    );

    const metafile = await bundleFunction(ROOT, handler, path.join(tmp, 'uses-dynamodb'), imports);

    expect(Object.keys(metafile.inputs).filter((input) => /node_modules\/@(aws-sdk|smithy)\//.test(input))).toEqual([]);
    const bundle = readFileSync(path.join(tmp, 'uses-dynamodb', 'index.mjs'), 'utf8');
    expect(bundle).toContain(`"${SDK_LAYER_PACKAGE}/client-dynamodb"`);
    const script = 'const m = await import(process.argv[1]); console.log(JSON.stringify([m.sends, m.request()]))';
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script, path.join(tmp, 'uses-dynamodb', 'index.mjs')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    expect(JSON.parse(out)).toEqual(['function', { TableName: 't', Key: { pk: 'a' } }]);
  });

  it('fails to build when the function imports a name the layer does not carry', async () => {
    const handler = entry(
      'uses-put',
      "import { PutItemCommand } from '@aws-sdk/client-dynamodb';\nexport const c = PutItemCommand;\n",
    );

    await expect(bundleFunction(ROOT, handler, path.join(tmp, 'uses-put'), imports)).rejects.toThrow(/PutItemCommand/);
  });
});
