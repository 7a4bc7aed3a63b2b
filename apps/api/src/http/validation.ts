import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequest } from '@app/messaging/errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** DTO validation: unknown fields are stripped, failures become 400 invalid_request with details. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  transform: true,
  forbidUnknownValues: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) => {
    const details = flatten(errors);
    return new InvalidRequest(
      details.length ? details.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; ') : 'The request body is not valid.',
      details,
    );
  },
});
