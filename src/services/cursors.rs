//! Opaque cursors: a cursor names a row's position in a list's order (its sort values, its id and the
//! order), sealed with authenticated encryption (ChaCha20-Poly1305) so that no table or column name and
//! no personal value (a family name a list is ordered by) can be read from it, and no altered cursor is
//! accepted. The key is derived (HKDF-SHA256) from the server's cursor secret, by default its token key,
//! so every replica seals and opens the same cursors, across restarts. The nonce is synthetic (an HMAC
//! of the position), so one position always gives one cursor: clients and caches may compare cursors.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;

/// The keys of this process, set once at start-up ([`use_secret`]).
static KEYS: OnceLock<CursorKeys> = OnceLock::new();

/// What a server without a configured secret seals with (tests, `export-schema`): cursors stay opaque
/// to clients, but not secret from anyone who reads this source.
const DEVELOPMENT_SECRET: &[u8] = b"rotagraph development cursor secret";

struct CursorKeys {
    cipher: ChaCha20Poly1305,
    nonce_key: Vec<u8>,
}

impl CursorKeys {
    fn derive(secret: &[u8]) -> Self {
        let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"rotagraph cursors v1"), secret);
        let (mut cipher_key, mut nonce_key) = ([0u8; 32], [0u8; 32]);
        // 32-byte outputs of HKDF-SHA256 cannot fail (the limit is 255 × 32 bytes).
        let _ = hkdf.expand(b"cipher", &mut cipher_key);
        let _ = hkdf.expand(b"nonce", &mut nonce_key);
        Self { cipher: ChaCha20Poly1305::new(&Key::from(cipher_key)), nonce_key: nonce_key.to_vec() }
    }
}

fn keys() -> &'static CursorKeys {
    KEYS.get_or_init(|| CursorKeys::derive(DEVELOPMENT_SECRET))
}

/// Seals cursors with keys derived from `secret` from now on (the first call wins: a server calls it
/// once, before it serves).
pub fn use_secret(secret: &[u8]) {
    let _ = KEYS.set(CursorKeys::derive(secret));
}

/// The cursor of `position` (a list's order and a row's place in it).
pub fn seal(position: &[u8]) -> String {
    let keys = keys();
    // HMAC takes a key of any length, so neither this nor the encryption below fails.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&keys.nonce_key) else { return String::new() };
    mac.update(position);
    let tag = mac.finalize().into_bytes();
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&tag[..12]);
    let Ok(sealed) = keys.cipher.encrypt(&Nonce::from(nonce), position) else { return String::new() };
    let mut bytes = Vec::with_capacity(12 + sealed.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The position a cursor names, or `None` for anything this server did not seal (altered, truncated,
/// made up, or sealed with another secret).
pub fn open(cursor: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce_bytes, sealed) = bytes.split_at(12);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(nonce_bytes);
    keys().cipher.decrypt(&Nonce::from(nonce), sealed).ok()
}

#[cfg(test)]
mod tests {
    use super::{open, seal};

    #[test]
    fn a_cursor_reads_as_nothing_and_opens_only_unaltered() {
        let position =
            br#"{"key":["Adeyemi","Ravi","00000000-0000-0000-0000-000000000001"],"order":"pharmacist:family_name"}"#;
        let cursor = seal(position);
        assert_eq!(seal(position), cursor, "one position, one cursor");
        assert_eq!(open(&cursor).as_deref(), Some(&position[..]));
        let text = String::from_utf8_lossy(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &cursor).unwrap_or_default(),
        )
        .into_owned();
        for secret in ["Adeyemi", "pharmacist", "family_name"] {
            assert!(!cursor.contains(secret) && !text.contains(secret), "{secret} shows");
        }
        let mut altered = cursor.into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(open(&String::from_utf8_lossy(&altered)), None);
        assert_eq!(open("not-a-cursor"), None);
    }
}
