import type { UsersContext } from '../context.js';
import { currentUser } from '../service/user.service.js';

export const Query = {
  me: (_parent: unknown, _args: unknown, ctx: UsersContext) => currentUser(ctx),
};
