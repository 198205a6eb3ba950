/**
 * Whether Intl knows this time zone (an IANA name, or an alias Intl accepts such as
 * `US/Pacific`). The first Intl.DateTimeFormat of a process costs 15–25 ms while ICU loads its
 * locale and zone data, which every function would pay at cold start only to check its
 * configured zone: UTC and the canonical names are found in Intl's list of zones instead (about
 * 2 ms), and only another name is tried on a formatter.
 */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
