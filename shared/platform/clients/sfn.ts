import { SFNClient } from '@aws-sdk/client-sfn';
import { config } from '../config.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';
import { withoutSdkLogger } from './sdk-logger.ts';

/** The Step Functions client, traced; one per process. */
export const sfn = tracer.captureAWSv3Client(withoutSdkLogger(new SFNClient(clientOptions(config.TEND_SFN_ENDPOINT))));
