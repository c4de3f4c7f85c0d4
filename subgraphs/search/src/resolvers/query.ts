import type { SearchContext } from '../context.js';
import * as searchService from '../service/search.service.js';
import * as suggestService from '../service/suggest.service.js';

type Args<T> = T & Record<string, unknown>;

/** Root queries: arguments in, service call, result out. */
export const Query = {
  search: (_: unknown, args: Args<searchService.SearchArgs>, ctx: SearchContext) => searchService.search(ctx, args),
  suggest: (_: unknown, args: Args<suggestService.SuggestArgs>, ctx: SearchContext) => suggestService.suggest(ctx, args),
};
