import { createEventRegistry } from '../define.js';
import { ProductCreated, ProductPriceChanged, ProductUpdated } from './product.js';
import { UserRegistered } from './user.js';

export * from './common.js';
export * from './product.js';
export * from './user.js';

/** Every domain event definition. Add new definitions (and new versions) here. */
export const eventDefinitions = [UserRegistered, ProductCreated, ProductUpdated, ProductPriceChanged] as const;

/** The registry consumers use by default to look up and validate incoming events. */
export const eventRegistry = createEventRegistry(eventDefinitions);

export type DomainEventDefinition = (typeof eventDefinitions)[number];
export type DomainEventType = DomainEventDefinition['type'];
