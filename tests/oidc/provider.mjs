// A real OpenID Connect provider for the tests of ARS Assistant's sign-in (node_modules/oidc-provider).
//   PORT=9000 APP_URL=http://127.0.0.1:7860 ID_TOKEN_TTL=3 node tests/oidc/provider.mjs
// One confidential client (the app) with PKCE required, two accounts with groups, a minimal French sign-in form
// (no CDN: the provider's own pages load Google fonts), consent granted without asking (a first-party app).
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9000);
const appUrl = (process.env.APP_URL || 'http://127.0.0.1:7860').replace(/\/$/, '');
const issuer = `http://127.0.0.1:${port}`;

export const ACCOUNTS = {
  marie: {
    password: 'marie-mdp', email: 'marie.dupont@ars.test', given_name: 'Marie', usual_name: 'Dupont',
    groups: ['ars-admin-documents', 'ars-agents'],
  },
  paul: {
    password: 'paul-mdp', email: 'paul.martin@ars.test', given_name: 'Paul', usual_name: 'Martin',
    groups: ['ars-agents'],
  },
};

const configuration = {
  clients: [{
    client_id: process.env.CLIENT_ID || 'ars-assistant',
    client_secret: process.env.CLIENT_SECRET || 'secret-de-test-du-client',
    redirect_uris: [`${appUrl}/connexion/retour`],
    post_logout_redirect_uris: [`${appUrl}/deconnexion/terminee`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    userinfo_signed_response_alg: 'RS256', // a signed JWT, as ProConnect answers
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'given_name', 'usual_name', 'groups'],
  claims: {
    openid: ['sub'], email: ['email'], given_name: ['given_name'], usual_name: ['usual_name'], groups: ['groups'],
  },
  conformIdTokenClaims: false, // the ID token carries the claims too: the API reads groups from it
  ttl: { IdToken: Number(process.env.ID_TOKEN_TTL || 3600), AccessToken: 600 },
  cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // the logout confirmed at once: the app's « Se déconnecter » is the user's confirmation
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html lang="fr"><body>${form}<script>
          const f = document.forms[0]; const i = document.createElement('input');
          i.type = 'hidden'; i.name = 'logout'; i.value = 'yes'; f.appendChild(i); f.submit();
        </script></body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    const { password, ...claims } = account;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
};

const provider = new Provider(issuer, configuration);

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (uid, error) => `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Connexion – fournisseur de test</title></head><body>
<h1>Connexion au fournisseur d'identité de test</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Identifiant <input name="login" autocomplete="username" required></label>
<label>Mot de passe <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Se connecter</button></form></body></html>`;

async function formOf(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

// the interactions (sign-in form, consent) before the provider's own routes
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params, session } = details;
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } },
      { mergeWithLastSubmission: true }));
    return undefined;
  }
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = page(uid);
    return undefined;
  }
  const { login, password } = await formOf(ctx.req);
  if (!ACCOUNTS[login] || ACCOUNTS[login].password !== password) {
    ctx.type = 'html';
    ctx.body = page(uid, 'Identifiant ou mot de passe incorrect.');
    return undefined;
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } },
    { mergeWithLastSubmission: false }));
  return undefined;
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`oidc test provider ${issuer} for ${appUrl}`);
});
