import { appCodegenConfig } from '@commerce/next-kit/codegen';

/** The shared set-up (packages/next-kit/src/codegen.ts): typed documents and persisted-documents.json for this app's operations. */
export default appCodegenConfig();
