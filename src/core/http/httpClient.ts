// Placeholder: the HTTP client is being written (undici, timeouts, size cap, proxy).
export interface HttpClientOptions {
  proxy: () => import('../ports').ProxySettings;
}
export class HttpClient {
  constructor(readonly options: HttpClientOptions) {}
}
