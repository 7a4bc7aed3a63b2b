import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { StaffService } from '@app/messaging/safety/staff.service';
import { ClientIp } from '../http/auth';
import { StaffLoginDto } from './admin.dto';

@ApiTags('admin: auth')
@Controller('admin/v1/auth')
export class StaffAuthController {
  constructor(private readonly staff: StaffService) {}

  /** 200 {staff, accessToken}: a staff-audience token, never valid on /v1. */
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: StaffLoginDto, @ClientIp() ip: string) {
    return this.staff.login(dto.email, dto.password, ip);
  }
}
