/** `send-email` → `SendEmail`, `sendEmail` → `SendEmail`: construct ids and ASL placeholders. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
