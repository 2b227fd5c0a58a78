// Options only: debug, sign-in URL, organization sync, CSP.
import { clerkMiddleware } from 'clerk-edge/server';

export default clerkMiddleware({
  debug: true,
  signInUrl: '/sign-in',
  signUpUrl: '/sign-up',
  authorizedParties: ['https://example.com'],
  organizationSyncOptions: {
    organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'],
    personalAccountPatterns: ['/me', '/me/(.*)'],
  },
  contentSecurityPolicy: { strict: true, directives: { 'connect-src': ['https://api.example.com'] } },
});
