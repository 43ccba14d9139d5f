// apollo-upload-client 20 ships JSDoc-typed .mjs files without declarations (and @types/apollo-upload-client
// still describes 19); this declares the part the example uses.
declare module 'apollo-upload-client/UploadHttpLink.mjs' {
  import { ApolloLink } from '@apollo/client';

  export default class UploadHttpLink extends ApolloLink {
    constructor(options?: {
      uri?: string;
      headers?: Record<string, string>;
      credentials?: RequestCredentials;
      fetch?: typeof fetch;
      fetchOptions?: RequestInit;
    });
  }
}
