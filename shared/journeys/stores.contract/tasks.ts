import { describe, expect, it } from 'vitest';
import type { OwnerTask } from '../model.ts';
import { type MakeStore, uid } from './support.ts';

const byId = <T extends { [k in K]: string }, K extends keyof T>(list: T[], key: K, ids: string[]) =>
  list.filter((x) => ids.includes(x[key]));

/** TaskStore: owner tasks created once, listed by status, completed once. */
export function tasksContract(makeStore: MakeStore) {
  describe('owner tasks', () => {
    const taskOf = (over: Partial<OwnerTask> = {}): OwnerTask => ({
      taskId: uid('task'),
      contactId: 'c-1',
      journeyId: 'vip',
      enrollmentId: 'enr-1',
      nodeId: 'call-them',
      subject: 'Call a new VIP',
      message: 'Say thanks',
      createdAt: '2026-06-01T10:00:00.000Z',
      status: 'open',
      ...over,
    });

    it('creates a task once', async () => {
      const store = await makeStore();
      const task = taskOf();

      expect(await store.putTask(task)).toBe('created');
      expect(await store.putTask({ ...task, subject: 'Replaced?' })).toBe('exists');

      expect(byId(await store.listTasks(), 'taskId', [task.taskId])).toEqual([task]);
    });

    it('lists tasks by status, newest first', async () => {
      const store = await makeStore();
      const old = taskOf({ createdAt: '2026-06-01T10:00:00.000Z' });
      const newest = taskOf({ createdAt: '2026-06-03T10:00:00.000Z' });
      const middle = taskOf({ createdAt: '2026-06-02T10:00:00.000Z' });
      const done = taskOf({
        createdAt: '2026-06-04T10:00:00.000Z',
        status: 'done',
        doneAt: '2026-06-05T10:00:00.000Z',
      });
      for (const t of [old, newest, middle, done]) await store.putTask(t);
      const ids = [old, newest, middle, done].map((t) => t.taskId);

      expect(byId(await store.listTasks('open'), 'taskId', ids)).toEqual([newest, middle, old]);
      expect(byId(await store.listTasks('done'), 'taskId', ids)).toEqual([done]);
      expect(byId(await store.listTasks(), 'taskId', ids)).toEqual([done, newest, middle, old]);
    });

    it('completes a task once', async () => {
      const store = await makeStore();
      const task = taskOf();
      await store.putTask(task);

      expect(await store.completeTask(task.taskId, '2026-06-02T00:00:00.000Z')).toBe(true);
      expect(await store.completeTask(task.taskId, '2026-06-03T00:00:00.000Z')).toBe(false);
      expect(await store.completeTask(uid('task'), '2026-06-03T00:00:00.000Z')).toBe(false);

      expect(byId(await store.listTasks('done'), 'taskId', [task.taskId])).toEqual([
        { ...task, status: 'done', doneAt: '2026-06-02T00:00:00.000Z' },
      ]);
      expect(byId(await store.listTasks('open'), 'taskId', [task.taskId])).toEqual([]);
    });
  });
}
