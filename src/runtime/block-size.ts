/**
 * The size of the blocks a file is uploaded in. Azure Blob Storage takes at most 50,000 blocks in a
 * blob (Put Block List), so a file too large for that many blocks of the size configured is uploaded
 * in larger ones: the smallest whole number of MiB that fits, which is the same for every attempt at
 * the same file (block ids stay valid for a resumed upload). Memory stays bounded: a few blocks per
 * upload under way.
 */
export const maxBlocksPerBlob = 50_000;
/**
 * The largest block size sqlmig uploads in (Azure takes blocks up to 4,000 MiB; memory holds a few
 * at a time); a file's last block may be a sixteenth larger (`blockLength`).
 */
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

/**
 * The length of the next block of a file, `remainingBytes` from its end: a whole block, or all that
 * is left when that is at most a block and a sixteenth. A remainder that small rides with the last
 * block rather than making a block of its own: a backup just over a whole number of blocks (a 4 MiB
 * full and its few KiB of headers) goes in one block fewer, a request saved in Azure, and in a local
 * folder store a second file, its flush and the join of the two.
 */
export function blockLength(remainingBytes: number, blockSize: number): number {
  return remainingBytes <= blockCapacity(blockSize) ? remainingBytes : blockSize;
}

/** The most bytes one block of an upload in blocks of `blockSize` holds: its last may be larger. */
export function blockCapacity(blockSize: number): number {
  return blockSize + Math.floor(blockSize / 16);
}
