import { InitialSchema1764000000000 } from './1764000000000-initial-schema';

/** Every migration, in order. Schema changes are new entries here, never `synchronize`. */
export const MIGRATIONS = [InitialSchema1764000000000];
