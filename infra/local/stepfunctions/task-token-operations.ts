import { SfnError } from './errors.ts';
import { type Operation, optionalString, requiredString } from './requests.ts';

const MAX_OUTPUT_LENGTH = 262_144;

function taskToken(input: Record<string, unknown>): string {
  return requiredString(input, 'taskToken');
}

/** SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat. */
export const taskTokenOperations: Record<string, Operation> = {
  SendTaskSuccess(context, input) {
    const token = taskToken(input);
    const output = input.output;
    if (typeof output !== 'string') {
      throw new SfnError(
        'ValidationException',
        "Value at 'output' failed to satisfy constraint: Member must not be null",
      );
    }
    if (output.length > MAX_OUTPUT_LENGTH) {
      throw new SfnError(
        'ValidationException',
        `Value at 'output' must have length less than or equal to ${MAX_OUTPUT_LENGTH}`,
      );
    }
    try {
      JSON.parse(output);
    } catch (error) {
      throw new SfnError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
    }
    context.tokens.succeed(token, output);
    return {};
  },

  SendTaskFailure(context, input) {
    const token = taskToken(input);
    context.tokens.fail(token, optionalString(input, 'error', 256), optionalString(input, 'cause', 32_768));
    return {};
  },

  SendTaskHeartbeat(context, input) {
    context.tokens.heartbeat(taskToken(input));
    return {};
  },
};
