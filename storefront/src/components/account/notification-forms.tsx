'use client';
import { useActionState } from 'react';
import { markAllNotificationsRead, markNotificationRead, updateNotificationPreferences } from '@/app/actions/notifications';
import { FormMessage, SubmitButton } from './fields';
import { IDLE } from './form-state';

export function MarkReadButton({ id, title }: { id: string; title: string }) {
  const [state, action] = useActionState(markNotificationRead, IDLE);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <SubmitButton className="button--secondary">
        Mark as read<span className="visually-hidden">: {title}</span>
      </SubmitButton>
      {state.status === 'error' ? (
        <p className="field__error" role="alert">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}

export function MarkAllReadButton({ disabled }: { disabled: boolean }) {
  const [state, action] = useActionState(markAllNotificationsRead, IDLE);
  return (
    <form action={action} className="mark-all">
      <SubmitButton className="button--secondary">Mark all as read</SubmitButton>
      {disabled && state.status === 'idle' ? null : <FormMessage state={state} />}
    </form>
  );
}

export interface PreferenceSwitch {
  key: string;
  label: string;
  enabled: boolean;
  locked?: boolean;
  lockedReason?: string;
}

export function PreferencesForm({ channels, types }: { channels: PreferenceSwitch[]; types: PreferenceSwitch[] }) {
  const [state, action] = useActionState(updateNotificationPreferences, IDLE);
  return (
    <form action={action} className="prefs account-form" autoComplete="off">
      <FormMessage state={state} />
      <fieldset>
        <legend>How we reach you</legend>
        {channels.map((channel) => (
          <Switch key={channel.key} name={`channel:${channel.key}`} item={channel} />
        ))}
      </fieldset>
      <fieldset>
        <legend>What we tell you about</legend>
        {types.map((type) =>
          type.locked ? (
            <Switch key={type.key} item={type} />
          ) : (
            <div key={type.key}>
              <input type="hidden" name="type" value={type.key} />
              <Switch name={`type:${type.key}`} item={type} />
            </div>
          ),
        )}
      </fieldset>
      <SubmitButton pendingLabel="Saving…">Save preferences</SubmitButton>
    </form>
  );
}

function Switch({ name, item }: { name?: string; item: PreferenceSwitch }) {
  const id = `pref-${item.key}`;
  return (
    <>
      <div className="field field--check">
        <input
          id={id}
          name={name}
          type="checkbox"
          defaultChecked={item.enabled}
          disabled={item.locked}
          aria-describedby={item.locked ? `${id}-locked` : undefined}
        />
        <label htmlFor={id}>{item.label}</label>
      </div>
      {item.locked ? (
        <p id={`${id}-locked`} className="prefs__locked">
          {item.lockedReason}
        </p>
      ) : null}
    </>
  );
}
