import type { FastifyReply } from 'fastify';
import type { ListPage } from '@app/messaging/db/staff-list';
import { contentRange } from '../http/list-params';

/** react-admin simple REST: the page is the body, the total rides in Content-Range. */
export function sendPage<T>(res: FastifyReply, resource: string, page: ListPage<T>): T[] {
  res.header('Content-Range', contentRange(resource, page.offset, page.rows.length, page.total));
  return page.rows;
}
