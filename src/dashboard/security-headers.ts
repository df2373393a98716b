import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Where the Feishu/Lark client may frame the workbench page. UNCONFIRMED: Feishu's docs name no
 * origins for the web-app container; these are the hosts of Feishu (feishu.cn), Lark
 * (larksuite.com) and Lark Office (larkoffice.com), as other workbench apps allow them. The
 * desktop and mobile clients open the page in their own webview, as a top-level page.
 */
export const FEISHU_FRAME_ANCESTORS = ['https://*.feishu.cn', 'https://*.larksuite.com', 'https://*.larkoffice.com'];

/**
 * Security headers for the dashboard (helmet, scoped to the dashboard's routes). Every script is
 * a file of ours (ECharts is bundled), so scripts and connections are 'self' only.
 */
export const dashboardHelmet: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // ECharts and the page's HTML templates write style attributes (styles cannot run code);
      // style elements stay 'self'. style-src is the fallback for browsers without the CSP3 split.
      styleSrc: ["'self'", "'unsafe-inline'"],
      styleSrcElem: ["'self'"],
      styleSrcAttr: ["'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: FEISHU_FRAME_ANCESTORS,
    },
  },
  // frame-ancestors decides framing; X-Frame-Options would forbid the Feishu client outright.
  xFrameOptions: false,
  // HSTS belongs to whoever terminates TLS (it binds every subdomain for a year).
  strictTransportSecurity: false,
};
