/** A numeric command-line option that must be positive (rounded when `integer`); throws otherwise. */
export function positiveOption(values: Record<string, unknown>, name: string, integer = false): number {
  const raw = Number(values[name]);
  const value = integer ? Math.round(raw) : raw;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
