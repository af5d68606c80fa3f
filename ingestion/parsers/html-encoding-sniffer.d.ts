// html-encoding-sniffer ships no type declarations.
declare module 'html-encoding-sniffer' {
  export default function sniffHtmlEncoding(
    bytes: Uint8Array,
    options?: { xml?: boolean; transportLayerEncodingLabel?: string | undefined; defaultEncoding?: string; maxPrescanBytes?: number },
  ): string;
}
