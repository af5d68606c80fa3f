// Reads a zip archive (the container of .docx) without letting it expand past a budget: yauzl reads the
// central directory first, so an archive that declares more than INGESTION_MAX_EXTRACTED_BYTES or an
// implausible compression ratio is refused before anything is inflated; entries are then inflated as streams
// that yauzl stops as soon as one yields more than it declared, and the running total is checked as bytes
// arrive. The inflated entries are re-packed uncompressed (JSZip, STORE), so the parser that reads the result
// never inflates anything itself.
import JSZip from 'jszip';
import yauzl from 'yauzl';
import { DocumentError, limitExceeded, type DocumentLimits } from '../parsed-document.js';

/** Below this many inflated bytes the compression ratio is not checked (tiny, repetitive files compress well). */
const ratioFloorBytes = 1024 * 1024;

export async function inflateZipBounded(bytes: Uint8Array, source: string, limits: Pick<DocumentLimits, 'maxExtractedBytes' | 'maxCompressionRatio'>): Promise<Map<string, Uint8Array>> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (error) {
    throw new DocumentError('corrupt-document', `${source} is not a readable zip archive: ${(error as Error).message}`, { cause: error });
  }
  try {
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      entries.push(entry);
      declared += entry.uncompressedSize;
    }
    if (declared > limits.maxExtractedBytes) throw limitExceeded(source, `archive declares ${declared} bytes once inflated`, limits.maxExtractedBytes, 'INGESTION_MAX_EXTRACTED_BYTES');
    const ratio = declared / Math.max(1, bytes.byteLength);
    if (declared > ratioFloorBytes && ratio > limits.maxCompressionRatio) {
      throw limitExceeded(source, `archive inflates ${ratio.toFixed(0)} times its size`, limits.maxCompressionRatio, 'INGESTION_MAX_COMPRESSION_RATIO');
    }
    const files = new Map<string, Uint8Array>();
    let inflated = 0;
    for (const entry of entries) {
      const parts: Buffer[] = [];
      const stream = await zip.openReadStreamPromise(entry);
      try {
        for await (const part of stream as AsyncIterable<Buffer>) {
          inflated += part.byteLength;
          if (inflated > limits.maxExtractedBytes) throw limitExceeded(source, 'archive inflates past', limits.maxExtractedBytes, 'INGESTION_MAX_EXTRACTED_BYTES');
          parts.push(part);
        }
      } finally {
        stream.destroy();
      }
      files.set(entry.fileName, Buffer.concat(parts));
    }
    return files;
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw new DocumentError('corrupt-document', `${source} is not a readable zip archive: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}

/** The entries as a zip whose entries are stored, not compressed: reading it inflates nothing. */
export async function storedZip(files: Map<string, Uint8Array>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, data] of files) zip.file(name, data);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}
