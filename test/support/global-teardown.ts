/** globalTeardown of the projects that make test databases: see deferred-drops.ts. */
import { finishDeferredDrops } from './deferred-drops';

export default finishDeferredDrops;
