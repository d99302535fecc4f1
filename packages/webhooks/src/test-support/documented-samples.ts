// Test helpers: each provider's own sample open event, as its documentation prints it. Not part of the
// build (see tsconfig). Ids, addresses and user agents are the providers'; only what a test must set
// (the time, our echo field) is filled in by the functions below.

/**
 * SendGrid, Event Webhook reference, "open" event
 * (https://docs.sendgrid.com/for-developers/tracking-events/event#engagement-events). Unique args of
 * the X-SMTPAPI header come back as top-level keys of the event.
 */
export function sendgridOpen(timestamp: number, uniqueArgs: Record<string, string>): Record<string, unknown> {
  return {
    email: 'example@test.com',
    timestamp,
    event: 'open',
    sg_machine_open: false,
    category: 'cat facts',
    sg_event_id: 'sg_event_id',
    sg_message_id: 'sg_message_id',
    useragent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
    ip: '255.255.255.255',
    ...uniqueArgs,
  };
}

/**
 * Mailgun, "Webhooks" documentation, the `opened` event-data sample
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#opens). X-Mailgun-Variables
 * come back as `user-variables`, next to the sample's own two.
 */
export function mailgunOpened(timestamp: number, variables: Record<string, string>): Record<string, unknown> {
  return {
    id: 'Ase7i2zsRYeDXztHGENqRA',
    timestamp,
    'log-level': 'info',
    event: 'opened',
    message: {
      headers: {
        'message-id': '20130503182626.18666.16540@sandboxb9f0a9c7d00a4b73a7a1ff1d3a0b7a2a.mailgun.org',
      },
    },
    recipient: 'alice@example.com',
    'recipient-domain': 'example.com',
    ip: '50.56.129.169',
    geolocation: { country: 'US', region: 'CA', city: 'San Francisco' },
    'client-info': {
      'client-os': 'Linux',
      'device-type': 'desktop',
      'client-name': 'Chrome',
      'client-type': 'browser',
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.43 Safari/537.31',
    },
    campaigns: [],
    tags: ['my_tag_1', 'my_tag_2'],
    'user-variables': { my_var_1: 'Mailgun Variable #1', 'my-var-2': 'awesome', ...variables },
  };
}

/**
 * Postmark, "Open tracking webhook" example (https://postmarkapp.com/developer/webhooks/open-tracking-webhook).
 * X-PM-Metadata-<key> headers come back in `Metadata`, next to the sample's own two.
 */
export function postmarkOpen(receivedAt: string, metadata: Record<string, string>): Record<string, unknown> {
  return {
    RecordType: 'Open',
    MessageStream: 'outbound',
    Metadata: { example: 'value', example_2: 'value', ...metadata },
    FirstOpen: true,
    Recipient: 'john@example.com',
    MessageID: '00000000-0000-0000-0000-000000000000',
    ReceivedAt: receivedAt,
    Platform: 'WebMail',
    ReadSeconds: 0,
    Tag: 'welcome-email',
    UserAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36',
    OS: { Name: 'OS X 10.7 Lion', Family: 'OS X 10', Company: 'Apple Computer, Inc.' },
    Client: { Name: 'Chrome 35.0.1916.153', Family: 'Chrome', Company: 'Google' },
    Geo: {
      IP: '188.2.95.4',
      City: 'Novi Sad',
      Country: 'Serbia',
      CountryISOCode: 'RS',
      Region: 'Autonomna Pokrajina Vojvodina',
      RegionISOCode: 'VO',
      Zip: '21000',
      Coords: '45.2517,19.8369',
    },
  };
}

/**
 * Amazon SES, "Examples of event data that Amazon SES publishes to Amazon SNS", Open record
 * (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html). Message
 * tags (X-SES-MESSAGE-TAGS) come back in `mail.tags`, each as an array, next to SES's own.
 */
export function sesOpen(at: string, tags: Record<string, string[]>): Record<string, unknown> {
  return {
    eventType: 'Open',
    mail: {
      commonHeaders: {
        from: ['sender@example.com'],
        to: ['recipient@example.com'],
        messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        subject: 'Message sent from Amazon SES',
      },
      destination: ['recipient@example.com'],
      headers: [
        { name: 'From', value: 'sender@example.com' },
        { name: 'To', value: 'recipient@example.com' },
        { name: 'Subject', value: 'Message sent from Amazon SES' },
        { name: 'MIME-Version', value: '1.0' },
        {
          name: 'Content-Type',
          value: 'multipart/alternative; boundary="----=_Part_7298998_679725522.1516840859643"',
        },
      ],
      headersTruncated: false,
      messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      sendingAccountId: '123456789012',
      source: 'sender@example.com',
      tags: {
        'ses:caller-identity': ['IAM_user_or_role_name'],
        'ses:configuration-set': ['ConfigSet'],
        'ses:from-domain': ['example.com'],
        'ses:source-ip': ['192.0.2.0'],
        ...tags,
      },
      timestamp: at,
    },
    open: {
      ipAddress: '192.0.2.1',
      timestamp: at,
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) AppleWebKit/603.3.8 (KHTML, like Gecko) Mobile/14G60',
    },
  };
}

/**
 * Resend, webhook event `email.opened` (https://resend.com/docs/webhooks/emails/opened). Tags given to
 * its send API come back in `data.tags`, next to the sample's own.
 */
export function resendOpened(createdAt: string, tags: Record<string, string>): Record<string, unknown> {
  return {
    type: 'email.opened',
    created_at: createdAt,
    data: {
      broadcast_id: '8b146471-e88e-4322-86af-016cd36fd216',
      created_at: createdAt,
      email_id: '56761188-7520-42d8-8898-ff6fc54ce618',
      from: 'Acme <onboarding@resend.dev>',
      to: ['delivered@resend.dev'],
      subject: 'Sending this example',
      template_id: '43f68331-0622-4e15-8202-246a0388854b',
      tags: { category: 'confirm_email', ...tags },
    },
  };
}
