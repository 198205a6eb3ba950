import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  ResourceNotFound,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepFunctionsLocal, startStepFunctionsLocal } from './server.ts';
import { clientFor, fakeLambdas, finished, ROLE } from './test-support.ts';

/** A one-state machine whose output names the version it came from. */
const definitionFor = (label: string): string =>
  JSON.stringify({ StartAt: 'Label', States: { Label: { Type: 'Pass', Result: label, End: true } } });

let counter = 0;
async function createVersioned(client: SFNClient, label = 'v1') {
  counter += 1;
  return client.send(
    new CreateStateMachineCommand({
      name: `journey-${counter}`,
      definition: definitionFor(label),
      roleArn: ROLE,
      publish: true,
      versionDescription: `published ${label}`,
    }),
  );
}

async function startAndFinish(client: SFNClient, stateMachineArn: string, name?: string) {
  const { executionArn = '' } = await client.send(new StartExecutionCommand({ stateMachineArn, name }));
  return { executionArn, result: await finished(client, executionArn) };
}

describe('state machine versions and aliases', () => {
  let local: StepFunctionsLocal;
  let client: SFNClient;

  beforeAll(async () => {
    local = await startStepFunctionsLocal({ port: 0, invokeFunction: fakeLambdas().invokeFunction });
    client = clientFor(local.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await local?.close();
  });

  it('publishes version 1 on create and the next on update; publishing an unchanged revision returns its version', async () => {
    const created = await createVersioned(client);
    const machineArn = created.stateMachineArn ?? '';
    expect(created.stateMachineVersionArn).toBe(`${machineArn}:1`);

    const updated = await client.send(
      new UpdateStateMachineCommand({
        stateMachineArn: machineArn,
        definition: definitionFor('v2'),
        publish: true,
        versionDescription: 'second',
      }),
    );
    expect(updated.stateMachineVersionArn).toBe(`${machineArn}:2`);

    const again = await client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }));
    expect(again.stateMachineVersionArn).toBe(`${machineArn}:2`);
    const unchanged = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('v2'), publish: true }),
    );
    expect(unchanged).toMatchObject({ stateMachineVersionArn: `${machineArn}:2`, revisionId: updated.revisionId });
    const listed = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }));
    expect(listed.stateMachineVersions?.map((v) => v.stateMachineVersionArn)).toEqual([
      `${machineArn}:2`,
      `${machineArn}:1`,
    ]);
  });

  it('publishes only when revisionId is current (or INITIAL before any update), else ConflictException', async () => {
    const created = await client.send(
      new CreateStateMachineCommand({ name: 'revisions', definition: definitionFor('a'), roleArn: ROLE }),
    );
    const machineArn = created.stateMachineArn ?? '';
    expect(created.stateMachineVersionArn).toBeUndefined();
    const initial = await client.send(
      new PublishStateMachineVersionCommand({
        stateMachineArn: machineArn,
        revisionId: 'INITIAL',
        description: 'first',
      }),
    );
    expect(initial.stateMachineVersionArn).toBe(`${machineArn}:1`);

    const { revisionId } = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('b') }),
    );
    await expect(
      client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, revisionId: 'INITIAL' })),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, revisionId: 'stale' })),
    ).rejects.toBeInstanceOf(ConflictException);
    const current = await client.send(
      new PublishStateMachineVersionCommand({ stateMachineArn: machineArn, revisionId }),
    );
    expect(current.stateMachineVersionArn).toBe(`${machineArn}:2`);
    await expect(
      client.send(
        new CreateStateMachineCommand({
          name: 'no-publish',
          definition: definitionFor('a'),
          roleArn: ROLE,
          versionDescription: 'needs publish',
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("describes a version with that version's definition, and never reuses a deleted version's number", async () => {
    const created = await createVersioned(client, 'old');
    const machineArn = created.stateMachineArn ?? '';
    await client.send(new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('new') }));

    const version = await client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machineArn}:1` }));
    expect(version).toMatchObject({
      stateMachineArn: `${machineArn}:1`,
      definition: definitionFor('old'),
      description: 'published old',
    });
    const latest = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
    expect(latest.definition).toBe(definitionFor('new'));

    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machineArn}:1` }));
    await expect(
      client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machineArn}:1` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${machineArn}:1` }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    const next = await client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }));
    expect(next.stateMachineVersionArn).toBe(`${machineArn}:2`);
  });

  it('creates, describes, updates, lists and deletes aliases, and protects the versions they route to', async () => {
    const created = await createVersioned(client);
    const machineArn = created.stateMachineArn ?? '';
    const v1 = `${machineArn}:1`;
    const { stateMachineVersionArn: v2 = '' } = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('v2'), publish: true }),
    );

    const alias = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        description: 'what contacts enter',
        routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }],
      }),
    );
    expect(alias.stateMachineAliasArn).toBe(`${machineArn}:live`);
    const repeated = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        description: 'what contacts enter',
        routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }],
      }),
    );
    expect(repeated.creationDate).toEqual(alias.creationDate);
    await expect(
      client.send(
        new CreateStateMachineAliasCommand({
          name: 'live',
          routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }],
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 })),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      client.send(
        new CreateStateMachineAliasCommand({
          name: 'split',
          routingConfiguration: [
            { stateMachineVersionArn: v1, weight: 60 },
            { stateMachineVersionArn: v2, weight: 30 },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      client.send(
        new CreateStateMachineAliasCommand({
          name: 'ghost',
          routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:99`, weight: 100 }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFound);

    await client.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: alias.stateMachineAliasArn,
        routingConfiguration: [
          { stateMachineVersionArn: v1, weight: 20 },
          { stateMachineVersionArn: v2, weight: 80 },
        ],
      }),
    );
    const described = await client.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }),
    );
    expect(described).toMatchObject({ name: 'live', description: 'what contacts enter' });
    expect(described.routingConfiguration).toEqual([
      { stateMachineVersionArn: v1, weight: 20 },
      { stateMachineVersionArn: v2, weight: 80 },
    ]);
    const byVersion = await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: v2 }));
    expect(byVersion.stateMachineAliases?.map((a) => a.stateMachineAliasArn)).toEqual([alias.stateMachineAliasArn]);

    await client.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
    await expect(
      client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    const listed = await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: machineArn }));
    expect(listed.stateMachineAliases).toEqual([]);
    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v1 }));
  });

  it('runs the version an execution was started with and reports the version and alias it came through', async () => {
    const created = await createVersioned(client, 'v1');
    const machineArn = created.stateMachineArn ?? '';
    const machineName = machineArn.split(':').at(-1);
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('v2'), publish: true }),
    );
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('draft') }),
    );
    const { stateMachineAliasArn = '' } = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:2`, weight: 100 }],
      }),
    );

    const latest = await startAndFinish(client, machineArn, 'latest');
    const pinned = await startAndFinish(client, `${machineArn}:1`, 'pinned');
    const viaAlias = await startAndFinish(client, stateMachineAliasArn, 'via-alias');

    expect([latest, pinned, viaAlias].map((run) => run.result.output)).toEqual(['"draft"', '"v1"', '"v2"']);
    expect(viaAlias.executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:${machineName}:via-alias`);
    expect(viaAlias.result).toMatchObject({
      stateMachineArn: machineArn,
      stateMachineVersionArn: `${machineArn}:2`,
      stateMachineAliasArn,
    });
    expect(pinned.result.stateMachineVersionArn).toBe(`${machineArn}:1`);
    expect(pinned.result.stateMachineAliasArn).toBeUndefined();
    expect(latest.result.stateMachineVersionArn).toBeUndefined();
    expect(latest.result.stateMachineAliasArn).toBeUndefined();

    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(all.executions).toHaveLength(3);
    const throughAlias = await client.send(new ListExecutionsCommand({ stateMachineArn: stateMachineAliasArn }));
    expect(throughAlias.executions?.map((e) => [e.name, e.stateMachineVersionArn, e.stateMachineAliasArn])).toEqual([
      ['via-alias', `${machineArn}:2`, stateMachineAliasArn],
    ]);
    const onVersion1 = await client.send(new ListExecutionsCommand({ stateMachineArn: `${machineArn}:1` }));
    expect(onVersion1.executions?.map((e) => e.name)).toEqual(['pinned']);
  });

  it('splits executions started through an alias between two versions by weight', async () => {
    const created = await createVersioned(client, 'v1');
    const machineArn = created.stateMachineArn ?? '';
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: machineArn, definition: definitionFor('v2'), publish: true }),
    );
    const { stateMachineAliasArn = '' } = await client.send(
      new CreateStateMachineAliasCommand({
        name: 'canary',
        routingConfiguration: [
          { stateMachineVersionArn: `${machineArn}:1`, weight: 50 },
          { stateMachineVersionArn: `${machineArn}:2`, weight: 50 },
        ],
      }),
    );

    const versions = new Set<string | undefined>();
    for (let i = 0; i < 40; i++) {
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn }));
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      versions.add(described.stateMachineVersionArn);
    }

    // All 40 on one side has probability 2 * 0.5^40.
    expect(versions).toEqual(new Set([`${machineArn}:1`, `${machineArn}:2`]));
  });
});

describe('versions and aliases in the store file', () => {
  it('survive a restart, and a file written before they existed still loads', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-versions-'));
    const start = () => startStepFunctionsLocal({ port: 0, dataDir, invokeFunction: fakeLambdas().invokeFunction });
    try {
      const first = await start();
      const firstClient = clientFor(first.endpoint);
      const created = await createVersioned(firstClient, 'kept');
      const machineArn = created.stateMachineArn ?? '';
      await firstClient.send(
        new CreateStateMachineAliasCommand({
          name: 'live',
          routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:1`, weight: 100 }],
        }),
      );
      firstClient.destroy();
      await first.close();

      const second = await start();
      const secondClient = clientFor(second.endpoint);
      const viaAlias = await startAndFinish(secondClient, `${machineArn}:live`);
      expect(viaAlias.result).toMatchObject({ output: '"kept"', stateMachineVersionArn: `${machineArn}:1` });
      secondClient.destroy();
      await second.close();

      // An older file: no versions, aliases or task tokens at all.
      const file = join(dataDir, 'stepfunctions.json');
      const saved = JSON.parse(await readFile(file, 'utf8'));
      for (const machine of saved.stateMachines) {
        delete machine.versions;
        delete machine.aliases;
        delete machine.lastVersion;
      }
      for (const execution of saved.executions) delete execution.taskTokens;
      await writeFile(file, JSON.stringify(saved));

      const third = await start();
      const thirdClient = clientFor(third.endpoint);
      const published = await thirdClient.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn }));
      expect(published.stateMachineVersionArn).toBe(`${machineArn}:1`);
      expect((await startAndFinish(thirdClient, `${machineArn}:1`)).result.output).toBe('"kept"');
      thirdClient.destroy();
      await third.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
