import type { Type } from '@nestjs/common';

/**
 * Feature modules by role. Each feature registers itself here (one line), so app.module
 * stays a list and features stay in their own folders.
 */
export const API_MODULES: Type[] = [];
export const WORKER_MODULES: Type[] = [];
