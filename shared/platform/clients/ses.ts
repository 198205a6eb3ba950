import { SESv2Client } from '@aws-sdk/client-sesv2';
import { config } from '../config.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';
import { withoutSdkLogger } from './sdk-logger.ts';

/** The SES v2 client, traced; one per process. */
export const ses = tracer.captureAWSv3Client(
  withoutSdkLogger(new SESv2Client(clientOptions(config.TEND_SES_ENDPOINT))),
);
