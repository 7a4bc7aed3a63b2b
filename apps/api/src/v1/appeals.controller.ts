import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { AppealsService } from '@app/messaging/safety/enforcement/appeals.service';
import { ApiErrors, INPUT, NOT_FOUND, USER_AUTH } from '../http/api-docs';
import { AppealAuthGuard, CurrentUser, type AuthUser } from '../http/auth';
import { Appeal, AppealPage } from './safety.schemas';

export class CreateAppealDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    example: '0190f5a2-7c1e-7b3a-9c4d-2e5f6a7b8c90',
    description: 'The action appealed (from the enforcement notice)',
  })
  @IsString()
  @MaxLength(64)
  actionId!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 2000, example: 'The link was to my own shop; it is not spam.' })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'text must not be empty' })
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'text must not contain control characters' })
  text!: string;
}

@ApiTags('appeals')
@ApiBearerAuth()
@ApiErrors(USER_AUTH)
@UseGuards(AppealAuthGuard)
@Controller('v1/appeals')
export class AppealsController {
  constructor(private readonly appeals: AppealsService) {}

  /** 201 the appeal; only the person the action was taken against (else 404); once per action (409 already_appealed). */
  @Post()
  @ApiOperation({
    summary: 'Appeal an action taken against me',
    description: 'Also with the appeal-only token a suspended account gets at sign-in (details.appealToken).',
  })
  @ApiCreatedResponse({ type: Appeal })
  @ApiErrors(INPUT, NOT_FOUND, { 409: ['already_appealed'], 422: ['unprocessable', 'appeal_window_passed'] })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAppealDto) {
    return this.appeals.file(user.id, { actionId: dto.actionId, text: dto.text.trim() });
  }

  @Get()
  @ApiOperation({ summary: 'My appeals' })
  @ApiOkResponse({ type: AppealPage })
  async list(@CurrentUser() user: AuthUser) {
    return { items: await this.appeals.mine(user.id), nextCursor: null };
  }
}
