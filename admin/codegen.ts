import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every operation the admin console sends, generated from
 * the composed client schema (schema/api.graphql), exactly as the storefront
 * does (storefront/codegen.ts): `graphql(\`…\`)` returns a TypedDocumentString,
 * and persisted-documents.json lists every operation under its sha256 id.
 */
const config: CodegenConfig = {
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
