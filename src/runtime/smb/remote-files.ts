/**
 * The three things the SMB share source asks of a share, each one `smbclient` run: list the folder
 * recursively, look at one file (`ls "name"`), and read one file whole into a stream (`get "name" -`),
 * hashing and counting the bytes as they pass. Reading checks that exactly the size the file had
 * before came, and that smbclient itself announced that size.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

import { SmbShareError } from './errors.js';
import { parseEntryLine, parseListing, type ListedFile } from './listing.js';
import { describe, quoteSmbArgument, runSmbclient, type SmbConnection } from './smbclient.js';

export interface RemoteCall {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Every file under the connection's folder, names relative to it with `/`. */
export async function listRemoteFolder(
  connection: SmbConnection,
  call: RemoteCall,
): Promise<ListedFile[]> {
  const { printed } = await runSmbclient(connection, {
    ...call,
    purpose: 'Listing',
    commands: ['recurse ON', 'ls'],
  });
  try {
    return parseListing(printed, connection.path.folder);
  } catch (error) {
    throw new SmbShareError(
      'SmbClientFailed',
      `Listing ${describe(connection)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** One file's size and time, as `ls` shows them; a missing file is a `PathNotFound` error. */
export async function statRemoteFile(
  connection: SmbConnection,
  name: string,
  call: RemoteCall,
): Promise<ListedFile> {
  const { printed } = await runSmbclient(connection, {
    ...call,
    purpose: `Looking at ${name}`,
    commands: [`ls ${quoteSmbArgument(name)}`],
  });
  const own = name.slice(name.lastIndexOf('/') + 1);
  const entries = printed
    .split(/\r?\n/)
    .map(parseEntryLine)
    .filter((entry) => entry !== null);
  const entry = entries.find((e) => e.name.toLowerCase() === own.toLowerCase());
  if (entry === undefined || entry.directory || entries.length !== 1) {
    throw new SmbShareError(
      'PathNotFound',
      `Looking at ${name} on ${describe(connection)}: it is not a file there (listed: ${entries.map((e) => e.name).join(', ') || 'nothing'}).`,
    );
  }
  return { name, size: entry.size, modifiedAt: entry.modifiedAt };
}

export interface ReadOutcome {
  readonly bytes: number;
  /** MD5 of the bytes read, base64. */
  readonly md5: string;
}

/**
 * Reads the file whole into the open file `into` (or, without it, only hashes it), and checks the byte count
 * against `expectedSize` and against the size smbclient announced when it opened the file.
 */
export async function readRemoteFile(
  connection: SmbConnection,
  name: string,
  expectedSize: number,
  call: RemoteCall & {
    readonly into?: FileHandle;
    readonly onBytes?: (bytes: number) => void;
  },
): Promise<ReadOutcome> {
  const md5 = createHash('md5');
  let bytes = 0;
  const count = (chunk: Buffer): void => {
    md5.update(chunk);
    bytes += chunk.length;
    call.onBytes?.(bytes);
  };
  const { into } = call;
  const output = into ? fileWriter(count, into) : hashingSink(count);
  const { printed } = await runSmbclient(connection, {
    purpose: `Reading ${name}`,
    commands: [`get ${quoteSmbArgument(name)} -`],
    output,
    timeoutMs: call.timeoutMs,
    signal: call.signal,
  });
  const announced = /getting file .* of size (\d+) as -/.exec(printed)?.[1];
  if (bytes !== expectedSize || (announced !== undefined && Number(announced) !== expectedSize)) {
    throw new SmbShareError(
      'FileChanged',
      `Reading ${name} on ${describe(connection)}: ${bytes} bytes came, but the file held ${expectedSize} when the read began${announced === undefined ? '' : ` (${announced} when smbclient opened it)`}. It is still being written, or changed; it is read again once it stops changing.`,
    );
  }
  return { bytes, md5: md5.digest('base64') };
}

/** Writes the bytes into the open file, showing each chunk to `see` first. */
function fileWriter(see: (chunk: Buffer) => void, into: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      see(chunk);
      writeAll(into, chunk).then(() => {
        done();
      }, done);
    },
  });
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
    written += bytesWritten;
  }
}

function hashingSink(see: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      see(chunk);
      done();
    },
  });
}
