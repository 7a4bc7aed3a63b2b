/** Row types of the data export domain (exports.repository.ts), camelCased. */

export type ExportStatus = 'pending' | 'ready';

export interface DataExportRow {
  id: string;
  userId: string;
  status: ExportStatus;
  /** Bytes of the archive once ready, else null. */
  size: number | null;
  createdAt: Date;
  readyAt: Date | null;
  expiresAt: Date;
}

/** Someone I follow or block, and since when. */
export interface ExportEdgeRow {
  userId: string;
  createdAt: Date;
}

/** A report I filed (never its frozen evidence, which is staff's). */
export interface ExportReportRow {
  id: string;
  subjectType: string;
  subjectId: string;
  reason: string;
  note: string | null;
  status: string;
  createdAt: Date;
  resolvedAt: Date | null;
}
