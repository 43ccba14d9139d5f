import { InitialSchema1764057600000 } from './1764057600000-initial-schema';

/** Listed explicitly (not globbed) so the compiled build and the tests run the same set. */
export const migrations = [InitialSchema1764057600000];
