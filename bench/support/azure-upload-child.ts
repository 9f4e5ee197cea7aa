/**
 * BENCH SUPPORT — one upload of a file into Azurite, in a process of its own so that its peak memory
 * (`process.resourceUsage().maxRSS`) is the upload's alone and so that it can be killed mid-upload.
 * `bench/azure-upload.bench.ts` forks it with a job (JSON in SQLMIG_BENCH_UPLOAD_JOB) naming one of
 * three ways to upload:
 *
 *   sqlmig  `LocalFolderSource.upload()` into an `AzureBlobStore`, default settings; the store's
 *           stageBlock is wrapped to report each block started and staged
 *   sdk     `BlockBlobClient.uploadFile()` of @azure/storage-blob, default options
 *   raw     Put Block requests with Node's http module (a container SAS from the SDK's helper), a
 *           fixed number in flight, then Put Block List: the least work an upload can do
 *
 * It prints one JSON object a line on stdout (writes to a pipe are synchronous on Linux, so the
 * parent sees every line written before a SIGKILL): `{"event":"start"|"staged","id","bytes"}` per block
 * (sqlmig only), then `{"event":"done","ms","maxRssKiB","cpuMs","dataWritten"}`.
 */
import { open, stat } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

import {
  BlockBlobClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

import { LocalFolderSource } from '../../src/runtime/index.js';
import { AzureBlobStore, type BlobStore } from '../../src/storage/index.js';

export interface UploadJob {
  readonly mode: 'sqlmig' | 'sdk' | 'raw';
  readonly accountUrl: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly containerName: string;
  readonly folder: string;
  readonly fileName: string;
  readonly blobName: string;
  /** raw only. */
  readonly blockBytes?: number;
  /** raw only. */
  readonly inFlight?: number;
}

export type ChildLine =
  | { readonly event: 'start' | 'staged'; readonly id: string; readonly bytes: number }
  | {
      readonly event: 'done';
      readonly ms: number;
      readonly maxRssKiB: number;
      /** User and system CPU time of the process, from its start. */
      readonly cpuMs: number;
      readonly dataWritten: number;
    };

const say = (line: ChildLine): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

async function main(): Promise<void> {
  const job = JSON.parse(process.env.SQLMIG_BENCH_UPLOAD_JOB ?? '') as UploadJob;
  const started = process.hrtime.bigint();
  const dataWritten = await uploaders[job.mode](job);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  const cpuMs = (userCPUTime + systemCPUTime) / 1000;
  say({ event: 'done', ms, maxRssKiB: maxRSS, cpuMs, dataWritten });
}

const uploaders: Record<UploadJob['mode'], (job: UploadJob) => Promise<number>> = {
  async sqlmig(job) {
    const store = new AzureBlobStore({
      accountUrl: job.accountUrl,
      containerName: job.containerName,
      credential: { accountKey: job.accountKey },
    });
    const source = new LocalFolderSource(job.folder);
    const outcome = await source.upload(job.fileName, reporting(store), job.blobName, () => {});
    return outcome.dataWritten;
  },

  async sdk(job) {
    const credential = new StorageSharedKeyCredential(job.accountName, job.accountKey);
    const url = `${job.accountUrl}/${job.containerName}/${job.blobName}`;
    const path = join(job.folder, job.fileName);
    await new BlockBlobClient(url, credential).uploadFile(path);
    return (await stat(path)).size;
  },

  raw: rawUpload,
};

/** `store`, reporting each block as its staging starts and as it ends. */
function reporting(store: BlobStore): BlobStore {
  return {
    description: store.description,
    list: (prefix) => store.list(prefix),
    properties: (name) => store.properties(name),
    openRead: (name) => store.openRead(name),
    async stageBlock(name, id, data, options) {
      say({ event: 'start', id, bytes: data.byteLength });
      await store.stageBlock(name, id, data, options);
      say({ event: 'staged', id, bytes: data.byteLength });
    },
    stagedBlocks: (name) => store.stagedBlocks(name),
    commitBlocks: (name, ids, options) => store.commitBlocks(name, ids, options),
    delete: (name) => store.delete(name),
  };
}

/**
 * Reads the file block by block into `inFlight` reused buffers and sends each with one Put Block
 * (no checksum, no retry), `inFlight` at a time on kept-alive connections; then Put Block List.
 */
async function rawUpload(job: UploadJob): Promise<number> {
  const blockBytes = job.blockBytes ?? 4 * 1024 * 1024;
  const inFlight = job.inFlight ?? 4;
  const credential = new StorageSharedKeyCredential(job.accountName, job.accountKey);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: job.containerName,
      permissions: ContainerSASPermissions.parse('cw'),
      expiresOn: new Date(Date.now() + 3_600_000),
    },
    credential,
  ).toString();
  const url = new URL(`${job.accountUrl}/${job.containerName}/${job.blobName}`);
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const handle = await open(join(job.folder, job.fileName));
  try {
    const size = (await handle.stat()).size;
    const count = Math.ceil(size / blockBytes);
    const ids = Array.from({ length: count }, (_, i) =>
      Buffer.from(String(i).padStart(8, '0')).toString('base64'),
    );
    let next = 0;
    const worker = async (): Promise<void> => {
      const buffer = Buffer.allocUnsafe(blockBytes);
      while (next < count) {
        const index = next++;
        const position = index * blockBytes;
        const length = Math.min(blockBytes, size - position);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(
            buffer,
            filled,
            length - filled,
            position + filled,
          );
          if (bytesRead === 0) throw new Error(`${job.fileName} ended early`);
          filled += bytesRead;
        }
        const query = `comp=block&blockid=${encodeURIComponent(ids[index] ?? '')}&${sas}`;
        await send(agent, url, query, buffer.subarray(0, length));
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    await send(agent, url, `comp=blocklist&${sas}`, Buffer.from(list));
    return size;
  } finally {
    await handle.close();
    agent.destroy();
  }
}

function send(agent: Agent, url: URL, query: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: `${url.pathname}?${query}`,
        headers: { 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === 201) resolve();
          else
            reject(
              new Error(
                `Put ${query.slice(0, 40)}… answered ${String(res.statusCode)}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
              ),
            );
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

await main();
