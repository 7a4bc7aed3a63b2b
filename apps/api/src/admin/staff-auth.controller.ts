import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, INPUT, RATE_LIMITED } from '../http/api-docs';
import { StaffService } from '@app/messaging/safety/staff/staff.service';
import { ClientIp } from '../http/auth';
import { StaffLoginDto } from './admin.dto';
import { StaffSession } from './admin.schemas';

@ApiTags('admin: auth')
@Controller('admin/v1/auth')
export class StaffAuthController {
  constructor(private readonly staff: StaffService) {}

  /** 200 {staff, accessToken}: a staff-audience token, never valid on /v1. */
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff sign-in with email and password' })
  @ApiOkResponse({ type: StaffSession })
  @ApiErrors(INPUT, RATE_LIMITED, { 401: ['invalid_credentials'] })
  login(@Body() dto: StaffLoginDto, @ClientIp() ip: string) {
    return this.staff.login(dto.email, dto.password, ip);
  }
}
