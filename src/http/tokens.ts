/** Injection tokens for the engine parts provided to Nest. */
export const ENGINE = Symbol('ENGINE');
