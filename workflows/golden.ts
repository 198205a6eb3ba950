import * as z from 'zod';
import { type CompileTargets, compileJourney } from './compile.ts';
import { type Journey, journeySchema } from './journey.schema.ts';

/** `${Name}`, as CloudFormation definition substitutions write it. */
const placeholder = (name: string) => `\${${name}}`;

/** Placeholder ARNs in the golden files, as CloudFormation-style substitutions would read. */
export const GOLDEN_TARGETS: CompileTargets = {
  sendEmail: placeholder('SendEmailFunctionArn'),
  endEnrollment: placeholder('EndEnrollmentFunctionArn'),
  journeyStep: placeholder('JourneyStepFunctionArn'),
};

/** The golden ASL text of a journey: compiled, pretty-printed, newline-terminated. */
export const goldenAsl = (journey: Journey, targets: CompileTargets): string =>
  `${JSON.stringify(compileJourney(journey, targets).definition, null, 2)}\n`;

/** The JSON Schema editors use to check and complete journey documents (`"$schema"` in each file). */
export const journeyJsonSchema = (): string =>
  `${JSON.stringify(
    {
      ...z.toJSONSchema(journeySchema, { io: 'input', unrepresentable: 'any', reused: 'ref' }),
      title: 'Tend journey (language version 1)',
      $id: 'https://tend.invalid/journey.schema.json',
    },
    null,
    2,
  )}\n`;
