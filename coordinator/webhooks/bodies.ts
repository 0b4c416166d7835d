import type {
  Delivery,
  Notification,
  NotifiedTest,
  RunView,
  WebhookFormat,
} from '../../protocol/index.js';

/**
 * The body a delivery POSTs. `json`: the notification with the delivery's id, webhook and time;
 * `slack`: a `text` summary with `blocks`, as Slack's incoming webhooks (and Mattermost's, and
 * Discord's `/slack` endpoints) take it.
 */
export function deliveryBody(format: WebhookFormat, delivery: Delivery): string {
  if (format === 'slack') return JSON.stringify(slackBody(delivery.notification));
  return JSON.stringify({
    delivery: delivery.id,
    webhook: delivery.webhook,
    at: new Date(delivery.createdAt).toISOString(),
    ...delivery.notification,
  });
}

function runLine(run: RunView): string {
  const { counts } = run;
  const commit = run.meta.commit === undefined ? '' : ` at ${run.meta.commit.slice(0, 10)}`;
  const branch = run.meta.branch === undefined ? '' : ` on ${run.meta.branch}`;
  return `${run.suite} (run ${run.id})${commit}${branch}: ${counts.passed} passed, ${counts.failed + counts.errors} failed, ${counts.skipped} skipped`;
}

const where = (t: { browser?: string | undefined; backend?: string | undefined }) => {
  const place = [t.browser, t.backend].filter(Boolean).join(' · ');
  return place === '' ? '' : ` (${place})`;
};

/** Slack's mrkdwn treats these three specially; everything else is shown as it is. */
function mrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function testLine(test: NotifiedTest): string {
  const error = test.error?.split('\n', 1)[0];
  return `• ${mrkdwn(test.test)}${mrkdwn(where(test))}${error === undefined ? '' : `: ${mrkdwn(error.slice(0, 200))}`}`;
}

const more = (count: number) => (count > 0 ? [`… and ${count} more`] : []);

/** The summary line and the lines under it, per notification. */
function slackLines(notification: Notification): [string, string[]] {
  switch (notification.event) {
    case 'run.ended': {
      const verdict = notification.run.status === 'passed' ? 'passed' : notification.run.status;
      return [
        `DTF run ${verdict}: ${mrkdwn(runLine(notification.run))}`,
        [...notification.failures.map(testLine), ...more(notification.moreFailures)],
      ];
    }
    case 'failure.new':
      return [
        `DTF: ${notification.tests.length + notification.moreTests} test(s) failing that passed in the previous run of ${mrkdwn(notification.run.suite)}`,
        [...notification.tests.map(testLine), ...more(notification.moreTests)],
      ];
    case 'regression':
      return [
        `DTF: ${notification.regressions.length + notification.moreRegressions} regression(s) in ${mrkdwn(notification.run.suite)}`,
        [
          ...notification.regressions.map((r) => {
            const change = `${r.relativeChange >= 0 ? '+' : ''}${(r.relativeChange * 100).toFixed(1)}%`;
            const range = `${r.before.commit?.slice(0, 10) ?? r.before.runId}..${r.after.commit?.slice(0, 10) ?? r.after.runId}`;
            return `• ${mrkdwn(r.test)}${mrkdwn(where(r))} ${r.metric} ${change} (${r.medianBefore.toPrecision(3)} → ${r.medianAfter.toPrecision(3)}, confidence ${(r.confidence * 100).toFixed(1)}%) in ${mrkdwn(range)}`;
          }),
          ...more(notification.moreRegressions),
        ],
      ];
    case 'flaky':
      return [
        `DTF: ${notification.flaky.length + notification.moreFlaky} test(s) newly flaky in ${mrkdwn(notification.run.suite)}`,
        [
          ...notification.flaky.map(
            (f) =>
              `• ${mrkdwn(f.test)}${mrkdwn(where(f))}: ${f.failures}/${f.runs} failed, flip rate ${(f.flipRate * 100).toFixed(0)}% on ${f.commits.map((c) => c.slice(0, 10)).join(', ')}`,
          ),
          ...more(notification.moreFlaky),
        ],
      ];
    case 'ping':
      return [`DTF webhook ${notification.webhook}: test delivery`, []];
  }
}

function slackBody(notification: Notification) {
  const [text, lines] = slackLines(notification);
  const blocks: object[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  // A section's text holds at most 3,000 characters.
  if (lines.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) },
    });
  }
  return { text, blocks };
}
