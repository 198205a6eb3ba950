import { Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface EmailProps {
  /** Bare sender address (no display name); it and its domain bound the send grant. */
  fromAddress: string;
  /** Sending domain; when given, an SES v2 identity with Easy DKIM is created for it. */
  domain?: string;
  /**
   * Custom redirect domain for open and click tracking (a CNAME to SES's regional tracking
   * domain); without it, tracked links go through SES's `awstrack.me`.
   */
  trackingDomain?: string;
}

/**
 * SES v2 sending: a configuration set every journey email goes through (reputation metrics,
 * account-level bounce/complaint suppression, TLS required, open and click tracking, optionally
 * through a custom redirect domain) and, optionally, the domain identity.
 */
export class Email extends Construct {
  readonly configurationSet: ConfigurationSet;
  /** Only when a domain was given; its DKIM CNAME records must be published in DNS. */
  readonly identity?: EmailIdentity;
  private readonly identityArns: string[];
  private readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      ...(props.trackingDomain ? { customTrackingRedirectDomain: props.trackingDomain } : {}),
    });
    if (props.domain) {
      this.identity = new EmailIdentity(this, 'DomainIdentity', {
        identity: Identity.domain(props.domain),
        configurationSet: this.configurationSet,
      });
    }

    const stack = Stack.of(this);
    const identityArn = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    const senderDomain = props.fromAddress.split('@')[1] ?? '';
    // SES authorises a send against the address identity or, when only the domain is verified, the domain.
    this.identityArns = [...new Set([props.fromAddress, senderDomain, ...(props.domain ? [props.domain] : [])])]
      .filter((name) => name.length > 0)
      .map(identityArn);
    this.configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /**
   * Publishes the configuration set's events (send, delivery, bounce, complaint, open, click, …)
   * to the default EventBridge bus and routes this configuration set's events to `target`.
   * Publishing Open and Click events is what turns on SES's open and click tracking.
   */
  publishEventsTo(target: IFunction, eventTypes: readonly string[]): void {
    const bus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    new ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: this.configurationSet,
      destination: EventDestination.eventBus(bus),
      events: eventTypes.map((type) => {
        const event = EmailSendingEvent[type as keyof typeof EmailSendingEvent];
        if (!event) throw new Error(`unknown SES event type ${type}`);
        return event;
      }),
    });
    new Rule(this, 'EmailEventsRule', {
      description: 'SES events of the Tend configuration set to the function that records them',
      eventPattern: {
        source: ['aws.ses'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [new LambdaFunction(target, { retryAttempts: 8 })],
    });
  }

  /** `ses:SendEmail` from the sender identities through this configuration set, nothing else. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [...this.identityArns, this.configurationSetArn] }),
    );
  }
}
