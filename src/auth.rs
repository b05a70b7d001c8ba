//! Bearer tokens: verifying them into a [`Principal`] and minting them for local use.
//!
//! Secure by default: with the embedded default database a development signing key is generated once and
//! kept beside the database (`data/dev-jwt-secret`), so `rotagraph token` works out of the box; with any
//! other database the server refuses to start unless a key is configured (an HS256 secret, or an RS256
//! public key whose private half stays with the identity provider).

use crate::config::AuthArgs;
use crate::error::AppError;
use crate::services::access::{Principal, Role};
use anyhow::Context as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The claims rotagraph reads from a token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default)]
    icbs: Vec<String>,
    #[serde(default)]
    region: Option<String>,
    exp: u64,
    iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    iss: String,
    aud: Audience,
}

/// A token's `aud`: one audience or several (RFC 7519, section 4.1.3); jsonwebtoken checks that ours is
/// among them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Several(Vec<String>),
}

/// How far a token's `iat` may lie ahead of this server's clock (the leeway jsonwebtoken gives `exp`
/// and `nbf`).
const CLOCK_SKEW_SECONDS: u64 = 60;

/// The issuer and audience tokens must name when none is configured.
pub const DEFAULT_ISSUER_AND_AUDIENCE: &str = "rotagraph";

/// The keys tokens are verified (and, with a secret, minted) with.
pub struct TokenKeys {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    /// The `iss` every token must carry.
    issuer: String,
    /// The `aud` every token must carry.
    audience: String,
    /// The key material other secrets of the server may be derived from (see [`TokenKeys::material`]).
    material: Vec<u8>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// HS256 with a shared secret: verifies and mints.
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            algorithm: Algorithm::HS256,
            decoding: DecodingKey::from_secret(secret),
            encoding: Some(EncodingKey::from_secret(secret)),
            issuer: DEFAULT_ISSUER_AND_AUDIENCE.to_owned(),
            audience: DEFAULT_ISSUER_AND_AUDIENCE.to_owned(),
            material: secret.to_vec(),
        }
    }

    /// The key material the server derives its cursor key from when no cursor secret is configured:
    /// the HS256 secret, or the RS256 public key (which does not keep cursors secret from whoever holds
    /// that key: set `--cursor-secret` with RS256).
    pub fn material(&self) -> &[u8] {
        &self.material
    }

    /// Whether the material is a secret (HS256), not a public key.
    pub fn material_is_secret(&self) -> bool {
        self.algorithm == Algorithm::HS256
    }

    /// The same keys, expecting (and minting) this issuer and audience.
    pub fn expecting(self, issuer: &str, audience: &str) -> Self {
        Self { issuer: issuer.to_owned(), audience: audience.to_owned(), ..self }
    }

    /// RS256 with a PEM public key: verifies only.
    pub fn rs256(public_key_pem: &[u8]) -> anyhow::Result<Self> {
        Ok(Self {
            algorithm: Algorithm::RS256,
            decoding: DecodingKey::from_rsa_pem(public_key_pem).context("reading the RS256 public key")?,
            encoding: None,
            issuer: DEFAULT_ISSUER_AND_AUDIENCE.to_owned(),
            audience: DEFAULT_ISSUER_AND_AUDIENCE.to_owned(),
            material: public_key_pem.to_vec(),
        })
    }

    /// The principal of a request: anonymous without a token, otherwise the token's, if it is valid.
    pub fn principal(&self, bearer: Option<&str>) -> Result<Principal, AppError> {
        Ok(self.verify(bearer)?.0)
    }

    /// [`TokenKeys::principal`], with the moment from which the token no longer verifies (its `exp` and
    /// the clock leeway; none for an anonymous caller): what a long-lived connection is held to.
    pub fn verify(&self, bearer: Option<&str>) -> Result<(Principal, Option<SystemTime>), AppError> {
        let Some(token) = bearer else { return Ok((Principal::anonymous(), None)) };
        let mut validation = Validation::new(self.algorithm);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AppError::Unauthenticated)?
            .claims;
        // Issued in the future, or for a role without the ICBs or region it reads: not a token we issue.
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|_| AppError::Unauthenticated)?.as_secs();
        let names_its_places = match claims.role {
            Role::IcbViewer | Role::IcbAdmin => !claims.icbs.is_empty(),
            Role::Regional => claims.region.is_some(),
            Role::National | Role::Reporter => true,
        };
        if claims.iat > now + CLOCK_SKEW_SECONDS || !names_its_places {
            return Err(AppError::Unauthenticated);
        }
        // An `exp` past any time the system clock can hold is no expiry this server can keep to: refused.
        let expires = UNIX_EPOCH
            .checked_add(Duration::from_secs(claims.exp.saturating_add(validation.leeway)))
            .ok_or(AppError::Unauthenticated)?;
        let principal =
            Principal { subject: claims.sub, role: Some(claims.role), icbs: claims.icbs, region: claims.region };
        Ok((principal, Some(expires)))
    }

    /// Mints a token for `principal`, valid for `lifetime`.
    pub fn mint(&self, principal: &Principal, lifetime: Duration) -> anyhow::Result<String> {
        let encoding = self.encoding.as_ref().context("minting tokens needs an HS256 secret (ROTAGRAPH_JWT_SECRET)")?;
        let role = principal.role.context("an anonymous caller needs no token")?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let claims = Claims {
            sub: principal.subject.clone(),
            role,
            icbs: principal.icbs.clone(),
            region: principal.region.clone(),
            iat: now,
            exp: now + lifetime.as_secs(),
            nbf: None,
            iss: self.issuer.clone(),
            aud: Audience::One(self.audience.clone()),
        };
        Ok(jsonwebtoken::encode(&Header::new(self.algorithm), &claims, encoding)?)
    }
}

