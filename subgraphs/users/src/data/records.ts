import type { Address, User } from '../generated/prisma/client.ts';

/**
 * Shapes that leave the data layer. The password hash is omitted from every
 * read that feeds GraphQL, so it can never leak through a new field.
 */
export type UserRecord = Omit<User, 'passwordHash'>;
export const OMIT_PASSWORD = { passwordHash: true } as const;

/** An address as GraphQL sees it: `isDefault` comes from User.defaultAddressId. */
export type AddressNode = Address & { isDefault: boolean };

export const toAddressNode = (address: Address, defaultAddressId: string | null): AddressNode => ({
  ...address,
  isDefault: address.id === defaultAddressId,
});
