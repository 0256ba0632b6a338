/** The 13 S3DIS classes in their standard order; semantic id = index + 1 (0 = unlabeled). */
export const S3DIS_CLASS_NAMES = [
  'ceiling',
  'floor',
  'wall',
  'beam',
  'column',
  'window',
  'door',
  'table',
  'chair',
  'sofa',
  'bookcase',
  'board',
  'clutter',
] as const;
