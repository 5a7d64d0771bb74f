//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1), always off the async
//! threads.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

/// Hashing runs at most one per core at a time. Argon2 is all computation, so more at
/// once gains nothing, and each run holds its memory (19 MiB for a password, 4 MiB for a
/// receipt) on a thread of its own: 50 members of the public posting tips at once took
/// the process to 2.9 GB, kept after the load by the allocator's per-thread arenas.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores.clamp(1, 8))
});

/// Runs `f` (a hash) on the blocking pool once a hashing slot is free.
async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let _slot = HASHING.acquire().await.ok()?;
    tokio::task::spawn_blocking(f).await.ok()
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password in a blocking task; returns the PHC string.
pub async fn hash(password: String) -> String {
    hashing(move || hash_now(&password))
        .await
        .expect("hashing task")
}

/// Hashes a password on the current thread (for the command line).
pub fn hash_now(password: &str) -> String {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("Argon2 hashing with valid parameters")
}

/// Checks a password against a stored PHC string in a blocking task.
pub async fn verify(password: String, stored: String) -> bool {
    hashing(move || {
        PasswordHash::new(&stored)
            .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// The receipt codes' hash: Argon2id with m = 4 MiB, t = 2. A receipt carries 16
/// random secret digits (over 52 bits), so a lighter cost than a password's keeps
/// guessing from a stolen database hopeless while the public form can take hundreds of
/// submissions a second on two cores.
fn receipt_hasher() -> Argon2<'static> {
    let params = Params::new(4 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a receipt code in a blocking task; returns the PHC string.
pub async fn hash_receipt(receipt: String) -> String {
    hashing(move || {
        receipt_hasher()
            .hash_password(receipt.as_bytes())
            .map(|h| h.to_string())
            .expect("Argon2 hashing with valid parameters")
    })
    .await
    .expect("hashing task")
}

/// Checks a receipt code against its stored hash in a blocking task.
pub async fn verify_receipt(receipt: String, stored: String) -> bool {
    hashing(move || {
        PasswordHash::new(&stored)
            .map(|h| {
                receipt_hasher()
                    .verify_password(receipt.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A random password meeting the default policy (for generated demo accounts).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("random source");
    let body: String = b
        .iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect();
    format!("Aj{body}#7")
}
