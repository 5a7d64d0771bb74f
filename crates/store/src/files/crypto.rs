//! The digests and HMACs the S3 client signs its requests with (AWS Signature V4),
//! from the RustCrypto crates the product already uses, instead of the client's own
//! `ring` or `aws-lc-rs` (a second crypto stack and a C build for a newcomer).

use hmac::{Hmac, Mac};
use object_store::client::{
    CryptoProvider, DigestAlgorithm, DigestContext, HmacContext, Signer, SigningAlgorithm,
};
use sha2::{Digest, Sha256};

/// SHA-256 and HMAC-SHA256 for request signing; no RSA (only Google's service accounts
/// need it).
#[derive(Debug, Default)]
pub struct RustCrypto;

struct Sha(Option<Sha256>, Vec<u8>);

impl DigestContext for Sha {
    fn update(&mut self, data: &[u8]) {
        if let Some(h) = self.0.as_mut() {
            h.update(data);
        }
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        if let Some(h) = self.0.take() {
            self.1 = h.finalize().to_vec();
        }
        Ok(&self.1)
    }
}

struct HmacSha(Option<Hmac<Sha256>>, Vec<u8>);

impl HmacContext for HmacSha {
    fn update(&mut self, data: &[u8]) {
        if let Some(h) = self.0.as_mut() {
            h.update(data);
        }
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        if let Some(h) = self.0.take() {
            self.1 = h.finalize().into_bytes().to_vec();
        }
        Ok(&self.1)
    }
}

impl CryptoProvider for RustCrypto {
    fn digest(&self, algorithm: DigestAlgorithm) -> object_store::Result<Box<dyn DigestContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => Ok(Box::new(Sha(Some(Sha256::new()), Vec::new()))),
            _ => Err(unsupported()),
        }
    }

    fn hmac(
        &self,
        algorithm: DigestAlgorithm,
        secret: &[u8],
    ) -> object_store::Result<Box<dyn HmacContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => {
                let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| unsupported())?;
                Ok(Box::new(HmacSha(Some(mac), Vec::new())))
            }
            _ => Err(unsupported()),
        }
    }

    fn sign(
        &self,
        _algorithm: SigningAlgorithm,
        _pem: &[u8],
    ) -> object_store::Result<Box<dyn Signer>> {
        Err(unsupported())
    }
}

fn unsupported() -> object_store::Error {
    object_store::Error::NotSupported {
        source: "anjian signs S3 requests with SHA-256 and HMAC-SHA256 only".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2: the HMAC the signature chain is built from.
    #[test]
    fn hmac_sha256_matches_the_rfc_vector() {
        let mut h = RustCrypto.hmac(DigestAlgorithm::Sha256, b"Jefe").unwrap();
        h.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(h.finish().unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut d = RustCrypto.digest(DigestAlgorithm::Sha256).unwrap();
        d.update(b"abc");
        assert_eq!(
            hex::encode(d.finish().unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
