import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHead, humanize, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import type { NotificationType } from '@/graphql/generated/graphql';
import { requireAdmin } from '@/lib/auth';
import { GraphQLRequestError, executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Template preview' };

const AdminTemplatePreviewQuery = graphql(`
  query AdminTemplatePreview($template: NotificationType!, $orderId: ID) {
    notificationTemplatePreview(template: $template, orderId: $orderId) {
      template
      subject
      text
      orderId
    }
  }
`);

const TEMPLATES: NotificationType[] = [
  'ORDER_CONFIRMED',
  'ORDER_SHIPPED',
  'ORDER_DELIVERED',
  'ORDER_REFUNDED',
  'PAYMENT_FAILED',
  'WELCOME',
  'PASSWORD_RESET',
  'EMAIL_CHANGE_CONFIRMATION',
  'EMAIL_CHANGED',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Each template as it would be sent: order templates with a real order (the newest, or the one given). */
export default async function TemplatePreviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const params = await searchParams;
  const template = TEMPLATES.find((t) => t === param(params.template)) ?? 'ORDER_CONFIRMED';
  const orderParam = param(params.orderId);
  const orderId = orderParam && UUID.test(orderParam) ? orderParam : undefined;
  let preview: { subject: string; text: string; orderId?: string | null } | undefined;
  let problem: string | undefined;
  try {
    preview = (await executeGraphQL(AdminTemplatePreviewQuery, { variables: { template, orderId }, accessToken: token })).notificationTemplatePreview;
  } catch (error) {
    if (!(error instanceof GraphQLRequestError)) throw error;
    problem = error.code === 'NOT_FOUND' ? 'No order to preview it with yet (or notifications does not know that order).' : 'The preview is not available now.';
  }
  return (
    <>
      <PageHead title="Template preview">
        <Link href="/notifications">Delivery log</Link>
      </PageHead>
      <form className="filters" method="get" aria-label="Choose a template">
        <div className="field">
          <label htmlFor="preview-template">Template</label>
          <select id="preview-template" name="template" defaultValue={template}>
            {TEMPLATES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="preview-order">Order id (optional)</label>
          <input id="preview-order" name="orderId" defaultValue={orderId} maxLength={36} pattern="[0-9a-fA-F\-]{36}" title="An order id" />
        </div>
        <button type="submit" className="button button--secondary">
          Preview
        </button>
      </form>
      {problem ? <p className="notice notice--warn">{problem}</p> : null}
      {preview ? (
        <section className="panel" aria-labelledby="preview-subject">
          <h2 id="preview-subject">{preview.subject}</h2>
          {preview.orderId ? <p className="muted">With order {preview.orderId}</p> : null}
          <pre className="changes preview-text">{preview.text}</pre>
        </section>
      ) : null}
    </>
  );
}
