import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const markDocumentsPure = fileURLToPath(new URL('../scripts/mark-documents-pure.mjs', import.meta.url));

/**
 * The apps' graphql-codegen set-up: typed documents for every operation the
 * app sends, generated from the composed client schema (schema/api.graphql).
 * `graphql(\`…\`)` in any source file returns a TypedDocumentString: the
 * operation's text plus its result and variable types, and a stable sha256 id
 * (src/graphql/generated/persisted-documents.json lists every operation, for
 * the router's safelist; scripts/write-manifest.mjs turns it into the manifest).
 * Run from the app's folder (`npm run codegen -w <app>`).
 */
export function appCodegenConfig(): CodegenConfig {
  return {
    // The client preset does not forward `pureMagicComment`; without the mark a
    // client component importing one document would ship every document.
    hooks: { afterOneFileWrite: [`node ${JSON.stringify(markDocumentsPure)}`] },
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
}
