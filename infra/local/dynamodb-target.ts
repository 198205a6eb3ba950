/** Fixed credentials for DynamoDB Local and the other local services, which check none. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The DynamoDB endpoint the local stack uses, and how to reach its stream. */
export interface DynamoTarget {
  url: string;
  /** The DynamoDB Streams endpoint of the same family (DynamoDB Local serves both on one URL). */
  streamsUrl: string;
  region: string;
  /**
   * A table in an AWS account: credentials come from the environment (the SDK's default chain),
   * never the fixed local ones.
   */
  aws: boolean;
}

const AWS_HOST = /^dynamodb\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * Works out where a DynamoDB URL leads. A regional AWS endpoint
 * (`https://dynamodb.<region>.amazonaws.com`) is a real table whose stream is read from
 * `https://streams.dynamodb.<region>.amazonaws.com`; any other URL (DynamoDB Local, shared or
 * behind a proxy) serves the stream itself and takes the local credentials.
 */
export function dynamoTarget(url: string, envRegion: string | undefined): DynamoTarget {
  const parsed = new URL(url);
  const aws = AWS_HOST.exec(parsed.hostname);
  if (!aws) return { url, streamsUrl: url, region: envRegion ?? 'us-east-1', aws: false };
  const region = aws[1] as string;
  if (envRegion && envRegion !== region) {
    throw new Error(
      `TEND_DYNAMODB_URL is in ${region} but AWS_REGION is ${envRegion}: requests would not be signed for it`,
    );
  }
  return {
    url,
    streamsUrl: `${parsed.protocol}//streams.${parsed.hostname}`,
    region,
    aws: true,
  };
}
