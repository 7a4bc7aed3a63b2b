import { Global, Module } from '@nestjs/common';
import { LINK_SCAN_WAKE } from '../messages/link-scan-wake';
import { BacklogWake } from './backlog-wake';
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
 * (link-consequences.ts), provided by those global modules: links imports neither. A send
 * wakes the backlog scan through LINK_SCAN_WAKE (backlog-wake.ts), which messages declares.
 */
@Global()
@Module({
  providers: [
    BlocklistService,
    LinkReputationService,
    LinkScannerService,
    LinkFeedsService,
    BacklogWake,
    { provide: LINK_SCAN_WAKE, useExisting: BacklogWake },
    { provide: LINK_REPUTATION_PROVIDERS, useValue: [] },
  ],
  exports: [BlocklistService, LinkReputationService, LinkScannerService, LinkFeedsService, LINK_SCAN_WAKE],
})
export class LinksModule {}
