// A request path that is not valid percent-encoding (say /%ff) is the
// client's mistake, but configurable-http-proxy (5.1 and 5.2) lets decodeURIComponent's
// URIError become a 500 "proxy error". Loaded before the proxy (node --import),
// this turns that case into 400; every other error keeps its code.
import ConfigurableProxy from "/opt/proxy/node_modules/configurable-http-proxy/lib/configproxy.js";

const handleProxyError = ConfigurableProxy.prototype.handleProxyError;
ConfigurableProxy.prototype.handleProxyError = function (code, kind, req, res, error) {
  if (error instanceof URIError) {
    code = 400;
    // A code the proxy logs as one line (its message), not as a stack trace.
    error = { code: "ETIMEDOUT", message: "path is not valid percent-encoding" };
  }
  return handleProxyError.call(this, code, kind, req, res, error);
};