/// The development secret's file, beside the embedded database.
pub fn dev_secret_path(database_path: &Path) -> PathBuf {
    database_path.parent().unwrap_or_else(|| Path::new(".")).join("dev-jwt-secret")
}

/// The configured keys: a secret, a public key, or (only for the embedded default database, whose file
/// is `default_database_file`) the development secret, generated on first use.
pub fn load_keys(settings: &AuthArgs, default_database_file: Option<&Path>) -> anyhow::Result<TokenKeys> {
    Ok(signing_keys(settings, default_database_file)?.expecting(&settings.jwt_issuer, &settings.jwt_audience))
}

fn signing_keys(settings: &AuthArgs, default_database_file: Option<&Path>) -> anyhow::Result<TokenKeys> {
    if let Some(secret) = &settings.jwt_secret {
        let secret = secret.expose_secret();
        anyhow::ensure!(secret.len() >= 32, "ROTAGRAPH_JWT_SECRET must be at least 32 characters");
        return Ok(TokenKeys::hs256(secret.as_bytes()));
    }
    if let Some(path) = &settings.jwt_public_key_file {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        return TokenKeys::rs256(&pem);
    }
    let Some(database_file) = default_database_file else {
        anyhow::bail!(
            "no token key configured: set ROTAGRAPH_JWT_SECRET (HS256) or ROTAGRAPH_JWT_PUBLIC_KEY_FILE (RS256); \
             only the embedded default database gets a development key"
        );
    };
    let path = dev_secret_path(database_file);
    let secret = match std::fs::read_to_string(&path) {
        Ok(secret) => secret.trim().to_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let secret = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            write_private(&path, &secret)?;
            tracing::info!(path = %path.display(), "generated a development token key");
            secret
        }
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    };
    Ok(TokenKeys::hs256(secret.as_bytes()))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    Ok(std::fs::write(path, contents)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer() -> Principal {
        Principal {
            subject: "test".to_owned(),
            role: Some(Role::IcbViewer),
            icbs: vec!["T6Y0W".to_owned()],
            region: None,
        }
    }

    #[test]
    fn a_minted_token_verifies_into_its_principal() {
        let keys = TokenKeys::hs256(b"0123456789abcdef0123456789abcdef");
        let token = keys.mint(&viewer(), Duration::from_secs(60)).ok();
        assert_eq!(keys.principal(token.as_deref()).ok(), Some(viewer()));
        assert_eq!(keys.principal(None).ok(), Some(Principal::anonymous()));
    }

    /// A token with these claims, signed with `secret`.
    fn signed(secret: &[u8], claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret)).expect("sign")
    }

    #[test]
    fn an_audience_list_naming_ours_is_accepted_and_a_future_iat_or_a_role_without_its_places_is_refused() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let keys = TokenKeys::hs256(secret);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let claims = |changes: serde_json::Value| {
            let mut claims = serde_json::json!({ "sub": "test", "role": "icb_viewer", "icbs": ["T6Y0W"],
                "iat": now, "exp": now + 600, "iss": "rotagraph", "aud": "rotagraph" });
            if let (Some(claims), Some(changes)) = (claims.as_object_mut(), changes.as_object()) {
                claims.extend(changes.clone());
            }
            signed(secret, &claims)
        };
        let accepted = |token: String| keys.principal(Some(&token)).is_ok();

        assert!(accepted(claims(serde_json::json!({}))));
        assert!(accepted(claims(serde_json::json!({ "aud": ["another-api", "rotagraph"] }))));
        assert!(!accepted(claims(serde_json::json!({ "aud": ["another-api"] }))));
        assert!(!accepted(claims(serde_json::json!({ "iat": now + 3600 }))), "issued an hour from now");
        assert!(!accepted(claims(serde_json::json!({ "icbs": [] }))), "an ICB viewer of no ICB");
        assert!(
            !accepted(claims(serde_json::json!({ "role": "regional", "icbs": [] }))),
            "a regional reader of no region"
        );
        assert!(accepted(claims(serde_json::json!({ "role": "national", "icbs": [] }))));
    }

    #[test]
    fn tokens_signed_with_another_key_or_malformed_are_refused() {
        let keys = TokenKeys::hs256(b"0123456789abcdef0123456789abcdef");
        let other = TokenKeys::hs256(b"fedcba9876543210fedcba9876543210");
        let token = other.mint(&viewer(), Duration::from_secs(60)).ok();
        assert!(matches!(keys.principal(token.as_deref()), Err(AppError::Unauthenticated)));
        assert!(matches!(keys.principal(Some("not.a.token")), Err(AppError::Unauthenticated)));
    }
}
