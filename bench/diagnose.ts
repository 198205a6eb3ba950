/**
 * Explains a missing welcome email from the contact's own record (the admin contacts API), so
 * a broken journey shows up as its failure, not only as a count.
 */
export async function whyNoEmail(apiUrl: string, adminToken: string, email: string): Promise<string> {
  try {
    const res = await fetch(`${apiUrl}/api/contacts?email=${encodeURIComponent(email)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (res.status === 404) return `${email}: no contact (the inbox record was not processed)`;
    if (!res.ok) return `${email}: the contacts API answered ${res.status}`;
    const view = (await res.json()) as {
      enrollments?: { journeyId: string; status: string }[];
      timeline?: { name: string; data: Record<string, unknown> }[];
    };
    const enrollments = (view.enrollments ?? []).map((e) => `${e.journeyId} ${e.status}`).join(', ') || 'none';
    const exit = view.timeline?.find((t) => t.name === 'journey.exited')?.data;
    const reason = exit ? `; journey exited: ${JSON.stringify(exit)}` : '';
    return `${email}: contact exists, enrollments: ${enrollments}${reason}`;
  } catch (error) {
    return `${email}: could not look it up (${String(error)})`;
  }
}
