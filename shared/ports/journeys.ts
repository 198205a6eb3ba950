export interface StartEnrollment {
  journeyId: string;
  /** Execution name: starting twice with the same name and input starts one execution. */
  enrollmentId: string;
  input: Record<string, unknown>;
}

export interface JourneyRuntime {
  start(request: StartEnrollment): Promise<{ executionArn: string }>;
}
