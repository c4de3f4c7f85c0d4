export * from './channel.js';
export { EmailChannel } from './email.js';
export { InAppChannel } from './in-app.js';
export { LoggingPushProvider, PushChannel, type PushProvider } from './push.js';
export { LoggingSmsProvider, maskPhone, SmsChannel, type SmsProvider } from './sms.js';
