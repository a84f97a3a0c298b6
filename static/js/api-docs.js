// Swagger UI on the API's generated document, without inline script (the pages' CSP allows none).
(function () {
  "use strict";
  var SAFE = ["GET", "HEAD", "OPTIONS"];
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof SwaggerUIBundle === "undefined") { return; }
    window.ui = SwaggerUIBundle({
      url: root.dataset.specUrl,
      domNode: root,
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      // Never send the document to the public validator: nothing leaves this server.
      validatorUrl: null,
      requestInterceptor: function (request) {
        // With the session, a change is accepted only with this page's CSRF token.
        if (SAFE.indexOf((request.method || "GET").toUpperCase()) === -1) {
          request.headers["X-CSRFToken"] = root.dataset.csrfToken;
        }
        return request;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
