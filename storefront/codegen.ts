import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every operation the storefront sends, generated from the
 * composed client schema (schema/api.graphql). `graphql(\`…\`)` in any source
 * file returns a TypedDocumentString: the operation's text plus its result and
 * variable types, and a stable sha256 id (persisted-documents.json is the
 * manifest of every operation, for the router's safelist).
 */
const config: CodegenConfig = {
  // The client preset does not forward `pureMagicComment`; without the mark a
  // client component importing one document would ship every document.
  hooks: { afterOneFileWrite: ['node scripts/mark-documents-pure.mjs'] },
  schema: '../schema/api.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/graphql/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
