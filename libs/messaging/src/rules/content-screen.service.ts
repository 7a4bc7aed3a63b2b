import { Injectable } from '@nestjs/common';
import { BlocklistService } from '../links/blocklist.service';
import { extractLinks } from '../links/link-extractor';
import { classifyUrl } from '../links/link-rules';
import type { ContentScreen, ScreenedText } from '../messages/content-screen';
import { RulesService } from './rules.service';

const NOT_BLOCKLISTED = (): boolean => false;

/**
 * The send's and the edit's content screen (messages/content-screen.ts): links from the text,
 * the blocklist (held in memory) over every link, then the staff rules. Provided by RulesModule
 * under CONTENT_SCREEN.
 */
@Injectable()
export class RulesContentScreen implements ContentScreen {
  constructor(
    private readonly rules: RulesService,
    private readonly blocklist: BlocklistService,
  ) {}

  async screen(userId: string, conversationId: string, text: string, opts: { edit?: boolean } = {}): Promise<ScreenedText> {
    const urls = extractLinks(text);
    // Staff rules: null unless a rule matched (no rules: no work); a live block throws here, before anything is stored.
    const screening = await this.rules.screenMessage(userId, conversationId, text, urls, opts);
    // The blocklist (in memory) has the last word over a cached verdict: a match is scanned (and removed) by the job.
    const blocklist = urls.length ? await this.blocklist.current() : [];
    return {
      urls,
      blocklisted: blocklist.length ? (url) => classifyUrl(url, { blocklist }).verdict === 'malicious' : NOT_BLOCKLISTED,
      held: screening?.held ?? false,
      settle: screening ? (stored) => this.rules.settle(screening, stored) : null,
    };
  }
}
