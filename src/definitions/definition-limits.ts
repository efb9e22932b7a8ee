/** Limits of the definition language that other parts (the CLI, the API, the configuration) hold to as well. */

/**
 * The largest definition file, in bytes (UTF-8): one limit for `wf validate`, the API's
 * `POST /definitions` and `/definitions/validate`, and the definitions folder read at start, so
 * a file the CLI passes is never refused on upload, nor the other way round. (The HTTP body
 * limit, `WF_MAX_BODY_BYTES`, is for every body — attachments, rosters — and may not be set smaller.)
 */
export const MAX_DEFINITION_BYTES = 256 * 1024;
