/**
 * A request whose document has no operation to run: `operationName` names
 * none of its operations, or it holds several and names none. Apollo Server
 * answers that itself for a local schema, but hands a gateway the request as
 * it is, and the gateway's own check throws inside execution: a 500. This
 * plugin answers first, as Apollo Server would: 400, OPERATION_RESOLUTION_FAILURE.
 * The client's operationName is not echoed back (it may be any string, a lone
 * UTF-16 surrogate included).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export function operationResolutionPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? 'The document has no operation with the given operationName.'
            : 'The document holds more than one operation: say which to run with operationName.';
          throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        },
      };
    },
  };
}
