// A real OpenID provider for the single sign-on tests: panva's oidc-provider (certified by
// the OpenID Foundation), on loopback, with the clients and people the test gives in
// OIDC_CLIENTS and OIDC_ACCOUNTS (JSON). It prints "listening <port>" once it serves.
// PKCE is required, as it is of the service; the quick-start login and consent pages
// (devInteractions) stand in for the organisation's sign-in page.
import Provider from "oidc-provider";

const issuer = process.env.OIDC_ISSUER;
const port = Number(new URL(issuer).port);
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  scopes: ["openid", "email", "profile", "roles"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    roles: ["roles"],
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["test-only-cookie-key"] },
});

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
