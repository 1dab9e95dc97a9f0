// The API's reference page at /api/docs: Swagger UI from @fastify/swagger-ui, its scripts and styles
// served from the installed package (no CDN), under the site's own strict Content-Security-Policy:
// every script is a file of this origin, so nothing inline or evaluated needs allowing. The plugin
// also answers /api/docs/json, the OpenAPI document (the same app.swagger() the app served there itself
// before), and /api/docs/yaml. Public, as the document is: it describes the API, not anyone's data.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { PUBLIC_DIR } from '../paths.js'

const THEME_DIR = join(PUBLIC_DIR, 'api-docs')
const themeFile = (name: string) => readFileSync(join(THEME_DIR, name), 'utf8')

export default async function apiDocs(app: FastifyInstance) {
  // Every route of the page (the page, its assets, the document) is public; the access check at start-up asks.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' }
  })
  const favicon = readFileSync(join(PUBLIC_DIR, 'favicon.svg'))
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    theme: {
      title: 'Service Gap API',
      css: [{ filename: 'service-gap.css', content: themeFile('theme.css') }],
      // Adds the page's header and main landmark before Swagger UI starts (it starts on window load).
      js: [{ filename: 'service-gap.js', content: themeFile('theme.js') }],
      favicon: [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: favicon }],
    },
    logo: { type: 'image/svg+xml', content: favicon },
    uiConfig: {
      // No top bar (it offers to load any other document by URL): the page is this API's reference only.
      layout: 'BaseLayout',
      // Deep links would put a link inside each operation's button (nested controls, which screen readers cannot reach).
      deepLinking: false,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      displayRequestDuration: true,
      filter: true,
      tryItOutEnabled: false,
      // The bearer token stays in the page's memory: not kept in localStorage, where any later script of this origin could read it.
      persistAuthorization: false,
    },
    // No call to the public validator at validator.swagger.io.
    validatorUrl: false,
  })
}
