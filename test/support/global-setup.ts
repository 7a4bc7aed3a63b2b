/** globalSetup of the projects that make test databases: see deferred-drops.ts. */
import { startDeferredDrops } from './deferred-drops';

export default startDeferredDrops;
