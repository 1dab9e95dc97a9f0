// Lint rules for `npm run check` (kept as a dotfile because the top level of the repository is fixed).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.build/**', 'public/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always'],
      // French texts put a narrow no-break space (U+202F) before : ; ? ! and inside « », as Intl does in numbers.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true }],
    },
  },
  { files: ['db/migrations/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The layers: routes → services → repositories → domain, with db/ below the repositories. Each folder
  // may import only what lies below it, so the arrows keep pointing down without anyone remembering.
  {
    files: ['server/domain/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./', message: 'The domain imports only the domain (types included).' },
          { regex: '^(fastify|@fastify/.*|kysely|pg|@electric-sql/.*|nodemailer)$', message: 'The domain is pure: no web framework, database or mail.' },
        ],
      }],
    },
  },
  {
    // The analytics sit one folder down inside the domain: they may reach the domain (statistics, scale,
    // predictions) but nothing beyond it.
    files: ['server/domain/analytics/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./\\.\\./', message: 'The domain imports only the domain (types included).' },
          { regex: '^(fastify|@fastify/.*|kysely|pg|@electric-sql/.*|nodemailer)$', message: 'The domain is pure: no web framework, database or mail.' },
        ],
      }],
    },
  },
  {
    files: ['server/repositories/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(services|routes|plugins)(/|$)', message: 'Repositories sit below services, routes and plugins.' }],
      }],
    },
  },
  {
    files: ['server/services/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./(routes|plugins)(/|$)', message: 'Services sit below routes and plugins.' },
          { regex: '^(fastify|@fastify/.*|fastify-plugin)$', message: 'Services know nothing of HTTP: return data, and let the route answer.' },
          { regex: '^kysely$', message: 'Queries live in server/repositories; a service calls them.' },
        ],
      }],
    },
  },
  {
    // Every query lives in a repository: nothing above them builds SQL.
    files: ['server/routes/**', 'server/plugins/**', 'server/mail/**', 'server/release/**', 'server/cli/**', 'server/webhooks/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^kysely$', message: 'Queries live in server/repositories; call one from here.' }],
      }],
    },
  },
  {
    // A presenter may name the shape of what it presents (a type from a service), never call one.
    files: ['server/presenters/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(services|repositories|routes|plugins)(/|$)', allowTypeImports: true, message: 'Presenters turn results into what a template prints; they fetch nothing.' }],
      }],
    },
  },
  {
    files: ['db/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+server/(?!domain/)', message: 'db/ sits below the server: it may use the domain\'s types, nothing else.' }],
      }],
    },
  },
)
