import { Global, Module } from '@nestjs/common';
import { AccountDeletionService } from './account-deletion.service';

/** Account deletion, for every role: the API deletes the account, the worker erases what it wrote. */
@Global()
@Module({ providers: [AccountDeletionService], exports: [AccountDeletionService] })
export class ErasureModule {}
