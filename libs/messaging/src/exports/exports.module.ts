import { Global, Module } from '@nestjs/common';
import { ExportsService } from './exports.service';

/** Data exports, for every role: the API takes requests and serves archives, the worker writes them. */
@Global()
@Module({ providers: [ExportsService], exports: [ExportsService] })
export class ExportsModule {}
