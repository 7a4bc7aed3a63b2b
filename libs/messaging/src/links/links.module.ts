import { Global, Module } from '@nestjs/common';
import { BlocklistService } from './blocklist.service';
import { LINK_REPUTATION_PROVIDERS, LinkReputationService } from './link-reputation.service';
import { LinkScannerService } from './link-scanner.service';
import { LinkFeedsService } from './link-feeds.service';

/**
 * Link scanning: the blocklist cache, optional online reputation providers, the reputation
 * feeds imported on a schedule (LINK_FEEDS, link-feeds.service.ts) and the scanner
 * the link-scan processor calls. Global so staff features (blocklist, overrides) can reuse
 * the same blocklist and verdict logic. LINK_REPUTATION_PROVIDERS is where code-level
 * providers plug in; the built-in ones are picked by LINK_PROVIDERS. What a removal sets off
 * in safety and rooms comes through LINK_REMOVALS and QUESTION_LINK_UPDATES
 * (link-consequences.ts), provided by those global modules: links imports neither.
 */
@Global()
@Module({
  providers: [
    BlocklistService,
    LinkReputationService,
    LinkScannerService,
    LinkFeedsService,
    { provide: LINK_REPUTATION_PROVIDERS, useValue: [] },
  ],
  exports: [BlocklistService, LinkReputationService, LinkScannerService, LinkFeedsService],
})
export class LinksModule {}
