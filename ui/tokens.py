"""Bearer tokens issued by the OpenID Connect provider (ID tokens, JWT access tokens), checked for the HTTP API:
signature against the provider's published keys, issuer, audience (this application's client id) and expiry."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

EXPIRED = "Accès refusé : jeton expiré. Demandez un nouveau jeton au fournisseur d'identité, puis réessayez."
INVALID = (
    "Accès refusé : jeton invalide (signature, émetteur ou destinataire non reconnus). Envoyez un jeton du "
    "fournisseur d'identité délivré à cette application, ou un des jetons de ARS_API_TOKENS."
)
UNREACHABLE = "Accès impossible à vérifier : le fournisseur d'identité ne répond pas. Réessayez dans un instant."
LEEWAY_S = 10  # clock skew tolerated between this server and the provider
KEYS_REFRESH_S = 60  # an unknown key id refetches the provider's keys, at most this often


class BadToken(Exception):
    """A token refused; the message is French, for the caller."""


class ProviderUnreachable(Exception):
    """The provider's discovery document or keys could not be read."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class ProviderTokens:
    """Checks the provider's JWTs; its discovery document and keys are read once, keys again on an unknown key."""

    def __init__(self, issuer: str, client_id: str, leeway_s: int = LEEWAY_S) -> None:
        self.issuer, self.client_id, self.leeway_s = issuer, client_id, leeway_s
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def claims(self, token: str) -> dict[str, Any]:
        """The token's claims if the provider signed it for this application and it is still valid; else BadToken."""
        try:
            decoded = self._decode(token, refresh=False)
        except InvalidKeyIdError:
            decoded = self._decode(token, refresh=True)
        except ValueError as exc:  # not a JWT at all
            raise BadToken(INVALID) from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway_s,
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
        )
        try:
            registry.validate(decoded.claims)
        except ExpiredTokenError as exc:
            raise BadToken(EXPIRED) from exc
        except JoseError as exc:
            raise BadToken(INVALID) from exc
        return dict(decoded.claims)

    def _decode(self, token: str, refresh: bool) -> jwt.Token:
        algorithms = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        try:
            return jwt.decode(token, self.keys(refresh), registry=JWSRegistry(algorithms=algorithms))
        except InvalidKeyIdError:
            if refresh:
                raise BadToken(INVALID) from None
            raise
        except JoseError as exc:
            raise BadToken(INVALID) from exc

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (read once)."""
        with self._lock:
            if self._metadata is None:
                self._metadata = _get_json(discovery_url(self.issuer))
            return self._metadata

    def keys(self, refresh: bool = False) -> KeySet:
        """The provider's signing keys; refreshed on demand, not more than once a minute."""
        uri = self.metadata()["jwks_uri"]
        with self._lock:
            stale = refresh and time.monotonic() - self._fetched_at > KEYS_REFRESH_S
            if self._keys is None or stale:
                self._keys = KeySet.import_key_set(_get_json(uri))  # type: ignore[arg-type]
                self._fetched_at = time.monotonic()
            return self._keys


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnreachable(f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderUnreachable(f"{url}: not a JSON object")
    return data
