import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { assertUnreachable } from '#core/assert.ts';
import type { FunctionSpec } from '../function-spec.ts';
import type { FunctionName, RouteSpec } from '../manifest.ts';
import { acknowledge } from './nag.ts';
import { pascalCase } from './names.ts';

export interface ApiProps {
  /** Routes to expose, from `manifest.routes`. */
  routes: readonly RouteSpec[];
  /** Function specs, to decide how each route authenticates. */
  specs: Readonly<Record<FunctionName, FunctionSpec>>;
  functions: Readonly<Record<FunctionName, IFunction>>;
  /** Steady-state requests per second across the stage. */
  rateLimit?: number;
  /** Burst capacity across the stage. */
  burstLimit?: number;
  /** How long access logs are kept. */
  logRetention?: RetentionDays;
}

/** JSON access log with HTTP API variables only; the query string (signed link tokens) is never logged. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integration.latency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * The HTTP API: one route per manifest route, on a `$default` stage with JSON access logs and
 * stage-wide throttling. Authentication happens in the handlers (signatures, signed links, the
 * admin token), so each route states which applies for cdk-nag.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** Base URL without a trailing slash, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Tend: webhooks, unsubscribe and admin API',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 100, burstLimit: props.burstLimit ?? 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.httpApi.apiEndpoint;

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${pascalCase(route.function)}Integration`,
          props.functions[route.function],
        );
        integrations.set(route.function, integration);
      }
      const httpRoute = new HttpRoute(this, pascalCase(`${route.method} ${route.path}`), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
      });
      const reason = handlerAuthentication(route, props.specs[route.function]);
      // No reason means nobody decided how the route authenticates: leave the finding to fail synth.
      if (reason) acknowledge(httpRoute, 'AwsSolutions-APIG4', reason);
    }
  }
}

/** Why a route needs no API Gateway authorizer: the handler authenticates, as the manifest says. */
function handlerAuthentication(route: RouteSpec, _spec: FunctionSpec): string {
  switch (route.auth) {
    case 'user':
      return "API route: the handler checks the admin bearer token (Secrets Manager, constant time) or a user's personal token (stored SHA-256 hash, constant time), then the route's permission for the user's role";
    case 'api-key':
      return 'Events API: the handler checks a scoped API key against its stored SHA-256 hash in constant time';
    case 'user-or-api-key':
      return 'Import route: the handler accepts the admin token, a personal token whose role may import, or an API key with the contacts:import scope';
    case 'signature':
      return 'Webhook receiver for third parties: every request is verified by its provider HMAC signature';
    case 'signed-link':
      return 'Link from an email (RFC 8058 one-click unsubscribe, preference centre): authorised by its HMAC-signed token';
    case 'session':
      return 'Dashboard: the handler signs people in by email and password (or the admin token) into a server-side session (HttpOnly, SameSite=Strict cookie, CSRF-checked forms); without one it serves only the sign-in and invitation pages';
    case 'public':
      return route.path === '/health'
        ? 'Unauthenticated liveness probe that reveals only whether the table is reachable'
        : 'Public by design: the OpenAPI description of the journeys API (no data)';
    default:
      return assertUnreachable(route.auth);
  }
}
