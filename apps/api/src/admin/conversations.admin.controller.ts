import { Body, Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DmControlsService } from '@app/messaging/safety/enforcement/dm-controls.service';
import { ApiErrors, ApiUuidParam, INPUT, NOT_FOUND, STAFF_AUTH, STAFF_ROLE } from '../http/api-docs';
import { CurrentStaff, MinRole, StaffAuthGuard, type AuthStaff } from '../http/auth';
import { ConversationLockDto } from './admin.dto';
import { ConversationLockState } from './admin.schemas';

@ApiTags('admin: conversations')
@ApiBearerAuth()
@ApiErrors(STAFF_AUTH)
@UseGuards(StaffAuthGuard)
@Controller('admin/v1/conversations')
export class ConversationsAdminController {
  constructor(private readonly dm: DmControlsService) {}

  /** Nobody may send, edit, react or add members there until unlocked; members get conversation.updated with locked: true (v1.2). */
  @Post(':id/lock')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary: 'Lock a conversation (moderator, audited)',
    description:
      'Nobody may send, edit, react or add members (403 conversation_locked) until it is unlocked; members get conversation.updated with locked: true. No send is accepted after this answers. Idempotent, unless `expectLocked` names the state the caller read: then a conversation locked or unlocked by someone else since is refused with 409 lock_state_changed.',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: ConversationLockState })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['lock_state_changed'] })
  lock(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ConversationLockDto) {
    return this.dm.setLocked(id, staff, true, dto.note?.trim() || null, dto.expectLocked);
  }

  @Delete(':id/lock')
  @HttpCode(200)
  @MinRole('moderator')
  @ApiOperation({
    summary: 'Unlock a conversation (moderator, audited)',
    description:
      'Members get conversation.updated with locked: false. Idempotent, unless `expectLocked` names the state the caller read: then a conversation locked or unlocked by someone else since is refused with 409 lock_state_changed.',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: ConversationLockState })
  @ApiErrors(INPUT, NOT_FOUND, STAFF_ROLE, { 409: ['lock_state_changed'] })
  unlock(@CurrentStaff() staff: AuthStaff, @Param('id') id: string, @Body() dto: ConversationLockDto) {
    return this.dm.setLocked(id, staff, false, dto?.note?.trim() || null, dto?.expectLocked);
  }
}
