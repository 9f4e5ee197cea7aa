/** The migration service's HTTP API: the public face of `service/api/`. */
export { createApi } from './create-api.js';
export type { ApiContext } from './api-context.js';
export { newAuthKey } from './services-routes.js';
