import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AccountsService } from '@app/messaging/accounts/accounts.service';
import { ClientIp, CurrentUser, UserAuthGuard, type AuthUser } from '../http/auth';
import { LoginDto, LogoutDto, RefreshDto, RegisterDto, SettingsDto } from './accounts.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('register')
  register(@Body() dto: RegisterDto, @ClientIp() ip: string) {
    return this.accounts.register(dto, ip);
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @ClientIp() ip: string) {
    return this.accounts.login(dto, ip);
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto) {
    return this.accounts.refresh(dto.refreshToken);
  }

  /**
   * 204, always (an unknown token included: logout is idempotent and reveals nothing): ends
   * the sign-in of that refresh token, its refresh and access tokens and its sockets.
   */
  @Post('logout')
  @HttpCode(204)
  async logout(@Body() dto: LogoutDto) {
    await this.accounts.logout(dto.refreshToken);
  }
}

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/me')
export class MeController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  me(@CurrentUser() user: AuthUser) {
    return this.accounts.me(user.id);
  }

  @Patch('settings')
  settings(@CurrentUser() user: AuthUser, @Body() dto: SettingsDto) {
    return this.accounts.updateSettings(user.id, dto);
  }
}

@ApiTags('users')
@ApiBearerAuth()
@UseGuards(UserAuthGuard)
@Controller('v1/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiQuery({ name: 'handle', required: true, description: 'exact handle, case-insensitive' })
  find(@CurrentUser() user: AuthUser, @Query('handle') handle: unknown) {
    return this.accounts.findByHandle(user.id, handle);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.accounts.getPublic(id);
  }

  @Put(':id/follow')
  @HttpCode(204)
  async follow(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.follow(user.id, id);
  }

  @Delete(':id/follow')
  @HttpCode(204)
  async unfollow(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.unfollow(user.id, id);
  }

  @Put(':id/block')
  @HttpCode(204)
  async block(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.block(user.id, id);
  }

  @Delete(':id/block')
  @HttpCode(204)
  async unblock(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.accounts.unblock(user.id, id);
  }
}
