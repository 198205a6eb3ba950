import { KMSClient } from '@aws-sdk/client-kms';
import { config } from '../config.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';
import { withoutSdkLogger } from './sdk-logger.ts';

/** The KMS client, traced; one per process. */
export const kms = tracer.captureAWSv3Client(withoutSdkLogger(new KMSClient(clientOptions(config.TEND_KMS_ENDPOINT))));
