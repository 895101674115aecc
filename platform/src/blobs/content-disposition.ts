/**
 * `attachment` carrying the name twice, as browsers expect: an ASCII fallback and the exact UTF-8 name
 * (RFC 6266 / RFC 8187). Without a name the file opens inline.
 */
export function contentDisposition(downloadName?: string): string {
  if (downloadName === undefined) return 'inline';
  const fallback = downloadName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(downloadName).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
