/** A vector store call failed; `retryable` tells the activity whether Temporal should try again. */
export class VectorStoreError extends Error {
  constructor(message: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VectorStoreError';
  }
}
