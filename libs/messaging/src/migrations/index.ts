import { Migration20261125000000_initial } from './Migration20261125000000_initial';

/**
 * Migrations are listed explicitly (not globbed) so the same list works from ts-jest and
 * from the compiled dist/ build. Append new ones at the end, never reorder.
 */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
];
