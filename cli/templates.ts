import { readFileSync } from 'node:fs';
import type { ApiClient } from './http.ts';

export interface TemplateOptions {
  email?: string;
  locale?: string;
  to?: string;
  format: string;
}

/** `tend templates list|save|preview|test-send`. */
export async function templatesCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  options: TemplateOptions,
  usage: (message: string) => never,
) {
  const previewBody = {
    ...(options.email ? { email: options.email } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  };
  switch (command) {
    case 'list': {
      const { templates: list } = (await api.call('GET', '/api/templates')) as { templates: Record<string, unknown>[] };
      for (const t of list)
        console.log(`${String(t.id).padEnd(24)} ${t.builtIn ? 'built-in' : `v${t.version}  saved ${t.savedAt}`}`);
      return;
    }
    case 'save': {
      const file = args[0] ?? usage('save needs a JSON file');
      const source = JSON.parse(readFileSync(file, 'utf8')) as { id?: string };
      if (!source.id) usage(`${file} has no "id"`);
      const saved = await api.call('PUT', `/api/templates/${encodeURIComponent(String(source.id))}`, source);
      console.log(`saved ${source.id} version ${saved.version}`);
      return;
    }
    case 'preview': {
      const id = args[0] ?? usage('preview needs a template id');
      const out = await api.call('POST', `/api/templates/${encodeURIComponent(id)}/preview`, previewBody);
      if (options.format === 'json') console.log(JSON.stringify(out, null, 2));
      else if (options.format === 'html') console.log(out.html);
      else console.log(`Locale:  ${out.locale}\nTo:      ${out.contact}\nSubject: ${out.subject}\n\n${out.text}`);
      return;
    }
    case 'test-send': {
      const id = args[0] ?? usage('test-send needs a template id');
      if (!options.to) usage('test-send needs --to');
      const out = await api.call('POST', `/api/templates/${encodeURIComponent(id)}/test-send`, {
        ...previewBody,
        to: options.to,
      });
      console.log(`sent to ${options.to} (message ${out.messageId})`);
      return;
    }
    default:
      usage(command ? `unknown templates command "${command}"` : 'templates needs a command');
  }
}
