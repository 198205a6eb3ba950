import type { ApiClient } from './http.ts';
import type { JourneyOptions } from './journeys.ts';

/** `tend tasks list|done`: the owner's to-do list from notify-owner steps. */
export async function tasksCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  options: JourneyOptions,
  usage: (message: string) => never,
) {
  switch (command) {
    case 'list': {
      const query = options.status ? `?status=${encodeURIComponent(options.status)}` : '';
      const { tasks } = (await api.call('GET', `/api/tasks${query}`)) as { tasks: Record<string, string>[] };
      if (options.json) console.log(JSON.stringify(tasks, null, 2));
      else
        for (const t of tasks)
          console.log(
            `${t.status === 'open' ? '[ ]' : '[x]'} ${t.taskId}  ${t.createdAt}  ${t.subject}\n      ${String(t.message).replace(/\n/g, '\n      ')}`,
          );
      return;
    }
    case 'done': {
      const taskId = args[0] ?? usage('tasks done needs a task id');
      await api.call('POST', `/api/tasks/${encodeURIComponent(taskId)}/done`);
      console.log(`${taskId} is done`);
      return;
    }
    default:
      usage(command ? `unknown tasks command "${command}"` : 'tasks needs a command');
  }
}
