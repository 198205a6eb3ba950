import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One logger, metrics and tracer per process (Powertools reads its own POWERTOOLS_* settings). */
export const logger = new Logger({ serviceName: 'tend' });
export const metrics = new Metrics({ namespace: 'Tend', serviceName: 'tend' });
export const tracer = new Tracer({ serviceName: 'tend' });
