/** The key of a journey's items (the layout is in dynamo-journeys.ts). */
export const journeyPk = (id: string) => `JOURNEY#${id}`;
