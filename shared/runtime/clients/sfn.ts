import { SFNClient } from '@aws-sdk/client-sfn';
import { config } from '../config.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';

/** The Step Functions client, traced; one per process. */
export const sfn = tracer.captureAWSv3Client(new SFNClient(clientOptions(config.TEND_SFN_ENDPOINT)));
