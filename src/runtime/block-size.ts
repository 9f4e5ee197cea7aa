/**
 * The size of the blocks a file is uploaded in. Azure Blob Storage takes at most 50,000 blocks in a
 * blob (Put Block List), so a file too large for that many blocks of the size configured is uploaded
 * in larger ones: the smallest whole number of MiB that fits, which is the same for every attempt at
 * the same file (block ids stay valid for a resumed upload). Memory stays bounded: a few blocks per
 * upload under way.
 */
export const maxBlocksPerBlob = 50_000;
/** The largest block sqlmig uploads (Azure takes up to 4,000 MiB; memory holds a few at a time). */
export const maxBlockBytes = 100 * 1024 * 1024;

const mib = 1024 * 1024;

export function blockSizeFor(fileBytes: number, configuredBytes: number): number {
  const needed = Math.ceil(fileBytes / maxBlocksPerBlob);
  if (needed <= configuredBytes) return configuredBytes;
  const size = Math.ceil(needed / mib) * mib;
  if (size > maxBlockBytes) {
    throw new RangeError(
      `A file of ${fileBytes} bytes needs more than ${maxBlocksPerBlob} blocks of ${maxBlockBytes / mib} MiB, the most a blob of sqlmig's holds. Back the database up to several files (a striped backup: BACKUP DATABASE … TO DISK = …, DISK = …), each smaller than ${((maxBlocksPerBlob * maxBlockBytes) / 1024 ** 4).toFixed(1)} TiB.`,
    );
  }
  return size;
}
