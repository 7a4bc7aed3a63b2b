import { Global, Module } from '@nestjs/common';
import { SpamScoreService } from './spam-score.service';

/** Spam-request scoring and the adaptive request-limit factor, for the API and the workers. */
@Global()
@Module({ providers: [SpamScoreService], exports: [SpamScoreService] })
export class SpamScoreModule {}
