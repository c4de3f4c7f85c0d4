/**
 * Most lexical tokens in a document a subgraph accepts (HTTP and WebSocket).
 * graphql-js validates fragment spreads recursively: a chain of 4,000
 * fragments, each spreading the next, overflowed the stack (a 500) where
 * 3,000 did not. 15,000 tokens allow at most ~1,900 such fragments, and leave
 * room for the router's query plans, which are larger than the apps' own
 * operations (the router itself accepts 5,000 tokens from clients).
 */
export const MAX_DOCUMENT_TOKENS = 15_000;
