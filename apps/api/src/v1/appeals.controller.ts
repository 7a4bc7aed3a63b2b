import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { AppealsService } from '@app/messaging/safety/appeals.service';
import { AppealAuthGuard, CurrentUser, type AuthUser } from '../http/auth';

export class CreateAppealDto {
  @ApiProperty() @IsString() @MaxLength(64) actionId!: string;

  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'text must not be empty' })
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'text must not contain control characters' })
  text!: string;
}

@ApiTags('appeals')
@ApiBearerAuth()
@UseGuards(AppealAuthGuard)
@Controller('v1/appeals')
export class AppealsController {
  constructor(private readonly appeals: AppealsService) {}

  /** 201 the appeal; only the person the action was taken against (else 404); once per action (409 already_appealed). */
  @Post()
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAppealDto) {
    return this.appeals.file(user.id, { actionId: dto.actionId, text: dto.text.trim() });
  }

  @Get()
  async list(@CurrentUser() user: AuthUser) {
    return { items: await this.appeals.mine(user.id), nextCursor: null };
  }
}
