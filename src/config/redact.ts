/** Query parameters that carry credentials: media tokens, presigned-URL signatures. */
const SECRET_PARAMS = /([?&](?:token|x-amz-signature|x-amz-credential|x-amz-security-token|signature)=)[^&#\s"]*/gi;

/** A URL (or any text holding URLs) with every credential parameter's value replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[REDACTED]');
}
