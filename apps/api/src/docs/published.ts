import { Injectable } from '@nestjs/common';

/**
 * What app.factory hands the docs and web controllers once the app exists: the OpenAPI
 * document (built from the running routes) and the folder of the built web app.
 */
@Injectable()
export class Published {
  openapi: { components?: { schemas?: Record<string, unknown> } } | null = null;
  webDir: string | null = null;
}
