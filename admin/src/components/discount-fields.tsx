import { Field } from '@/components/form';

/** Schedule (UTC) and limits, shared by the create and edit forms of a discount code. */
export function DiscountScheduleFields({ startsAt, endsAt, usageLimit, perCustomerLimit }: {
  startsAt?: string;
  endsAt?: string;
  usageLimit?: number | null;
  perCustomerLimit?: number | null;
}) {
  return (
    <>
      <div className="row">
        <Field name="startsAt" label="Starts (UTC)" type="datetime-local" defaultValue={startsAt} hint="Empty: valid at once." />
        <Field name="endsAt" label="Ends (UTC)" type="datetime-local" defaultValue={endsAt} hint="Empty: never expires." />
      </div>
      <div className="row">
        <Field name="usageLimit" label="Uses in all" type="number" min={1} step={1} inputMode="numeric" defaultValue={usageLimit ?? undefined} hint="Empty: no limit." />
        <Field name="perCustomerLimit" label="Uses per customer" type="number" min={1} step={1} inputMode="numeric" defaultValue={perCustomerLimit ?? undefined} hint="Empty: no limit." />
      </div>
    </>
  );
}
